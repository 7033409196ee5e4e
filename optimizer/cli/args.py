"""The arguments several commands share: the bundle, the solver's limits, counties side by side."""

from __future__ import annotations

import argparse
from pathlib import Path


def bundle_arg(p: argparse.ArgumentParser, required: bool = False) -> None:
    if required:
        p.add_argument("bundle", type=Path, help="bundle folder or .xlsx workbook")
    else:
        p.add_argument(
            "bundle",
            type=Path,
            nargs="?",
            default=None,
            help="bundle folder or .xlsx workbook (default: the embedded sample county)",
        )


def scale_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="counties solved at once in worker processes (default: one per core, at most "
        "one per county; a single county is solved in this process)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="solve the counties on this Dask cluster instead",
    )


def solver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds the solver may search per county (policy solver.time_limit)",
    )
    p.add_argument("--seed", type=int, default=None, help="solver seed (policy solver.seed)")
    p.add_argument(
        "--workers", type=int, default=None, help="solver threads (policy solver.workers)"
    )
