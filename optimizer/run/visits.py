"""A month's visit calendar of a plan (``cunjing calendar``) and the work-log compliance check
(``cunjing compliance``): VISIT-DAYS and VISIT-LOG, §五(一), §五(三)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...constraints.visit_days import RULE as VISIT_DAYS
from ...constraints.visit_days import visits_required
from ..i18n import _
from ..input.instance import Instance
from ..input.schema import SUMMARY_FILE
from ..output.files import write_csv, write_json
from ..output.provenance import bundle_reference, versions
from ..output.publish import publish
from ..reports.people import for_people
from ..reports.visit_books import write_calendar_workbook, write_compliance_workbook
from ..reports.words import listing
from ..solve.options import SolveOptions
from ..solve.status import Status
from ..visits.calendar import CalendarResult, plan_calendar
from ..visits.compliance import (
    ComplianceResult,
    check_compliance,
    log_issue_word,
    village_status_word,
)
from ..visits.ics import write_ics_folder


@dataclass
class CalendarRun:
    result: CalendarResult
    record: dict  # summary.json
    instance: Instance | None = None  # names, townships and days off for the workbook

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    @property
    def holds(self) -> bool:
        return self.status != Status.PARTIAL and not self.result.violations

    def summary(self) -> str:
        s, res = self.record, self.result
        k = s["kpis"]
        lines = [_("warning: {warning}").format(warning=w) for w in s["warnings"]]
        lines.append(
            _(
                "visit calendar {month}: {officers} officers, {planned} of {required} visits "
                "planned on {days} officer-days ({shared} shared by two villages), "
                "{working} working days (holidays: {source}); {outcome}, {seconds:.1f} s"
            ).format(
                month=res.month,
                officers=k["officers"],
                planned=k["visits_planned"],
                required=k["visits_required"],
                days=k["officer_days_used"],
                shared=k["shared_days"],
                working=len(res.days.working),
                source=s["holiday_source"],
                outcome=_("every visit planned")
                if s["status"] != Status.PARTIAL
                else _("some visits could not be planned (reasons below)"),
                seconds=s["wall_seconds"],
            )
        )
        lines += [f"  {d['rule']}: {d['message']}" for d in s["diagnostics"]]
        lines += [
            "  " + _("rule broken: {rule}: {message}").format(rule=v.rule, message=v.message)
            for v in res.violations
        ]
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        res = self.result

        def files(tmp: Path) -> None:
            write_csv(for_people(res.calendar), tmp / "calendar.csv")
            write_csv(for_people(res.officers), tmp / "officers.csv")
            write_calendar_workbook(res, self.instance, tmp / "calendar.xlsx")
            write_ics_folder(res.calendar, res.officers, res.month, tmp / "ics")
            write_json(self.record, tmp / SUMMARY_FILE)

        return publish(out, files, inputs=inputs)


def visit_calendar(
    inst: Instance,
    plan: pd.DataFrame,
    month: str,
    options: SolveOptions | None = None,
    *,
    unavailable: pd.DataFrame | None = None,
    sources: dict | None = None,
) -> CalendarRun:
    """Every officer's visits in ``month`` (YYYY-MM) for the officer ``plan`` (village_id,
    officer_id); ``unavailable`` adds days off to the bundle's; ``sources`` (plan, unavailable
    paths) are recorded in the summary."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    res = plan_calendar(inst, plan, month, unavailable, options)
    params = inst.policy.rule(VISIT_DAYS.id)
    uncovered = plan[plan["officer_id"] == ""]["village_id"].tolist()
    diagnostics = list(res.diagnostics) + [
        {
            "rule": "OFF-COVER",
            "message": _(
                "{name} ({id}) has no liaison officer in the plan, so nobody visits it"
            ).format(name=inst.villages.at[v, "name"], id=v),
            "ids": [v],
        }
        for v in uncovered
    ]
    status = Status.PARTIAL if uncovered else res.status
    offs = res.officers
    record = {
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
            "officers_short": int((offs["status"] == Status.PARTIAL).sum()),
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
        "seed": options.seed,
        "workers": 1,
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        **(sources or {}),
    }
    return CalendarRun(res, record, inst)


@dataclass
class ComplianceRun:
    result: ComplianceResult
    record: dict  # summary.json

    @property
    def holds(self) -> bool:
        """Nobody to review."""
        return not len(self.result.review)

    def summary(self) -> str:
        s = self.record
        lines = [
            _(
                "compliance {period}: {logs} work logs, {villages} villages ({statuses}); "
                "月考评: {passed} of {months} officer-months passed"
            ).format(
                period=self.result.period,
                logs=s["logs"],
                villages=s["villages"],
                statuses=listing(
                    f"{village_status_word(k)} {v}"
                    for k, v in s["village_months_by_status"].items()
                ),
                passed=s["officer_months_passed"],
                months=s["officer_months"],
            )
        ]
        if s["quarter_passed"] is not None:
            lines.append(
                _("季考核: {passed} of {officers} officers passed").format(
                    passed=s["quarter_passed"], officers=s["officers"]
                )
            )
        if len(self.result.months) == 12 and s["ranked"]:
            best = self.result.ranking
            best = best[best["proposed_excellent"]]
            lines.append(
                _(
                    "yearly ranking: {n} officers (ranking.csv); proposed for 优秀包村民警: {names}"
                ).format(
                    n=s["ranked"],
                    names=listing(
                        _("{name} ({id})").format(name=r.officer_name, id=r.officer_id)
                        for r in best.itertuples()
                    ),
                )
            )
        issues = listing(f"{log_issue_word(k)} {v}" for k, v in s["log_issues"].items())
        lines.append(
            _("problem logs: {issues}; {n} person(s) to review (review.csv)").format(
                issues=issues or _("(none)"), n=s["to_review"]
            )
        )
        lines += ["  " + note for note in s["notes"]]
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        def files(tmp: Path) -> None:
            for name, frame in self.result.frames().items():
                write_csv(for_people(frame), tmp / f"{name}.csv")
            write_compliance_workbook(self.result, tmp / "compliance.xlsx")
            write_json(self.record, tmp / SUMMARY_FILE)

        return publish(out, files, inputs=inputs)


def compliance(
    inst: Instance,
    logs: pd.DataFrame,
    months: list[tuple[int, int]],
    officer_plan: pd.DataFrame,
    auxiliary_plan: pd.DataFrame | None = None,
    *,
    quarter: str | None = None,
    year: str | None = None,
    sources: dict | None = None,
) -> ComplianceRun:
    """Work logs (``input.work_logs``) against the plan for the months (月考评), a quarter
    (季考核) or a year (the ranking for 优秀包村民警); who to review."""
    t0 = time.perf_counter()
    res = check_compliance(
        inst, logs, months, officer_plan, auxiliary_plan, quarter=quarter, year=year
    )
    record = {
        **res.summary(),
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "thresholds": dict(inst.policy.rule("VISIT-LOG").params),
        **(sources or {}),
    }
    return ComplianceRun(res, record)
