"""The whole ``cunjing plan`` command, as a planner runs it, against the floor of its imports.

    python benchmarks/bench_command.py [--runs 7] [--city] [--json benchmarks/results/command.json]

Each run is a fresh process (load, officers, auxiliaries, KPIs, the checks, every file and
report). Runs of the command and of the bare imports (``import cunjing.optimizer.run.plan``,
what any run pays before it reads a byte) alternate, so both see the same machine; the table gives
median, min and max of each, the command's solve time from summary.json, and the same command
timed inside its process from loading the bundle to the files written (what the issue's target
counts). This machine is shared and its speed varies by a third from one
minute to the next: read medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAN = [sys.executable, "-m", "cunjing.optimizer.cli", "plan"]
IMPORTS = [sys.executable, "-c", "import cunjing.optimizer.run.plan"]
# the same command timed inside the process, from the bundle's loading to the files written
LOAD_TO_FILES = (
    "import sys, time\n"
    "import cunjing.optimizer.run.plan\n"
    "from cunjing.optimizer.cli.main import main\n"
    "t0 = time.perf_counter()\n"
    "assert main(sys.argv[1:]) == 0\n"
    "print(time.perf_counter() - t0)\n"
)


CPU: dict[str, list[float]] = {}  # CPU seconds of each kind of run (the command and its helper)


def wall(cmd: list[str]) -> float:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    kind = "imports" if cmd == IMPORTS else "command"
    CPU.setdefault(kind, []).append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return seconds


def spread(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def measure(label: str, bundle: list[str], runs: int, tmp: Path) -> dict:
    out = tmp / f"{label}-plan"
    command, imports, solve, inside = [], [], [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        command.append(wall([*PLAN, *bundle, "--out", str(out)]))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["status"] == "OPTIMAL", summary["status"]
        solve.append(summary["wall_seconds"])
        imports.append(wall(IMPORTS))
        shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-c", LOAD_TO_FILES, "plan", *bundle, "--out", str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        inside.append(float(proc.stdout.strip().splitlines()[-1]))
    row = {
        "bundle": label,
        "villages": summary["kpis"]["villages"],
        "runs": runs,
        "command_seconds": spread(command),
        "imports_seconds": spread(imports),
        "solve_seconds": spread(solve),
        "load_to_files_seconds": spread(inside),
        "rest_seconds": round(
            statistics.median(command) - statistics.median(imports) - statistics.median(solve), 2
        ),
        "command_over_imports": round(statistics.median(command) / statistics.median(imports), 2),
        # this machine is shared: CPU seconds (the command with its helper process) and the load
        "command_cpu_seconds": spread(CPU.pop("command", [0.0])),
        "imports_cpu_seconds": spread(CPU.pop("imports", [0.0])),
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(
        f"{label}: command {row['command_seconds']['median']} s (min {row['command_seconds']['min']}"
        f", max {row['command_seconds']['max']}); imports {row['imports_seconds']['median']} s; "
        f"load to files {row['load_to_files_seconds']['median']} s (min "
        f"{row['load_to_files_seconds']['min']}); solve {row['solve_seconds']['median']} s "
        f"(summary.json of the command runs); {row['command_over_imports']}x the bare imports; "
        f"CPU {row['command_cpu_seconds']['median']} s (imports "
        f"{row['imports_cpu_seconds']['median']} s); load {row['load_average']}",
        flush=True,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--city", action="store_true", help="also the generated 2,000-village city")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows.append(measure("sample county", [], args.runs, tmp))
        if args.city:
            from cunjing.data.generator import generate_bundle

            generate_bundle(tmp / "city", villages=2000, seed=0)
            rows.append(measure("city", [str(tmp / "city")], max(1, args.runs // 2), tmp))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
