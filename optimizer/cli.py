"""The ``cunjing`` command line. Bad input exits 2 with ``file:row:column: message`` lines and no
traceback; an unexpected failure prints one line (``CUNJING_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .cli_args import bundle_arg, scale_args, solver_args
from .outputs import OutputError
from .problems import BundleError
from .rotation_cli import configure_rotate, run_rotate
from .visit_commands import configure_calendar, configure_compliance, run_calendar, run_compliance
from .web.command import configure_serve, run_serve

EXIT_OK, EXIT_PARTIAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A command was asked for something it cannot do; exit 2 with the message."""


def _cmd_validate(args: argparse.Namespace) -> int:
    from .bundle import load_bundle
    from .summary_text import bundle_summary_lines

    inst = load_bundle(args.bundle)
    for w in inst.warnings:
        print(w)
    for line in bundle_summary_lines(inst):
        print(line)
    return EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from ..data.generator import generate_bundle

    out: Path = args.out
    if out.exists() and any(out.iterdir()) and not args.force:
        raise UsageError(f"{out}: the folder is not empty (use --force to write into it)")
    counts = generate_bundle(out, villages=args.villages, counties=args.counties, seed=args.seed)
    print(f"wrote {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return EXIT_OK


def _cmd_policy(args: argparse.Namespace) -> int:
    from .policy import defaults_toml

    print(defaults_toml())
    return EXIT_OK


COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {}


def _configure_validate(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)


def _configure_sample(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, help="folder to write the bundle into")
    p.add_argument("--villages", type=int, default=400, help="villages in all (default 400)")
    p.add_argument(
        "--counties", type=int, default=None, help="counties (default: one per ~400 villages)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def _configure_plan(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--out", type=Path, required=True, help="folder to write the plan into")
    solver_args(p)
    scale_args(p)


def _configure_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("bundle", type=Path, help="bundle folder or .xlsx workbook")
    p.add_argument(
        "plan", type=Path, help="plan folder, officer_plan.csv, or a plan.xlsx edited in Excel"
    )


def _configure_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help="plan folder")
    p.add_argument("village", help="village id")


def _configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help="plan folder")
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help="the plan's bundle (default: summary.json's input, else the embedded sample)",
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from .reports import cmd_report

    return cmd_report(args)


def _run(name: str):
    def run(args: argparse.Namespace) -> int:
        from . import plan_command

        return getattr(plan_command, f"cmd_{name}")(args)

    return run


COMMANDS["plan"] = (
    "the annual plan: a liaison officer for every village",
    _configure_plan,
    _run("plan"),
)
COMMANDS["check"] = (
    "judge any plan (a hand-made one too) by the same rules",
    _configure_check,
    _run("check"),
)
COMMANDS["explain"] = (
    "why a village got its officer, and the next three officers",
    _configure_explain,
    _run("explain"),
)


def _configure_whatif(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--plan", type=Path, required=True, help="the incumbent plan folder")
    p.add_argument("--out", type=Path, required=True, help="folder to write the new plan into")
    p.add_argument(
        "--transfer",
        action="append",
        metavar="OFFICER_ID",
        help="the officer leaves (transfer, retirement, removal); repeatable",
    )
    p.add_argument(
        "--set-days",
        action="append",
        metavar="OFFICER_ID=DAYS",
        help="the officer's monthly days change; repeatable",
    )
    p.add_argument(
        "--set-key-village",
        action="append",
        metavar="VILLAGE_ID",
        help="the village becomes a key village; repeatable",
    )
    p.add_argument(
        "--add-officer",
        action="append",
        type=Path,
        metavar="CSV",
        help="new officers, rows in the officers.csv format; repeatable",
    )
    p.add_argument(
        "--remove-auxiliary",
        action="append",
        metavar="AUX_ID",
        help="the auxiliary leaves; repeatable",
    )
    p.add_argument(
        "--add-auxiliary",
        action="append",
        type=Path,
        metavar="CSV",
        help="new auxiliaries, rows in the auxiliaries.csv format; repeatable",
    )
    p.add_argument("--changes", type=Path, help="a CSV of changes: change,id,value")
    p.add_argument(
        "--max-changes",
        type=int,
        default=None,
        help="at most this many villages may change officer",
    )
    p.add_argument(
        "--sweep",
        choices=["transfer"],
        help="evaluate every officer's transfer and rank them by harm",
    )
    p.add_argument("--jobs", type=int, default=None, help="processes for a sweep (default 2)")
    solver_args(p)


def _run_whatif(args: argparse.Namespace) -> int:
    from .whatif_command import cmd_whatif

    return cmd_whatif(args)


COMMANDS["whatif"] = (
    "re-plan after a change, moving as little as possible",
    _configure_whatif,
    _run_whatif,
)
COMMANDS["report"] = (
    "regenerate plan.xlsx, plan.gpkg, report.html and public_notice.xlsx of a plan folder",
    _configure_report,
    _cmd_report,
)
COMMANDS["validate"] = ("check a bundle; one line per problem", _configure_validate, _cmd_validate)
COMMANDS["sample"] = ("write a synthetic bundle of any size", _configure_sample, _cmd_sample)
COMMANDS["rotate"] = (
    "rotate the resident auxiliaries over several periods",
    configure_rotate,
    run_rotate,
)
COMMANDS["policy"] = (
    "print policy.toml with every default and its meaning",
    lambda p: None,
    _cmd_policy,
)

COMMANDS["calendar"] = (
    "a month's visit calendar for every officer of a plan (calendar.csv, .ics files)",
    configure_calendar,
    run_calendar,
)
COMMANDS["serve"] = (
    "the planners' workbench (规划工作台): a web application on the intranet",
    configure_serve,
    run_serve,
)
COMMANDS["compliance"] = (
    "check work logs against the plan: visit days, spacing, monthly and quarterly scorecards",
    configure_compliance,
    run_compliance,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cunjing",
        description="Plans liaison officers and resident auxiliaries for villages "
        "(一村一警一辅警). With no bundle, commands use the embedded sample county.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, configure, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(run=run)
    return parser


# Commands whose Ctrl-C stops the search and keeps the best plan so far (see plan_command).
STOPPABLE = ("plan",)


def main(argv: Sequence[str] | None = None, *, helper: bool = False) -> int:
    """Run one command. ``helper``: ``cunjing plan`` may spawn a helper process on an idle core
    (the ``cunjing`` command does; a script calling ``main`` would have its own top-level code
    run again by the spawned process unless guarded by ``if __name__ == "__main__"``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.helper = helper
    try:
        if args.command in STOPPABLE:
            from .solvers import StopSearch, on_interrupt

            # installed before the heavy imports: a Ctrl-C at any moment is the planner's stop
            args.stop = StopSearch()
            with on_interrupt(args.stop):
                return args.run(args)
        return args.run(args)
    except BundleError as e:
        for p in sorted(e.problems, key=lambda p: (p.severity != "error", p.file, p.row)):
            print(p, file=sys.stderr if args.command != "validate" else sys.stdout)
        n = len([p for p in e.problems if p.severity == "error"])
        print(
            f"cunjing {args.command}: {n} problem(s) in the input; nothing was written"
            if args.command != "validate"
            else f"{n} problem(s)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except (UsageError, OutputError) as e:
        print(f"cunjing {args.command}: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"cunjing {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one line for the planner; the traceback on request
        if os.environ.get("CUNJING_DEBUG"):
            raise
        print(
            f"cunjing {args.command}: internal error: {type(e).__name__}: {e} "
            "(set CUNJING_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> None:
    """The ``cunjing`` command: ``main()``, then out without the interpreter's teardown.

    Unloading GDAL, OR-Tools, pandas and SciPy at exit took 0.4-0.6 s on every run (a tenth of
    ``cunjing plan`` on the sample county). By now every file is written, synced and closed and
    every helper process is gone; the exit handlers (logging, multiprocessing) still run."""
    code = main(helper=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader (``| head``) has gone: nothing more to say
        pass
    atexit._run_exitfuncs()
    os._exit(int(code or 0))


if __name__ == "__main__":
    entry()
