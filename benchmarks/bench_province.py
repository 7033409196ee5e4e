"""A whole province in one command: 1 worker, 2 worker processes, a two-worker Dask cluster.

    python benchmarks/bench_province.py [--villages 15000] [--time-limit 60]
                                        [--json benchmarks/results/province.json]

Generates a province (counties of ~400 villages), then runs ``cunjing plan`` three times, side by
side in one run: ``--jobs 1``, ``--jobs 2``, and ``--scheduler`` on a Dask ``LocalCluster`` with
two single-threaded worker processes started here. Reports wall time, the per-county time
distribution, each county's status and gap, the peak memory of the parent process and of a worker,
the speed-up, and an estimate for the nation from the measured per-county times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_plan(bundle: Path, out: Path, extra: list[str], time_limit: float) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "cunjing.optimizer.cli",
        "plan",
        str(bundle),
        "--out",
        str(out),
        "--time-limit",
        str(time_limit),
        *extra,
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    counties = summary["counties"]
    secs = sorted(c["seconds"] for c in counties)
    gaps = [c["gap"] or 0.0 for c in counties]
    return {
        "wall_seconds": round(wall, 1),
        "status": summary["status"],
        "counties": len(counties),
        "villages": summary["kpis"]["villages"],
        "covered": summary["kpis"]["covered_by_officer"],
        "county_seconds": {
            "min": secs[0],
            "median": statistics.median(secs),
            "p90": secs[int(0.9 * (len(secs) - 1))],
            "max": secs[-1],
            "sum": round(sum(secs), 1),
        },
        "optimal_counties": sum(c["status"] == "OPTIMAL" for c in counties),
        "worst_gap": max(gaps),
        "counties_over_half_percent": sum(g > 0.005 for g in gaps),
        # the command's own process, and the largest county worker (each measures itself)
        "parent_peak_mb": summary["peak_memory_mb"]["this_process"],
        "worker_peak_mb": summary["peak_memory_mb"]["largest_worker"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=15000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from cunjing.data.generator import generate_bundle

    results: dict = {"villages": args.villages, "time_limit": args.time_limit, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        counts = generate_bundle(tmp / "province", villages=args.villages, seed=args.seed)
        results["generated"] = {**counts, "seconds": round(time.perf_counter() - t0, 1)}
        print(f"generated {counts} in {results['generated']['seconds']} s", flush=True)
        results["runs"]["1 worker"] = run_plan(
            tmp / "province", tmp / "p1", ["--jobs", "1"], args.time_limit
        )
        print("1 worker", results["runs"]["1 worker"], flush=True)
        results["runs"]["2 workers"] = run_plan(
            tmp / "province", tmp / "p2", ["--jobs", "2"], args.time_limit
        )
        print("2 workers", results["runs"]["2 workers"], flush=True)
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="2GiB",
        ) as cluster:
            results["runs"]["dask 2 workers"] = run_plan(
                tmp / "province",
                tmp / "pd",
                ["--scheduler", cluster.scheduler_address],
                args.time_limit,
            )
        print("dask", results["runs"]["dask 2 workers"], flush=True)
    one = results["runs"]["1 worker"]
    for r in results["runs"].values():
        r["speed_up"] = round(one["wall_seconds"] / r["wall_seconds"], 2)
    # the nation: ~500,000 villages in ~1,250 counties of ~400; counties are independent, so on
    # C cores the wall time is about (sum of county seconds) / C, plus loading and merging
    per_village = one["county_seconds"]["sum"] / args.villages
    overhead = one["wall_seconds"] - one["county_seconds"]["sum"]
    nation = 500_000 * per_village / 100 + overhead * 500_000 / args.villages / 10
    results["nation_estimate"] = {
        "villages": 500_000,
        "cores": 100,
        "county_cpu_seconds_per_village": round(per_village, 4),
        "wall_minutes": round(nation / 60, 1),
        "how": "measured county seconds scaled to 500,000 villages and shared by 100 Dask "
        "workers (one county at a time each), plus this run's load and merge time "
        "scaled by villages and assumed 10x parallel (reading per county)",
    }
    print(
        f"\n{'run':16s} {'wall s':>8s} {'speed-up':>8s} {'counties':>8s} {'optimal':>8s} "
        f"{'worst gap':>9s} {'county s median/max':>20s} {'parent MB':>9s} {'worker MB':>9s}"
    )
    for name, r in results["runs"].items():
        cs = r["county_seconds"]
        print(
            f"{name:16s} {r['wall_seconds']:8.1f} {r['speed_up']:8.2f} {r['counties']:8d} "
            f"{r['optimal_counties']:8d} {r['worst_gap']:9.4%} "
            f"{cs['median']:9.1f}/{cs['max']:<9.1f} {r['parent_peak_mb']:9.0f} "
            f"{r['worker_peak_mb']:9.0f}"
        )
    print(
        f"nation (500,000 villages, 100 cores): about {results['nation_estimate']['wall_minutes']}"
        " minutes"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
