"""``cunjing calendar`` and ``cunjing compliance``: the monthly visit calendar and the work-log
compliance check (VISIT-DAYS, VISIT-LOG)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import EXIT_OK, EXIT_PARTIAL, UsageError


def _written(out: Path, backup: Path | None) -> None:
    if backup is not None:
        print(f"the previous {out} was kept as {backup}")


def configure_calendar(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path, help="plan folder (officer_plan.csv and summary.json)")
    p.add_argument("--month", required=True, help="the month to plan, YYYY-MM (e.g. 2027-03)")
    p.add_argument("--out", type=Path, required=True, help="folder to write the calendar into")
    p.add_argument(
        "--unavailable",
        type=Path,
        default=None,
        help="CSV of officers' days off (officer_id, date or start/end), added to the "
        "bundle's unavailable.csv",
    )
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help="the bundle the plan was made for (default: the plan's summary.json 'input')",
    )
    p.add_argument("--seed", type=int, default=None, help="solver seed (default: policy)")


def run_calendar(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_assignment
    from ..input.workdays import parse_month, read_unavailable
    from ..output.publish import check_target
    from ..run.visits import visit_calendar
    from .args import solve_options

    try:
        parse_month(args.month)
    except ValueError as e:
        raise UsageError(str(e)) from None
    check_target(args.out, [p for p in (args.bundle, args.plan) if p is not None])
    bundle = args.bundle if args.bundle is not None else bundle_of(args.plan)
    inst = load_bundle(bundle)
    plan = read_assignment(args.plan, "officer", inst)
    if plan is None:
        raise UsageError(f"{args.plan}: no officer plan here (officer_plan.csv or plan.xlsx)")
    extra = (
        read_unavailable(args.unavailable, set(inst.officers.index))
        if args.unavailable is not None
        else None
    )
    sources = {
        "plan": str(args.plan.resolve()),
        "unavailable": None if args.unavailable is None else str(args.unavailable.resolve()),
    }
    run = visit_calendar(
        inst,
        plan[["village_id", "officer_id"]],
        args.month,
        solve_options(args, inst.policy.sections["solver"]),
        unavailable=extra,
        sources=sources,
    )
    backup = run.write(args.out, [p for p in (bundle, args.plan) if p is not None])
    _written(args.out, backup)
    print(run.summary() + f" -> {args.out}")
    return EXIT_OK if run.holds else EXIT_PARTIAL


def configure_compliance(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "bundle",
        type=Path,
        nargs="?",
        default=None,
        help="bundle folder or .xlsx workbook (default: the plan's bundle with --plan, else the "
        "embedded sample county)",
    )
    p.add_argument(
        "--logs",
        type=Path,
        required=True,
        help="work-log export: .csv or .xlsx, or a folder of them",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="check one month, YYYY-MM (月考评)")
    when.add_argument("--quarter", help="check one quarter, YYYYQn, e.g. 2027Q1 (季考核)")
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="plan folder whose officer_plan.csv is the plan to check (default: the bundle's "
        "plan_officers.csv)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder to write the reports into")


def run_compliance(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_assignment
    from ..input.work_logs import read_work_logs
    from ..input.workdays import parse_month, parse_quarter
    from ..output.publish import check_target
    from ..run.visits import compliance

    try:
        months = [parse_month(args.month)] if args.month else parse_quarter(args.quarter)
    except ValueError as e:
        raise UsageError(str(e)) from None
    check_target(args.out, [p for p in (args.bundle, args.plan, args.logs) if p is not None])
    bundle = args.bundle
    if bundle is None and args.plan is not None:
        bundle = bundle_of(args.plan)
    inst = load_bundle(bundle)
    if args.plan is not None:
        officer_plan = read_assignment(args.plan, "officer", inst)
        if officer_plan is None:
            raise UsageError(f"{args.plan}: no officer plan here (officer_plan.csv)")
        officer_plan = officer_plan[["village_id", "officer_id"]]
        auxiliary_plan = read_assignment(args.plan, "auxiliary", inst)
        if auxiliary_plan is not None:
            auxiliary_plan = auxiliary_plan[["village_id", "auxiliary_id"]]
    else:
        if inst.plan_officers.empty:
            raise UsageError(
                "the bundle has no plan_officers.csv: give the plan with --plan PLAN_DIR"
            )
        officer_plan = inst.plan_officers[["village_id", "officer_id"]].reset_index(drop=True)
        auxiliary_plan = None
    logs = read_work_logs(args.logs, inst)
    sources = {
        "plan": None if args.plan is None else str(args.plan.resolve()),
        "logs_path": str(args.logs.resolve()),
    }
    run = compliance(
        inst,
        logs,
        months,
        officer_plan,
        auxiliary_plan,
        quarter=args.quarter and args.quarter.upper(),
        sources=sources,
    )
    backup = run.write(args.out, [p for p in (bundle, args.plan, args.logs) if p is not None])
    _written(args.out, backup)
    print(run.summary() + f" -> {args.out}")
    return EXIT_PARTIAL if not run.holds else EXIT_OK


COMMANDS = {
    "calendar": (
        "a month's visit calendar for every officer of a plan (calendar.csv, .ics files)",
        configure_calendar,
        run_calendar,
    ),
    "compliance": (
        "check work logs against the plan: visit days, spacing, monthly and quarterly scorecards",
        configure_compliance,
        run_compliance,
    ),
}
