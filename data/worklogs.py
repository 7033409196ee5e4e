"""Synthetic work logs (工作日志) with known, planted shortfalls, for tests and benchmarks.

The baseline is a bureau where everyone complies: each liaison officer logs every village of the
plan on the required days, spread over the month (one visit per 旬 or half month, sometimes an
extra visit), with times that never overlap; each resident auxiliary logs most working days in his
village. Then exactly the asked-for problems are planted, each on its own village or log:

- ``short``: a village its officer logged on one day only;
- ``not_spread``: a village logged on the required days, all in one 旬 / half month;
- ``unvisited``: a village with no log at all that month (officer's and auxiliary's removed);
- ``not_held``: an officer logs a village another officer holds; ``aux_not_held`` the same for
  an auxiliary;
- ``duplicate``: a log exported twice;
- ``overlap``: an officer logs a second village while his log of the first still runs.

:class:`Planted` records where, so a test can ask that each is found and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..constraints.visit_days import RULE as VISIT_DAYS
from ..constraints.visit_days import period_of, period_rule, visits_required
from ..optimizer.input.workdays import month_days

OFFICER_ACTIVITIES = (
    "群防群治",
    "情报信息收集",
    "矛盾纠纷化解",
    "法制宣传",
    "重点人员帮教",
    "便民服务",
    "反电诈宣传",
    "农村交通安全宣传",
)
AUXILIARY_ACTIVITIES = (
    "流动人口信息采集",
    "矛盾纠纷排查",
    "治安巡逻",
    "防范电信诈骗宣传",
    "代办户口业务",
    "走访群众",
)
KINDS = ("short", "not_spread", "unvisited", "not_held", "aux_not_held", "duplicate", "overlap")
LOG_HEADERS = [
    "officer_id",
    "auxiliary_id",
    "village_id",
    "village_name",
    "date",
    "start_time",
    "end_time",
    "hours",
    "activity",
]
CHINESE_HEADERS = {
    "officer_id": "警号",
    "auxiliary_id": "辅警编号",
    "village_id": "村编码",
    "village_name": "村名",
    "date": "日期",
    "start_time": "开始时间",
    "end_time": "结束时间",
    "hours": "时长",
    "activity": "工作内容",
}


@dataclass
class Planted:
    """Where the problems are: village-months by status, and log rows (positions in the frame)."""

    short: list[tuple[str, str]] = field(default_factory=list)  # (month, village_id)
    not_spread: list[tuple[str, str]] = field(default_factory=list)
    unvisited: list[tuple[str, str]] = field(default_factory=list)
    not_held: list[int] = field(default_factory=list)  # row positions, officers' and auxiliaries'
    duplicate: list[int] = field(default_factory=list)
    overlap: list[int] = field(default_factory=list)  # both logs of each overlapping pair

    def village_status(self) -> dict[tuple[str, str], str]:
        return {
            **{k: "short" for k in self.short},
            **{k: "not_spread" for k in self.not_spread},
            **{k: "unvisited" for k in self.unvisited},
        }


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def generate_work_logs(
    inst,
    officer_plan: pd.DataFrame,
    months: list[str],
    seed: int = 0,
    problems: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, Planted]:
    """Logs (LOG_HEADERS columns, rows in date order) for ``months`` and what was planted.

    ``problems``: how many of each kind (KINDS) in all; default one of each.
    """
    want = {k: 1 for k in KINDS} if problems is None else {k: 0 for k in KINDS} | problems
    rng = np.random.default_rng(seed)
    spacing = inst.policy.rule(VISIT_DAYS.id)["spacing"]
    r = visits_required(inst)
    plan = officer_plan[officer_plan["officer_id"].fillna("").astype(str) != ""]
    officer_of = dict(
        zip(plan["village_id"].astype(str), plan["officer_id"].astype(str), strict=True)
    )
    aux_of = dict(
        zip(inst.plan_auxiliaries["village_id"], inst.plan_auxiliaries["auxiliary_id"], strict=True)
    )
    villages = sorted(officer_of)
    by_officer: dict[str, list[str]] = {}
    for v in villages:
        by_officer.setdefault(officer_of[v], []).append(v)
    vname = inst.villages["name"]
    planted = Planted()
    rows: list[dict] = []
    # which month each village-level plant goes to, and which villages (disjoint)
    order = [str(v) for v in rng.permutation(villages)]
    take = iter(order)
    plant_villages = {
        kind: [(months[int(rng.integers(len(months)))], next(take)) for _ in range(want[kind])]
        for kind in ("short", "not_spread", "unvisited")
    }
    touched = {v for lst in plant_villages.values() for _, v in lst}

    for month in months:
        y, mo = (int(p) for p in month.split("-"))
        days, _ = month_days(inst.holidays, inst.unavailable.iloc[:0], y, mo, spacing)
        work = list(days.working)
        by_period: dict[int, list[dt.date]] = {}
        for d in work:
            by_period.setdefault(period_of(d.day, spacing), []).append(d)
        most, fewest = period_rule(r, days.periods)
        status = {v: k for k, lst in plant_villages.items() for m, v in lst if m == month}
        for o in sorted(by_officer):
            busy: dict[dt.date, int] = {}  # minute his last log that day ends
            n_logs: dict[dt.date, int] = {}

            def busy_n(d: dt.date, n_logs=n_logs) -> int:
                return n_logs.get(d, 0)

            for v in by_officer[o]:
                kind = status.get(v)
                if kind == "unvisited":
                    continue
                periods = sorted(rng.choice(days.periods, size=fewest, replace=False).tolist())
                while len(periods) < r:
                    p = int(rng.integers(days.periods))
                    if periods.count(p) < most:
                        periods.append(p)
                if kind == "not_spread":
                    # the required days all in one period, on days he has no other log
                    p = max(by_period, key=lambda q: len(by_period[q]))
                    free = [d for d in by_period[p] if d not in busy]
                    picks = sorted(rng.choice(len(free), size=r, replace=False).tolist())
                    chosen = [free[i] for i in picks]
                else:
                    chosen = []
                    for p in periods:
                        # a day of his own in the village (logged time adds up to days, §五(一)
                        # 进村时间累计), a second village that day only when nothing else is free
                        options = [
                            d for d in by_period.get(p, []) if d not in chosen and busy_n(d) < 1
                        ] or [d for d in by_period.get(p, []) if d not in chosen and busy_n(d) < 2]
                        options = options or [d for d in by_period.get(p, []) if d not in chosen]
                        chosen.append(options[int(rng.integers(len(options)))])
                    if kind == "short":
                        chosen = chosen[:1]
                    elif rng.random() < 0.15:  # a keen officer goes once more
                        extra = [d for d in work if d not in chosen and busy_n(d) < 1] or [
                            d for d in work if d not in chosen and busy_n(d) < 2
                        ]
                        chosen.append(extra[int(rng.integers(len(extra)))])
                if kind is None:
                    # a half day on a busy date leaves the village short of time: whole days
                    # on free dates until its logged time reaches the required days
                    half = sum(1 for d in chosen if d in busy)
                    free = [d for d in work if d not in chosen and busy_n(d) < 1]
                    for _i in range(min(half, len(free))):
                        chosen.append(free.pop(int(rng.integers(len(free)))))
                for d in sorted(chosen):
                    start = max(
                        busy.get(d, 0) + 30 + 5 * int(rng.integers(0, 7)),
                        8 * 60 + 30 + 5 * int(rng.integers(0, 13)),
                    )
                    # a whole working day in the village (8 h), half of one when he has
                    # already been in another village that day
                    length = 480 if d not in busy else 30 * int(rng.integers(4, 8))
                    busy[d] = start + length
                    n_logs[d] = n_logs.get(d, 0) + 1
                    rows.append(
                        {
                            "officer_id": o,
                            "auxiliary_id": "",
                            "village_id": v,
                            "village_name": vname[v],
                            "date": d,
                            "start_time": _hhmm(start),
                            "end_time": _hhmm(start + length),
                            "hours": length / 60,
                            "activity": OFFICER_ACTIVITIES[
                                int(rng.integers(len(OFFICER_ACTIVITIES)))
                            ],
                            "_tag": "",
                        }
                    )
        for v in villages:
            a = aux_of.get(v)
            if not a or status.get(v) == "unvisited":
                continue
            for d in work:
                if rng.random() < 0.85:
                    rows.append(
                        {
                            "officer_id": "",
                            "auxiliary_id": a,
                            "village_id": v,
                            "village_name": vname[v],
                            "date": d,
                            "start_time": "08:30",
                            "end_time": "17:00",
                            "hours": 8.5,
                            "activity": AUXILIARY_ACTIVITIES[
                                int(rng.integers(len(AUXILIARY_ACTIVITIES)))
                            ],
                            "_tag": "",
                        }
                    )
    for kind, lst in plant_villages.items():
        getattr(planted, kind).extend(lst)

    safe = [v for v in villages if v not in touched]
    officer_rows = [
        i for i, row in enumerate(rows) if row["officer_id"] and row["village_id"] in safe
    ]

    per_day: dict[tuple[str, dt.date], int] = {}
    for row in rows:
        if row["officer_id"]:
            key = (row["officer_id"], row["date"])
            per_day[key] = per_day.get(key, 0) + 1

    def day_logs(o: str, d: dt.date) -> int:
        return per_day.get((o, d), 0)

    # an officer logs a village held by someone else, on a day he logs nothing else
    for _ in range(want["not_held"]):
        o = str(rng.choice(sorted(by_officer)))
        w = str(rng.choice([v for v in safe if officer_of[v] != o]))
        month = months[int(rng.integers(len(months)))]
        y, mo = (int(p) for p in month.split("-"))
        days, _ = month_days(inst.holidays, inst.unavailable.iloc[:0], y, mo, spacing)
        d = next(
            d for d in rng.permutation(np.array(days.working, dtype=object)) if not day_logs(o, d)
        )
        per_day[(o, d)] = 1
        rows.append(
            {
                "officer_id": o,
                "auxiliary_id": "",
                "village_id": w,
                "village_name": vname[w],
                "date": d,
                "start_time": "09:00",
                "end_time": "11:30",
                "hours": 2.5,
                "activity": OFFICER_ACTIVITIES[0],
                "_tag": "not_held",
            }
        )
    for _ in range(want["aux_not_held"]):
        aux_rows = [
            i for i, row in enumerate(rows) if row["auxiliary_id"] and row["village_id"] in safe
        ]
        i = aux_rows[int(rng.integers(len(aux_rows)))]
        a = rows[i]["auxiliary_id"]
        w = str(rng.choice([v for v in safe if aux_of.get(v) != a]))
        # the same day, after his own village's log: not an overlap, just the wrong village
        rows.append(
            {
                **rows[i],
                "village_id": w,
                "village_name": vname[w],
                "start_time": "18:00",
                "end_time": "19:00",
                "hours": 1.0,
                "_tag": "not_held",
            }
        )
    for _ in range(want["overlap"]):
        pairs = [
            i
            for i in officer_rows
            if len(by_officer[rows[i]["officer_id"]]) > 1
            and day_logs(rows[i]["officer_id"], rows[i]["date"]) == 1
            and not rows[i]["_tag"]
            and all(v in safe for v in by_officer[rows[i]["officer_id"]])
        ]
        i = pairs[int(rng.integers(len(pairs)))]
        first = rows[i]
        other = next(v for v in by_officer[first["officer_id"]] if v != first["village_id"])
        h, m = (int(x) for x in first["start_time"].split(":"))
        start = h * 60 + m + 60
        first["_tag"] = "overlap"
        per_day[(first["officer_id"], first["date"])] += 1
        rows.append(
            {
                **first,
                "village_id": other,
                "village_name": vname[other],
                "start_time": _hhmm(start),
                "end_time": _hhmm(start + 120),
                "hours": 2.0,
                "_tag": "overlap",
            }
        )
    for _ in range(want["duplicate"]):
        cands = [i for i in officer_rows if not rows[i]["_tag"]]
        i = cands[int(rng.integers(len(cands)))]
        rows[i]["_tag"] = "original"
        rows.append({**rows[i], "_tag": "duplicate"})

    df = pd.DataFrame(rows)
    # date order as a platform exports; a copy stays after its original (stable sort)
    df = df.sort_values(["date", "officer_id", "auxiliary_id"], kind="stable").reset_index(
        drop=True
    )
    for kind in ("not_held", "duplicate", "overlap"):
        getattr(planted, kind).extend(np.flatnonzero(df["_tag"].to_numpy() == kind).tolist())
    df["date"] = [d.isoformat() for d in df["date"]]
    return df[LOG_HEADERS], planted


def write_work_logs(logs: pd.DataFrame, path: Path, chinese: bool = False) -> Path:
    """Logs as the platform exports them: CSV (UTF-8 with BOM) or XLSX (real date and time
    cells), English or Chinese headers."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = logs.rename(columns=CHINESE_HEADERS) if chinese else logs
    if path.suffix.lower() == ".csv":
        out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        return path
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工作日志"
    ws.append(list(out.columns))
    for row in out.itertuples(index=False):
        cells = []
        for col, value in zip(logs.columns, row, strict=True):
            if col == "date":
                value = dt.date.fromisoformat(value)
            elif col in ("start_time", "end_time") and value:
                value = dt.time.fromisoformat(value)
            cells.append(value)
        ws.append(cells)
    wb.save(path)
    return path
