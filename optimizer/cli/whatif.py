"""``cunjing whatif``: one re-plan after changes, or a sweep over every officer's transfer."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..i18n import N_, _
from .args import bundle_arg, solve_options, solver_args
from .errors import EXIT_OK, EXIT_PARTIAL, UsageError
from .plan import written


def configure_whatif(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--plan", type=Path, required=True, help=_("the incumbent plan folder"))
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the new plan into"))
    p.add_argument(
        "--transfer",
        action="append",
        metavar="OFFICER_ID",
        help=_("the officer leaves (transfer, retirement, removal); repeatable"),
    )
    p.add_argument(
        "--set-days",
        action="append",
        metavar="OFFICER_ID=DAYS",
        help=_("the officer's monthly days change; repeatable"),
    )
    p.add_argument(
        "--set-key-village",
        action="append",
        metavar="VILLAGE_ID",
        help=_("the village becomes a key village; repeatable"),
    )
    p.add_argument(
        "--add-officer",
        action="append",
        type=Path,
        metavar="CSV",
        help=_("new officers, rows in the officers.csv format; repeatable"),
    )
    p.add_argument(
        "--remove-auxiliary",
        action="append",
        metavar="AUX_ID",
        help=_("the auxiliary leaves; repeatable"),
    )
    p.add_argument(
        "--add-auxiliary",
        action="append",
        type=Path,
        metavar="CSV",
        help=_("new auxiliaries, rows in the auxiliaries.csv format; repeatable"),
    )
    p.add_argument("--changes", type=Path, help=_("a CSV of changes: change,id,value"))
    p.add_argument(
        "--max-changes",
        type=int,
        default=None,
        help=_("at most this many villages may change officer"),
    )
    p.add_argument(
        "--sweep",
        choices=["transfer"],
        help=_("evaluate every officer's transfer and rank them by harm"),
    )
    p.add_argument("--jobs", type=int, default=None, help=_("processes for a sweep (default 2)"))
    solver_args(p)


def run_whatif(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import read_incumbent, read_part
    from ..input.schema import AUXILIARY_FILE, AUXILIARY_PLAN
    from ..output.publish import check_target
    from ..run.whatif import replan, sweep_transfers
    from ..whatif.changes import changes_from

    t0 = time.perf_counter()
    inputs = [p for p in (args.bundle, args.plan) if p]
    check_target(Path(args.out), inputs)
    inst = load_bundle(args.bundle)
    incumbent = read_incumbent(Path(args.plan), inst)
    options = solve_options(args, inst.policy.sections["solver"])
    if args.sweep:
        run = sweep_transfers(inst, incumbent, options, jobs=args.jobs or 2)
        backup = run.write(Path(args.out), inputs)
        print(run.summary())
        print(written(args.out, backup))
        return EXIT_OK
    changes = changes_from(
        transfer=args.transfer,
        set_days=args.set_days,
        set_key_village=args.set_key_village,
        add_officer=args.add_officer,
        remove_auxiliary=args.remove_auxiliary,
        add_auxiliary=args.add_auxiliary,
        changes_file=args.changes,
    )
    if not changes:
        raise UsageError(
            _(
                "no change given (--transfer, --set-days, --set-key-village, --add-officer, "
                "--remove-auxiliary, --add-auxiliary or --changes)"
            )
        )
    aux_csv = Path(args.plan) / AUXILIARY_FILE
    incumbent_aux = read_part(aux_csv, AUXILIARY_PLAN, typed=False)
    run = replan(
        inst,
        incumbent,
        changes,
        options,
        max_changes=args.max_changes,
        incumbent_aux=incumbent_aux,
        incumbent_path=Path(args.plan),
    )
    backup = run.write(Path(args.out), inputs, started=t0)
    print(run.summary())
    print(written(args.out, backup))
    print(
        _("{seconds:.2f} s in all (the re-plan {replan:.2f} s)").format(
            seconds=time.perf_counter() - t0, replan=run.resolve_seconds
        )
    )
    return EXIT_OK if run.status.holds else EXIT_PARTIAL


COMMANDS = {
    "whatif": (
        N_("re-plan after a change, moving as little as possible"),
        configure_whatif,
        run_whatif,
    ),
}
