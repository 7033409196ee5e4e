"""A whole province in one command: one process, two worker processes, a Dask cluster.

    python benchmarks/bench_province.py [--villages 15000] [--repeat 2] [--dask]
                                        [--only-dask] [--time-limit 60]
                                        [--json benchmarks/results/province.json]

Generates a province (counties of ~400 villages), then runs ``cunjing plan`` side by side in one
run, ``--repeat`` times in turn: ``--jobs 1`` (everything in one process), ``--jobs 2`` (two worker
processes, each county from its slice to its own folder), and with ``--dask`` on a Dask
``LocalCluster`` of two single-threaded worker processes started here (``--only-dask``: that alone,
for the 100,000-village run). Each county is a task from end to end (solve, checks, its folder's
CSV, workbook, GeoPackage, page and notice); the parent merges and writes the overview.

Reports per run: wall time, CPU seconds of the command and its workers, the counties' own seconds
(median / p90 / max / sum), statuses and gaps, the peak memory of the parent and of the largest
worker, the machine's load average before and after; then ranges over the repeats, the speed-up
of each run over the one-process run beside it, and the nation estimate from these figures.
The machine is shared: read the ratios of runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def load() -> float:
    return round(os.getloadavg()[0], 2)


def run_plan(bundle: Path, out: Path, extra: list[str], time_limit: float) -> dict:
    cmd = [sys.executable, "-m", "cunjing.optimizer.cli", "plan", str(bundle), "--out", str(out)]
    cmd += ["--time-limit", str(time_limit), *extra]
    before_load = load()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    counties = summary["counties"]
    secs = sorted(c["seconds"] for c in counties)
    gaps = [c["gap"] or 0.0 for c in counties]
    return {
        "wall_seconds": round(wall, 1),
        # the command and the worker processes it waited for (not a Dask cluster's workers)
        "cpu_seconds": round(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, 1),
        "load_before": before_load,
        "load_after": load(),
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
        # the parent's own CPU seconds (with the counties when they run in it), and the
        # counties' tasks' CPU seconds wherever they ran
        "parent_cpu_seconds": summary.get("cpu_seconds", {}).get("this_process"),
        "county_cpu_seconds": summary.get("cpu_seconds", {}).get("counties"),
        "parent_peak_mb": summary["peak_memory_mb"]["this_process"],
        "worker_peak_mb": summary["peak_memory_mb"]["largest_worker"],
    }


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=15000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dask", action="store_true", help="also on a two-worker LocalCluster")
    ap.add_argument("--only-dask", action="store_true", help="the LocalCluster run alone")
    ap.add_argument("--bundle", type=Path, default=None, help="a generated bundle to reuse")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from cunjing.data.generator import generate_bundle

    results: dict = {
        "villages": args.villages,
        "time_limit": args.time_limit,
        "cores": os.cpu_count(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bundle = args.bundle
        if bundle is None:
            bundle = tmp / "province"
            t0 = time.perf_counter()
            counts = generate_bundle(bundle, villages=args.villages, seed=args.seed)
            results["generated"] = {**counts, "seconds": round(time.perf_counter() - t0, 1)}
            print(f"generated {counts} in {results['generated']['seconds']} s", flush=True)
        for i in range(args.repeat):
            row: dict = {}
            if not args.only_dask:
                for name, extra in (("1 process", ["--jobs", "1"]), ("2 workers", ["--jobs", "2"])):
                    row[name] = run_plan(bundle, tmp / f"p{i}-{name[0]}", extra, args.time_limit)
                    print(name, row[name], flush=True)
            if args.dask or args.only_dask:
                from distributed import LocalCluster

                with LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    memory_limit="4GiB",
                ) as cluster:
                    row["dask 2 workers"] = run_plan(
                        bundle,
                        tmp / f"p{i}-d",
                        ["--scheduler", cluster.scheduler_address],
                        args.time_limit,
                    )
                print("dask", row["dask 2 workers"], flush=True)
            if "1 process" in row:
                for r in row.values():
                    r["speed_up"] = round(row["1 process"]["wall_seconds"] / r["wall_seconds"], 2)
            results["runs"].append(row)
    names = list(results["runs"][0])
    results["ranges"] = {
        name: {
            key: spread([row[name][key] for row in results["runs"]])
            for key in ("wall_seconds", "cpu_seconds", "parent_peak_mb", "speed_up")
            if key in results["runs"][0][name]
        }
        for name in names
    }
    print(
        f"\n{'run':16s} {'wall s':>8s} {'cpu s':>7s} {'speed-up':>8s} {'optimal':>8s} "
        f"{'county s med/max/sum':>22s} {'parent MB':>9s} {'worker MB':>9s} {'load':>10s}"
    )
    for row in results["runs"]:
        for name, r in row.items():
            cs = r["county_seconds"]
            print(
                f"{name:16s} {r['wall_seconds']:8.1f} {r['cpu_seconds']:7.1f} "
                f"{r.get('speed_up', float('nan')):8.2f} {r['optimal_counties']:4d}/{r['counties']:<3d} "
                f"{cs['median']:6.1f}/{cs['max']:5.1f}/{cs['sum']:7.1f}  "
                f"{r['parent_peak_mb']:9.0f} {r['worker_peak_mb']:9.0f} "
                f"{r['load_before']:4.1f}-{r['load_after']:<4.1f}"
            )
    # the nation: ~500,000 villages in ~1,250 counties of ~400, on 100 single-threaded workers.
    # Counties are independent: their CPU seconds scale with the villages and are shared by the
    # workers; the parent's own work (load, cut into counties, merge, overview) is what the
    # one-process run spends outside the counties, and grows with the villages.
    # CPU seconds, not wall: this machine is shared, and a loaded machine stretches every wall
    # time. From the run with worker processes: the counties' CPU and the parent's own.
    base = results["runs"][-1].get("2 workers") or results["runs"][-1][names[0]]
    per_village = (base["county_cpu_seconds"] or base["county_seconds"]["sum"]) / args.villages
    parent = base["parent_cpu_seconds"] or 0.0
    n = 500_000
    counties_wall = n * per_village / 100
    parent_wall = parent * n / args.villages
    results["nation_estimate"] = {
        "villages": n,
        "workers": 100,
        "county_cpu_seconds_per_village": round(per_village, 5),
        "parent_seconds_per_village": round(parent / args.villages, 6),
        "counties_minutes": round(counties_wall / 60, 1),
        "parent_minutes": round(parent_wall / 60, 1),
        "wall_minutes": round((counties_wall + parent_wall) / 60, 1),
    }
    e = results["nation_estimate"]
    print(
        f"nation (500,000 villages, 100 workers): counties {e['counties_minutes']} min + "
        f"parent {e['parent_minutes']} min = about {e['wall_minutes']} minutes"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
