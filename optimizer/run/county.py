"""One county from end to end, the unit of work of a plan: its officers and auxiliaries, the
rule checks, and its own plan folder (CSV, JSON, workbook, GeoPackage, page, notice), written
where it runs. What goes back to the parent is small plain data (``CountyOutcome``): the
county's ``summary.json`` record and its officers' loads; the parent merges the small tables
from the county folders and writes the bundle's overview (``run.plan``).
"""

from __future__ import annotations

import copy
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...constraints.validate import auxiliary_violations, officer_violations
from ..auxiliaries.placement import AuxiliaryResult
from ..input.instance import Instance
from ..input.schema import AUXILIARY_FILE, CANDIDATES_FILE, OFFICER_FILE, SUMMARY_FILE
from ..officers.kpis import loads
from ..officers.model import officers_in_scope
from ..output.files import write_csv, write_json
from ..reports.write import AwayWriter, write_reports
from ..solve.options import SolveOptions
from ..solve.stop import StopSearch, worker_stop
from .annual import CountyPlan, assemble, place_auxiliaries, plan_county
from .store import StoreTarget


@dataclass
class CountyRun:
    """A county's plan in memory: its slice of the bundle, the contract's tables, its
    ``summary.json`` record and the candidate pairs ``cunjing explain`` reads."""

    instance: Instance
    officer_plan: pd.DataFrame
    auxiliary_plan: pd.DataFrame
    record: dict
    candidates: pd.DataFrame

    def write_files(self, tmp: Path, helper: AwayWriter | None = None) -> None:
        """The plan folder's files into ``tmp``: the contract's CSV and JSON, then the reports."""
        write_csv(self.officer_plan, tmp / OFFICER_FILE)
        write_csv(self.auxiliary_plan, tmp / AUXILIARY_FILE)
        cand = self.candidates
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
        write_json(self.record, tmp / SUMMARY_FILE)
        write_reports(tmp, self.instance, away=helper)  # last: the reports read the files above


@dataclass
class CountyOutcome:
    """What a county task hands back: plain data, and the county's folder in the store (or,
    for a run kept in memory, the county's run itself)."""

    county: str
    record: dict  # the county's summary.json
    loads: dict  # its officers' villages, days used and utilisation (the merged load KPIs)
    stopped: bool = False  # the search was stopped (Ctrl-C, SIGTERM): solved again next time
    folder: str | None = None  # the county's finished entry in the store
    run: CountyRun | None = None
    reused: bool = False
    extra: dict = field(default_factory=dict)

    def plain(self) -> dict[str, Any]:
        """What the store keeps beside the county's files."""
        return {"record": self.record, "loads": self.loads}

    @classmethod
    def from_plain(cls, county: str, data: dict, folder: Path) -> CountyOutcome:
        return cls(county, data["record"], data["loads"], folder=str(folder), reused=True)


@dataclass(frozen=True)
class CountyJob:
    """A county task's settings (picklable: it travels to worker processes and Dask)."""

    county: str
    key: str  # the fingerprint of the county's input and the run's settings
    options: SolveOptions
    store: StoreTarget | None = None  # where its folder goes; None: kept in memory
    placed: AuxiliaryResult | None = None  # AUX-TOWNSHIP across_counties: placed beforehand
    stopped: bool = False  # the run was stopped before it started: its best plan at once
    auxiliaries: bool = True  # False: the auxiliaries are placed elsewhere (the helper)


def run_county(
    sub: Instance,
    job: CountyJob,
    stop: StopSearch | None = None,
    helper: AwayWriter | None = None,
    placed: AuxiliaryResult | None = None,
) -> CountyOutcome:
    """Plan one county (``sub``: the county's slice of the bundle) and write its plan folder
    into the store; ``stop``: this process's Ctrl-C (in a worker, its own)."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    stop = stop or worker_stop()
    if job.stopped:
        stop = StopSearch()
        stop.requested = True
    placed = placed or job.placed
    # one county in this process: the helper places its auxiliaries on the idle core meanwhile
    asked = (
        helper is not None
        and placed is None
        and job.auxiliaries
        and helper.ask("auxiliaries", sub.fingerprint, ([job.county], job.options))
    )
    result = plan_county(
        sub,
        job.county,
        job.options,
        stop,
        auxiliaries=job.auxiliaries and placed is None and not asked,
    )
    if placed is not None:
        result.auxiliaries = placed
    elif asked:
        got = (helper.answer() or {}).get(job.county)
        result.auxiliaries = got or place_auxiliaries(sub, [job.county], job.options)[job.county]
    run = county_run(sub, result, job.options, time.perf_counter() - t0, checked=placed is None)
    run.record["interrupted"] = bool(stop is not None and stop.requested)
    # the CPU seconds of the county's whole task (the wall seconds depend on the machine's load)
    run.record["counties"][0]["cpu_seconds"] = round(time.process_time() - cpu0, 3)
    outcome = CountyOutcome(
        job.county,
        run.record,
        officer_loads(sub, run.officer_plan),
        stopped=result.stopped or run.record["interrupted"],
    )
    if job.store is None:
        outcome.run = run
        return outcome
    tmp = job.store.begin(job.county)
    try:
        run.write_files(tmp, helper=helper)
        # the whole task's CPU and memory go to the parent (the merged summary), not into the
        # county's summary.json: its reports show that file as it was written
        outcome.record = copy.deepcopy(run.record)
        outcome.record["peak_memory_mb"]["this_process"] = _peak_mb()
        outcome.record["counties"][0]["cpu_seconds"] = round(time.process_time() - cpu0, 3)
        # a county stopped before its end is kept for this run only: the next one solves it again
        key = job.key if not outcome.stopped else f"stopped-{job.key}"
        outcome.folder = str(job.store.commit(job.county, key, tmp, outcome.plain()))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return outcome


def county_run(
    sub: Instance, result: CountyPlan, options: SolveOptions, wall: float, checked: bool = True
) -> CountyRun:
    """A county's tables and record; ``checked``: its auxiliaries are judged here too (not when
    they were placed over every county, which only the whole bundle can judge)."""
    plans = result.officers.plan
    checks = officer_violations(sub, plans[["village_id", "officer_id"]])
    aux = result.auxiliaries
    if aux is not None and checked:
        checks += auxiliary_violations(sub, aux.plan[["village_id", "auxiliary_id"]])
    table, aux_table, record = assemble(sub, [result], options, wall, checks)
    record["interrupted"] = result.stopped
    record["peak_memory_mb"] = {"this_process": _peak_mb(), "largest_worker": 0}
    pairs = result.officers.pairs
    candidates = pairs if pairs is not None else pd.DataFrame(columns=["officer_id", "village_id"])
    return CountyRun(sub, table, aux_table, record, candidates)


def officer_loads(sub: Instance, plan: pd.DataFrame) -> dict[str, list]:
    """Each officer's villages, days used and utilisation, for the loads over every county."""
    chosen = plan.loc[plan["officer_id"] != "", ["officer_id", "village_id", "workload_days"]]
    load = loads(sub, chosen, officers_in_scope(sub))
    return {
        "villages": load["villages"].astype(int).tolist(),
        "days_used": load["days_used"].astype(float).tolist(),
        "available_days": load["available_days"].astype(float).tolist(),
    }


def copy_folder(src: Path, dst: Path) -> None:
    """A county's finished files into the plan folder being written: hard links where the
    store and the plan share a disk (no copying), else copies."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in Path(src).iterdir():
        if not p.is_file() or p.name == "manifest.json":
            continue
        try:
            (dst / p.name).hardlink_to(p)
        except OSError:
            shutil.copy2(p, dst / p.name)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
