"""``cunjing rotate [BUNDLE] --periods P --out DIR``: the auxiliaries' rotation over P periods.

Exit 0 when every rule holds, 1 when a county's rotation is partial or its rules contradict
each other (the numbers are in ``rotation_summary.json`` and on the terminal), 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import N_, _
from .args import bundle_arg, scale_args, solve_options, solver_args
from .errors import EXIT_OK, EXIT_PARTIAL


def configure_rotate(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument(
        "--periods",
        type=int,
        default=None,
        help=_("periods to plan (default: the policy's rotation.periods, 5)"),
    )
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the rotation into"))
    solver_args(p)
    scale_args(p)


def run_rotate(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..output.provenance import versions
    from ..output.publish import check_target
    from ..run.executor import default_jobs
    from ..run.rotate import rotate
    from ..run.store import CountyStore
    from .plan import written

    check_target(args.out, [args.bundle])
    inst = load_bundle(args.bundle)
    options = solve_options(args, inst.policy.sections["solver"])
    periods = (
        args.periods if args.periods is not None else int(inst.policy.get("rotation", "periods"))
    )
    store = CountyStore(args.out, version=str(versions().get("cunjing")))
    run = rotate(
        inst,
        periods,
        options,
        jobs=default_jobs(inst, args.jobs),
        scheduler=args.scheduler,
        store=store,
        progress=True,
    )
    backup = run.write(args.out, [args.bundle])
    print(run.summary())
    store.clear()
    print(written(args.out, backup))
    return EXIT_OK if run.holds else EXIT_PARTIAL


COMMANDS = {
    "rotate": (
        N_("rotate the resident auxiliaries over several periods"),
        configure_rotate,
        run_rotate,
    ),
}
