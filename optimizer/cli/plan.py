"""``cunjing plan``, ``check``, ``explain`` and ``report``: the annual plan and its folder."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from ..i18n import N_, _
from .args import bundle_arg, scale_args, solve_options, solver_args
from .errors import EXIT_OK, EXIT_PARTIAL, UsageError


def configure_plan(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the plan into"))
    solver_args(p)
    scale_args(p)


def run_plan(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..output.provenance import versions
    from ..output.publish import check_target
    from ..run.executor import county_executor, default_jobs, warm
    from ..run.helper import HelperProcess, helper_wanted
    from ..run.plan import plan
    from ..run.store import CountyStore
    from ..solve.stop import StopSearch

    inputs = [args.bundle] if args.bundle else []
    check_target(args.out, inputs)
    stop = getattr(args, "stop", None) or StopSearch()  # main() set Ctrl-C and SIGTERM on it
    with contextlib.ExitStack() as stack:
        pool = None
        if args.jobs is not None and args.jobs > 1 and not args.scheduler:
            # the worker processes start (and import) while the bundle is read
            pool = stack.enter_context(county_executor(args.jobs))
            warm(pool, args.jobs)
        inst = load_bundle(args.bundle)
        options = solve_options(args, inst.policy.sections["solver"])
        store = CountyStore(args.out, version=str(versions().get("cunjing")))
        jobs = default_jobs(inst, args.jobs)
        helper = None
        if getattr(args, "helper", False) and helper_wanted(
            jobs, args.scheduler, len(inst.counties)
        ):
            helper = stack.enter_context(HelperProcess(args.bundle, inst))
        run = plan(
            inst,
            options,
            stop,
            jobs=jobs,
            scheduler=args.scheduler,
            store=store,
            progress=True,
            helper=helper,
            executor=pool if pool is not None and jobs > 1 else None,
        )
        backup = run.write(args.out, inputs, helper=helper)
    store.clear()
    print(run.summary())
    print(written(args.out, backup))
    return EXIT_OK if run.status.holds else EXIT_PARTIAL


def written(out: Path, backup: Path | None) -> str:
    """The last lines of a command that wrote a folder: where, and what became of the folder
    that was there (with a word on a workbook the planner had changed in it)."""
    if backup is None:
        return _("wrote {folder}").format(folder=out)
    from ..reports.write import edited_reports

    text = _("wrote {folder} (the previous one is kept as {backup})").format(
        folder=out, backup=backup
    )
    for path in edited_reports(backup):
        text += "\n" + _(
            "note: {file} had been changed after it was written; it is kept, as it was, in "
            "{backup} (cunjing adopt takes its changes)"
        ).format(file=path.name, backup=backup)
    return text


def configure_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("bundle", type=Path, help=_("bundle folder or .xlsx workbook"))
    p.add_argument(
        "plan",
        type=Path,
        help=_("plan folder, officer_plan.csv, or a plan.xlsx edited in Excel"),
    )


def run_check(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..run.check import check

    run = check(load_bundle(args.bundle), args.plan)
    print(run.summary())
    return EXIT_OK if run.holds else EXIT_PARTIAL


def configure_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help=_("plan folder (an annual plan, a what-if, …)"))
    p.add_argument("village", help=_("the village: its code or its name"))
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help=_("the plan's bundle (default: summary.json's input, else the embedded sample)"),
    )


def run_explain(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..reports.explain import explain

    inst = load_bundle(args.bundle) if args.bundle is not None else None
    for line in explain(args.plan, args.village, inst):
        print(line)
    return EXIT_OK


def configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help=_("plan folder"))
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help=_("the plan's bundle (default: summary.json's input, else the embedded sample)"),
    )


def run_report(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_plan_folder
    from ..input.problems import BundleError
    from ..reports.write import keep_edited, regenerate_reports

    folder = read_plan_folder(args.plan)
    bundle = args.bundle if args.bundle is not None else bundle_of(args.plan)
    if bundle is not None and not Path(bundle).exists():
        raise BundleError.single(
            str(bundle), _("the plan's bundle is not there any more; give it with --bundle")
        )
    inst = load_bundle(bundle)
    made_from = folder.summary.get("input_sha256")
    if made_from and made_from != inst.fingerprint:
        print(
            _(
                "warning: the bundle {bundle} has changed since this plan was made "
                "(input_sha256 differs); names and maps are today's"
            ).format(bundle=inst.source)
        )
    for path, copy in keep_edited(args.plan):
        print(
            _(
                "{file} had been changed after it was written: the changed workbook is kept as "
                "{copy} (cunjing adopt takes its changes into the plan)"
            ).format(file=path.name, copy=copy.name)
        )
    written, timings = regenerate_reports(args.plan, inst)
    for path in written:
        size = path.stat().st_size
        # a folder of several counties: the counties' files are under their own folders
        seconds = timings.get(str(path.relative_to(args.plan)), timings.get(path.name))
        if seconds is None:
            print(_("wrote {file} ({kb:,.0f} KB)").format(file=path, kb=size / 1024))
        else:
            print(
                _("wrote {file} ({kb:,.0f} KB, {seconds:.2f} s)").format(
                    file=path, kb=size / 1024, seconds=seconds
                )
            )
    return EXIT_OK


def configure_adopt(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        type=Path,
        nargs="+",
        metavar="[BUNDLE] WORKBOOK",
        help=_(
            "the bundle (default: the one the workbook's plan was made for) and the plan.xlsx "
            "a planner edited"
        ),
    )
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the plan into"))
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        help=_(
            "the plan folder the workbook came from (default: the folder it lies in), to tell "
            "the edits"
        ),
    )
    p.add_argument(
        "--replan",
        action="store_true",
        help=_("plan the villages the edits broke again, around the edits (nothing else moves)"),
    )
    solver_args(p)


def run_adopt(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of
    from ..output.publish import check_target
    from ..run.adopt import adopt, original_plan

    if len(args.paths) > 2:
        raise UsageError(_("give the bundle and the workbook, nothing more"))
    *given, workbook = args.paths
    if not workbook.is_file():
        raise UsageError(_("{file}: no such workbook").format(file=workbook))
    source = original_plan(workbook, args.plan)
    bundle = given[0] if given else (bundle_of(source) if source is not None else None)
    inputs = [p for p in (bundle, workbook, args.plan) if p is not None]
    check_target(args.out, inputs)
    inst = load_bundle(bundle)
    options = solve_options(args, inst.policy.sections["solver"])
    run = adopt(inst, workbook, options, original=args.plan, replan=args.replan)
    backup = run.write(args.out, inputs)
    print(run.summary())
    print(written(args.out, backup))
    return EXIT_OK if run.holds else EXIT_PARTIAL


COMMANDS = {
    "plan": (
        N_("the annual plan: a liaison officer and a resident auxiliary for every village"),
        configure_plan,
        run_plan,
    ),
    "check": (
        N_("judge any plan (a hand-made one too) by the same rules"),
        configure_check,
        run_check,
    ),
    "explain": (
        N_("why a village got its officer, and why not the officers who would score more"),
        configure_explain,
        run_explain,
    ),
    "adopt": (
        N_("take a plan.xlsx edited in Excel as the new plan: its edits kept, the rules checked"),
        configure_adopt,
        run_adopt,
    ),
    "report": (
        N_("regenerate plan.xlsx, plan.gpkg, report.html and public_notice.xlsx of a plan folder"),
        configure_report,
        run_report,
    ),
}
