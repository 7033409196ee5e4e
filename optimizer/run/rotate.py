"""The auxiliaries' rotation over several periods (``cunjing rotate``): every county on its own
(counties own their auxiliaries) through the county executor, judged by the rule modules."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import rotation_violations
from ..input.instance import Instance
from ..input.schema import PLAN_FILE_COLUMNS
from ..output.publish import publish
from ..reports.write import write_reports
from ..rotation.engine import RotationResult, rotate_county
from ..rotation.files import summary, write_rotation
from ..solve.options import SolveOptions
from ..solve.status import Status
from .annual import checked_rules
from .executor import CountyStore, solve_counties

ROTATION_FILES = (
    "rotation.csv, rotation_timeline.csv, rotation_moves.csv, rotation_summary.json, "
    "plan.xlsx (轮换计划), plan.gpkg, report.html"
)


@dataclass
class RotationRun:
    instance: Instance
    periods: int
    results: list[RotationResult]  # one a county
    rotation: pd.DataFrame  # period, village_id, auxiliary_id, moved
    record: dict  # rotation_summary.json

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    @property
    def holds(self) -> bool:
        """Every county's rotation keeps every rule."""
        bad = any(r.status in (Status.INFEASIBLE, Status.PARTIAL) for r in self.results)
        return not bad and not self.record["violations"]

    def summary(self) -> str:
        lines = []
        for r in self.results:
            gap = f"{100 * r.gap:.2f} %" if r.gap == r.gap else "n/a"
            if r.status == Status.INFEASIBLE:
                lines.append(
                    f"county {r.county}: {r.status}, no rotation ({len(r.diagnostics)} reason(s))"
                )
            else:
                lines.append(
                    f"county {r.county}: {r.status}, {r.moves} moves (fewest possible "
                    f"{r.moves_bound}), {r.kpis.get('familiar_points', 0):g} AUX-FAMILIAR points, "
                    f"gap {gap} to the bound, {r.build_seconds + r.solve_seconds:.1f} s"
                )
            lines += [f"  {d['rule']}: {d['message']}" for d in r.diagnostics]
        lines += [f"  violation {v['rule']}: {v['message']}" for v in self.record["violations"]]
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        """The rotation folder, all files or none; returns the backup of a folder there."""

        def files(tmp: Path) -> None:
            write_rotation(tmp, self.instance, self.results, self.record, self.periods)
            # last: the workbook's 轮换计划 and the map read the files above
            write_reports(tmp, self.instance)

        return publish(out, files, inputs=inputs)


def rotate(
    inst: Instance,
    periods: int,
    options: SolveOptions | None = None,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    store: CountyStore | None = None,
    progress: bool = False,
) -> RotationRun:
    """Every county's rotation over ``periods`` periods from the plan start; finished counties
    of an interrupted run are reused from ``store``."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    task = partial(rotate_county, periods=periods, options=options)
    settings = {"task": "rotate", "periods": periods, **options.as_dict()}
    results = solve_counties(
        inst, task, settings, jobs=jobs, scheduler=scheduler, store=store, progress=progress
    )
    rot = pd.concat(
        [r.rotation for r in results if len(r.rotation)]
        or [pd.DataFrame(columns=list(PLAN_FILE_COLUMNS["rotation"]))],
        ignore_index=True,
    )
    # the solver-independent check of what is about to be written
    found = rotation_violations(inst, rot) if len(rot) else []
    violations = [v.as_dict() for v in found]
    record = summary(
        inst,
        results,
        periods=periods,
        options=options,
        wall_seconds=time.perf_counter() - t0,
        violations=violations,
    )
    if len(rot):  # the rules the rotation was judged by (规则说明 reads 未检查 for the rest)
        record["checks"] = checked_rules(inst, found, ("auxiliary",), rotation=True)
    return RotationRun(inst, periods, results, rot, record)
