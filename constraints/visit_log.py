"""VISIT-LOG (record, §五(一), §五(三)): every visit has a work log; compliance is checked monthly (月考评) and quarterly (季考核).

The measures, from work logs (one row a log: person, village, date, hours, times) and the plan:

- log problems (工作日志倒查): a log for a village the writer does not hold (``not_held``); a
  record exported twice (``duplicate``: same person, village, date, times, hours and activity,
  the later copies); a person in two places at once (``overlap``: time ranges that intersect on
  one day, or more than ``max_hours_per_day`` logged in a day).
- per village and month: the days its liaison officer logged there against VISIT-DAYS's
  requirement, and whether they are spread (visits in enough 旬 / half months). The seed counts
  time (每月进村时间累计不低于2天): logged hours add up to days, ``hours_per_day`` hours a day,
  so two half-hour logs are a quarter of a day, not two days; a log without hours or times counts
  as a whole day. Status ``unvisited`` (no log by anyone), ``short``, ``not_spread`` or ``ok``.
- per auxiliary and month: the logs and days of each resident auxiliary of the plan (§五(一):
  驻村辅警…应当做好工作日志); one with no log in a month is reported (``no_logs``).
- per officer and month, the 月考评 scorecard: score = share of required village-days met
  (0–100); passed when every village has at least ``monthly_pass_ratio`` of its days (and spread,
  with ``spacing_counts``). Per quarter, the 季考核: passed when ``quarterly_pass_months`` of its
  three months passed.
- officers (and auxiliaries) to review per §五(三): failed scorecard, or logs with problems.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Param, Rule
from .visit_days import month_label, period_names, period_of

RULE = Rule(
    id="VISIT-LOG",
    clause="§五(一), §五(三)",
    kind="record",
    subject="visit",
    summary=N_(
        "every visit has a work log; compliance is checked monthly (月考评) and quarterly (季考核)"
    ),
    statement=N_(
        "every visit of an officer or auxiliary has a work log; logged hours add up to days "
        "({hours_per_day} hours a day); a month passes at {monthly_pass_ratio} of the required "
        "days, a quarter with {quarterly_pass_months} months passed"
    ),
    params={
        "monthly_pass_ratio": Param(
            1.0,
            "a month passes when logged days reach this share of the required days",
            minimum=0,
            maximum=1,
        ),
        "quarterly_pass_months": Param(
            3, "a quarter passes when this many of its months pass", minimum=0, maximum=3
        ),
        "spacing_counts": Param(
            True, "a month passes only when each village's visits are spread (VISIT-DAYS spacing)"
        ),
        "max_hours_per_day": Param(
            12.0,
            "more hours than this logged by one person in one day count as overlapping logs",
            minimum=1,
            maximum=24,
        ),
        "weight_visits": Param(
            0.6,
            "§五(三) assessment: share of the visit score (进村情况) in an officer's assessment",
            minimum=0,
            maximum=1,
        ),
        "weight_followups": Param(
            0.2,
            "share of the phone follow-ups (电话回访: 满意 100, 基本满意 60, 不满意 0), where given",
            minimum=0,
            maximum=1,
        ),
        "weight_ratings": Param(
            0.2,
            "share of the residents' ratings (群众评议/满意度, 0-100), where given",
            minimum=0,
            maximum=1,
        ),
        "excellent_share": Param(
            0.1,
            "the best share of the ranking proposed for 优秀包村民警 (the city's yearly selection)",
            minimum=0,
            maximum=1,
        ),
        "hours_per_day": Param(
            8.0,
            "logged hours that make one day in a village (每月进村时间累计: time adds up); a log "
            "without hours or times counts as a whole day",
            minimum=1,
            maximum=24,
        ),
    },
)

ISSUE_COLUMNS = [
    "source",
    "row",
    "person_kind",
    "person_id",
    "village_id",
    "date",
    "issue",
    "detail",
]


def _at(logs: pd.DataFrame, i: int) -> str:
    return f"{logs.at[i, 'source']}:{logs.at[i, 'row']}"


def _minutes(hhmm: str) -> float:
    if not hhmm:
        return math.nan
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def log_issues(
    logs: pd.DataFrame,
    officer_of: dict[str, str],
    auxiliary_of: dict[str, str],
    max_hours_per_day: float,
) -> pd.DataFrame:
    """One row per problem log (a log may have several): ISSUE_COLUMNS plus ``log`` (its
    position in ``logs``). ``officer_of`` / ``auxiliary_of``: village -> who holds it."""
    out: list[dict] = []

    def flag(i: int, issue: str, detail: str) -> None:
        row = logs.loc[i]
        out.append(
            {
                "log": i,
                **{c: row[c] for c in ISSUE_COLUMNS if c in row.index},
                "issue": issue,
                "detail": detail,
            }
        )

    key = ["person_kind", "person_id", "village_id", "date", "start_time", "end_time", "activity"]
    keyed = logs[key].assign(hours=logs["hours"].astype(float).round(2).fillna(-1))
    dup = keyed.duplicated(keep="first").to_numpy()
    first = {}
    for i, k in zip(logs.index, map(tuple, keyed.to_numpy().tolist()), strict=True):
        first.setdefault(k, i)
        if first[k] != i:
            flag(i, "duplicate", _("the same log as {log}").format(log=_at(logs, first[k])))
    for i, kind, who, v in zip(
        logs.index, logs["person_kind"], logs["person_id"], logs["village_id"], strict=True
    ):
        holder = (officer_of if kind == "officer" else auxiliary_of).get(v, "")
        if holder != who:
            if kind == "officer":
                detail = (
                    _("{village}'s liaison officer is {holder}")
                    if holder
                    else _("{village} has no liaison officer in the plan")
                )
            else:
                detail = (
                    _("{village}'s resident auxiliary is {holder}")
                    if holder
                    else _("{village} has no resident auxiliary in the plan")
                )
            flag(i, "not_held", detail.format(village=v, holder=holder))
    # only a person's days with two or more logs can overlap
    live = logs[~dup]
    day_key = ["person_kind", "person_id", "date"]
    live = live[live.duplicated(day_key, keep=False)].sort_values(day_key, kind="stable")
    start = live["start_time"].map(_minutes).to_numpy(float)
    end = live["end_time"].map(_minutes).to_numpy(float)
    hours = live["hours"].astype(float).fillna(0).to_numpy()
    index = live.index.to_numpy()
    keys = list(map(tuple, live[day_key].to_numpy().tolist()))
    bounds = [0, *(i for i in range(1, len(keys)) if keys[i] != keys[i - 1]), len(keys)]
    for lo, hi in itertools.pairwise(bounds):
        idx, s_, e_ = index[lo:hi], start[lo:hi], end[lo:hi]
        for a in range(len(idx)):
            for b in range(len(idx)):
                if a != b and s_[a] < e_[b] and s_[b] < e_[a]:  # NaN (no times) never overlaps
                    q = int(idx[b])
                    flag(
                        int(idx[a]),
                        "overlap",
                        _("overlaps {log} ({start}–{end}, village {village})").format(
                            log=_at(logs, q),
                            start=logs.at[q, "start_time"],
                            end=logs.at[q, "end_time"],
                            village=logs.at[q, "village_id"],
                        ),
                    )
        total = float(hours[lo:hi].sum())
        if total > max_hours_per_day:
            for i in idx:
                flag(
                    int(i),
                    "overlap",
                    _("{n} logs of {hours:g} h in one day (more than {most:g} h)").format(
                        n=len(idx), hours=total, most=max_hours_per_day
                    ),
                )
    cols = ["log", *ISSUE_COLUMNS]
    return (
        pd.DataFrame(out, columns=cols)
        .sort_values(["log", "issue"], kind="stable")
        .reset_index(drop=True)
    )


def village_months(
    logs: pd.DataFrame,
    issues: pd.DataFrame,
    officer_of: dict[str, str],
    auxiliary_of: dict[str, str],
    months: list[tuple[int, int]],
    required: int,
    spacing: str,
    hours_per_day: float = 8.0,
) -> pd.DataFrame:
    """Per village of the plan and month: the liaison officer's logged days (hours added up,
    ``hours_per_day`` a day) against the requirement, their spread over the month's dates, and
    the status (unvisited / short / not_spread / ok)."""
    names = period_names(spacing)
    periods = len(names)
    fewest = min(required, periods)
    bad = set(issues.loc[issues["issue"].isin(["duplicate", "not_held"]), "log"])
    dup = set(issues.loc[issues["issue"] == "duplicate", "log"])
    date = pd.to_datetime(logs["date"])
    ym = list(zip(date.dt.year, date.dt.month, strict=True))
    rows = []
    for y, m in months:
        in_month = np.array([t == (y, m) for t in ym], dtype=bool)
        here = logs[in_month]
        counted = here[~here.index.isin(bad) & (here["person_kind"] == "officer")]
        officer_days = counted.groupby("village_id")["date"].agg(lambda d: sorted(set(d))).to_dict()
        time = logged_days(counted, hours_per_day).to_dict()
        aux = here[~here.index.isin(bad) & (here["person_kind"] == "auxiliary")]
        aux_days = aux.groupby("village_id")["date"].nunique().to_dict()
        anyone = set(here.loc[~here.index.isin(dup), "village_id"])
        others = here[here.index.isin(issues.loc[issues["issue"] == "not_held", "log"])]
        other_n = others.groupby("village_id").size().to_dict()
        for v in sorted(officer_of):
            o = officer_of[v]
            days = officer_days.get(v, []) if o else []
            spent = float(time.get(v, 0.0)) if o else 0.0
            seen = sorted({period_of(int(d[8:10]), spacing) for d in days})
            if not o:
                status = "no_officer"
            elif v not in anyone:
                status = "unvisited"
            elif spent < required - 1e-9:
                status = "short"
            elif len(seen) < fewest:
                status = "not_spread"
            else:
                status = "ok"
            rows.append(
                {
                    "month": month_label(y, m),
                    "village_id": v,
                    "officer_id": o,
                    "required_days": required,
                    "logged_days": spent,
                    "visit_dates": len(days),
                    "dates": ";".join(days),
                    "periods": ";".join(names[p] for p in seen),
                    "spread": len(seen) >= fewest,
                    "auxiliary_id": auxiliary_of.get(v, ""),
                    "auxiliary_days": int(aux_days.get(v, 0)),
                    "logs_by_others": int(other_n.get(v, 0)),
                    "status": status,
                }
            )
    return pd.DataFrame(rows)


def logged_days(logs: pd.DataFrame, hours_per_day: float) -> pd.Series:
    """Per village: the days the logs add up to (hours / ``hours_per_day``, a log without hours
    a whole day), in hundredths."""
    if logs.empty:
        return pd.Series(dtype=float)
    hours = logs["hours"].astype(float).fillna(hours_per_day)
    return (hours / hours_per_day).groupby(logs["village_id"]).sum().round(2)


def auxiliary_months(
    logs: pd.DataFrame,
    issues: pd.DataFrame,
    auxiliary_of: dict[str, str],
    months: list[tuple[int, int]],
    hours_per_day: float = 8.0,
) -> pd.DataFrame:
    """Per resident auxiliary of the plan and month (§五(一) 驻村辅警…应当做好工作日志): his
    logs in his village, the days they add up to, and ``no_logs`` when there is none."""
    bad = set(issues.loc[issues["issue"].isin(["duplicate", "not_held"]), "log"])
    mine = logs[(logs["person_kind"] == "auxiliary") & ~logs.index.isin(bad)]
    month = mine["date"].str[:7]
    rows = []
    for y, m in months:
        label = month_label(y, m)
        here = mine[month == label]
        count = here.groupby("village_id").size().to_dict()
        days = logged_days(here, hours_per_day).to_dict()
        for v, a in sorted(auxiliary_of.items()):
            if not a:
                continue
            n = int(count.get(v, 0))
            rows.append(
                {
                    "month": label,
                    "auxiliary_id": a,
                    "village_id": v,
                    "logs": n,
                    "logged_days": float(days.get(v, 0.0)),
                    "status": "ok" if n else "no_logs",
                }
            )
    cols = ["month", "auxiliary_id", "village_id", "logs", "logged_days", "status"]
    return pd.DataFrame(rows, columns=cols)


def monthly_scorecard(
    villages: pd.DataFrame,
    issues: pd.DataFrame,
    logs: pd.DataFrame,
    pass_ratio: float,
    spacing_counts: bool,
) -> pd.DataFrame:
    """月考评: per officer and month, villages by status, days, score (0–100) and pass."""
    held = villages[villages["officer_id"] != ""]
    need = math.ceil(pass_ratio * held["required_days"].max() - 1e-9) if len(held) else 0
    ok_days = held["logged_days"] >= need
    ok = ok_days & (held["spread"] | (not spacing_counts))
    met = np.minimum(held["logged_days"], held["required_days"])
    g = (
        held.assign(
            _met=met,
            _pass=ok,
            _short=held["status"] == "short",
            _spread=held["status"] == "not_spread",
            _unvisited=held["status"] == "unvisited",
        )
        .groupby(["officer_id", "month"], sort=True)
        .agg(
            villages=("village_id", "size"),
            villages_short=("_short", "sum"),
            villages_not_spread=("_spread", "sum"),
            villages_unvisited=("_unvisited", "sum"),
            required_days=("required_days", "sum"),
            logged_days=("logged_days", "sum"),
            met=("_met", "sum"),
            passed=("_pass", "all"),
        )
        .reset_index()
    )
    g["score"] = (100.0 * g["met"] / g["required_days"].clip(lower=1)).round(1)
    date = pd.to_datetime(logs["date"])
    month = date.dt.strftime("%Y-%m")
    mine = issues[issues["person_kind"] == "officer"]
    per_issue = (
        mine.assign(month=month.reindex(mine["log"]).to_numpy())
        .drop_duplicates(["log", "issue"])
        .groupby(["person_id", "month", "issue"])
        .size()
        .unstack(fill_value=0)
    )
    for issue in ("not_held", "duplicate", "overlap"):
        col = per_issue[issue].to_dict() if issue in per_issue.columns else {}
        g[f"{issue}_logs"] = [
            int(col.get((o, m), 0)) for o, m in zip(g["officer_id"], g["month"], strict=True)
        ]
    return g.drop(columns="met")


def quarterly_scorecard(monthly: pd.DataFrame, pass_months: int) -> pd.DataFrame:
    """季考核: per officer, months passed of the quarter and the mean monthly score."""
    g = (
        monthly.groupby("officer_id", sort=True)
        .agg(
            months=("month", "nunique"),
            months_passed=("passed", "sum"),
            mean_score=("score", "mean"),
            logged_days=("logged_days", "sum"),
            required_days=("required_days", "sum"),
        )
        .reset_index()
    )
    g["mean_score"] = g["mean_score"].round(1)
    g["passed"] = g["months_passed"] >= pass_months
    return g


# a phone follow-up's result as points (§五(三) 群众满意度)
FOLLOWUP_POINTS = {"satisfied": 100.0, "basic": 60.0, "unsatisfied": 0.0}


def assessment(
    monthly: pd.DataFrame,
    followups: pd.DataFrame,
    ratings: pd.DataFrame,
    weights: tuple[float, float, float],
) -> pd.DataFrame:
    """§五(三) 考核项目 per officer and month: the visit score, the follow-ups (count and
    points) and the residents' rating where the bureau gives them, and ``assessment``: their
    weighted mean (``weights``: visits, follow-ups, ratings; an item not given is left out and
    the others weigh in proportion)."""
    out = monthly[["officer_id", "month", "score"]].rename(columns={"score": "visit_score"})
    f = followups.assign(month=followups["date"].astype(str).str[:7])
    f = f.assign(points=f["result"].map(FOLLOWUP_POINTS))
    fg = f.groupby(["person_id", "month"])["points"].agg(["size", "mean"])
    key = pd.MultiIndex.from_arrays([out["officer_id"], out["month"]])
    out["followups"] = fg["size"].reindex(key).fillna(0).astype(int).to_numpy()
    out["followup_points"] = fg["mean"].reindex(key).round(1).to_numpy()
    rg = ratings.groupby(["person_id", "month"])["score"].mean()
    out["rating"] = rg.reindex(key).round(1).to_numpy() if len(rg) else np.nan
    items = out[["visit_score", "followup_points", "rating"]].to_numpy(float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), items.shape)
    w = np.where(np.isnan(items), 0.0, w)
    total = w.sum(axis=1)
    out["assessment"] = np.round(
        np.where(total > 0, np.nansum(items * w, axis=1) / np.where(total > 0, total, 1), np.nan),
        1,
    )
    return out


def ranking(assessed: pd.DataFrame, excellent_share: float) -> pd.DataFrame:
    """The ranking of the period's officers by their mean assessment (the yearly ranking that
    the city's 优秀包村民警 selection needs, §五(三)); the best ``excellent_share`` (at least
    one) are proposed."""
    g = (
        assessed.groupby("officer_id", sort=True)
        .agg(
            months=("month", "nunique"),
            assessment=("assessment", "mean"),
            visit_score=("visit_score", "mean"),
            followups=("followups", "sum"),
            rating=("rating", "mean"),
        )
        .reset_index()
    )
    g[["assessment", "visit_score", "rating"]] = g[["assessment", "visit_score", "rating"]].round(1)
    g = g.sort_values(["assessment", "officer_id"], ascending=[False, True], ignore_index=True)
    g["rank"] = g["assessment"].rank(method="min", ascending=False).astype("Int64")
    best = max(1, math.ceil(excellent_share * len(g) - 1e-9)) if len(g) else 0
    g["proposed_excellent"] = g["rank"].fillna(len(g) + 1) <= best
    return g
