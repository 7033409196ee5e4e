"""The annual plan of a bundle (包村方案): every county as one task from end to end (solve,
check, write its own plan folder), then the bundle's folder (``cunjing plan``).

A bundle of one county is planned into ``--out`` itself. A bundle of several counties gets, in
``--out``, the contract's files for the whole bundle (``officer_plan.csv``, ``auxiliary_plan.csv``,
``summary.json`` with every county, the candidate pairs) merged from the counties' own, an
overview (``report.html``, ``plan.xlsx``: one row a county with links to its folder), and each
county's complete plan folder under ``counties/<county_id>/`` (CSV, JSON, workbook, GeoPackage,
page, notice), written by the task that planned it.
"""

from __future__ import annotations

import gzip
import resource
import shutil
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import auxiliary_violations
from ..auxiliaries.placement import AuxiliaryResult, plan_county_auxiliaries
from ..input.instance import Instance
from ..input.plan_files import read_part
from ..input.schema import (
    AUXILIARY_FILE,
    AUXILIARY_PLAN,
    CANDIDATES_FILE,
    OFFICER_FILE,
    OFFICER_PLAN,
    SUMMARY_FILE,
)
from ..output.files import write_csv, write_json
from ..output.publish import publish
from ..reports.terminal import plan_lines
from ..reports.write import AwayWriter
from ..solve.options import SolveOptions
from ..solve.status import Status
from ..solve.stop import StopSearch
from .annual import across_counties, merge_records
from .county import CountyJob, CountyOutcome, copy_folder, run_county
from .executor import county_fingerprints, solve_counties
from .store import CountyStore, entry_name

COUNTIES_FOLDER = "counties"  # a bundle of several counties: each county's plan folder in here


@dataclass
class PlanRun:
    """An annual plan: the contract's tables, ``summary.json``'s content, and each county's
    own run (its folder in the store, or in memory)."""

    instance: Instance
    officer_plan: pd.DataFrame  # officer_plan.csv
    auxiliary_plan: pd.DataFrame  # auxiliary_plan.csv
    record: dict  # summary.json
    counties: list[CountyOutcome] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    @property
    def candidates(self) -> pd.DataFrame:
        """Each village's pair and its best others, over every county."""
        frames = []
        for o in self.counties:
            if o.run is not None:
                frames.append(o.run.candidates)
            else:
                frames.append(pd.read_csv(Path(o.folder) / CANDIDATES_FILE, dtype=ID_TYPES))
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        """What the planner reads on the terminal."""
        return "\n".join(plan_lines(self.record))

    def write(self, out: Path, inputs: list[Path] | None = None, helper: AwayWriter | None = None):
        """The plan folder, all files or none; returns the backup of a folder already there."""
        return publish(out, partial(write_plan_files, self, helper=helper), inputs=inputs)


ID_TYPES = {"village_id": str, "officer_id": str}


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
    executor=None,
) -> PlanRun:
    """Plan every county, each as one task from end to end, and merge them.

    ``store``: where the county tasks write their folders (``cunjing plan``: beside ``--out``,
    kept until the plan is written, so that an interrupted run resumes); without one the
    counties' runs stay in memory and are written by ``PlanRun.write``. ``helper`` (a
    :class:`~.helper.HelperProcess`, one county in this process) places the auxiliaries and
    writes two of the reports meanwhile; ``executor``: worker processes already started."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    counties = inst.counties
    inline = jobs <= 1 and not scheduler
    placed, across_checks = None, None
    if across_counties(inst):  # AUX-TOWNSHIP across_counties: the one step over every county
        placed = plan_county_auxiliaries(inst, None, options)
        across_checks = auxiliary_violations(inst, placed.plan[["village_id", "auxiliary_id"]])
    settings = options.as_dict()
    if placed is not None:
        settings["placed"] = _digest(placed.plan)
    keys = county_fingerprints(inst, settings)
    kept = store.finished(keys) if store is not None else {}
    outcomes = {c: CountyOutcome.from_plain(c, data, folder) for c, (folder, data) in kept.items()}
    todo = [c for c in counties if c not in outcomes]
    target = store.target() if store is not None else None
    one_here = inline and len(counties) == 1

    def task(c: str, stopped: bool = False):
        sub = _county_part(inst, c, placed)
        job = CountyJob(c, keys[c], options, target, placed=_slice(placed, c, sub))
        if stopped:
            return partial(run_county, sub, replace(job, stopped=True), stop)
        here = stop if inline else None
        return partial(run_county, sub, job, here, helper if one_here else None)

    size = _county_sizes(inst)
    outcomes |= solve_counties(
        {c: partial(task, c) for c in todo},
        {c: size[c][0] * max(1, size[c][1]) for c in todo},
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
        stop=stop,
        stopped_tasks={c: partial(task, c, True) for c in todo},
        done=sum(size[c][0] for c in outcomes),
        executor=executor,
    )
    ordered = [outcomes[c] for c in counties]
    return merge_counties(
        inst,
        ordered,
        time.perf_counter() - t0,
        stop,
        (placed, across_checks) if placed is not None else None,
    )


def merge_counties(
    inst: Instance,
    outcomes: list[CountyOutcome],
    wall: float,
    stop: StopSearch | None = None,
    across: tuple[AuxiliaryResult, list] | None = None,
) -> PlanRun:
    """The bundle's run from its counties': one county is the bundle; several are merged."""
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    worker_peak = max(
        (
            o.record.get("peak_memory_mb", {}).get("this_process") or 0
            for o in outcomes
            if o.run is None
        ),
        default=0,
    )
    tables = [_tables(o) for o in outcomes]
    officer_plan = pd.concat([t[0] for t in tables], ignore_index=True)
    aux_plan = pd.concat([t[1] for t in tables], ignore_index=True)
    if len(outcomes) == 1 and across is None:
        # the county's summary.json is the bundle's, as its reports show it
        return PlanRun(inst, officer_plan, aux_plan, outcomes[0].record, outcomes)
    aux_plan = aux_plan.sort_values("village_id", kind="stable").reset_index(drop=True)
    typed = aux_plan.assign(km=pd.to_numeric(aux_plan["km"], errors="coerce"))
    typed["score"] = pd.to_numeric(typed["score"], errors="coerce")
    record = merge_records(
        [o.record for o in outcomes],
        [o.loads for o in outcomes],
        typed,
        wall,
        across,
    )
    for entry, o in zip(record["counties"], outcomes, strict=True):
        entry["reused"] = o.reused
        entry["folder"] = f"{COUNTIES_FOLDER}/{entry_name(o.county)}"
    record["wall_seconds"] = round(wall, 3)
    record["interrupted"] = bool(stop is not None and stop.requested) or any(
        o.stopped for o in outcomes
    )
    record["peak_memory_mb"] = {"this_process": peak, "largest_worker": worker_peak}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    record["cpu_seconds"] = {
        "this_process": round(usage.ru_utime + usage.ru_stime, 1),
        "counties": round(sum(c.get("cpu_seconds") or 0 for c in record["counties"]), 1),
    }
    return PlanRun(inst, officer_plan, aux_plan, record, outcomes)


def _tables(o: CountyOutcome) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A county's officer and auxiliary plan, as the contract's CSV holds them (text)."""
    if o.run is not None:
        return o.run.officer_plan, o.run.auxiliary_plan
    folder = Path(o.folder)
    return (
        read_part(folder / OFFICER_FILE, OFFICER_PLAN, typed=False),
        read_part(folder / AUXILIARY_FILE, AUXILIARY_PLAN, typed=False),
    )


def write_plan_files(run: PlanRun, tmp: Path, helper: AwayWriter | None = None) -> None:
    """The plan folder's files into ``tmp``: a county's own folder, or (several counties) each
    county's folder under ``counties/``, the merged contract files and the overview."""
    if len(run.counties) == 1 and run.record is run.counties[0].record:
        _county_folder(run.counties[0], tmp, helper)
        return
    for o in run.counties:
        _county_folder(o, tmp / COUNTIES_FOLDER / entry_name(o.county), None)
    write_csv(run.officer_plan, tmp / OFFICER_FILE)
    write_csv(run.auxiliary_plan, tmp / AUXILIARY_FILE)
    _merge_candidates(
        [tmp / COUNTIES_FOLDER / entry_name(o.county) / CANDIDATES_FILE for o in run.counties],
        tmp / CANDIDATES_FILE,
    )
    write_json(run.record, tmp / SUMMARY_FILE)
    # imported here: the overview's page brings the plotting library, which a one-county plan
    # never needs in this process (its page is the helper's)
    from ..reports.overview import write_overview

    write_overview(tmp, run.record)


def _county_folder(o: CountyOutcome, dst: Path, helper: AwayWriter | None) -> None:
    if o.run is not None:
        dst.mkdir(parents=True, exist_ok=True)
        o.run.write_files(dst, helper=helper)
    else:
        copy_folder(Path(o.folder), dst)


def _merge_candidates(parts: list[Path], path: Path) -> None:
    """The counties' candidate pairs in one file: their rows after one header (gzip streams)."""
    with gzip.GzipFile(path, "wb", compresslevel=1, mtime=0) as out:
        header = False
        for part in parts:
            with gzip.open(part, "rb") as f:
                first = f.readline()
                if not header:
                    out.write(first)
                    header = True
                shutil.copyfileobj(f, out)


def _county_sizes(inst: Instance) -> dict[str, tuple[int, int]]:
    """Villages and officers of each county."""
    if len(inst.counties) == 1:
        return {inst.counties[0]: (len(inst.villages), len(inst.officers))}
    return {
        c: (len(rows["villages"]), len(rows["officers"])) for c, rows in inst.county_rows.items()
    }


def _county_part(inst: Instance, county: str, placed: AuxiliaryResult | None) -> Instance:
    """The county's slice of the bundle; with a placement over every county, also the
    auxiliaries of other counties placed in its villages (its reports name them)."""
    if len(inst.counties) == 1:
        return inst
    sub = inst.county(county)
    if placed is None:
        return sub
    mine = placed.plan[placed.plan["village_id"].isin(sub.villages.index)]
    foreign = pd.Index(mine["auxiliary_id"]).difference(sub.auxiliaries.index).difference([""])
    if not len(foreign):
        return sub
    return replace(sub, auxiliaries=pd.concat([sub.auxiliaries, inst.auxiliaries.loc[foreign]]))


def _slice(placed: AuxiliaryResult | None, county: str, sub: Instance) -> AuxiliaryResult | None:
    """A county's rows of the placement over every county (its status; its own points)."""
    if placed is None:
        return None
    plan = placed.plan[placed.plan["village_id"].isin(sub.villages.index)].reset_index(drop=True)
    points = float(plan.loc[plan["auxiliary_id"] != "", "score"].sum())
    uncovered = int((plan["auxiliary_id"] == "").sum())
    objective = points - placed.uncovered_penalty * uncovered
    return replace(
        placed,
        county=county,
        plan=plan,
        objective=objective,
        best_bound=float("nan"),
        gap=float("nan"),
        diagnostics=[],
        kpis={},
        pairs=None,
    )


def _digest(frame: pd.DataFrame) -> str:
    return str(pd.util.hash_pandas_object(frame.astype(str), index=False).sum())
