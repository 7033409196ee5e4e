"""``cunjing rotate [BUNDLE] --periods P --out DIR``: the auxiliaries' rotation over P periods.

Exit 0 when every rule holds, 1 when a county's rotation is partial or its rules contradict
each other (the numbers are in ``rotation_summary.json`` and on the terminal), 2 on bad input.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .args import bundle_arg, scale_args, solver_args

if TYPE_CHECKING:  # the solver stack loads only when the command runs
    from ..rotation.engine import RotationResult


def configure_rotate(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--periods", type=int, default=5, help="periods to plan (default 5)")
    p.add_argument("--out", type=Path, required=True, help="folder to write the rotation into")
    solver_args(p)
    scale_args(p)


def rotate(
    inst,
    periods: int,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    jobs: int = 1,
    scheduler: str | None = None,
    store=None,
    progress: bool = False,
) -> list[RotationResult]:
    """Every county's rotation (counties own their auxiliaries and rotate on their own), side by
    side through the county executor; finished counties of an interrupted run are reused."""
    from functools import partial

    from ..rotation.engine import rotate_county
    from ..run.executor import solve_counties

    task = partial(
        rotate_county, periods=periods, time_limit=time_limit, seed=seed, workers=workers
    )
    settings = {
        "task": "rotate",
        "periods": periods,
        "time_limit": time_limit,
        "seed": seed,
        "workers": workers,
    }
    return solve_counties(
        inst, task, settings, jobs=jobs, scheduler=scheduler, store=store, progress=progress
    )


def run_rotate(args: argparse.Namespace) -> int:
    from ..auxiliaries.check import check_rotation_plan
    from ..input.bundle import load_bundle
    from ..output.publish import OutputError, check_target, publish
    from ..reports.write import write_reports
    from ..rotation.engine import INFEASIBLE, PARTIAL
    from ..rotation.files import summary, write_rotation
    from .main import EXIT_OK, EXIT_PARTIAL, UsageError

    if args.periods < 1:
        raise UsageError("--periods must be at least 1")
    if args.time_limit is not None and args.time_limit <= 0:
        raise UsageError("--time-limit must be more than 0 seconds")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise UsageError("--seed must be 0 or more")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    try:
        check_target(args.out, [args.bundle])
    except OutputError as e:
        raise UsageError(str(e)) from None
    t0 = time.perf_counter()
    inst = load_bundle(args.bundle)
    pol = inst.policy
    time_limit = float(args.time_limit or pol.get("solver", "time_limit"))
    seed = int(pol.get("solver", "seed") if args.seed is None else args.seed)
    workers = int(pol.get("solver", "workers") if args.workers is None else args.workers)
    from ..run.executor import CountyStore, default_jobs

    store = CountyStore(args.out)
    results = rotate(
        inst,
        args.periods,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        jobs=default_jobs(inst, args.jobs),
        scheduler=args.scheduler,
        store=store,
        progress=True,
    )
    import pandas as pd

    rot = pd.concat(
        [r.rotation for r in results if len(r.rotation)]
        or [pd.DataFrame(columns=["period", "village_id", "auxiliary_id", "moved"])],
        ignore_index=True,
    )
    # the solver-independent check of what is about to be written
    violations = [v.as_dict() for v in check_rotation_plan(inst, rot)] if len(rot) else []
    data = summary(
        inst,
        results,
        periods=args.periods,
        seed=seed,
        workers=workers,
        time_limit=time_limit,
        wall_seconds=time.perf_counter() - t0,
        violations=violations,
    )

    def write(tmp: Path) -> None:
        write_rotation(tmp, inst, results, data, args.periods)
        write_reports(tmp, inst)  # last: the workbook's 轮换计划 and the map read the files above

    try:
        backup = publish(args.out, write, [args.bundle])
    except OutputError as e:
        raise UsageError(str(e)) from None
    for r in results:
        gap = f"{100 * r.gap:.2f} %" if r.gap == r.gap else "n/a"
        if r.status == INFEASIBLE:
            print(f"county {r.county}: {r.status}, no rotation ({len(r.diagnostics)} reason(s))")
        else:
            print(
                f"county {r.county}: {r.status}, {r.moves} moves (fewest possible "
                f"{r.moves_bound}), {r.kpis.get('familiar_points', 0):g} AUX-FAMILIAR points, "
                f"gap {gap} to the bound, {r.build_seconds + r.solve_seconds:.1f} s"
            )
        for d in r.diagnostics:
            print(f"  {d['rule']}: {d['message']}")
    for v in violations:
        print(f"  violation {v['rule']}: {v['message']}")
    store.clear()
    if backup is not None:
        print(f"the previous {args.out} was kept as {backup}")
    print(
        f"wrote {args.out}: rotation.csv, rotation_timeline.csv, rotation_moves.csv, "
        "rotation_summary.json, plan.xlsx (轮换计划), plan.gpkg, report.html"
    )
    bad = any(r.status in (INFEASIBLE, PARTIAL) for r in results) or violations
    return EXIT_PARTIAL if bad else EXIT_OK
