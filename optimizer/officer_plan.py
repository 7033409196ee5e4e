"""Planning the liaison officers of one county: candidates, model, solve, proof, diagnosis.

Candidate pairs are sparse (spopt's ``KNearestPMedian`` idea): each village starts with its
nearest and best-scoring officers. The LP relaxation over the candidates (HiGHS) gives duals; with
them every left-out pair gets a reduced cost ``rc``, and

    L = LP value + Σ_{left out} max(0, rc)

bounds every plan over *all* pairs (Lagrangian duality). A left-out pair can be part of a plan
better than the incumbent ``z`` only if ``L − max(0, rc) + rc > z``. Pairs that pass that test are
added and the model is solved again, so when the loop ends the pruning provably cost nothing;
``pruning`` in the result says so with the numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .greedy import solve_greedy
from .instance import Instance
from .officer_flow import days_never_bind, solve_flow
from .officer_model import (
    SCALE,
    OfficerProblem,
    build_model,
    completion,
    make_problem,
    officers_in_scope,
)
from .officer_pairs import build_pairs
from .solvers import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    SolveResult,
    StopSearch,
    solve_cpsat,
    solve_highs,
)

PARTIAL = "PARTIAL"


@dataclass
class OfficerResult:
    county: str
    plan: pd.DataFrame  # one row per village: the chosen pair's columns, officer "" if uncovered
    status: str  # OPTIMAL / FEASIBLE / PARTIAL / INFEASIBLE
    objective: float  # points (uncovered villages at -uncovered_penalty each)
    best_bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    backend: str
    pruning: dict
    diagnostics: list[dict] = field(default_factory=list)
    pairs: pd.DataFrame | None = None  # the candidate pairs (for explanations)
    uncovered_penalty: float = 0.0


def initial_candidates(eligible: pd.DataFrame, k: int) -> np.ndarray:
    """Rows of ``eligible`` to start with: per village the k nearest and the k best-scoring
    officers, and every pinned, incumbent or wished-for pair."""
    if eligible.empty:
        return np.zeros(0, dtype=np.int64)
    pos = np.arange(len(eligible))
    frame = pd.DataFrame(
        {
            "v": eligible["village_id"].to_numpy(),
            "km": eligible["km"].to_numpy(),
            "s": eligible["score"].to_numpy(),
            "pos": pos,
        }
    )
    near = frame.sort_values(["v", "km", "pos"]).groupby("v", sort=False).head(k)["pos"]
    best = (
        frame.sort_values(["v", "s", "pos"], ascending=[True, False, True])
        .groupby("v", sort=False)
        .head(k)["pos"]
    )
    wished = np.zeros(len(eligible), dtype=bool)
    for col in eligible.columns:
        if col.startswith("m:") and col not in ("m:OFF-LIFE",):
            wished |= eligible[col].to_numpy(float) > 0
    keep = np.zeros(len(eligible), dtype=bool)
    keep[near.to_numpy()] = True
    keep[best.to_numpy()] = True
    keep |= wished | eligible["pinned"].to_numpy(bool)
    return np.flatnonzero(keep)


def reduced_costs(
    problem: OfficerProblem, model, duals: np.ndarray, eligible: pd.DataFrame, rows: np.ndarray
) -> np.ndarray:
    """Reduced cost (hundredths) of eligible pairs ``rows`` under the LP duals of ``model``."""
    pairs = eligible.iloc[rows]
    o = problem.officers.index.get_indexer(pairs["officer_id"])
    v = problem.villages.get_indexer(pairs["village_id"])
    s = np.round(pairs["score"].to_numpy(float) * SCALE)
    w = np.round(pairs["workload_days"].to_numpy(float) * SCALE)
    g = model.row_groups
    rc = s - duals[g["cover"]][v] - w * duals[g["days"]][o]
    if "count" in g:
        has_max = problem.max_villages >= 0
        y = np.zeros(len(problem.officers))
        y[has_max] = duals[g["count"]]
        rc -= y[o]
    if "balance" in g:
        rc -= duals[g["balance"]][o]
    return rc


def plan_county_officers(
    inst: Instance,
    county: str,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    backend: str = "auto",
    stop: StopSearch | None = None,
) -> OfficerResult:
    """The officer plan of one county (``inst`` may hold more counties; only this one is used)."""
    t0 = time.perf_counter()
    sub = inst.county(county) if len(inst.counties) > 1 else inst
    table = build_pairs(sub)
    eligible = table[table["eligible"]].reset_index(drop=True)
    k = int(inst.policy.get("solver", "candidate_neighbours"))
    cand = initial_candidates(eligible, k)
    n_v = int((sub.villages["county_id"] == county).sum())
    if backend in ("flow", "greedy", "highs") or (backend == "auto" and n_v == 0):
        cand = np.arange(len(eligible))
    problem = make_problem(sub, county, eligible, cand)
    if backend == "auto" and days_never_bind(
        make_problem(sub, county, eligible, np.arange(len(eligible)))
    ):
        backend = "flow"
        cand = np.arange(len(eligible))
        problem = make_problem(sub, county, eligible, cand)
    build = time.perf_counter() - t0
    rounds: list[dict] = []
    solve_seconds = 0.0
    while True:
        t1 = time.perf_counter()
        model = build_model(problem)
        build += time.perf_counter() - t1
        if backend == "flow":
            res = solve_flow(problem)
            x = completion(problem, model, np.flatnonzero(res.x))
            res.x, res.objective = x, float(model.value(x))
            res.bound = res.objective
        elif backend == "greedy":
            res = solve_greedy(problem)
            x = completion(problem, model, np.flatnonzero(res.x))
            res.x, res.objective = x, float(model.value(x))
        elif backend == "highs":
            res = solve_highs(model, time_limit=time_limit, threads=workers, seed=seed)
        else:
            hint_res = solve_greedy(problem)
            hint = completion(problem, model, np.flatnonzero(hint_res.x))
            res = solve_cpsat(
                model, time_limit=time_limit, seed=seed, workers=workers, hint=hint, stop=stop
            )
        solve_seconds += res.seconds + res.stats.get("build_seconds", 0.0)
        if res.x is None or (backend != "auto" and backend != "cp-sat"):
            break
        if res.stats.get("stopped"):
            break
        # the proof that left-out pairs cannot improve the plan
        t2 = time.perf_counter()
        lp = solve_highs(model, relax=True, time_limit=time_limit)
        out = np.setdiff1d(np.arange(len(eligible)), cand)
        rc = reduced_costs(problem, model, lp.stats["duals"], eligible, out)
        lag = lp.objective + np.maximum(rc, 0).sum()
        with_pair = lag - np.maximum(rc, 0) + rc
        need = out[with_pair >= res.objective + 0.5]
        solve_seconds += time.perf_counter() - t2
        rounds.append(
            {
                "candidates": len(cand),
                "lp_bound": lp.objective / SCALE,
                "lagrangian_bound": lag / SCALE,
                "incumbent": res.objective / SCALE,
                "added": len(need),
            }
        )
        if not len(need):
            break
        cand = np.union1d(cand, need)
        problem = make_problem(sub, county, eligible, cand)
    return _result(
        sub,
        county,
        problem,
        model,
        res,
        table,
        eligible,
        cand,
        rounds,
        build,
        solve_seconds,
        backend,
    )


def _result(
    inst,
    county,
    problem,
    model,
    res: SolveResult,
    table,
    eligible,
    cand,
    rounds,
    build,
    solve_seconds,
    backend,
) -> OfficerResult:
    villages = problem.villages
    if res.x is None:
        plan = pd.DataFrame({"village_id": villages, "officer_id": ""})
        status, obj, bound = (INFEASIBLE if res.status == INFEASIBLE else UNKNOWN), np.nan, np.nan
    else:
        chosen = problem.pairs.iloc[np.flatnonzero(res.x[: problem.n_pairs] > 0)]
        plan = pd.DataFrame({"village_id": villages}).merge(chosen, on="village_id", how="left")
        plan["officer_id"] = plan["officer_id"].fillna("")
        uncovered = int((plan["officer_id"] == "").sum())
        status = res.status if res.status in (OPTIMAL, FEASIBLE) else FEASIBLE
        if backend == "greedy":
            status = FEASIBLE
        if uncovered:
            status = PARTIAL
        obj = res.objective / SCALE
        bound = res.bound / SCALE if np.isfinite(res.bound) else np.nan
    full = len(cand) == len(eligible)
    pruning = {
        "eligible_pairs": len(eligible),
        "candidate_pairs": len(cand),
        "all_pairs": len(table),
        "rounds": rounds,
        "lossless": bool(full or (rounds and rounds[-1]["added"] == 0)),
        "how": (
            "all eligible pairs are in the model"
            if full
            else "every left-out pair has a reduced cost that cannot beat the plan"
            if rounds and rounds[-1]["added"] == 0
            else "not proven: the search stopped before the pruning check"
        ),
    }
    gap = (
        (abs(bound - obj) / max(1.0, abs(obj)))
        if np.isfinite(bound) and np.isfinite(obj)
        else float("nan")
    )
    diagnostics = (
        diagnose_uncovered(inst, problem, plan, eligible, table)
        if status in (PARTIAL, INFEASIBLE)
        else []
    )
    return OfficerResult(
        county,
        plan,
        status,
        obj,
        bound,
        gap,
        build,
        solve_seconds,
        res.backend,
        pruning,
        diagnostics,
        problem.pairs,
        problem.uncovered_penalty / SCALE,
    )


def diagnose_uncovered(
    inst: Instance,
    problem: OfficerProblem,
    plan: pd.DataFrame,
    eligible: pd.DataFrame,
    table: pd.DataFrame,
) -> list[dict]:
    """Why villages stay without an officer, in the planner's words, with a counting proof.

    S: the uncovered villages and every village that only their possible officers N(S) can
    cover. N(S) has D days and K places; S's villages need at least their cheapest workload
    each. If the cheapest t villages of S already use up D (or t > K), at most t can be covered.
    """
    out: list[dict] = []
    uncovered = plan.loc[plan["officer_id"] == "", "village_id"].tolist()
    if not uncovered:
        return out
    used = (
        plan[plan["officer_id"] != ""]
        .groupby("officer_id")
        .agg(n=("village_id", "size"), days=("workload_days", "sum"))
    )
    for v in uncovered:
        who = eligible[eligible["village_id"] == v]
        name = inst.villages.at[v, "name"]
        tw = inst.townships.at[inst.villages.at[v, "township_id"], "name"]
        if who.empty:
            why = table.loc[table["village_id"] == v, "why_not"].value_counts()
            reasons = (
                "; ".join(f"{n} officer(s): {r}" for r, n in why.items())
                or "the county has no officers"
            )
            out.append(
                {
                    "rule": "OFF-COVER",
                    "message": f"village {v} {name} ({tw}) has no "
                    f"officer who may cover it ({reasons})",
                    "ids": [v],
                }
            )
            continue
        parts, ids = [], [v]
        for o, w in zip(who["officer_id"], who["workload_days"], strict=True):
            off = inst.officers.loc[o]
            n = int(used["n"].get(o, 0))
            d = float(used["days"].get(o, 0.0))
            mx = off["max_villages"]
            if pd.notna(mx) and n >= int(mx):
                limit = f"holds {n} of at most {int(mx)} villages"
            else:
                limit = f"uses {d:.2f} of {off['available_days']:g} days, needs {w:.2f} more"
            parts.append(f"{o} {off['name']} {limit}")
            ids.append(o)
        shown = "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")
        out.append(
            {
                "rule": "OFF-LOAD",
                "message": f"village {v} {name} ({tw}) has no officer: "
                f"the {len(parts)} officer(s) who could take it are full ({shown})",
                "ids": ids,
            }
        )
    cert = shortage_certificate(problem, eligible, uncovered)
    if cert:
        out.append(cert)
    return out


def shortage_certificate(
    problem: OfficerProblem, eligible: pd.DataFrame, uncovered: list[str]
) -> dict | None:
    """A set of villages and the officers who alone can cover them, whose days or places are
    too few: a proof by counting that at least ``short`` villages must stay uncovered."""
    officers_of = eligible.groupby("village_id")["officer_id"].agg(frozenset)
    n_set = frozenset().union(*(officers_of.get(v, frozenset()) for v in uncovered))
    s_set = [v for v, offs in officers_of.items() if offs <= n_set]
    s_set = sorted(set(s_set) | set(uncovered))
    if not n_set:
        return {
            "rule": "OFF-COVER",
            "message": f"{len(uncovered)} village(s) have no officer who may cover them",
            "ids": sorted(uncovered),
            "short": len(uncovered),
        }
    off = problem.officers.loc[sorted(n_set)]
    days = float(off["available_days"].sum())
    places = off["max_villages"].astype("Float64")
    places_total = int(places.fillna(len(s_set)).sum())
    cheapest = (
        eligible[eligible["village_id"].isin(s_set)]
        .groupby("village_id")["workload_days"]
        .min()
        .sort_values()
    )
    fit = int(np.searchsorted(np.cumsum(cheapest.to_numpy()), days + 1e-9, side="right"))
    t = min(fit, places_total, len(s_set))
    short = len(s_set) - t
    if short <= 0:
        return None
    return {
        "rule": "OFF-LOAD",
        "message": (
            f"{len(s_set)} villages can only be covered by the same {len(n_set)} "
            f"officers, who have {days:g} days a month and {places_total} places; the "
            f"villages need at least {cheapest.sum():.2f} days, so at most {t} of them "
            f"can have an officer ({short} short)"
        ),
        "ids": [*s_set, *sorted(n_set)],
        "villages": s_set,
        "officers": sorted(n_set),
        "days": days,
        "places": places_total,
        "at_most": t,
        "short": short,
    }


def officer_scope(inst: Instance) -> pd.DataFrame:
    return officers_in_scope(inst)
