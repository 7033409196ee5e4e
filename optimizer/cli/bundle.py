"""``cunjing validate``, ``cunjing sample`` and ``cunjing policy``: bundles and their policy."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import N_, _
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
    p.add_argument("out", type=Path, help=_("folder to write the bundle into"))
    p.add_argument(
        "--villages", type=int, default=None, help=_("villages in all (default: the real ones)")
    )
    p.add_argument(
        "--counties", type=int, default=None, help=_("counties (default: one per ~400 villages)")
    )
    p.add_argument("--seed", type=int, default=0, help=_("random seed of the made-up data"))
    p.add_argument("--force", action="store_true", help=_("write into a folder that is not empty"))


def run_sample(args: argparse.Namespace) -> int:
    from ...data.generator import generate_bundle

    out: Path = args.out
    if out.exists() and any(out.iterdir()) and not args.force:
        raise UsageError(
            _("{folder}: the folder is not empty (use --force to write into it)").format(folder=out)
        )
    try:
        counts = generate_bundle(
            out, villages=args.villages, counties=args.counties, seed=args.seed
        )
    except ValueError as e:  # sizes the generator cannot make
        raise UsageError(str(e)) from None
    print(
        _(
            "wrote {folder}: {villages} villages, {townships} townships, {counties} counties, "
            "{officers} officers, {auxiliaries} auxiliaries"
        ).format(folder=out, **counts)
    )
    return EXIT_OK


def run_policy(args: argparse.Namespace) -> int:
    from ..input.policy import defaults_toml

    print(defaults_toml())
    return EXIT_OK


def configure_template(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, help=_("the workbook to write, e.g. 数据.xlsx"))
    p.add_argument("--force", action="store_true", help=_("replace a workbook already there"))


def run_template(args: argparse.Namespace) -> int:
    from ..reports.template import write_template

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        raise UsageError(
            _("{file}: the template is an Excel workbook: name it .xlsx").format(file=out)
        )
    if out.exists() and not args.force:
        raise UsageError(_("{file} is already there (use --force to replace it)").format(file=out))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out)
    print(
        _(
            "wrote {file}: fill in its sheets (the example rows show how), then check it with "
            "cunjing validate {file}"
        ).format(file=out)
    )
    return EXIT_OK


COMMANDS = {
    "validate": (N_("check a bundle; one line per problem"), configure_validate, run_validate),
    "sample": (N_("write a synthetic bundle of any size"), configure_sample, run_sample),
    "template": (
        N_("write an empty input workbook with Chinese sheets, drop-down lists and examples"),
        configure_template,
        run_template,
    ),
    "policy": (
        N_("print policy.toml with every default and its meaning"),
        lambda p: None,
        run_policy,
    ),
}
