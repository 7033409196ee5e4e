"""``cunjing calendar`` and ``cunjing compliance``: the monthly visit calendar and the work-log
compliance check (VISIT-DAYS, VISIT-LOG). Heavy modules load when a command runs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

EXIT_OK, EXIT_PARTIAL = 0, 1


def _usage(message: str) -> Exception:
    from .main import UsageError

    return UsageError(message)


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("cunjing", "ortools", "holidays", "icalendar", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = ""
    return out


def _publish(out: Path, write, inputs: list) -> None:
    from ..output.publish import OutputError, publish

    try:
        backup = publish(out, write, [p for p in inputs if p is not None])
    except OutputError as e:
        raise _usage(str(e)) from None
    if backup is not None:
        print(f"the previous {out} was kept as {backup}")


# ---------------------------------------------------------------- calendar


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
    from ...constraints.visit_days import RULE, visits_required
    from ..input.bundle import load_bundle
    from ..input.plan_files import bundle_of, read_plan_folder
    from ..input.workdays import parse_month, read_unavailable
    from ..output.publish import write_csv, write_json
    from ..visits.calendar import PARTIAL, plan_calendar
    from ..visits.ics import write_ics_folder

    t0 = time.perf_counter()
    try:
        parse_month(args.month)
    except ValueError as e:
        raise _usage(str(e)) from None
    bundle = args.bundle
    if bundle is None:
        bundle, _ = bundle_of(args.plan)
    inst = load_bundle(bundle)
    plan = read_plan_folder(args.plan, inst)
    extra = (
        read_unavailable(args.unavailable, set(inst.officers.index))
        if args.unavailable is not None
        else None
    )
    seed = int(inst.policy.get("solver", "seed") if args.seed is None else args.seed)
    res = plan_calendar(inst, plan.officers, args.month, extra, seed=seed)
    params = inst.policy.rule(RULE.id)
    uncovered = plan.officers[plan.officers["officer_id"] == ""]["village_id"].tolist()
    diagnostics = list(res.diagnostics) + [
        {
            "rule": "OFF-COVER",
            "message": f"village {v} {inst.villages.at[v, 'name']} has no liaison officer in the "
            "plan, so nobody visits it",
            "ids": [v],
        }
        for v in uncovered
    ]
    status = PARTIAL if uncovered else res.status
    offs = res.officers
    summary = {
        "status": status,
        "month": res.month,
        "spacing": params["spacing"],
        "visit_days_per_village": visits_required(inst),
        "max_villages_per_day": params["max_villages_per_day"],
        "shared_day_km": params["shared_day_km"],
        "working_days": [d.isoformat() for d in res.days.working],
        "holidays": {d.isoformat(): n for d, n in res.days.holidays.items()},
        "holiday_source": res.holidays.sources.get(res.days.year, ""),
        "warnings": res.holidays.warnings(),
        "kpis": {
            "officers": len(offs),
            "villages": int(offs["villages"].sum()),
            "villages_without_officer": len(uncovered),
            "visits_required": int(offs["visits_required"].sum()),
            "visits_planned": int(offs["visits_planned"].sum()),
            "officer_days_used": int(offs["days_used"].sum()),
            "shared_days": int(offs["shared_days"].sum()),
            "officers_short": int((offs["status"] == PARTIAL).sum()),
            "unavailable_officer_days": sum(
                len(set(res.days.working) & v) for v in res.days.off.values()
            ),
        },
        "diagnostics": diagnostics,
        "violations": [v.as_dict() for v in res.violations],
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "build_seconds": round(res.build_seconds, 3),
        "solve_seconds": round(res.solve_seconds, 3),
        "backend": res.backend,
        "seed": seed,
        "workers": 1,
        "versions": versions(),
        "input": None if bundle is None else str(Path(bundle).resolve()),
        "input_sha256": inst.fingerprint,
        "plan": str(args.plan.resolve()),
        "unavailable": None if args.unavailable is None else str(args.unavailable.resolve()),
    }

    def write(tmp: Path) -> None:
        write_csv(res.calendar, tmp / "calendar.csv")
        write_csv(offs, tmp / "officers.csv")
        write_ics_folder(res.calendar, offs, res.month, tmp / "ics")
        write_json(summary, tmp / "summary.json")

    _publish(args.out, write, [bundle, args.plan])
    for w in summary["warnings"]:
        print(f"warning: {w}")
    k = summary["kpis"]
    print(
        f"calendar {res.month}: {k['officers']} officers, {k['visits_planned']} of "
        f"{k['visits_required']} visits planned on {k['officer_days_used']} officer-days "
        f"({k['shared_days']} shared), {len(res.days.working)} working days "
        f"[{summary['holiday_source']}]; {status} in {summary['wall_seconds']:.1f} s -> {args.out}"
    )
    for d in diagnostics:
        print(f"  {d['rule']}: {d['message']}")
    for v in res.violations:
        print(f"  check: {v.rule}: {v.message}")
    return EXIT_PARTIAL if status == PARTIAL or res.violations else EXIT_OK


# ---------------------------------------------------------------- compliance


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
    from ..input.plan_files import bundle_of, read_plan_folder
    from ..input.work_logs import read_work_logs
    from ..input.workdays import parse_month, parse_quarter
    from ..output.publish import write_csv, write_json
    from ..visits.compliance import check_compliance

    t0 = time.perf_counter()
    try:
        months = [parse_month(args.month)] if args.month else parse_quarter(args.quarter)
    except ValueError as e:
        raise _usage(str(e)) from None
    bundle = args.bundle
    if bundle is None and args.plan is not None:
        bundle, _ = bundle_of(args.plan)
    inst = load_bundle(bundle)
    if args.plan is not None:
        pf = read_plan_folder(args.plan, inst)
        officer_plan, auxiliary_plan = pf.officers, pf.auxiliaries
    else:
        if inst.plan_officers.empty:
            raise _usage("the bundle has no plan_officers.csv: give the plan with --plan PLAN_DIR")
        officer_plan = inst.plan_officers[["village_id", "officer_id"]].reset_index(drop=True)
        auxiliary_plan = None
    logs = read_work_logs(args.logs, inst)
    res = check_compliance(
        inst,
        logs,
        months,
        officer_plan,
        auxiliary_plan,
        quarter=args.quarter and args.quarter.upper(),
    )
    summary = {
        **res.summary(),
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "versions": versions(),
        "input": None if bundle is None else str(Path(bundle).resolve()),
        "input_sha256": inst.fingerprint,
        "plan": None if args.plan is None else str(args.plan.resolve()),
        "logs_path": str(args.logs.resolve()),
        "thresholds": dict(inst.policy.rule("VISIT-LOG").params),
    }

    def write(tmp: Path) -> None:
        for name, frame in res.frames().items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary, tmp / "summary.json")

    _publish(args.out, write, [bundle, args.plan, args.logs])
    s = summary
    print(
        f"compliance {res.period}: {s['logs']} logs, {s['villages']} villages "
        f"({', '.join(f'{k} {v}' for k, v in s['village_months_by_status'].items())} "
        f"village-months), {s['officer_months_passed']} of {s['officer_months']} officer-months "
        "passed 月考评"
        + ("" if s["quarter_passed"] is None else f", {s['quarter_passed']} passed 季考核")
        + f"; log issues: {s['log_issues'] or 'none'}; {s['to_review']} to review -> {args.out}"
    )
    return EXIT_PARTIAL if len(res.review) else EXIT_OK
