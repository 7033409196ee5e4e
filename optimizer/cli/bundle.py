"""``cunjing validate``, ``cunjing sample`` and ``cunjing policy``: bundles and their policy."""

from __future__ import annotations

import argparse
from pathlib import Path

from .args import bundle_arg
from .errors import EXIT_OK, UsageError


def configure_validate(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)


def run_validate(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..reports.terminal import bundle_summary_lines

    inst = load_bundle(args.bundle)
    for w in inst.warnings:
        print(w)
    for line in bundle_summary_lines(inst):
        print(line)
    return EXIT_OK


def configure_sample(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, help="folder to write the bundle into")
    p.add_argument(
        "--villages", type=int, default=None, help="villages in all (default: the real ones)"
    )
    p.add_argument(
        "--counties", type=int, default=None, help="counties (default: one per ~400 villages)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def run_sample(args: argparse.Namespace) -> int:
    from ...data.generator import generate_bundle

    out: Path = args.out
    if out.exists() and any(out.iterdir()) and not args.force:
        raise UsageError(f"{out}: the folder is not empty (use --force to write into it)")
    try:
        counts = generate_bundle(
            out, villages=args.villages, counties=args.counties, seed=args.seed
        )
    except ValueError as e:  # sizes the generator cannot make
        raise UsageError(str(e)) from None
    print(f"wrote {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return EXIT_OK


def run_policy(args: argparse.Namespace) -> int:
    from ..input.policy import defaults_toml

    print(defaults_toml())
    return EXIT_OK


COMMANDS = {
    "validate": ("check a bundle; one line per problem", configure_validate, run_validate),
    "sample": ("write a synthetic bundle of any size", configure_sample, run_sample),
    "policy": (
        "print policy.toml with every default and its meaning",
        lambda p: None,
        run_policy,
    ),
}
