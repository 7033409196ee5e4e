"""The arguments several commands share, and their ranges, checked before any work."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ..i18n import _
from ..solve.options import MAX_SEED, MAX_TIME_LIMIT, MAX_WORKERS, OptionError, SolveOptions
from .errors import UsageError

MAX_JOBS = 1024
MAX_PERIODS = 50
MAX_VILLAGES = 1_000_000  # `cunjing sample`: twice the nation's villages
MAX_COUNTIES = 10_000


def bundle_arg(p: argparse.ArgumentParser, required: bool = False) -> None:
    if required:
        p.add_argument("bundle", type=Path, help=_("bundle folder or .xlsx workbook"))
    else:
        p.add_argument(
            "bundle",
            type=Path,
            nargs="?",
            default=None,
            help=_("bundle folder or .xlsx workbook (default: the embedded sample county)"),
        )


def scale_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=_(
            "counties solved at once in worker processes (default: one per core, at most "
            "one per county; a single county is solved in this process)"
        ),
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help=_("solve the counties on this Dask cluster instead"),
    )


def solver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=_("seconds the solver may search per county (policy solver.time_limit)"),
    )
    p.add_argument("--seed", type=int, default=None, help=_("solver seed (policy solver.seed)"))
    p.add_argument(
        "--workers", type=int, default=None, help=_("solver threads (policy solver.workers)")
    )


def check_ranges(args: argparse.Namespace) -> None:
    """The numbers a command was given, before it reads or solves anything."""
    t = getattr(args, "time_limit", None)
    if t is not None and (not math.isfinite(t) or not 0 < t <= MAX_TIME_LIMIT):
        raise UsageError(
            _("--time-limit must be more than 0 seconds and at most {limit}, not {value}").format(
                limit=f"{MAX_TIME_LIMIT:g}", value=t
            )
        )
    _whole(args, "seed", 0, MAX_SEED)
    _whole(args, "workers", 1, MAX_WORKERS)
    _whole(args, "jobs", 1, MAX_JOBS)
    _whole(args, "periods", 1, MAX_PERIODS)
    _whole(args, "max_changes", 0, 10**6)
    _whole(args, "villages", 1, MAX_VILLAGES)
    _whole(args, "counties", 1, MAX_COUNTIES)


def _whole(args: argparse.Namespace, name: str, lo: int, hi: int) -> None:
    value = getattr(args, name, None)
    if value is None:
        return
    flag = "--" + name.replace("_", "-")
    if not lo <= value <= hi:
        raise UsageError(
            _("{flag} must be between {low} and {high}, not {value}").format(
                flag=flag, low=lo, high=hi, value=value
            )
        )


def solve_options(args: argparse.Namespace, solver_settings) -> SolveOptions:
    """The run's solver options: the command line over the policy's ``[solver]`` section."""
    try:
        return SolveOptions.from_settings(
            solver_settings,
            time_limit=getattr(args, "time_limit", None),
            seed=getattr(args, "seed", None),
            workers=getattr(args, "workers", None),
        )
    except OptionError as e:
        raise UsageError(_("policy.toml [solver]: {reason}").format(reason=e)) from None
