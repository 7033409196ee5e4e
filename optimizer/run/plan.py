"""The annual plan of a bundle (包村方案): every county through the executor, merged, checked by
the rule modules, and written as one plan folder (``cunjing plan``)."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import auxiliary_violations, officer_violations
from ..auxiliaries.placement import plan_county_auxiliaries
from ..input.instance import Instance
from ..input.schema import (
    AUXILIARY_FILE,
    CANDIDATES_FILE,
    OFFICER_FILE,
    SUMMARY_FILE,
)
from ..output.files import write_csv, write_json
from ..output.publish import publish
from ..reports.terminal import plan_lines
from ..reports.write import AwayWriter, write_reports
from ..solve.options import SolveOptions
from ..solve.status import Status
from ..solve.stop import StopSearch
from .annual import across_counties, assemble, place_auxiliaries, plan_county
from .executor import CountyStore, solve_counties


@dataclass
class PlanRun:
    """An annual plan: the contract's tables, ``summary.json``'s content, and the candidate
    pairs ``cunjing explain`` reads."""

    instance: Instance
    officer_plan: pd.DataFrame  # officer_plan.csv
    auxiliary_plan: pd.DataFrame  # auxiliary_plan.csv
    record: dict  # summary.json
    candidates: pd.DataFrame  # each village's pair and its best others

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    def summary(self) -> str:
        """What the planner reads on the terminal."""
        return "\n".join(plan_lines(self.record))

    def write(self, out: Path, inputs: list[Path] | None = None, helper: AwayWriter | None = None):
        """The plan folder, all files or none; returns the backup of a folder already there."""
        return publish(out, partial(write_plan_files, self, helper=helper), inputs=inputs)


def plan(
    inst: Instance,
    options: SolveOptions | None = None,
    stop: StopSearch | None = None,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    store: CountyStore | None = None,
    progress: bool = False,
    helper=None,
) -> PlanRun:
    """Plan every county (through the executor) and merge the results. ``helper`` (a
    :class:`~.helper.HelperProcess`) places the counties' auxiliaries meanwhile; else each
    county places its own after its officers."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    inline = jobs <= 1 and not scheduler
    across = across_counties(inst)
    placing = (
        helper is not None
        and not across
        and helper.ask("auxiliaries", inst.fingerprint, (list(inst.counties), options))
    )
    task = partial(plan_county, options=options, stop=stop if inline else None)
    task = partial(task, auxiliaries=not placing)
    results = solve_counties(
        inst,
        task,
        options.as_dict(),
        jobs=jobs,
        scheduler=scheduler,
        store=store,
        progress=progress,
        stop=stop,
        stopped_task=partial(plan_county, options=options, stop=stop, auxiliaries=not placing),
    )
    plans = pd.concat([r.officers.plan for r in results], ignore_index=True)
    if not across:
        placed = (helper.answer() if placing else None) or {}
        for r in results:  # a county's own placement, if the helper did not (or a resumed run)
            if r.auxiliaries is None:
                r.auxiliaries = (
                    placed.get(r.county) or place_auxiliaries(inst, [r.county], options)[r.county]
                )
    auxiliaries = None
    if across:  # one placement over every county (AUX-TOWNSHIP across_counties)
        auxiliaries = [plan_county_auxiliaries(inst, None, options)]
    aux_parts = auxiliaries or [r.auxiliaries for r in results if r.auxiliaries is not None]
    aux_plan = pd.concat([a.plan for a in aux_parts], ignore_index=True) if aux_parts else None
    # the solver-independent judges: every hard rule, by the rule modules
    checks = officer_violations(inst, plans[["village_id", "officer_id"]])
    if aux_plan is not None:
        checks += auxiliary_violations(inst, aux_plan[["village_id", "auxiliary_id"]])
    table, aux_table, record = assemble(
        inst, results, options, time.perf_counter() - t0, checks, auxiliaries
    )
    record["interrupted"] = bool(stop is not None and stop.requested)
    record["peak_memory_mb"] = {
        "this_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_worker": max((r.extra.get("peak_mb") or 0 for r in results), default=0),
    }
    candidates = pd.concat(
        [r.officers.pairs for r in results if r.officers.pairs is not None], ignore_index=True
    )
    return PlanRun(inst, table, aux_table, record, candidates)


def write_plan_files(run: PlanRun, tmp: Path, helper: AwayWriter | None = None) -> None:
    """The plan folder's files into ``tmp``: the contract's CSV and JSON, then the reports."""
    write_csv(run.officer_plan, tmp / OFFICER_FILE)
    write_csv(run.auxiliary_plan, tmp / AUXILIARY_FILE)
    cand = run.candidates
    keep = [
        "officer_id",
        "village_id",
        "km",
        "workload_days",
        "score",
        "extra",
        *[c for c in cand.columns if c.startswith(("m:", "p:"))],
    ]
    cand[keep].sort_values(["village_id", "officer_id"], kind="stable").to_csv(
        tmp / CANDIDATES_FILE,
        index=False,
        float_format="%.4f",
        compression={"method": "gzip", "compresslevel": 1, "mtime": 0},
    )
    write_json(run.record, tmp / SUMMARY_FILE)
    write_reports(tmp, run.instance, away=helper)  # last: the reports read the files above
