"""What-if runs against a cold plan, side by side in one run.

    python benchmarks/bench_whatif.py [--json benchmarks/results/whatif.json]

For the sample county and a generated 2,000-village city: the cold plan (``cunjing plan``), then
one transfer of the busiest officer (``cunjing whatif --transfer``), reporting the warm re-solve
of the neighbourhood (re-plan seconds, from summary.json), the whole command's wall time, and the
villages changed; then the transfer sweep over every officer of the sample county (2 processes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

CLI = [sys.executable, "-m", "cunjing.optimizer.cli"]


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def one_size(label: str, bundle: list[str], tmp: Path) -> dict:
    plan = tmp / f"{label}-plan"
    cold = timed(["plan", *bundle, "--out", str(plan)])
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str, keep_default_na=False)
    officer = rows["officer_id"].value_counts().index[0]
    out = tmp / f"{label}-whatif"
    whole = timed(
        ["whatif", *bundle, "--plan", str(plan), "--transfer", officer, "--out", str(out)]
    )
    w = json.loads((out / "summary.json").read_text(encoding="utf-8"))["whatif"]
    return {
        "villages": summary["kpis"]["villages"],
        "cold_plan_command_seconds": round(cold, 2),
        "cold_plan_solve_seconds": round(
            summary["parts"]["officer"]["build_seconds"]
            + summary["parts"]["officer"]["solve_seconds"],
            2,
        ),
        "transfer_officer": officer,
        "warm_resolve_seconds": w["resolve_seconds"],
        "whatif_command_seconds": round(whole, 2),
        "villages_changed": w["villages_changed"],
        "forced": w["forced"],
        "neighbourhood": w["neighbourhood"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from cunjing.data.generator import generate_bundle

    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results["sample"] = one_size("sample", [], tmp)
        print("sample", results["sample"], flush=True)
        generate_bundle(tmp / "city", villages=2000, counties=5, seed=1)
        results["city"] = one_size("city", [str(tmp / "city")], tmp)
        print("city", results["city"], flush=True)
        sweep = timed(
            [
                "whatif",
                "--plan",
                str(tmp / "sample-plan"),
                "--sweep",
                "transfer",
                "--jobs",
                "2",
                "--out",
                str(tmp / "sweep"),
            ]
        )
        table = pd.read_csv(tmp / "sweep" / "sweep.csv")
        results["sweep"] = {
            "officers": len(table),
            "command_seconds": round(sweep, 1),
            "median_transfer_seconds": float(table["seconds"].median()),
        }
        print("sweep", results["sweep"], flush=True)
    print(
        f"\n{'':8s} {'villages':>8s} {'cold plan s':>11s} {'warm re-solve s':>15s} "
        f"{'whatif cmd s':>12s} {'changed':>7s}"
    )
    for k in ("sample", "city"):
        r = results[k]
        print(
            f"{k:8s} {r['villages']:8d} {r['cold_plan_command_seconds']:11.2f} "
            f"{r['warm_resolve_seconds']:15.2f} {r['whatif_command_seconds']:12.2f} "
            f"{r['villages_changed']:7d}"
        )
    s = results["sweep"]
    print(f"sweep: {s['officers']} transfers in {s['command_seconds']} s (2 processes)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
