"""Resident auxiliaries against their peers, side by side in one run.

    python benchmarks/bench_auxiliaries.py [--quick] [--only placement,rotation]
                                           [--time-limit 60] [--periods 5] [--json FILE]

Placement (the annual plan), per county, on the same assignment model:
- engine: ``plan_county_auxiliaries`` (OR-Tools min-cost flow, exact);
- highs / cp-sat: HiGHS's MIP and CP-SAT on the model's ``LinearModel``;
- greedy: best pair first.
Rotation over P periods, per county:
- engine: ``rotate_county`` (schedule bound, column generation over stints, HiGHS MIPs);
- highs: HiGHS's MIP on every stint the column generation found (the same model, no support
  restriction, no rounding), warm-started like the engine;
- staggered: the fewest-moves schedule filled one period at a time by min-cost flows (the
  prototype of DESIGN.md);
- greedy: one period at a time, moving exactly those whose tenure is up, no look-ahead.
Each rotation is judged by ``rotation_violations`` (violations), and the gap is to the proven
bound of the engine's column generation. Sizes: the sample county (400 villages) and a generated
2,000-village city (five counties). Every run is a fresh process; seconds are wall time, cpu the
process's own CPU time. Machines are shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _placement(bundle, county, backend, time_limit, q) -> None:
    from cunjing.constraints.validate import auxiliary_violations
    from cunjing.optimizer import SolveOptions, load_bundle
    from cunjing.optimizer.auxiliaries.placement import county_scope, plan_county_auxiliaries

    inst = load_bundle(bundle)
    c0, t0 = _cpu(), time.perf_counter()
    options = SolveOptions(time_limit=time_limit, workers=1)
    r = plan_county_auxiliaries(inst, county, options, backend=backend)
    q.put(
        {
            "status": r.status,
            "objective": r.objective,
            "bound": r.best_bound,
            "seconds": time.perf_counter() - t0,
            "cpu": _cpu() - c0,
            "covered": r.kpis["covered"],
            "violations": len(auxiliary_violations(county_scope(inst, county), r.plan)),
            "pairs": int(r.pairs["eligible"].sum()),
        }
    )


def _rotation(bundle, county, backend, time_limit, periods, q) -> None:
    from cunjing.constraints.validate import rotation_violations
    from cunjing.optimizer import SolveOptions, load_bundle
    from cunjing.optimizer.auxiliaries.placement import county_scope
    from cunjing.optimizer.rotation.engine import rotate_county

    inst = load_bundle(bundle)
    c0, t0 = _cpu(), time.perf_counter()
    options = SolveOptions(time_limit=time_limit, workers=1)
    r = rotate_county(inst, county, periods, options, backend=backend)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    viol = rotation_violations(county_scope(inst, county), r.rotation) if len(r.rotation) else []
    q.put(
        {
            "status": r.status,
            "objective": r.objective,
            "bound": r.best_bound,
            "seconds": seconds,
            "cpu": cpu,
            "moves": r.moves,
            "moves_bound": r.moves_bound,
            "points": r.kpis.get("familiar_points"),
            "violations": len(viol),
            "violated": sorted({v.rule for v in viol}),
            "stints": r.kpis.get("stint_pool"),
        }
    )


def fresh(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def counties_of(bundle) -> list[str]:
    from cunjing.optimizer import load_bundle

    return load_bundle(bundle).counties


def _sum(rows: list[dict], key: str) -> float:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return float(sum(vals)) if vals else float("nan")


def placement(label, bundle, peers, time_limit) -> dict:
    counties = counties_of(bundle)
    rows = {p: [fresh(_placement, bundle, c, p, time_limit) for c in counties] for p in peers}
    return {"label": label, "counties": len(counties), "rows": rows}


def rotation(label, bundle, peers, time_limit, periods) -> dict:
    counties = counties_of(bundle)
    rows = {
        p: [fresh(_rotation, bundle, c, p, time_limit, periods) for c in counties] for p in peers
    }
    return {"label": label, "counties": len(counties), "rows": rows}


def print_placement(res: dict) -> None:
    rows = res["rows"]
    base = rows["auto"]
    t0, o0 = _sum(base, "seconds"), _sum(base, "objective")
    print(f"\nplacement, {res['label']} ({res['counties']} county(ies))")
    print(
        f"  {'peer':8} {'status':10} {'objective':>12} {'vs engine':>10} {'covered':>8} "
        f"{'seconds':>8} {'cpu s':>7} {'x engine':>9} {'slowest':>8} {'viol':>5}"
    )
    for peer, rs in rows.items():
        statuses = sorted({r["status"] for r in rs})
        obj = _sum(rs, "objective")
        t = _sum(rs, "seconds")
        print(
            f"  {peer if peer != 'auto' else 'engine':8} {'/'.join(statuses):10} {obj:12.2f} "
            f"{100 * (obj - o0) / abs(o0):+9.3f}% {int(_sum(rs, 'covered')):8d} {t:8.2f} "
            f"{_sum(rs, 'cpu'):7.2f} {t / t0:9.1f} {max(r['seconds'] for r in rs):8.2f} "
            f"{int(_sum(rs, 'violations')):5d}"
        )


def print_rotation(res: dict, periods: int) -> None:
    rows = res["rows"]
    base = rows["auto"]
    t0 = _sum(base, "seconds")
    bound = _sum(base, "bound")
    p0 = _sum(base, "points")
    print(f"\nrotation over {periods} periods, {res['label']} ({res['counties']} county(ies))")
    print(
        f"  {'peer':9} {'status':17} {'moves':>6} {'bound':>6} {'objective':>11} "
        f"{'gap':>7} {'points':>10} {'vs engine':>10} {'seconds':>8} {'cpu s':>7} "
        f"{'x engine':>9} {'viol':>5}"
    )
    for peer, rs in rows.items():
        statuses = "/".join(sorted({r["status"] for r in rs}))
        obj = _sum(rs, "objective")
        gap = (bound - obj) / max(1.0, abs(obj)) if bound == bound else float("nan")
        pts = _sum(rs, "points")
        t = _sum(rs, "seconds")
        viol = int(_sum(rs, "violations"))
        rules = sorted({x for r in rs for x in r["violated"]})
        if viol:  # a rotation that breaks the rules has no objective to compare
            obj_s, gap_s = f"{'—':>11}", f"{'—':>7}"
        else:
            obj_s, gap_s = f"{obj:11.2f}", f"{100 * gap:6.2f}%"
        print(
            f"  {peer if peer != 'auto' else 'engine':9} {statuses:17} "
            f"{int(_sum(rs, 'moves')):6d} {int(_sum(base, 'moves_bound')):6d} {obj_s} "
            f"{gap_s} {pts:10.2f} {100 * (pts - p0) / abs(p0):+9.2f}% {t:8.2f} "
            f"{_sum(rs, 'cpu'):7.2f} {t / t0:9.2f} {viol:5d}"
            + (f" {','.join(rules)}" if rules else "")
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the sample county only, fewer peers")
    ap.add_argument("--only", default="placement,rotation")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--periods", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    sizes = [("sample county", None)]
    tmp = None
    if not args.quick:
        from cunjing.data.generator import generate_bundle

        tmp = tempfile.TemporaryDirectory()
        city = Path(tmp.name) / "city2000"
        generate_bundle(city, villages=2000, seed=0)
        sizes.append(("2,000-village city", str(city)))
    out: dict = {"placement": [], "rotation": []}
    for label, bundle in sizes:
        if "placement" in only:
            peers = ["auto", "highs", "greedy"] + ([] if args.quick else ["cp-sat"])
            res = placement(label, bundle, peers, args.time_limit)
            print_placement(res)
            out["placement"].append(res)
        if "rotation" in only:
            peers = ["auto", "staggered", "greedy"]
            if not args.quick:
                peers.insert(1, "highs")
            res = rotation(label, bundle, peers, args.time_limit, args.periods)
            print_rotation(res, args.periods)
            out["rotation"].append(res)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
