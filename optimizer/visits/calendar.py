"""The monthly visit calendar (VISIT-DAYS, §五(一)): on which days each officer visits which village.

Officers' calendars do not interact, so each officer is one small CP-SAT model over his villages
``i`` and his free days ``t`` (working days he has not marked unavailable):

    x[i,t] ∈ {0,1}           he visits village i on day t
    w[i,t] ∈ {0..U}          the time he spends there, in U-ths of a day   x ≤ w ≤ U·x
    Σ_i w[i,t] ≤ U                                                  a day is one day
    Σ_t w[i,t] + short[i] = r·U                                     r days of time, short priced
    Σ_{t∈p} w[i,t] ≤ ceil(r/P)·U                                    spread: per 旬 / half month
    y[i,p] ≤ Σ_{t∈p} x[i,t],  Σ_p y[i,p] + gap[i] ≥ min(r,P)        visits in enough periods
    Σ_i x[i,t] ≤ max_villages_per_day;  x[a,t] + x[b,t] ≤ 1 when a, b are too far apart to share

    x[i,t] = Σ_j z[i,j,t] + e[i,t]                                  the j-th visit, or an extra
    minimise  W·(Σ short + Σ gap + max short) + Σ (D + c[i,j,t])·z[i,j,t] + Σ (D + E)·e[i,t]

Time adds up as compliance counts the work logs (§五(一) 每月进村时间累计; VISIT-LOG's
``hours_per_day`` hours make a day; U = max_villages_per_day, so a day splits in halves by
default): two villages on one day share its hours, so a shared day is not two days, and each
visit carries its hours in the calendar. Only a village that can share a day with another of the
officer's (near enough, more than one village a day) gets extra visits and shares; the others
spend whole days. The shortfalls make every month solvable: when the rules cannot all hold, the
calendar keeps as much time as fits and :func:`diagnose` says why in the planner's words. Each visit costs ``D`` (whole days
rather than split ones); ``c`` is the distance in days of a village's j-th visit from its ideal
date, evenly spaced and staggered between the officer's villages, and a visit beyond the r (a
split day) costs ``E``, more than any such distance. One worker and a fixed seed per officer make
the calendar deterministic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...constraints.base import Violation
from ...constraints.visit_days import (
    RULE,
    check_calendar,
    hours_per_day,
    period_names,
    period_of,
    period_rule,
    village_km,
    visits_required,
)
from ..i18n import _
from ..input.instance import Instance
from ..input.workdays import HolidayCalendar, MonthDays, month_days, parse_month
from ..solve.options import SolveOptions
from ..solve.status import Status

WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")

# Objective weights: a missing visit outweighs every day given up, which outweighs any spread.
SHORT_WEIGHT = 10_000
DAY_WEIGHT = 100
EXTRA_VISIT = 40  # a visit beyond a village's r, more than any distance from an ideal date


@dataclass(frozen=True)
class OfficerMonth:
    """One officer's part of the month: his villages, free days and what may share a day."""

    officer_id: str
    villages: tuple[str, ...]
    free: tuple[dt.date, ...]
    required: int
    far_pairs: tuple[tuple[int, int], ...]  # village positions too far apart to share a day
    units: int = 2  # a day's time in the model's units (max_villages_per_day: shares of a day)


@dataclass
class OfficerCalendar:
    officer_id: str
    visits: list[tuple[dt.date, str]]  # (day, village)
    short: dict[str, float]  # village -> days of time missing
    spread_short: dict[str, int]  # village -> periods missing a visit
    status: str  # Status.OPTIMAL / Status.FEASIBLE / Status.PARTIAL
    seconds: float = 0.0
    share: dict[tuple[dt.date, str], float] = field(default_factory=dict)  # visit -> day's share


@dataclass
class CalendarResult:
    """A month's calendar for every officer of a plan, re-checked by VISIT-DAYS."""

    month: str
    days: MonthDays
    holidays: HolidayCalendar
    calendar: pd.DataFrame  # officer_id, officer_name, date, weekday, period, village_id, …
    officers: pd.DataFrame  # one row per officer: villages, visits, days used, free days, message
    status: str  # Status.OPTIMAL / Status.FEASIBLE / Status.PARTIAL
    diagnostics: list[dict] = field(default_factory=list)  # {rule, message, ids} per officer short
    violations: list[Violation] = field(default_factory=list)  # check_calendar on the result
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    backend: str = "cp-sat"

    def frames(self) -> dict[str, pd.DataFrame]:
        """Tables for the workbook and the HTML report: the calendar (one row per visit) and
        the officers (one row per officer, with the diagnosis of a short month)."""
        return {"calendar": self.calendar, "calendar_officers": self.officers}


def officer_months(inst: Instance, plan: pd.DataFrame, days: MonthDays) -> list[OfficerMonth]:
    """Per officer of the plan (in id order): villages, free days and pairs that cannot share."""
    share_km = float(inst.policy.rule(RULE.id)["shared_day_km"])
    given = plan[plan["officer_id"].fillna("").astype(str) != ""]
    officer = given["officer_id"].astype(str).to_numpy()
    village = given["village_id"].astype(str).to_numpy()
    order = np.lexsort((village, officer))
    officer, village = officer[order], village[order]
    km = village_km(inst, village)
    pos = km.index.get_indexer(village)
    km_np = km.to_numpy()
    required = visits_required(inst)
    # a day splits in shares of 1 / max_villages_per_day (halves by default): as fine as a day
    # with that many villages needs; hours (finer) made the model 2-3x slower for no better plan
    units = max(1, int(inst.policy.rule(RULE.id)["max_villages_per_day"]))
    out = []
    starts = np.flatnonzero(np.r_[True, officer[1:] != officer[:-1]]) if len(officer) else []
    for s, e in zip(starts, [*starts[1:], len(officer)], strict=True):
        o, vs, ps = str(officer[s]), tuple(village[s:e].tolist()), pos[s:e]
        sub = km_np[np.ix_(ps, ps)]
        far = tuple(
            (a, b)
            for a in range(len(vs))
            for b in range(a + 1, len(vs))
            if not sub[a, b] <= share_km
        )
        out.append(OfficerMonth(o, vs, tuple(days.free_days(o)), required, far, units))
    return out


def ideal_cost(om: OfficerMonth, days: MonthDays) -> np.ndarray:
    """c[i,j,t]: days between free day t and the ideal date of village i's j-th visit. Ideal
    dates split the month evenly and are staggered between the officer's villages."""
    length = calendar.monthrange(days.year, days.month)[1]
    r, k = max(om.required, 1), max(len(om.villages), 1)
    slot = length / r
    day = np.array([d.day for d in om.free], dtype=float)
    targets = (np.arange(r)[None, :] + (np.arange(k)[:, None] + 0.5) / k) * slot + 0.5
    return np.round(np.abs(day[None, None, :] - targets[:, :, None])).astype(np.int64)


@dataclass
class _OfficerVars:
    om: OfficerMonth
    x: list  # x[i][t] = Σ_j z[i][j][t] + e[i][t]
    w: list  # w[i][t]
    short: list
    gap: list


def _add_officer(
    m, om: OfficerMonth, days: MonthDays, per_day: int, terms: list, weights: list
) -> _OfficerVars:
    """One officer's part of the model (see the module docstring); appends its objective terms
    to ``terms`` / ``weights`` and returns its variables."""
    from ortools.sat.python.cp_model import LinearExpr

    total = LinearExpr.sum
    k, n, r, big = len(om.villages), len(om.free), om.required, om.units
    n_p = days.periods
    most, fewest = period_rule(r, n_p)
    period = [period_of(d.day, days.spacing) for d in om.free]
    in_period = [[t for t in range(n) if period[t] == p] for p in range(n_p)]
    cost = ideal_cost(om, days)
    # z[i][j][t]: the j-th visit of village i (near its ideal date) is on day t; e[i][t]: a visit
    # beyond those (a split day's other part). A village that can share a day with none of the
    # officer's others (too far, or one village a day) spends whole days: no e, w = U·x.
    far = {*om.far_pairs, *((b, a) for a, b in om.far_pairs)}
    shares = [per_day > 1 and any((i, j) not in far for j in range(k) if j != i) for i in range(k)]
    z = [[[m.new_bool_var("") for t in range(n)] for j in range(r)] for i in range(k)]
    e = [[m.new_bool_var("") for t in range(n)] if shares[i] else [] for i in range(k)]
    x = [
        [total([z[i][j][t] for j in range(r)] + ([e[i][t]] if shares[i] else [])) for t in range(n)]
        for i in range(k)
    ]
    w = [
        [m.new_int_var(0, big, "") for t in range(n)]
        if shares[i]
        else [big * x[i][t] for t in range(n)]
        for i in range(k)
    ]
    short = [m.new_int_var(0, r * big, "") for i in range(k)]
    gap = [m.new_int_var(0, fewest, "") for i in range(k)]
    for i in range(k):
        for j in range(r):
            m.add_at_most_one(z[i][j])
            terms += z[i][j]
            weights += (cost[i, j] + DAY_WEIGHT).tolist()
        if shares[i]:
            terms += e[i]
            weights += [DAY_WEIGHT + EXTRA_VISIT] * n
            for t in range(n):
                m.add(x[i][t] <= 1)
                m.add(w[i][t] >= x[i][t])
                m.add(w[i][t] <= big * x[i][t])
        elif r > 1:
            for t in range(n):
                m.add(x[i][t] <= 1)  # one visit a day per village
        m.add(total(w[i]) + short[i] == r * big)
        ys = []
        for ts in in_period:
            if not ts:
                continue
            m.add(total([w[i][t] for t in ts]) <= most * big)
            y = m.new_bool_var("")
            m.add(y <= total([x[i][t] for t in ts]))
            ys.append(y)
        m.add(total(ys) + gap[i] >= fewest)
    for t in range(n):
        col = [x[i][t] for i in range(k)]
        if k > per_day:
            m.add(total(col) <= per_day)
        if sum(shares) > 1:
            m.add(total([w[i][t] for i in range(k) if shares[i]]) <= big)
        for a, b in om.far_pairs:
            m.add(x[a][t] + x[b][t] <= 1)
    # a shortfall falls evenly on the villages (time is conserved: the sum is what it is)
    worst = m.new_int_var(0, r * big, "")
    for i in range(k):
        m.add(short[i] <= worst)
    terms += [*short, *gap, worst]
    weights += [SHORT_WEIGHT] * (2 * k) + [SHORT_WEIGHT]
    return _OfficerVars(om, x, w, short, gap)


def solve_officers(
    oms: list[OfficerMonth],
    days: MonthDays,
    per_day: int,
    seed: int = 0,
    time_limit: float = 10.0,
) -> list[OfficerCalendar]:
    """The best calendars of some officers, in one CP-SAT model (their parts do not interact)."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    m = cp_model.CpModel()
    terms: list = []
    weights: list = []
    parts = [_add_officer(m, om, days, per_day, terms, weights) for om in oms]
    m.minimize(cp_model.LinearExpr.weighted_sum(terms, weights))
    solver = cp_model.CpSolver()
    # One worker with the full LP relaxation proves these models optimal in milliseconds; the
    # default single worker has no LP bound and stalls on the spread costs.
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_presolve = False  # presolve costs more than it saves here
    solver.parameters.random_seed = int(seed)
    solver.parameters.max_time_in_seconds = float(time_limit)
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # cannot happen: all-zero is feasible
        raise RuntimeError(f"CP-SAT found no calendar ({solver.status_name(code)})")
    seconds = (time.perf_counter() - t0) / max(len(oms), 1)
    out = []
    for part in parts:
        om, k = part.om, len(part.om.villages)
        share = {
            (om.free[t], om.villages[i]): solver.value(part.w[i][t]) / om.units
            for t in range(len(om.free))
            for i in range(k)
            if solver.value(part.x[i][t])
        }
        visits = list(share)
        sh = {om.villages[i]: solver.value(part.short[i]) / om.units for i in range(k)}
        gp = {om.villages[i]: solver.value(part.gap[i]) for i in range(k)}
        sh = {v: c for v, c in sh.items() if c}
        gp = {v: c for v, c in gp.items() if c}
        status = (
            Status.PARTIAL
            if sh or gp
            else (Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE)
        )
        out.append(OfficerCalendar(om.officer_id, visits, sh, gp, status, seconds, share))
    return out


def greedy_officer(om: OfficerMonth, days: MonthDays, per_day: int) -> OfficerCalendar:
    """How a clerk fills a calendar: village by village, the earliest free day of each period,
    sharing a day with a nearby village only when no day is left. The benchmark's peer."""
    t0 = time.perf_counter()
    r, n_p = om.required, days.periods
    most, fewest = period_rule(r, n_p)
    far = set(om.far_pairs) | {(b, a) for a, b in om.far_pairs}
    on_day: dict[dt.date, list[int]] = {}
    visits: list[tuple[dt.date, str]] = []
    short: dict[str, float] = {}
    gaps: dict[str, int] = {}
    for i, v in enumerate(om.villages):
        got: list[dt.date] = []
        for p in range(n_p):
            in_p = [d for d in om.free if period_of(d.day, days.spacing) == p]
            for _turn in range(most):
                if len(got) >= r:
                    break
                pick = next((d for d in in_p if d not in on_day and d not in got), None)
                if pick is None:
                    pick = next(
                        (
                            d
                            for d in in_p
                            if d not in got
                            and len(on_day.get(d, [])) < per_day
                            and all((i, j) not in far for j in on_day.get(d, []))
                        ),
                        None,
                    )
                if pick is None:
                    break
                got.append(pick)
                on_day.setdefault(pick, []).append(i)
        visits += [(d, v) for d in got]
        seen = len({period_of(d.day, days.spacing) for d in got})
        if seen < fewest:
            gaps[v] = fewest - seen
    visits.sort()
    # time as compliance counts it: a shared day is split evenly between its villages
    share = {(d, v): 1 / len(on_day[d]) for d, v in visits}
    for v in om.villages:
        got_time = sum(f for (_d, u), f in share.items() if u == v)
        if got_time < r - 1e-9:
            short[v] = round(r - got_time, 2)
    status = Status.PARTIAL if short or gaps else Status.FEASIBLE
    seconds = time.perf_counter() - t0
    return OfficerCalendar(om.officer_id, visits, short, gaps, status, seconds, share)


def diagnose(om: OfficerMonth, oc: OfficerCalendar, days: MonthDays, inst: Instance) -> str:
    """Why an officer's month falls short, in the planner's words, e.g. "officer 1023 张伟 has
    6 villages × 2 days but 9 free days in 2027-03 (21 working days, 12 unavailable) …"."""
    share_km = float(inst.policy.rule(RULE.id)["shared_day_km"])
    names = period_names(days.spacing)
    word = _("xun (ten days)") if days.spacing == "xun" else _("half month")
    k, r, n = len(om.villages), om.required, len(om.free)
    away = len(set(days.working) & days.off.get(om.officer_id, frozenset()))
    name = inst.officers["name"].get(om.officer_id, "")
    free = _("{n} free days in {month} ({working} working days, {away} unavailable)").format(
        n=n, month=days.label, working=len(days.working), away=away
    )
    text = _("{name} ({id}) has {k} villages × {r} days").format(
        name=name, id=om.officer_id, k=k, r=r
    )
    n_pairs = k * (k - 1) // 2
    near = n_pairs - len(om.far_pairs)
    if k * r > n:
        text += _(" but {free}").format(free=free)
        text += (
            _(", and no two of his villages lie within {km:g} km to share a day").format(
                km=share_km
            )
            if near == 0
            else _(
                ", and only {n} pair(s) of his villages lie within {km:g} km to share a day"
            ).format(n=near, km=share_km)
        )
    else:
        text += _(" and {free}").format(free=free)
    per = np.bincount([period_of(d.day, days.spacing) for d in om.free], minlength=days.periods)
    most, fewest = period_rule(r, days.periods)
    if oc.spread_short or k * r <= n:
        spread = _(", ").join(f"{names[p]} {per[p]}" for p in range(days.periods))
        text += (
            _("; his free days fall {spread}")
            if k * r > n
            else _(", but his free days fall {spread}")
        ).format(spread=spread)
        text += _(
            " and each village needs visits in {fewest} of {periods} periods ({word}), at most "
            "{most} in one"
        ).format(fewest=fewest, periods=days.periods, word=word, most=most)
    vname = inst.villages["name"]
    missing = []
    for v in sorted({*oc.short, *oc.spread_short}):
        what = []
        if oc.short.get(v):
            what.append(_("{n} day(s) short").format(n=f"{oc.short[v]:g}"))
        if oc.spread_short.get(v):
            what.append(_("visits in {n} period(s) only").format(n=fewest - oc.spread_short[v]))
        missing.append(
            _("{village} {what}").format(
                village=_("{name} ({id})").format(name=vname.get(v, ""), id=v),
                what=_(" and ").join(what),
            )
        )
    return text + _(": ") + _("; ").join(missing)


def plan_calendar(
    inst: Instance,
    plan: pd.DataFrame,
    month: str,
    unavailable: pd.DataFrame | None = None,
    options: SolveOptions | None = None,
    method: str = "cp-sat",
    batch: int = 20,
) -> CalendarResult:
    """Every officer's visits for ``month`` (YYYY-MM), for the officer ``plan`` (village_id,
    officer_id). ``method`` "greedy" gives the first-fit baseline instead of CP-SAT; a batch of
    officers' searches takes at most 10 s of ``options.time_limit``."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    seed = options.seed
    t0 = time.perf_counter()
    params = inst.policy.rule(RULE.id)
    y, mo = parse_month(month)
    off = inst.unavailable if unavailable is None else pd.concat([inst.unavailable, unavailable])
    days, hol = month_days(inst.holidays, off, y, mo, params["spacing"], params["weekends"])
    per_day = int(params["max_villages_per_day"])
    oms = officer_months(inst, plan, days)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    time_limit = options.time_limit
    if method == "cp-sat":
        cals = []
        for i in range(0, len(oms), batch):
            cals += solve_officers(oms[i : i + batch], days, per_day, seed, min(time_limit, 10.0))
    else:
        cals = [greedy_officer(om, days, per_day) for om in oms]
    solve = time.perf_counter() - t1
    diagnostics = [
        {
            "rule": RULE.id,
            "message": diagnose(om, oc, days, inst),
            "ids": [om.officer_id, *sorted({*oc.short, *oc.spread_short})],
        }
        for om, oc in zip(oms, cals, strict=True)
        if oc.status == Status.PARTIAL
    ]
    table = calendar_frame(inst, cals, days)
    officers = officer_frame(
        inst, oms, cals, days, {d["ids"][0]: d["message"] for d in diagnostics}
    )
    statuses = {oc.status for oc in cals}
    status = (
        Status.PARTIAL
        if Status.PARTIAL in statuses
        else (Status.FEASIBLE if Status.FEASIBLE in statuses else Status.OPTIMAL)
    )
    violations = check_calendar(inst, plan, table, month, unavailable)
    return CalendarResult(
        month,
        days,
        hol,
        table,
        officers,
        status,
        diagnostics,
        violations,
        build,
        solve,
        method,
    )


def calendar_frame(inst: Instance, cals: list[OfficerCalendar], days: MonthDays) -> pd.DataFrame:
    """One row a visit, with the hours it takes (its share of the day × VISIT-LOG's hours)."""
    names = period_names(days.spacing)
    day_hours = hours_per_day(inst)
    rows = []
    for oc in cals:
        per_day: dict[dt.date, int] = {}
        for d, _village in oc.visits:
            per_day[d] = per_day.get(d, 0) + 1
        for d, v in sorted(oc.visits):
            hours = round(oc.share.get((d, v), 1 / per_day[d]) * day_hours, 2)
            rows.append((oc.officer_id, d, v, per_day[d] > 1, hours))
    df = pd.DataFrame(rows, columns=["officer_id", "date", "village_id", "shared", "hours"])
    vil, off = inst.villages, inst.officers
    return pd.DataFrame(
        {
            "officer_id": df["officer_id"],
            "officer_name": df["officer_id"].map(off["name"]),
            "date": [d.isoformat() for d in df["date"]],
            "weekday": ["周" + WEEKDAYS_ZH[d.weekday()] for d in df["date"]],
            "period": [names[period_of(d.day, days.spacing)] for d in df["date"]],
            "village_id": df["village_id"],
            "village_name": df["village_id"].map(vil["name"]),
            "township_id": df["village_id"].map(vil["township_id"]),
            "township_name": df["village_id"].map(vil["township_id"]).map(inst.townships["name"]),
            "shared_day": df["shared"].astype(bool),
            "hours": df["hours"].astype(float),
        }
    )


def officer_frame(
    inst: Instance,
    oms: list[OfficerMonth],
    cals: list[OfficerCalendar],
    days: MonthDays,
    messages: dict[str, str],
) -> pd.DataFrame:
    names, avail = inst.officers["name"], inst.officers["available_days"]
    rows = []
    for om, oc in zip(oms, cals, strict=True):
        per_day = Counter(d for d, _ in oc.visits)
        rows.append(
            {
                "officer_id": om.officer_id,
                "officer_name": names.get(om.officer_id, ""),
                "villages": len(om.villages),
                "visits_required": len(om.villages) * om.required,
                "visits_planned": len(oc.visits),
                "days_used": len(per_day),
                "shared_days": sum(1 for c in per_day.values() if c > 1),
                "working_days": len(days.working),
                "free_days": len(om.free),
                "available_days": float(avail.get(om.officer_id, math.nan)),
                "status": oc.status,
                "message": messages.get(om.officer_id, ""),
            }
        )
    return pd.DataFrame(rows, columns=OFFICER_COLUMNS)


OFFICER_COLUMNS = [
    "officer_id",
    "officer_name",
    "villages",
    "visits_required",
    "visits_planned",
    "days_used",
    "shared_days",
    "working_days",
    "free_days",
    "available_days",
    "status",
    "message",
]
