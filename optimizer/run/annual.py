"""The annual plan (包村方案): officers and auxiliaries for every village, county by county.

``plan_county`` is the unit of work (a county owns its people, so counties are independent);
``assemble`` merges county results into the plan tables and ``summary.json``.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...constraints import off_area
from ...constraints.base import Violation
from ...constraints.validate import judged
from ..auxiliaries.placement import FILE_COLUMNS, AuxiliaryResult, plan_county_auxiliaries
from ..input.instance import Instance
from ..officers.engine import OfficerResult, plan_county_officers
from ..officers.kpis import (
    county_part,
    load_summary,
    loads,
    merge_parts,
    plan_score,
    rank_profile,
)
from ..officers.model import county_capacity, officers_in_scope
from ..officers.pairs import build_pairs, reasons
from ..output.provenance import bundle_reference, versions
from ..solve.options import SolveOptions
from ..solve.status import Status, worst
from ..solve.stop import StopSearch


@dataclass
class CountyPlan:
    county: str
    officers: OfficerResult
    seconds: float
    extra: dict = field(default_factory=dict)
    auxiliaries: AuxiliaryResult | None = None  # None when placed across counties (see README)
    stopped: bool = False  # the search was stopped (Ctrl-C) before it finished


def plan_county(
    inst: Instance,
    county: str,
    options: SolveOptions,
    stop: StopSearch | None = None,
    auxiliaries: bool = True,
) -> CountyPlan:
    """One county's officers and, unless ``auxiliaries`` is False (a helper places them, or
    they are placed across counties), its auxiliaries: the unit of work of the executor."""
    t0 = time.perf_counter()
    sub = inst.county(county) if len(inst.counties) > 1 else inst
    officers = plan_county_officers(sub, county, options, stop)
    placed = None
    if auxiliaries and not across_counties(inst):
        placed = place_auxiliaries(sub, [county], options)[county]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB, the worker's peak
    return CountyPlan(
        county,
        officers,
        time.perf_counter() - t0,
        {"peak_mb": round(peak, 1), "pid": os.getpid()},
        placed,
        stopped=bool(stop is not None and stop.requested),
    )


def place_auxiliaries(
    inst: Instance, counties: list[str], options: SolveOptions
) -> dict[str, AuxiliaryResult]:
    """Each county's own placement of its auxiliaries (independent of its officers' plan)."""
    placed = {}
    for county in counties:
        sub = inst.county(county) if len(inst.counties) > 1 else inst
        placed[county] = plan_county_auxiliaries(sub, county, options)
    return placed


def across_counties(inst: Instance) -> bool:
    """AUX-TOWNSHIP's ``across_counties``: auxiliaries may serve a neighbouring township across a
    county line. Then placement is one problem over the whole bundle, solved after the counties'
    officer plans (a min-cost flow: seconds even for a province); otherwise each county places
    its own auxiliaries with its officers."""
    rule = inst.policy.rule("AUX-TOWNSHIP")
    return bool(rule.enabled and rule["across_counties"] and len(inst.counties) > 1)


def officer_plan_table(inst: Instance, plan: pd.DataFrame) -> pd.DataFrame:
    """officer_plan.csv: the contract's columns, one row per village (officer "" if none)."""
    vil = inst.villages.loc[plan["village_id"]]
    off = inst.officers.reindex(plan["officer_id"].where(plan["officer_id"] != ""))
    has = plan["officer_id"].to_numpy() != ""
    why = np.full(len(plan), "", dtype=object)
    if has.any():
        why[has] = reasons(inst, plan.loc[has].reset_index(drop=True))
    return pd.DataFrame(
        {
            "village_id": plan["village_id"].to_numpy(),
            "village_name": vil["name"].to_numpy(),
            "township_id": vil["township_id"].to_numpy(),
            "township_name": inst.townships.loc[vil["township_id"], "name"].to_numpy(),
            "officer_id": plan["officer_id"].to_numpy(),
            "officer_name": off["name"].fillna("").to_numpy(),
            "category": off["category"].fillna("").to_numpy(),
            "workload_days": np.where(has, plan.get("workload_days", np.nan), np.nan),
            "km": np.where(has, plan.get("km", np.nan), np.nan),
            "score": np.where(has, plan.get("score", np.nan), np.nan),
            "reasons": why,
            "pinned": np.where(has, plan.get("pinned", False), False).astype(bool),
        }
    )


def officer_kpis(
    inst: Instance,
    plan: pd.DataFrame,
    parts: list[dict] | None = None,
    known: pd.DataFrame | None = None,
) -> dict:
    """The officer KPIs of a plan (one row per village with village_id, officer_id).

    ``parts``: the counties' ``county_part`` KPIs, when their workers computed them beside the
    plan; otherwise they are computed here, county by county (a province's pair table at once
    would take gigabytes). ``known``: pair rows the engine built already (its pair table's
    rows for the plan, ``OfficerResult.pairs``), used when they hold every pair of the plan
    (a plan edited by hand may not): the same rows, without building them again."""
    chosen = plan.loc[plan["officer_id"] != "", ["officer_id", "village_id"]]
    pairs = _rows_for(chosen, known)
    if pairs is None:
        pairs = build_pairs(inst, chosen)
    scope = officers_in_scope(inst)
    if parts is None:
        parts = []
        for county in inst.counties:
            sub = inst.county(county) if len(inst.counties) > 1 else inst
            table = build_pairs(sub)
            eligible = table[table["eligible"]]
            limits = county_capacity(sub, county, eligible)
            own = pairs[pairs["county_id"] == county]
            # the county's own pair rows (its road network, as its worker sees it) when the plan
            # keeps to the county; a hand-made plan may not
            same = _rows_for(own, table)
            parts.append(county_part(sub, own if same is None else same, eligible, limits))
    load = loads(inst, pairs, scope)
    merged = merge_parts(parts)
    return {
        **plan_score(inst, pairs),
        "rules": merged["rules"],
        "preference_rank_profile": rank_profile(inst, pairs),
        "blocking_pairs": merged["blocking_pairs"],
        "load": load_summary(load),
    }


def _rows_for(pairs: pd.DataFrame, table: pd.DataFrame | None) -> pd.DataFrame | None:
    """The pair table's rows for ``pairs`` (officer_id, village_id), in their order, or None
    when the table does not hold every one of them (a plan edited by hand)."""
    if table is None:
        return None
    got = pairs[["officer_id", "village_id"]].merge(table, on=["officer_id", "village_id"])
    return got if len(got) == len(pairs) else None


def auxiliary_plan_table(results: list[AuxiliaryResult]) -> pd.DataFrame:
    """auxiliary_plan.csv: the contract's columns (and km, kept, pinned), one row per village."""
    frames = [r.plan for r in results]
    if not frames:
        return pd.DataFrame(columns=FILE_COLUMNS)
    plan = pd.concat(frames, ignore_index=True).sort_values("village_id", kind="stable")
    return plan[FILE_COLUMNS].reset_index(drop=True)


def auxiliary_kpis(aux: pd.DataFrame, parts: list[AuxiliaryResult]) -> dict:
    """The placement KPIs over every county (counts add up; distances over all villages)."""
    got = aux[aux["auxiliary_id"] != ""]
    km = got["km"].to_numpy(float)
    out = {
        "villages": len(aux),
        "covered": len(got),
        "uncovered": len(aux) - len(got),
        "same_township": int((got["relation"] == "same_township").sum()),
        "neighbour_township": int((got["relation"] == "neighbour_township").sum()),
        # AUX-TOWNSHIP's named exceptions (auxiliary_exceptions.csv), each with its reason
        "exceptions": int((got["relation"] == "exception").sum()),
        "km": {
            "min": round(float(km.min()), 2) if len(km) else None,
            "median": round(float(np.median(km)), 2) if len(km) else None,
            "max": round(float(km.max()), 2) if len(km) else None,
        },
        "points": round(float(got["score"].sum()), 2),
    }
    for key in ("recommended_honoured", "incumbents", "incumbents_kept", "incumbents_must_leave"):
        out[key] = int(sum(p.kpis.get(key, 0) for p in parts))
    return out


def assemble(
    inst: Instance,
    results: list[CountyPlan],
    options: SolveOptions,
    wall: float,
    checks: list[Violation],
    auxiliaries: list[AuxiliaryResult] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The merged officer and auxiliary plans and summary.json for the county results."""
    frames = [r.officers.plan for r in results]
    plan = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({"village_id": [], "officer_id": []})
    )
    table = officer_plan_table(inst, plan)
    aux_parts = (
        auxiliaries
        if auxiliaries is not None
        else [r.auxiliaries for r in results if r.auxiliaries is not None]
    )
    aux = auxiliary_plan_table(aux_parts)
    # each auxiliary's supervising officer: the village's responsibility-area officer (§三(三))
    aux["supervisor_id"] = off_area.supervisors(inst, table, aux["village_id"]).to_numpy(object)
    off = [r.officers for r in results]
    parts = {
        "officer": _part(off),
        "auxiliary": _part(aux_parts),
    }
    status = worst([o.status for o in off] + [a.status for a in aux_parts])
    objective = parts["officer"]["objective"] + parts["auxiliary"]["objective"]
    bounds = [parts[k]["best_bound"] for k in parts]
    bound = float(sum(bounds)) if None not in bounds else float("nan")
    gap = abs(bound - objective) / max(1.0, abs(objective)) if np.isfinite(bound) else None
    diagnostics = [d for o in off for d in o.diagnostics]
    diagnostics += [d for a in aux_parts for d in a.diagnostics]
    diagnostics += [v.as_dict() for v in checks]
    if checks and status in (Status.OPTIMAL, Status.FEASIBLE):
        status = Status.PARTIAL
    kpis = {
        "villages": len(inst.villages),
        "covered_by_officer": int((table["officer_id"] != "").sum()),
        "covered_by_auxiliary": int((aux["auxiliary_id"] != "").sum()),
        "officer": officer_kpis(
            inst,
            plan,
            None if any(o.kpi_part is None for o in off) else [o.kpi_part for o in off],
            None if any(o.pairs is None for o in off) else pd.concat([o.pairs for o in off]),
        ),
        "auxiliary": auxiliary_kpis(aux, aux_parts),
    }
    summary = {
        "status": status,
        "objective": round(objective, 2),
        "best_bound": round(bound, 2) if np.isfinite(bound) else None,
        "gap": None if gap is None else round(gap, 6),
        "wall_seconds": round(wall, 3),
        "build_seconds": round(sum(o.build_seconds for o in [*off, *aux_parts]), 3),
        "solve_seconds": round(sum(o.solve_seconds for o in [*off, *aux_parts]), 3),
        "parts": parts,
        "seed": options.seed,
        "workers": options.workers,
        "time_limit": options.time_limit,
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "policy": inst.policy.as_dict(),
        "kpis": kpis,
        # the rules this plan was judged by, with their violations (规则说明 reads 未检查 for
        # the rest); AUX-EXCHANGE limits a rotation's periods, not an annual plan
        "checks": checked_rules(inst, checks, ("officer", "auxiliary")),
        "diagnostics": diagnostics,
        "counties": [
            {
                "county_id": r.county,
                "name": inst.county_names.get(r.county, r.county),
                "status": r.officers.status,
                "objective": r.officers.objective,
                "best_bound": r.officers.best_bound,
                "gap": r.officers.gap,
                "seconds": round(r.seconds, 3),
                "backend": r.officers.backend,
                "pruning": r.officers.pruning,
                # each stage of a hard county's search, and every fallback, in the planner's words
                "search": list(r.officers.notes),
                "auxiliary_status": r.auxiliaries.status if r.auxiliaries else None,
                "villages": len(r.officers.plan),
                "covered_by_officer": int((r.officers.plan["officer_id"] != "").sum()),
                "covered_by_auxiliary": int((r.auxiliaries.plan["auxiliary_id"] != "").sum())
                if r.auxiliaries
                else 0,
                "reused": bool(r.extra.get("reused", False)),
                "worker_peak_mb": r.extra.get("peak_mb"),
            }
            for r in results
        ],
    }
    return table, aux, summary


def merge_records(
    records: list[dict],
    loads: list[dict],
    aux_table: pd.DataFrame,
    wall: float,
    across: tuple[AuxiliaryResult, list[Violation]] | None = None,
) -> dict:
    """summary.json of a bundle of several counties, from the counties' own records (what the
    county tasks wrote): sums, the worst status, KPIs added up or taken over every county's
    rows (loads, km). ``across``: the placement over every county and its checks, when
    AUX-TOWNSHIP ``across_counties`` made it one problem."""
    first = records[0]
    parts = {role: _merge_part([r["parts"][role] for r in records]) for role in ROLES}
    statuses = [r["status"] for r in records]
    diagnostics = [d for r in records for d in r["diagnostics"]]
    aux_kpis = auxiliary_kpis(aux_table, [])
    for key in ("recommended_honoured", "incumbents", "incumbents_kept", "incumbents_must_leave"):
        aux_kpis[key] = int(sum(r["kpis"]["auxiliary"].get(key, 0) for r in records))
    if across is not None:
        placed, checks = across
        parts["auxiliary"] = _part([placed])
        statuses.append(placed.status)
        diagnostics += placed.diagnostics + [v.as_dict() for v in checks]
        aux_kpis = auxiliary_kpis(aux_table, [placed])
        if checks:
            statuses.append(Status.PARTIAL)
    # the rules judged in any county, with their violations added up (and the checks of a
    # placement across counties)
    checks: dict[str, int] = {}
    for r in records:
        for rid, n in (r.get("checks") or {}).items():
            checks[rid] = checks.get(rid, 0) + int(n)
    if across is not None:
        for v in across[1]:
            checks[v.rule] = checks.get(v.rule, 0) + 1
    status = worst(statuses)
    objective = parts["officer"]["objective"] + parts["auxiliary"]["objective"]
    bounds = [parts[k]["best_bound"] for k in parts]
    bound = float(sum(bounds)) if None not in bounds else float("nan")
    gap = abs(bound - objective) / max(1.0, abs(objective)) if np.isfinite(bound) else None
    off = [r["kpis"]["officer"] for r in records]
    load = pd.DataFrame({k: np.concatenate([np.asarray(x[k], float) for x in loads]) for k in LOAD})
    avail = load["available_days"].to_numpy()
    load["utilisation"] = np.divide(
        load["days_used"].to_numpy(), avail, out=np.zeros(len(load)), where=avail > 0
    )
    merged = merge_parts(off)
    profile: dict[str, int] = {}
    for o in off:
        for rank, n in o["preference_rank_profile"].items():
            profile[rank] = profile.get(rank, 0) + n
    kpis = {
        "villages": sum(r["kpis"]["villages"] for r in records),
        "covered_by_officer": sum(r["kpis"]["covered_by_officer"] for r in records),
        "covered_by_auxiliary": int((aux_table["auxiliary_id"] != "").sum()),
        "officer": {
            "objective": round(sum(o["objective"] for o in off), 2),
            "score": round(sum(o["score"] for o in off), 2),
            "balance_penalty": round(sum(o["balance_penalty"] for o in off), 2),
            "rules": merged["rules"],
            "preference_rank_profile": dict(
                sorted(
                    profile.items(),
                    key=lambda kv: (kv[0] == "none", int(kv[0]) if kv[0] != "none" else 0),
                )
            ),
            "blocking_pairs": merged["blocking_pairs"],
            "load": load_summary(load.assign(villages=load["villages"].astype(int))),
        },
        "auxiliary": aux_kpis,
    }
    return {
        "status": status,
        "objective": round(objective, 2),
        "best_bound": round(bound, 2) if np.isfinite(bound) else None,
        "gap": None if gap is None else round(gap, 6),
        "wall_seconds": round(wall, 3),
        "build_seconds": round(sum(p["build_seconds"] for p in parts.values()), 3),
        "solve_seconds": round(sum(p["solve_seconds"] for p in parts.values()), 3),
        "parts": parts,
        **{k: first[k] for k in ("seed", "workers", "time_limit", "versions", "input")},
        "input_sha256": first["input_sha256"],
        "policy": first["policy"],
        "kpis": kpis,
        "checks": checks,
        "diagnostics": diagnostics,
        "counties": [c for r in records for c in r["counties"]],
    }


ROLES = ("officer", "auxiliary")
LOAD = ("villages", "days_used", "available_days")


def _merge_part(parts: list[dict]) -> dict:
    """One role's objective, bound, status and times over counties (from their records)."""
    obj = float(sum(p["objective"] for p in parts))
    bounds = [p["best_bound"] for p in parts]
    bound = float(sum(bounds)) if None not in bounds else float("nan")
    return {
        "status": worst([p["status"] for p in parts]),
        "objective": round(obj, 2),
        "best_bound": round(bound, 2) if np.isfinite(bound) else None,
        "gap": round(abs(bound - obj) / max(1.0, abs(obj)), 6) if np.isfinite(bound) else None,
        "build_seconds": round(sum(p["build_seconds"] for p in parts), 3),
        "solve_seconds": round(sum(p["solve_seconds"] for p in parts), 3),
        "backends": sorted({b for p in parts for b in p["backends"]}),
    }


def checked_rules(inst: Instance, found: list[Violation], subjects: tuple[str, ...]) -> dict:
    """Per rule judged on a plan of ``subjects`` ("officer", "auxiliary"): its number of
    violations in ``found`` (an annual plan is judged by AUX-EXCHANGE as a rotation's period
    1)."""
    counts = {rid: 0 for s in subjects for rid in judged(inst, s)}
    for v in found:
        counts[v.rule] = counts.get(v.rule, 0) + 1
    return counts


def _part(results: list) -> dict:
    """Objective, bound, gap, status and times of one role over all counties."""
    if not results:
        return {
            "status": Status.OPTIMAL,
            "objective": 0.0,
            "best_bound": 0.0,
            "gap": 0.0,
            "build_seconds": 0.0,
            "solve_seconds": 0.0,
            "backends": [],
        }
    obj = float(np.nansum([r.objective for r in results]))
    # a county without a proven bound (a search stopped before any) leaves the sum unbounded
    bounds = [r.best_bound for r in results]
    bound = float(sum(bounds)) if all(np.isfinite(b) for b in bounds) else float("nan")
    return {
        "status": worst([r.status for r in results]),
        "objective": round(obj, 2),
        "best_bound": round(bound, 2) if np.isfinite(bound) else None,
        "gap": round(abs(bound - obj) / max(1.0, abs(obj)), 6) if np.isfinite(bound) else None,
        "build_seconds": round(sum(r.build_seconds for r in results), 3),
        "solve_seconds": round(sum(r.solve_seconds for r in results), 3),
        "backends": sorted({r.backend for r in results}),
    }
