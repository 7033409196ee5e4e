"""The auxiliaries' rotation over several periods (``cunjing rotate``): every county on its own
(counties own their auxiliaries) through the county executor, judged by the rule modules."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import rotation_violations
from ..i18n import _
from ..input.instance import Instance
from ..input.schema import PLAN_FILE_COLUMNS
from ..output.publish import publish
from ..reports.words import person
from ..reports.write import write_reports
from ..rotation.engine import RotationResult, rotate_county
from ..rotation.files import summary, write_rotation
from ..solve.options import SolveOptions
from ..solve.status import Status
from .annual import checked_rules
from .executor import county_fingerprints, solve_counties
from .store import CountyStore


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
        names = self.instance.county_names
        for r in self.results:
            county = person(names.get(r.county, r.county), r.county)
            if r.status == Status.INFEASIBLE:
                lines.append(
                    _("{county}: no rotation keeps every rule ({n} reason(s) below)").format(
                        county=county, n=len(r.diagnostics)
                    )
                )
            else:
                lines.append(
                    _(
                        "{county}: {outcome}; {moves} moves over {periods} periods (the rules "
                        "need at least {fewest}), {points:g} points for familiar places, "
                        "{seconds:.1f} s"
                    ).format(
                        county=county,
                        outcome=_rotation_outcome(r),
                        moves=r.moves,
                        periods=self.periods,
                        fewest=r.moves_bound,
                        points=r.kpis.get("familiar_points", 0),
                        seconds=r.build_seconds + r.solve_seconds,
                    )
                )
            lines += [f"  {d['rule']}: {d['message']}" for d in r.diagnostics]
        lines += [
            "  " + _("rule broken: {rule}: {message}").format(rule=v["rule"], message=v["message"])
            for v in self.record["violations"]
        ]
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        """The rotation folder, all files or none; returns the backup of a folder there."""

        def files(tmp: Path) -> None:
            write_rotation(tmp, self.instance, self.results, self.record, self.periods)
            # last: the workbook's 轮换计划 and the map read the files above
            write_reports(tmp, self.instance)

        return publish(out, files, inputs=inputs)


def _rotation_outcome(r: RotationResult) -> str:
    """A county's rotation in the planner's words: best possible, or at most how far from it."""
    if r.status == Status.OPTIMAL:
        return _("the best rotation possible")
    if r.status == Status.PARTIAL:
        return _("a partial rotation: some villages stay without an auxiliary in some periods")
    if r.best_bound == r.best_bound and r.objective == r.objective:  # both known (not NaN)
        return _("at most {points:.2f} points below the best possible").format(
            points=max(0.0, r.best_bound - r.objective)
        )
    return _("a rotation that keeps every rule; how close it is to the best is not proven")


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
    settings = {"task": "rotate", "periods": periods, **options.as_dict()}
    counties = inst.counties
    keys = county_fingerprints(inst, settings)
    kept = store.finished(keys) if store is not None else {}
    found = {c: load_rotation_result(folder, data) for c, (folder, data) in kept.items()}
    todo = [c for c in counties if c not in found]

    def task(c: str):
        sub = inst.county(c) if len(counties) > 1 else inst
        return partial(rotate_county, sub, c, periods=periods, options=options)

    def keep(c: str, r: RotationResult) -> None:
        if store is not None:
            tmp = store.begin(c)
            store.commit(c, keys[c], tmp, save_rotation_result(tmp, r))

    sizes = {c: int((inst.villages["county_id"] == c).sum()) for c in counties}
    found |= solve_counties(
        {c: partial(task, c) for c in todo},
        {c: sizes[c] for c in todo},
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
        done=sum(sizes[c] for c in found),
        on_result=keep,
    )
    results = [found[c] for c in counties]
    rot = pd.concat(
        [r.rotation for r in results if len(r.rotation)]
        or [pd.DataFrame(columns=list(PLAN_FILE_COLUMNS["rotation"]))],
        ignore_index=True,
    )
    # the solver-independent check of what is about to be written
    broken = rotation_violations(inst, rot) if len(rot) else []
    violations = [v.as_dict() for v in broken]
    record = summary(
        inst,
        results,
        periods=periods,
        options=options,
        wall_seconds=time.perf_counter() - t0,
        violations=violations,
    )
    if len(rot):  # the rules the rotation was judged by (规则说明 reads 未检查 for the rest)
        record["checks"] = checked_rules(inst, broken, ("auxiliary",))
    return RotationRun(inst, periods, results, rot, record)


ROTATION_PART = "rotation.csv"


def save_rotation_result(folder: Path, r: RotationResult) -> dict:
    """A county's rotation as plain files for the store: its rows (CSV), the rest as data."""
    r.rotation.to_csv(folder / ROTATION_PART, index=False, lineterminator="\n")
    data = {f.name: getattr(r, f.name) for f in fields(r) if f.name != "rotation"}
    return json.loads(json.dumps(data, default=_plain))


def load_rotation_result(folder: Path, data: dict) -> RotationResult:
    """The rotation ``save_rotation_result`` kept (checked by the store before this is read)."""
    rot = pd.read_csv(
        folder / ROTATION_PART,
        dtype={"village_id": str, "auxiliary_id": str},
        keep_default_na=False,
    )
    rot["period"] = rot["period"].astype(int)
    rot["moved"] = rot["moved"].astype(str).str.lower().eq("true")
    names = {f.name for f in fields(RotationResult)}
    kept = {k: v for k, v in data.items() if k in names and k != "rotation"}
    result = RotationResult(rotation=rot, **kept)
    result.extra["reused"] = True
    return result


def _plain(o):
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, set | tuple):
        return list(o)
    return str(o)
