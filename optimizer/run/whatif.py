"""A what-if run (``cunjing whatif``): re-plan after changes in the counties they touch, judge the
new plan, say what changed and why; or a sweep over every officer's transfer."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import auxiliary_violations, officer_violations
from ..i18n import _
from ..input.instance import Instance
from ..input.problems import BundleError
from ..input.schema import AUXILIARY_FILE, DIFF_FILE, OFFICER_FILE, SUMMARY_FILE
from ..officers.pairs import build_pairs
from ..output.files import write_csv, write_json
from ..output.provenance import bundle_reference, versions
from ..output.publish import publish
from ..reports.people import for_people
from ..reports.terminal import whatif_lines
from ..reports.words import category_word
from ..reports.write import write_reports
from ..solve.options import SolveOptions
from ..solve.status import Status, worst
from ..whatif.changes import Change, Effects, apply_changes
from ..whatif.replan import (
    WhatIfResult,
    load_changes,
    replan_auxiliaries,
    replan_officers,
    rule_changes,
)
from .annual import auxiliary_plan_table, officer_kpis, officer_plan_table
from .executor import county_executor

DIFF_COLUMNS = ["village_id", "role", "before", "after", "reason"]
# diff.csv: the contract's columns, then the names a planner reads them by
DIFF_NAMES = ["village_name", "township_name", "before_name", "after_name"]


@dataclass
class WhatIfRun:
    """The plan after the changes: the changed bundle, the new plan, what changed and why."""

    instance: Instance  # the bundle after the changes
    effects: Effects
    plan: pd.DataFrame  # village_id, officer_id, pinned: every village
    diff: pd.DataFrame  # village_id, role, before, after, reason
    results: dict[str, WhatIfResult]  # the counties re-planned
    aux_results: dict = field(default_factory=dict)
    resolve_seconds: float = 0.0
    status: Status = Status.OPTIMAL
    officer_plan: pd.DataFrame | None = None  # officer_plan.csv
    auxiliary_plan: pd.DataFrame | None = None  # auxiliary_plan.csv (when the plan had one)
    record: dict = field(default_factory=dict)  # summary.json

    def summary(self) -> str:
        return "\n".join(whatif_lines(self.record))

    def write(self, out: Path, inputs: list[Path] | None = None, started: float | None = None):
        """The plan folder, all files or none; returns the backup of a folder already there."""
        return publish(out, partial(_write_files, self, started=started), inputs=inputs)


def replan(
    inst: Instance,
    incumbent: pd.DataFrame,
    changes: list[Change],
    options: SolveOptions | None = None,
    *,
    max_changes: int | None = None,
    incumbent_aux: pd.DataFrame | None = None,
    incumbent_path: Path | None = None,
) -> WhatIfRun:
    """The incumbent plan (``read_incumbent``) after ``changes``, moving as little as possible;
    with the contract's tables, the checks and summary.json's content."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    run = _replan_counties(inst, incumbent, changes, options, max_changes, incumbent_aux)
    eff, new_inst = run.effects, run.instance
    if (eff.aux_orphaned or eff.new_auxiliaries) and incumbent_aux is None:
        raise BundleError.single(
            str(incumbent_path or "whatif"), _("the plan has no auxiliary_plan.csv to change")
        )
    checks = officer_violations(new_inst, run.plan[["village_id", "officer_id"]])
    if incumbent_aux is not None:
        run.auxiliary_plan = _auxiliary_table(incumbent_aux, run.aux_results)
        checks += auxiliary_violations(new_inst, run.auxiliary_plan[["village_id", "auxiliary_id"]])
    run.officer_plan = officer_plan_table(new_inst, plan_rows(new_inst, run.plan))
    run.diff = named_diff(inst, new_inst, run.diff, eff)
    if checks:
        run.status = Status.PARTIAL
    run.record = _record(inst, incumbent, run, checks, options, max_changes, incumbent_path)
    # what explain needs to see the bundle as the what-if saw it
    run.record["whatif"]["change_list"] = [asdict(c) for c in changes]
    return run


def _replan_counties(inst, incumbent, changes, options, max_changes, incumbent_aux) -> WhatIfRun:
    t0 = time.perf_counter()
    new_inst, eff = apply_changes(inst, incumbent, changes, incumbent_aux)
    touched = set(new_inst.villages.loc[list(set(eff.orphaned) | set(eff.touched)), "county_id"])
    touched |= set(new_inst.officers.loc[eff.new_officers, "county_id"])
    parts, results = [], {}
    for county in new_inst.counties:
        in_county = new_inst.villages.index[new_inst.villages["county_id"] == county]
        inc = incumbent[incumbent["village_id"].isin(in_county)]
        if county not in touched:
            parts.append(inc)
            continue
        sub = new_inst.county(county) if len(new_inst.counties) > 1 else new_inst
        r = replan_officers(sub, county, inc, eff, options, max_changes=max_changes)
        results[county] = r
        parts.append(r.plan)
    aux_results, aux_diffs = {}, []
    if incumbent_aux is not None and (eff.aux_orphaned or eff.new_auxiliaries):
        aux_counties = set(new_inst.villages.loc[list(eff.aux_orphaned), "county_id"])
        aux_counties |= set(new_inst.auxiliaries.loc[eff.new_auxiliaries, "county_id"])
        for county in sorted(aux_counties):
            res, d = replan_auxiliaries(new_inst, county, incumbent_aux, eff, options)
            aux_results[county] = res
            aux_diffs.append(d)
    diff = pd.concat(
        [
            pd.DataFrame(columns=DIFF_COLUMNS),
            *[r.changed for r in results.values()],
            *aux_diffs,
        ],
        ignore_index=True,
    )
    return WhatIfRun(
        new_inst,
        eff,
        pd.concat(parts, ignore_index=True),
        diff,
        results,
        aux_results,
        time.perf_counter() - t0,
        worst(r.status for r in [*results.values(), *aux_results.values()]),
    )


def named_diff(before: Instance, after: Instance, diff: pd.DataFrame, eff: Effects) -> pd.DataFrame:
    """diff.csv with the village's and township's names and each person's name beside his id
    (a person the change removed is named from the bundle before it), and whether the change
    forced the move (the village lost its officer or auxiliary)."""
    names = pd.concat(
        [
            after.officers["name"],
            after.auxiliaries["name"],
            before.officers["name"],
            before.auxiliaries["name"],
        ]
    )
    names = names[~names.index.duplicated()]
    vil = after.villages
    out = diff[DIFF_COLUMNS].reset_index(drop=True).copy()
    out["village_name"] = out["village_id"].map(vil["name"]).fillna("")
    out["township_name"] = (
        out["village_id"].map(vil["township_id"]).map(after.townships["name"]).fillna("")
    )
    out["before_name"] = out["before"].map(names).fillna("")
    out["after_name"] = out["after"].map(names).fillna("")
    officer = out["role"] == "officer"
    out["forced"] = (officer & out["village_id"].isin(list(eff.orphaned))) | (
        ~officer & out["village_id"].isin(list(eff.aux_orphaned))
    )
    return out


def _auxiliary_table(incumbent_aux: pd.DataFrame, aux_results: dict) -> pd.DataFrame:
    """Counties re-placed take their new rows; the others keep the incumbent's, unchanged."""
    redone = [r.plan for r in aux_results.values()]
    kept = incumbent_aux[
        ~incumbent_aux["village_id"].isin([v for p in redone for v in p["village_id"]])
    ]
    new = auxiliary_plan_table(list(aux_results.values())).astype(
        {"kept": object, "pinned": object}
    )
    return pd.concat([kept, new], ignore_index=True).sort_values("village_id", kind="stable")


def plan_rows(inst: Instance, plan: pd.DataFrame) -> pd.DataFrame:
    """A plan (village_id, officer_id, pinned) with its pair columns, for officer_plan.csv."""
    held = plan[plan["officer_id"] != ""]
    pairs = build_pairs(inst, held[["officer_id", "village_id"]])
    pairs["pinned"] = held["pinned"].to_numpy()
    return plan[["village_id"]].merge(pairs, on="village_id", how="left").fillna({"officer_id": ""})


def _record(inst, incumbent, run: WhatIfRun, checks, options, max_changes, incumbent_path):
    new_inst, new_plan, diff, eff = run.instance, run.plan, run.diff, run.effects
    diagnostics = [d for r in run.results.values() for d in r.diagnostics]
    diagnostics += [d for r in run.aux_results.values() for d in r.diagnostics]
    diagnostics += [v.as_dict() for v in checks]
    officer = diff["role"] == "officer"
    moves = [
        {**m, "forced": bool(m["forced"])}
        for m in diff[[*DIFF_COLUMNS, *DIFF_NAMES, "forced"]].to_dict("records")
    ]
    return {
        "status": run.status,
        "whatif": {
            "changes": eff.described,
            "villages_changed": int(officer.sum()),
            "forced": int((officer & diff["village_id"].isin(list(eff.orphaned))).sum()),
            "auxiliary_changes": int((diff["role"] == "auxiliary").sum()),
            "moves": moves,
            "max_changes": max_changes,
            "neighbourhood": {
                c: {"villages": r.free_villages, "pairs": r.free_pairs}
                for c, r in run.results.items()
            },
            "score_by_rule": rule_changes(inst, incumbent, new_inst, new_plan),
            "load_changes": load_changes(new_inst, incumbent, new_plan),
            "resolve_seconds": round(run.resolve_seconds, 3),
            "build_seconds": round(sum(r.build_seconds for r in run.results.values()), 3),
            "solve_seconds": round(sum(r.solve_seconds for r in run.results.values()), 3),
        },
        "seed": options.seed,
        "workers": options.workers,
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "incumbent": None if incumbent_path is None else str(Path(incumbent_path).resolve()),
        "kpis": {
            "villages": len(new_inst.villages),
            "covered_by_officer": int((run.officer_plan["officer_id"] != "").sum()),
            "officer": officer_kpis(new_inst, new_plan),
        },
        "diagnostics": diagnostics,
    }


def _write_files(run: WhatIfRun, tmp: Path, started: float | None = None) -> None:
    write_csv(run.officer_plan, tmp / OFFICER_FILE)
    if run.auxiliary_plan is not None:
        write_csv(run.auxiliary_plan, tmp / AUXILIARY_FILE)
    write_csv(run.diff[[*DIFF_COLUMNS, *DIFF_NAMES]], tmp / DIFF_FILE)
    if started is not None:
        run.record["wall_seconds"] = round(time.perf_counter() - started, 3)
    write_json(run.record, tmp / SUMMARY_FILE)
    (tmp / "whatif.txt").write_text(run.summary() + "\n", encoding="utf-8")
    write_reports(tmp, run.instance)  # last: the reports read the files above


# ------------------------------------------------------------------------------------- sweep


@dataclass
class SweepRun:
    """Every officer's transfer evaluated on its own, ranked by the harm it would do."""

    table: pd.DataFrame  # rank, officer_id, name, category, villages_held, …
    record: dict

    def summary(self) -> str:
        r = self.record
        lines = [
            _(
                "every officer's transfer tried: {n} officers in {seconds:.1f} s with {jobs} "
                "processes; the transfers that would hurt the plan most:"
            ).format(n=r["officers"], seconds=r["wall_seconds"], jobs=r["jobs"])
        ]
        for x in self.table.head(10).itertuples():
            line = _(
                "{rank:3d}. {name} ({id}, {category}): holds {held} village(s); score "
                "-{lost:g}, {changed} village(s) change"
            ).format(
                rank=x.rank,
                name=x.name,
                id=x.officer_id,
                category=category_word(x.category),
                held=x.villages_held,
                lost=x.lost_score,
                changed=x.villages_changed,
            )
            if x.uncovered:
                line += _(", {n} left without an officer").format(n=x.uncovered)
            lines.append("  " + line)
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        def files(tmp: Path) -> None:
            write_csv(for_people(self.table), tmp / "sweep.csv")
            write_json(self.record, tmp / SUMMARY_FILE)

        return publish(out, files, inputs=inputs)


def sweep_transfers(
    inst: Instance,
    incumbent: pd.DataFrame,
    options: SolveOptions | None = None,
    *,
    jobs: int = 2,
) -> SweepRun:
    """Each officer's transfer as its own what-if, in the county executor's worker processes
    (a few chunks of officers a worker, so the bundle travels to each worker a few times)."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    officers = sorted(
        set(incumbent.loc[incumbent["officer_id"] != "", "officer_id"])
        & set(inst.officers.index[inst.officers["status"] != "leaving"])
    )
    one = options.with_(workers=1)
    n = max(1, min(len(officers), 2 * jobs))
    with county_executor(jobs) as ex:
        futures = [ex.submit(_harm_of, inst, incumbent, officers[i::n], one) for i in range(n)]
        rows = [row for f in futures for row in f.result()]
    table = (
        pd.DataFrame(rows)
        .sort_values(
            ["uncovered", "lost_score", "forced_changes", "officer_id"],
            ascending=[False, False, False, True],
        )
        .reset_index(drop=True)
    )
    table.insert(0, "rank", range(1, len(table) + 1))
    record = {
        "sweep": "transfer",
        "officers": len(table),
        "wall_seconds": round(time.perf_counter() - t0, 2),
        "jobs": jobs,
        "seed": options.seed,
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "versions": versions(),
        "worst": table.head(10).to_dict("records"),
    }
    return SweepRun(table, record)


def transfer_harm(inst: Instance, incumbent: pd.DataFrame, officer: str, options) -> dict:
    """What one officer's transfer costs the plan."""
    t = time.perf_counter()
    run = _replan_counties(inst, incumbent, [Change("transfer", officer)], options, None, None)
    rules = rule_changes(inst, incumbent, run.instance, run.plan)
    diff = run.diff
    return {
        "officer_id": officer,
        "name": inst.officers.at[officer, "name"],
        "category": inst.officers.at[officer, "category"],
        "villages_held": int((incumbent["officer_id"] == officer).sum()),
        "forced_changes": int(diff["village_id"].isin(list(run.effects.orphaned)).sum()),
        "villages_changed": len(diff),
        "uncovered": int((run.plan["officer_id"] == "").sum()),
        "lost_score": round(rules["score_before"] - rules["score_after"], 2),
        "status": run.status,
        "seconds": round(time.perf_counter() - t, 3),
    }


def _harm_of(inst: Instance, incumbent: pd.DataFrame, officers: list[str], options) -> list[dict]:
    return [transfer_harm(inst, incumbent, o, options) for o in officers]
