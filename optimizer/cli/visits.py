"""``cunjing calendar`` and ``cunjing compliance``: the monthly visit calendar and the work-log
compliance check (VISIT-DAYS, VISIT-LOG)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import N_, _
from .errors import EXIT_OK, EXIT_PARTIAL, UsageError
from .plan import written


def configure_calendar(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "plan", type=Path, help=_("plan folder (officer_plan.csv and summary.json) or plan.xlsx")
    )
    p.add_argument("--month", required=True, help=_("the month to plan, YYYY-MM (e.g. 2027-03)"))
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the calendar into"))
    p.add_argument(
        "--unavailable",
        type=Path,
        default=None,
        help=_(
            "CSV of officers' days off (officer_id, date or start/end), added to the "
            "bundle's unavailable.csv"
        ),
    )
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help=_("the bundle the plan was made for (default: the plan's summary.json 'input')"),
    )
    p.add_argument("--seed", type=int, default=None, help=_("solver seed (default: policy)"))


def run_calendar(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_assignment
    from ..input.workdays import read_unavailable
    from ..output.publish import check_target
    from ..run.visits import visit_calendar
    from .args import solve_options

    month = month_argument(args.month)
    check_target(args.out, [p for p in (args.bundle, args.plan) if p is not None])
    bundle = args.bundle if args.bundle is not None else bundle_of(args.plan)
    inst = load_bundle(bundle)
    plan = read_assignment(args.plan, "officer", inst)
    if plan is None:
        raise UsageError(
            _("{plan}: no officer plan here (officer_plan.csv or plan.xlsx)").format(plan=args.plan)
        )
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
        month,
        solve_options(args, inst.policy.sections["solver"]),
        unavailable=extra,
        sources=sources,
    )
    backup = run.write(args.out, [p for p in (bundle, args.plan) if p is not None])
    print(run.summary())
    print(written(args.out, backup))
    return EXIT_OK if run.holds else EXIT_PARTIAL


def month_argument(text: str) -> str:
    """``--month`` as YYYY-MM (``2027-3`` and ``2027-03`` alike), or a usage error."""
    from ..input.workdays import parse_month

    try:
        year, month = parse_month(text)
    except ValueError as e:  # the parser's reason: not a month, or a year out of range
        raise UsageError(_("--month: {reason}").format(reason=e)) from None
    return f"{year:04d}-{month:02d}"


def quarter_argument(text: str) -> list[tuple[int, int]]:
    """``--quarter`` as its months, or a usage error."""
    from ..input.workdays import parse_quarter

    try:
        return parse_quarter(text)
    except ValueError as e:
        raise UsageError(_("--quarter: {reason}").format(reason=e)) from None


def year_argument(text: str) -> list[tuple[int, int]]:
    """``--year`` as its months, or a usage error."""
    from ..input.workdays import parse_year

    try:
        return parse_year(text)
    except ValueError as e:
        raise UsageError(_("--year: {reason}").format(reason=e)) from None


def configure_compliance(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "bundle",
        type=Path,
        nargs="?",
        default=None,
        help=_(
            "bundle folder or .xlsx workbook (default: the plan's bundle with --plan, else the "
            "embedded sample county)"
        ),
    )
    p.add_argument(
        "--logs",
        type=Path,
        required=True,
        help=_("work-log export: .csv or .xlsx, or a folder of them"),
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help=_("check one month, YYYY-MM (月考评)"))
    when.add_argument("--quarter", help=_("check one quarter, YYYYQn, e.g. 2027Q1 (季考核)"))
    when.add_argument(
        "--year",
        help=_(
            "check one year, YYYY: its twelve months and the yearly ranking for the "
            "优秀包村民警 selection (年度考核)"
        ),
    )
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        help=_(
            "plan folder whose officer_plan.csv is the plan to check (default: the bundle's "
            "plan_officers.csv)"
        ),
    )
    p.add_argument("--out", type=Path, required=True, help=_("folder to write the reports into"))


def run_compliance(args: argparse.Namespace) -> int:
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_assignment
    from ..input.work_logs import read_work_logs
    from ..output.publish import check_target
    from ..run.visits import compliance

    if args.month:
        months = [tuple(int(x) for x in month_argument(args.month).split("-"))]
    elif args.year:
        months = year_argument(args.year)
    else:
        months = quarter_argument(args.quarter)
    check_target(args.out, [p for p in (args.bundle, args.plan, args.logs) if p is not None])
    bundle = args.bundle
    if bundle is None and args.plan is not None:
        bundle = bundle_of(args.plan)
    inst = load_bundle(bundle)
    if args.plan is not None:
        officer_plan = read_assignment(args.plan, "officer", inst)
        if officer_plan is None:
            raise UsageError(
                _("{plan}: no officer plan here (officer_plan.csv or plan.xlsx)").format(
                    plan=args.plan
                )
            )
        officer_plan = officer_plan[["village_id", "officer_id"]]
        auxiliary_plan = read_assignment(args.plan, "auxiliary", inst)
        if auxiliary_plan is not None:
            auxiliary_plan = auxiliary_plan[["village_id", "auxiliary_id"]]
    else:
        if inst.plan_officers.empty:
            raise UsageError(
                _("the bundle has no plan_officers.csv: give the plan with --plan PLAN_DIR")
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
        year=args.year and args.year.strip(),
        sources=sources,
    )
    backup = run.write(args.out, [p for p in (bundle, args.plan, args.logs) if p is not None])
    print(run.summary())
    print(written(args.out, backup))
    return EXIT_PARTIAL if not run.holds else EXIT_OK


COMMANDS = {
    "calendar": (
        N_("a month's visit calendar for every officer of a plan (workbook, CSV, .ics files)"),
        configure_calendar,
        run_calendar,
    ),
    "compliance": (
        N_(
            "check work logs against the plan: visit days, spacing, monthly and quarterly "
            "scorecards, the yearly ranking"
        ),
        configure_compliance,
        run_compliance,
    ),
}
