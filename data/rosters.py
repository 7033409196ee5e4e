"""Synthetic ``unavailable.csv`` rows for a month: duty rosters, training days and leave.

Station and public-security officers stand a 24-hour duty (值班) every few days and rest the day
after; others lose a day or two to meetings and training; some take a week or two of leave
(年休假). Deterministic for a seed. For tests and benchmarks of the visit calendar.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zlib

import numpy as np
import pandas as pd

DUTY_CATEGORIES = ("station", "public_security")


def generate_unavailable(
    officers: pd.DataFrame,
    month: str,
    seed: int = 0,
    leave_share: float = 0.1,
    long_leave: int = 0,
) -> pd.DataFrame:
    """``unavailable`` rows (officer_id, date, start, end, reason) for ``officers`` in ``month``.

    ``leave_share`` of the officers take 3 to 8 working days of leave; ``long_leave`` more take
    leave from the 3rd to the 24th (too long to visit all their villages: tight months for tests).
    """
    year, mon = (int(p) for p in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    rng = np.random.default_rng([seed, zlib.crc32(month.encode())])
    ids = sorted(officers.index.astype(str))
    cats = officers["category"].reindex(ids).to_numpy()
    rows: list[dict[str, str]] = []

    def day(d: int) -> str:
        return dt.date(year, mon, d).isoformat()

    for o, cat in zip(ids, cats, strict=True):
        if cat in DUTY_CATEGORIES:
            cycle = int(rng.integers(4, 7))
            first = int(rng.integers(1, cycle + 1))
            for d in range(first, last + 1, cycle):
                rows.append({"officer_id": o, "date": day(d), "reason": "值班"})
                if d + 1 <= last:
                    rows.append({"officer_id": o, "date": day(d + 1), "reason": "值班后休息"})
        else:
            for d in sorted(set(rng.integers(1, last + 1, size=int(rng.integers(1, 3))).tolist())):
                rows.append({"officer_id": o, "date": day(d), "reason": "会议培训"})
    leave = rng.choice(len(ids), size=round(leave_share * len(ids)), replace=False)
    for i in sorted(leave.tolist()):
        start = int(rng.integers(1, last - 10))
        rows.append(
            {
                "officer_id": ids[i],
                "start": day(start),
                "end": day(start + int(rng.integers(3, 11))),
                "reason": "年休假",
            }
        )
    rest = [i for i in range(len(ids)) if i not in set(leave.tolist())]
    for i in sorted(rng.choice(rest, size=min(long_leave, len(rest)), replace=False).tolist()):
        rows.append({"officer_id": ids[i], "start": day(3), "end": day(24), "reason": "病假"})
    out = pd.DataFrame(rows, columns=["officer_id", "date", "start", "end", "reason"])
    return (
        out.fillna("")
        .sort_values(["officer_id", "date", "start"], kind="stable")
        .reset_index(drop=True)
    )
