"""Judging any plan by the rule modules alone, without the solver (``cunjing check``): a plan
folder, its CSV, or the plan.xlsx a planner edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...constraints.base import Violation
from ...constraints.validate import (
    auxiliary_violations,
    officer_violations,
    rotation_violations,
)
from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import read_assignment, read_part
from ..input.problems import BundleError
from ..input.schema import ROTATION_FILE, ROTATION_PLAN
from ..reports.terminal import rules_line, score_words
from .annual import officer_kpis


@dataclass
class CheckRun:
    """What a plan breaks, part by part, and the officer plan's score."""

    source: str
    officer_rows: int | None = None  # rows of the officer plan (None: no officer plan)
    officer_kpis: dict | None = None
    auxiliary_rows: int | None = None
    auxiliaries_placed: int = 0
    auxiliary_violations: int = 0
    rotation_periods: int | None = None
    rotation_violations: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        lines = []
        if self.officer_kpis is not None:
            k = self.officer_kpis
            lines.append(
                _("officer plan {source}: {rows} villages; {score}").format(
                    source=self.source, rows=self.officer_rows, score=score_words(k)
                )
            )
            lines.append(rules_line(k["rules"]))
        if self.auxiliary_rows is not None:
            lines.append(
                _(
                    "auxiliary plan: {placed} of {rows} villages with a resident auxiliary; "
                    "{n} rule(s) broken"
                ).format(
                    placed=self.auxiliaries_placed,
                    rows=self.auxiliary_rows,
                    n=self.auxiliary_violations,
                )
            )
        if self.rotation_periods is not None:
            lines.append(
                _("rotation: {periods} period(s); {n} rule(s) broken").format(
                    periods=self.rotation_periods, n=self.rotation_violations
                )
            )
        if not self.violations:
            lines.append(_("every hard rule holds"))
        else:
            lines.append(_("{n} hard rule(s) broken:").format(n=len(self.violations)))
            lines += [f"  {v.rule}: {v.message}" for v in self.violations]
        return "\n".join(lines)


def check(inst: Instance, path: Path) -> CheckRun:
    """Every hard rule on the plans at ``path`` (a plan folder, an officer or auxiliary plan
    CSV, or a plan.xlsx); KPIs of the officer plan over the villages and officers the bundle
    knows (the rest are violations)."""
    path = Path(path)
    officers = read_assignment(path, "officer", optional=True)
    auxiliaries = read_assignment(path, "auxiliary", optional=True)
    rotation = read_part(path / ROTATION_FILE, ROTATION_PLAN) if path.is_dir() else None
    if officers is None and auxiliaries is None and rotation is None:
        raise BundleError.single(
            str(path),
            _("no plan here (officer_plan.csv, auxiliary_plan.csv, rotation.csv or plan.xlsx)"),
        )
    run = CheckRun(str(path))
    if officers is not None:
        run.violations += officer_violations(inst, officers)
        known = officers["village_id"].isin(inst.villages.index) & (
            officers["officer_id"].isin(inst.officers.index) | (officers["officer_id"] == "")
        )
        run.officer_rows = len(officers)
        run.officer_kpis = officer_kpis(inst, officers[known])
    if auxiliaries is not None:
        found = auxiliary_violations(inst, auxiliaries)
        run.auxiliary_rows = len(auxiliaries)
        run.auxiliaries_placed = int((auxiliaries["auxiliary_id"] != "").sum())
        run.auxiliary_violations = len(found)
        run.violations += found
    if rotation is not None:
        found = rotation_violations(inst, rotation)
        run.rotation_periods = int(rotation["period"].nunique())
        run.rotation_violations = len(found)
        run.violations += found
    return run
