"""Benchmark: the monthly visit calendar of every officer of a county, CP-SAT against first-fit.

For the sample county's incumbent plan (or a generated county), one month, three rosters: no days
off, a typical month (duty rosters, training days, some leave) and a tight one (20 more officers
on three weeks' leave). Both planners' calendars are judged by the same VISIT-DAYS check.

    .venv/bin/python benchmarks/bench_calendar.py [--month 2027-03] [--repeat 3] [--villages N]

Times are wall-clock medians on a shared machine: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cunjing.data.rosters import generate_unavailable
from cunjing.optimizer import load_bundle
from cunjing.optimizer.visits.calendar import plan_calendar


def spread_days(calendar: pd.DataFrame) -> float:
    """Mean days between the first and last visit of a village (ideal ≈ month / visits)."""
    dates = pd.to_datetime(calendar["date"])
    span = dates.groupby(calendar["village_id"]).agg(lambda d: (d.max() - d.min()).days)
    return float(span.mean()) if len(span) else 0.0


def run(inst, month: str, roster, method: str, repeat: int):
    times, res = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = plan_calendar(inst, inst.plan_officers, month, roster, method=method)
        times.append(time.perf_counter() - t0)
    assert res is not None
    o = res.officers
    return {
        "seconds": statistics.median(times),
        "visits": int(o["visits_planned"].sum()),
        "required": int(o["visits_required"].sum()),
        "officers_short": int((o["status"] == "PARTIAL").sum()),
        "violations": len(res.violations),
        "shared_days": int(o["shared_days"].sum()),
        "spread": spread_days(res.calendar),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--month", default="2027-03")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--villages", type=int, default=0, help="a generated county instead")
    args = ap.parse_args(argv)
    if args.villages:
        from cunjing.data.generator import generate_bundle

        tmp = Path(tempfile.mkdtemp(prefix="bench-calendar-"))
        generate_bundle(tmp / "b", villages=args.villages, counties=1, seed=0)
        inst = load_bundle(tmp / "b")
    else:
        inst = load_bundle()
    n_off = inst.plan_officers["officer_id"].nunique()
    print(
        f"visit calendar {args.month}: {len(inst.plan_officers)} villages, {n_off} officers, "
        f"median of {args.repeat} runs (2 shared cores: compare ratios)"
    )
    rosters = {
        "no days off": None,
        "typical roster": generate_unavailable(inst.officers, args.month, seed=1),
        "tight roster": generate_unavailable(inst.officers, args.month, seed=1, long_leave=20),
    }
    head = (
        f"{'roster':<15} {'planner':<8} {'seconds':>8} {'visits':>11} {'short':>6} "
        f"{'violations':>10} {'shared':>7} {'spread d':>9}"
    )
    print(head)
    print("-" * len(head))
    worst = 0.0
    for name, roster in rosters.items():
        rows = {m: run(inst, args.month, roster, m, args.repeat) for m in ("cp-sat", "greedy")}
        for m, r in rows.items():
            print(
                f"{name:<15} {m:<8} {r['seconds']:8.2f} {r['visits']:>5}/{r['required']:<5} "
                f"{r['officers_short']:>6} {r['violations']:>10} {r['shared_days']:>7} "
                f"{r['spread']:9.1f}"
            )
        c, g = rows["cp-sat"], rows["greedy"]
        print(
            f"{'':<15} ratio    time ×{c['seconds'] / max(g['seconds'], 1e-9):.1f}, "
            f"visits missing {c['required'] - c['visits']} vs {g['required'] - g['visits']}, "
            f"violations {c['violations']} vs {g['violations']}, shared days "
            f"{c['shared_days']} vs {g['shared_days']}, spread {c['spread'] / max(g['spread'], 1e-9):.2f}×"
        )
        worst = max(worst, c["seconds"])
    target = 10.0
    print(
        f"slowest CP-SAT month: {worst:.2f} s (target < {target:g} s): {'ok' if worst < target else 'SLOW'}"
    )
    return 0 if worst < target else 1


if __name__ == "__main__":
    sys.exit(main())
