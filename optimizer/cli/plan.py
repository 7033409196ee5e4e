"""``cunjing plan``, ``check``, ``explain`` and ``report``: the annual plan and its folder."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from .args import bundle_arg, scale_args, solve_options, solver_args
from .errors import EXIT_OK, EXIT_PARTIAL


def configure_plan(p: argparse.ArgumentParser) -> None:
    bundle_arg(p)
    p.add_argument("--out", type=Path, required=True, help="folder to write the plan into")
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
            helper = stack.enter_context(HelperProcess(args.bundle))
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
    print(f"wrote {args.out}" + (f" (the previous plan is kept as {backup})" if backup else ""))
    return EXIT_OK if run.status.holds else EXIT_PARTIAL


def configure_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("bundle", type=Path, help="bundle folder or .xlsx workbook")
    p.add_argument(
        "plan", type=Path, help="plan folder, officer_plan.csv, or a plan.xlsx edited in Excel"
    )


def run_check(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..run.check import check

    run = check(load_bundle(args.bundle), args.plan)
    print(run.summary())
    return EXIT_OK if run.holds else EXIT_PARTIAL


def configure_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help="plan folder")
    p.add_argument("village", help="village id")


def run_explain(args: argparse.Namespace) -> int:
    from ..officers.explain import explain

    for line in explain(args.plan, args.village):
        print(line)
    return EXIT_OK


def configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help="plan folder")
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help="the plan's bundle (default: summary.json's input, else the embedded sample)",
    )


def run_report(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_plan_folder
    from ..input.problems import BundleError
    from ..reports.write import regenerate_reports

    folder = read_plan_folder(args.plan)
    bundle = args.bundle if args.bundle is not None else bundle_of(args.plan)
    if bundle is not None and not Path(bundle).exists():
        raise BundleError.single(
            str(bundle), "the plan's bundle is not there any more; give it with --bundle"
        )
    inst = load_bundle(bundle)
    made_from = folder.summary.get("input_sha256")
    if made_from and made_from != inst.fingerprint:
        print(
            f"warning: the bundle {inst.source} has changed since this plan was made "
            "(input_sha256 differs); names and maps are today's"
        )
    written, timings = regenerate_reports(args.plan, inst)
    for path in written:
        size = path.stat().st_size
        seconds = timings.get(str(path.relative_to(args.plan)), timings.get(path.name))
        took = f", {seconds:.2f} s" if seconds is not None else ""
        print(f"wrote {path} ({size / 1024:,.0f} KB{took})")
    return EXIT_OK


COMMANDS = {
    "plan": ("the annual plan: a liaison officer for every village", configure_plan, run_plan),
    "check": (
        "judge any plan (a hand-made one too) by the same rules",
        configure_check,
        run_check,
    ),
    "explain": (
        "why a village got its officer, and the next three officers",
        configure_explain,
        run_explain,
    ),
    "report": (
        "regenerate plan.xlsx, plan.gpkg, report.html and public_notice.xlsx of a plan folder",
        configure_report,
        run_report,
    ),
}
