"""VISIT-DAYS (hard, §五(一)): each liaison officer is in each of his villages at least the monthly visit days, spread over the month.

The clause: 原则上每月进村时间累计不低于2天，可采取每旬或每半个月进村一次的方式. A month's visit
calendar holds when, for every village of the officer plan,

- its officer visits it on at least ``r`` different days, ``r`` = ``visit_days_per_month``
  rounded up, of time (OFF-LOAD counts the same days in an officer's load);
- the visits are spread by ``spacing``: with ``P`` periods (3 旬, or 2 half months) a village gets
  at most ``ceil(r / P)`` days in any one period and visits in at least ``min(r, P)`` periods
  (so 2 days are two different 旬, or one in each half month). The seed offers the spread as a
  way, not a must (可采取每旬或每半个月进村一次的方式): ``spacing = "none"`` asks only for the
  days;
- time adds up the way compliance counts work logs (每月进村时间累计, VISIT-LOG's
  ``hours_per_day`` hours make a day): a calendar row's ``hours`` in the village, or, where a
  row gives none, the officer's day split evenly between that day's villages; two villages on one
  day are half a day each, not two days. An officer is planned at most one day's hours a day,
  and the time a village gets in any one period is at most ``ceil(r / P)`` days;
- every visit is on a working day (no weekend unless ``weekends``, no public holiday, make-up
  workdays count) that the officer has not marked unavailable;
- an officer visits at most ``max_villages_per_day`` villages a day, and villages share a day only
  when each two of them are at most ``shared_day_km`` apart by road.

:func:`check_calendar` judges any calendar by these rules without a solver.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Param, Rule, Violation, VisitCalendar

# How visits spread over a month (§五(一): 可采取每旬或每半个月进村一次的方式), as the
# statement names them.
SPACINGS = (N_("xun"), N_("half_month"), N_("none"))

RULE = Rule(
    id="VISIT-DAYS",
    clause="§五(一)",
    kind="hard",
    subject="visit",
    summary=N_(
        "each liaison officer is in each of his villages at least the monthly visit days, "
        "spread over the month"
    ),
    statement=N_(
        "each liaison officer is in each of his villages at least {visit_days_per_month} days a "
        "month in all, spread: {spacing}; on working "
        "days (weekends too: {weekends}); at most {max_villages_per_day} villages a day, at most "
        "{shared_day_km} km apart"
    ),
    required=N_(
        'the visit calendar is made by it; set spacing = "none" to drop the spread, or '
        "visit_days_per_month to change the days"
    ),
    params={
        "visit_days_per_month": Param(
            2.0,
            "days each village needs of its officer in a month, in all (§五(一): 原则上每月进村"
            "时间累计不低于2天); OFF-LOAD counts the same days in an officer's load",
            minimum=0,
            maximum=31,
            seed=True,
        ),
        "spacing": Param(
            "xun",
            "how visits spread over a month: 'xun' (one per 旬 of ten days), 'half_month', or "
            "'none' (the seed offers the spread as a way, not a must)",
            choices=SPACINGS,
            seed=True,
        ),
        "max_villages_per_day": Param(
            2, "most villages an officer visits on one day", minimum=1, maximum=10
        ),
        "shared_day_km": Param(
            10.0,
            "two villages may share a day when they are at most this far apart",
            minimum=0,
            maximum=200,
        ),
        "weekends": Param(
            False,
            "visits may fall on Saturdays and Sundays (make-up workdays are always working days)",
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance
    from ..optimizer.input.workdays import MonthDays


# How a month splits for the spacing of visits (§五(一): 每旬或每半个月进村一次).
PERIOD_NAMES = {
    "xun": ("上旬", "中旬", "下旬"),
    "half_month": ("上半月", "下半月"),
    "none": ("全月",),
}


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_of(day: int, spacing: str) -> int:
    """The 旬 (0, 1, 2) or half month (0, 1) a day of the month falls in."""
    if spacing == "xun":
        return min((day - 1) // 10, 2)
    if spacing == "none":
        return 0
    return 0 if day <= 15 else 1


def period_names(spacing: str) -> tuple[str, ...]:
    return PERIOD_NAMES[spacing]


def period_span(year: int, month: int, spacing: str, p: int) -> tuple[int, int]:
    """First and last day of period ``p``."""
    last = calendar.monthrange(year, month)[1]
    if spacing == "none":
        return (1, last)
    if spacing == "xun":
        return (1 + 10 * p, 10 * (p + 1) if p < 2 else last)
    return (1, 15) if p == 0 else (16, last)


def hours_per_day(inst: Instance) -> float:
    """Hours that make one day in a village (VISIT-LOG's, as compliance counts logs)."""
    return float(inst.policy.rule("VISIT-LOG")["hours_per_day"])


def visit_hours(calendar: pd.DataFrame, day_hours: float) -> np.ndarray:
    """Each row's hours in its village: its ``hours`` where given, else the officer's day split
    evenly between the villages he visits that day."""
    n = calendar.groupby(["officer_id", "date"])["village_id"].transform("size").to_numpy(float)
    even = day_hours / np.maximum(n, 1)
    if "hours" not in calendar.columns:
        return even
    given = pd.to_numeric(calendar["hours"], errors="coerce").to_numpy(float)
    return np.where(np.isnan(given), even, given)


def visits_required(inst: Instance) -> int:
    """Days each village needs in a month: ``visit_days_per_month``, rounded up."""
    return math.ceil(float(inst.policy.rule(RULE.id)["visit_days_per_month"]) - 1e-9)


def period_rule(required: int, periods: int) -> tuple[int, int]:
    """(most visits in one period, fewest periods with a visit) for ``required`` visits."""
    if required <= 0:
        return 0, 0
    return math.ceil(required / periods), min(required, periods)


def village_km(inst: Instance, village_ids) -> pd.DataFrame:
    """Travel km between villages (one matrix per county, where officers' villages lie)."""
    ids = list(dict.fromkeys(village_ids))
    out = pd.DataFrame(np.inf, index=ids, columns=ids)
    vil = inst.villages.loc[ids]
    for _county, grp in vil.groupby("county_id", sort=True):
        xy = grp[["x", "y"]].to_numpy(float)
        km = np.nan_to_num(inst.distance_km(xy, xy), nan=np.inf)
        out.loc[grp.index, grp.index] = km
    return out


def month_of(inst: Instance, month: str, unavailable: pd.DataFrame | None = None) -> MonthDays:
    """The month's working days and the officers' days off, from the bundle (and extra rows)."""
    params = inst.policy.rule(RULE.id)
    return inst.month_days(month, params["spacing"], params["weekends"], unavailable)


def check(inst: Instance, plan: VisitCalendar) -> list[Violation]:
    """Every VISIT-DAYS violation of a month's visit calendar (``check_calendar``)."""
    return check_calendar(inst, plan.plan, plan.calendar, plan.month, plan.unavailable)


def check_calendar(
    inst: Instance,
    plan: pd.DataFrame,
    calendar: pd.DataFrame,
    month: str | None = None,
    unavailable: pd.DataFrame | None = None,
) -> list[Violation]:
    """Every VISIT-DAYS violation of a month's calendar (officer_id, date, village_id rows) for
    the officer plan (village_id, officer_id rows). ``month`` (YYYY-MM) defaults to the month of
    the calendar's dates; ``unavailable`` adds rows to the bundle's ``unavailable.csv``."""
    import datetime as dt

    params = inst.policy.rule(RULE.id)
    spacing, per_day, share_km = (
        params["spacing"],
        int(params["max_villages_per_day"]),
        float(params["shared_day_km"]),
    )
    out: list[Violation] = []
    cal = calendar.assign(
        officer_id=calendar["officer_id"].astype(str),
        village_id=calendar["village_id"].astype(str),
        date=[
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in calendar["date"]
        ],
    ).drop_duplicates(["officer_id", "village_id", "date"])
    day_hours = hours_per_day(inst)
    cal = cal.assign(hours=visit_hours(cal, day_hours))
    if month is None:
        months = sorted({f"{d.year:04d}-{d.month:02d}" for d in cal["date"]})
        if len(months) != 1:
            return [
                Violation(
                    RULE.id,
                    _("a calendar covers one month; this one covers {months}").format(
                        months=", ".join(months)
                    ),
                )
            ]
        month = months[0]
    days = month_of(inst, month, unavailable)
    names = period_names(spacing)
    required = visits_required(inst)
    most, fewest = period_rule(required, days.periods)
    working = set(days.working)
    given = plan[plan["officer_id"].fillna("").astype(str) != ""]
    holder = dict(
        zip(given["village_id"].astype(str), given["officer_id"].astype(str), strict=True)
    )
    vname = inst.villages["name"]
    oname = inst.officers["name"]

    def who(o: str) -> str:
        return _("officer {officer} {name}").format(officer=o, name=oname.get(o, "")).rstrip()

    def where(v: str) -> str:
        return _("village {village} {name}").format(village=v, name=vname.get(v, "")).rstrip()

    visits: dict[str, list[dt.date]] = defaultdict(list)
    spent: dict[str, list[float]] = defaultdict(list)  # days of time per visit
    for o, v, d, h in zip(
        cal["officer_id"], cal["village_id"], cal["date"], cal["hours"], strict=True
    ):
        if holder.get(v) != o:
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} is scheduled in {village}, which he does not hold").format(
                        officer=who(o), village=where(v)
                    ),
                    (o, v),
                )
            )
            continue
        if (d.year, d.month) != (days.year, days.month):
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} visits {village} on {date}, outside {month}").format(
                        officer=who(o), village=where(v), date=d, month=month
                    ),
                    (o, v),
                )
            )
            continue
        if d in days.holidays:
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} visits {village} on {date}, a holiday ({holiday})").format(
                        officer=who(o), village=where(v), date=d, holiday=days.holidays[d]
                    ),
                    (o, v),
                )
            )
        elif d not in working:
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} visits {village} on {date}, not a working day").format(
                        officer=who(o), village=where(v), date=d
                    ),
                    (o, v),
                )
            )
        if d in days.off.get(o, ()):
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} visits {village} on {date}, a day he is unavailable").format(
                        officer=who(o), village=where(v), date=d
                    ),
                    (o, v),
                )
            )
        visits[v].append(d)
        spent[v].append(float(h) / day_hours)
    for v, o in sorted(holder.items()):
        got = visits.get(v, [])
        time = round(float(sum(spent.get(v, []))), 2)
        if time < required - 1e-9:
            out.append(
                Violation(
                    RULE.id,
                    _(
                        "{village} gets {days:g} day(s) of time from {officer} in {month} "
                        "({n} visit(s), {hours:g} hours a day), needs {required}"
                    ).format(
                        village=where(v),
                        days=time,
                        n=len(got),
                        hours=day_hours,
                        officer=who(o),
                        month=month,
                        required=required,
                    ),
                    (o, v),
                )
            )
        per_period = np.bincount(
            [period_of(d.day, spacing) for d in got],
            weights=spent.get(v, []),
            minlength=days.periods,
        ).round(2)
        for p in np.flatnonzero(per_period > most + 1e-9):
            out.append(
                Violation(
                    RULE.id,
                    _(
                        "{village} gets {n:g} days in {period} from {officer}, more than {most} a "
                        "period: visits are not spread"
                    ).format(
                        village=where(v),
                        n=per_period[p],
                        period=names[p],
                        officer=who(o),
                        most=most,
                    ),
                    (o, v),
                )
            )
        if got and int((per_period > 0).sum()) < fewest:
            out.append(
                Violation(
                    RULE.id,
                    _(
                        "{village} is visited in {n} of the month's {periods} periods ({names}), "
                        "needs {fewest}"
                    ).format(
                        village=where(v),
                        n=int((per_period > 0).sum()),
                        periods=days.periods,
                        names="/".join(names),
                        fewest=fewest,
                    ),
                    (o, v),
                )
            )
    on_day: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    day_total: dict[tuple[str, dt.date], float] = defaultdict(float)
    for o, v, d, h in zip(
        cal["officer_id"], cal["village_id"], cal["date"], cal["hours"], strict=True
    ):
        if holder.get(v) == o:
            on_day[(o, d)].append(v)
            day_total[(o, d)] += float(h)
    km = None
    for (o, d), vs in sorted(on_day.items()):
        vs = sorted(vs)
        if day_total[(o, d)] > day_hours + 1e-6:
            out.append(
                Violation(
                    RULE.id,
                    _(
                        "{officer} is planned {hours:g} hours in villages on {date}, more than "
                        "a day's {most:g}"
                    ).format(
                        officer=who(o), hours=round(day_total[(o, d)], 2), date=d, most=day_hours
                    ),
                    (o, *vs),
                )
            )
        if len(vs) > per_day:
            out.append(
                Violation(
                    RULE.id,
                    _("{officer} has {n} villages on {date}, more than {most} a day").format(
                        officer=who(o), n=len(vs), date=d, most=per_day
                    ),
                    (o, *vs),
                )
            )
        if len(vs) > 1:
            km = village_km(inst, holder.keys()) if km is None else km
            for i, a in enumerate(vs):
                for b in vs[i + 1 :]:
                    if not km.at[a, b] <= share_km:
                        out.append(
                            Violation(
                                RULE.id,
                                _(
                                    "{officer} visits {a} and {b} on {date}, {km:.1f} km apart "
                                    "(at most {most:g} km to share a day)"
                                ).format(
                                    officer=who(o),
                                    a=where(a),
                                    b=where(b),
                                    date=d,
                                    km=km.at[a, b],
                                    most=share_km,
                                ),
                                (o, a, b),
                            )
                        )
    return out
