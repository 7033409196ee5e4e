"""The officer plan against its peers, side by side in one run.

    python benchmarks/bench_officers.py [--quick] [--only sample,city,province,count,gap]
                                        [--time-limit 60] [--json benchmarks/results/officers.json]

Peers, each run in a fresh process (so its peak memory is its own) on the same county model:
- engine: ``plan_county_officers`` as ``cunjing plan`` runs it (flow when exact; else CP-SAT over
  pruned candidates with the Lagrangian proof, or over every pair in small counties);
- highs: HiGHS's MIP on the model over all eligible pairs;
- greedy: best pair first, what a bureau does by hand;
- flow: OR-Tools min-cost flow, exact where the only side rule is a count of villages per officer.
Sizes: the sample county, a generated 2,000-village city and 15,000-village province (per
county), and the OR-Library GAP instances (benchmarks/gap) converted to bundles.
Machines are shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _run(bundle: str | None, county: str, backend: str, time_limit: float, q) -> None:
    from cunjing.optimizer import SolveOptions, load_bundle, plan

    inst = load_bundle(bundle)
    inst = inst.county(county) if len(inst.counties) > 1 else inst
    options = SolveOptions.from_settings(
        inst.policy.sections["solver"], time_limit=time_limit, backend=backend
    )
    t = time.perf_counter()
    run = plan(inst, options)
    seconds = time.perf_counter() - t
    c, part = run.record["counties"][0], run.record["parts"]["officer"]
    q.put(
        {
            "status": str(c["status"]),
            "objective": c["objective"],
            "bound": c["best_bound"],
            "seconds": seconds,
            "build": part["build_seconds"],
            "solve": part["solve_seconds"],
            "pairs": c["pruning"].get("candidate_pairs"),
            "eligible": c["pruning"].get("eligible_pairs"),
            "backend": c["backend"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run(bundle, county, backend, time_limit) -> dict:
    """One peer on one county in a fresh process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_run, args=(bundle, county, backend, time_limit, q))
    p.start()
    out = q.get()
    p.join()
    return out


def counties_of(bundle) -> list[str]:
    from cunjing.optimizer import load_bundle

    return load_bundle(bundle).counties


def compare(
    label: str, bundle, peers: list[str], time_limit: float, counties: list[str] | None = None
) -> dict:
    counties = counties or counties_of(bundle)
    rows = {p: [] for p in peers}
    for c in counties:
        for p in peers:
            rows[p].append(run(bundle, c, p, time_limit))
    out = {"label": label, "counties": len(counties), "peers": {}}
    for p, rs in rows.items():
        out["peers"][p] = {
            "seconds": round(sum(r["seconds"] for r in rs), 3),
            "max_county_seconds": round(max(r["seconds"] for r in rs), 3),
            "objective": round(sum(r["objective"] for r in rs), 2),
            "optimal": sum(r["status"] == "OPTIMAL" for r in rs),
            "statuses": sorted({r["status"] for r in rs}),
            "peak_mb": round(max(r["peak_mb"] for r in rs), 1),
            "pairs": sum(r["pairs"] or 0 for r in rs),
            "eligible": sum(r["eligible"] or 0 for r in rs),
            "backend": sorted({r["backend"] for r in rs}),
        }
    e = out["peers"]["engine"]
    for v in out["peers"].values():
        v["time_ratio_to_engine"] = round(v["seconds"] / max(e["seconds"], 1e-9), 2)
        v["objective_ratio_to_engine"] = (
            round(v["objective"] / e["objective"], 5) if e["objective"] else None
        )
    return out


def count_only_bundle(src: Path, dst: Path) -> Path:
    """The sample with plenty of days: the only side rule left is each officer's count."""
    import shutil

    import pandas as pd

    shutil.copytree(src, dst, dirs_exist_ok=True)
    off = pd.read_csv(dst / "officers.csv", dtype=str, keep_default_na=False)
    off["available_days"] = "30"
    off["max_villages"] = off["max_villages"].replace("", "4")
    off.to_csv(dst / "officers.csv", index=False)
    return dst


def gap_table(time_limit: float, names: set[str] | None) -> list[dict]:
    from gap_bundles import instances, write_bundle

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for g in instances(names):
            folder = write_bundle(g, Path(tmp) / g.name)
            r = run(str(folder), "C1", "auto", time_limit)
            cost = -r["objective"]
            rows.append(
                {
                    "instance": g.name,
                    "optimum": g.optimum,
                    "known": g.status,
                    "found": cost,
                    "gap_to_optimum": round((cost - g.optimum) / g.optimum, 5),
                    "proven_optimal": r["status"] == "OPTIMAL",
                    "seconds": round(r["seconds"], 2),
                }
            )
            print(
                f"  {g.name:9s} found {cost:8.0f} optimum {g.optimum:6d} "
                f"gap {rows[-1]['gap_to_optimum']:+.3%} {r['status']:8s} {r['seconds']:6.2f}s",
                flush=True,
            )
    return rows


def print_compare(c: dict) -> None:
    print(f"\n{c['label']} ({c['counties']} counties)")
    print(
        f"  {'peer':8s} {'seconds':>9s} {'x engine':>9s} {'objective':>11s} {'obj/engine':>10s} "
        f"{'optimal':>8s} {'peak MB':>8s}  backend"
    )
    for p, v in c["peers"].items():
        print(
            f"  {p:8s} {v['seconds']:9.2f} {v['time_ratio_to_engine']:9.2f} "
            f"{v['objective']:11.2f} {v['objective_ratio_to_engine'] or 0:10.5f} "
            f"{v['optimal']:>4d}/{c['counties']:<3d} {v['peak_mb']:8.0f}  {','.join(v['backend'])}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sample county and a few GAP instances")
    ap.add_argument("--only", default="sample,city,province,count,gap")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument(
        "--province-counties",
        type=int,
        default=0,
        help="solve only this many of the province's counties (0: all)",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.quick:
        only &= {"sample", "count", "gap"}
    from cunjing.data.generator import generate_bundle
    from cunjing.optimizer.input.bundle import sample_path

    results: dict = {"time_limit": args.time_limit, "compare": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "sample" in only:
            results["compare"].append(
                compare(
                    "sample county (400 villages)",
                    None,
                    ["engine", "highs", "greedy"],
                    args.time_limit,
                )
            )
            print_compare(results["compare"][-1])
        if "count" in only:
            b = count_only_bundle(sample_path(), tmp / "count")
            results["compare"].append(
                compare(
                    "sample county, count limits only",
                    str(b),
                    ["engine", "flow", "highs", "greedy"],
                    args.time_limit,
                )
            )
            print_compare(results["compare"][-1])
        if "city" in only:
            generate_bundle(tmp / "city", villages=2000, counties=5, seed=1)
            results["compare"].append(
                compare(
                    "city (2,000 villages)",
                    str(tmp / "city"),
                    ["engine", "highs", "greedy"],
                    args.time_limit,
                )
            )
            print_compare(results["compare"][-1])
        if "province" in only:
            generate_bundle(tmp / "prov", villages=15000, seed=1)
            cs = counties_of(str(tmp / "prov"))
            if args.province_counties:
                cs = cs[: args.province_counties]
            results["compare"].append(
                compare(
                    f"province (15,000 villages; {len(cs)} counties)",
                    str(tmp / "prov"),
                    ["engine", "highs", "greedy"],
                    args.time_limit,
                    cs,
                )
            )
            print_compare(results["compare"][-1])
    if "gap" in only:
        print("\nOR-Library GAP instances (minimisation), engine")
        names = (
            {"c515-1", "c1060-1", "a05100", "b10200", "c10100", "d05100"} if args.quick else None
        )
        results["gap"] = gap_table(args.time_limit, names)
        g = results["gap"]
        print(
            f"  proven optimal {sum(r['proven_optimal'] for r in g)} of {len(g)}; "
            f"worst gap {max(r['gap_to_optimum'] for r in g):+.3%}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
