"""Planning the liaison officers of one county: candidates, model, solve, proof, diagnosis.

Candidate pairs are sparse (spopt's ``KNearestPMedian`` idea, with "nearest" measured by what
a pair can add to a plan): the LP over every eligible pair prices the villages, a Lagrangian bound
(``officer_bound``) then bounds the best plan through each pair, and CP-SAT finds the best plan
over each village's few best-bounded officers (with the LP's pairs, the greedy plan and every
pinned pair). A left-out pair whose bound cannot beat that plan is in no better plan; the model is
widened by exactly the others and solved again (HiGHS, from the plan found). So when the search
ends, the pruning provably cost nothing, and the result says so with the numbers.

When no officer's days can bind, the model is a transportation problem and is solved exactly as a
min-cost flow instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..input.instance import Instance
from ..solve.solvers import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    SolveResult,
    StopSearch,
    solve_cpsat,
    solve_highs,
)
from .bound import lagrangian_pair_bounds
from .flow import days_never_bind, solve_flow
from .greedy import solve_greedy
from .kpis import county_part
from .model import (
    SCALE,
    OfficerProblem,
    build_model,
    completion,
    county_capacity,
    make_problem,
)
from .pairs import build_pairs

PARTIAL = "PARTIAL"
EXPLAIN_NEXT = 3  # explain shows the next three officers of a village
# CP-SAT's share of a small county's search, in deterministic seconds (the same plan on every
# run); a plan it has not proven by then goes to HiGHS as a MIP start
SMALL_CPSAT_DTIME = 2.0


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
    pairs: pd.DataFrame | None = None  # each village's pair and best others (``explainable``)
    uncovered_penalty: float = 0.0
    kpi_part: dict | None = None  # officer_kpis.county_part, computed where the pair table is


def explainable(eligible: pd.DataFrame, plan: pd.DataFrame, k: int = EXPLAIN_NEXT + 1):
    """The pairs ``explain`` shows: per village its plan's pair and the k best-scoring others of
    all its eligible pairs (not only the final model's: the proof keeps just the pairs that
    could beat the plan, often none but the village's own)."""
    chosen = plan.loc[plan["officer_id"] != "", ["village_id", "officer_id"]]
    held = eligible[["village_id", "officer_id"]].merge(chosen, how="left", indicator=True)
    keep = held["_merge"].to_numpy() == "both"
    best = (
        eligible.assign(_row=np.arange(len(eligible)))
        .sort_values(["village_id", "score", "officer_id"], ascending=[True, False, True])
        .groupby("village_id", sort=False)
        .head(k)["_row"]
        .to_numpy()
    )
    keep[best] = True
    return eligible[keep].sort_values(["village_id", "officer_id"], kind="stable")


def chosen_rows(problem: OfficerProblem, res: SolveResult) -> np.ndarray:
    """Rows of the eligible pair table (``_pos``) that the solution takes."""
    return problem.pairs["_pos"].to_numpy()[np.flatnonzero(res.x[: problem.n_pairs])]


def plan_county_officers(
    inst: Instance,
    county: str,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 1,
    backend: str = "auto",
    stop: StopSearch | None = None,
) -> OfficerResult:
    """The officer plan of one county (``inst`` may hold more counties; only this one is used).

    ``backend``: "auto" (the engine: flow when exact, else CP-SAT, over pruned candidates with
    the proof when the county is large), "cp-sat-full" / "highs" (that solver on the model over
    all eligible pairs), "flow", "greedy".
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    sub = inst.county(county) if len(inst.counties) > 1 else inst
    table = build_pairs(sub)
    eligible = table[table["eligible"]].reset_index(drop=True)
    every = np.arange(len(eligible))
    eligible = eligible.assign(_pos=every)
    capacity = county_capacity(sub, county, eligible)
    limits = capacity.to_numpy()
    villages = sub.villages.index[sub.villages["county_id"] == county]
    reachable = bool(villages.isin(eligible["village_id"]).all())
    full = make_problem(sub, county, eligible, every, limits=limits)
    greedy_pairs = np.flatnonzero(solve_greedy(full).x)
    covers = reachable and len(np.unique(full.pair_village[greedy_pairs])) == len(villages)
    build = time.perf_counter() - t0
    info: dict = {"eligible_pairs": len(eligible), "all_pairs": len(table), "rounds": []}

    def left() -> float:
        return max(0.1, deadline - time.perf_counter())

    def solve(
        rows: np.ndarray,
        how: str,
        limit: float,
        cover_all: bool,
        hint_rows=None,
        presolve: bool = True,
        params: dict | None = None,
    ):
        nonlocal build
        t = time.perf_counter()
        problem = make_problem(sub, county, eligible, rows, cover_all=cover_all, limits=limits)
        model = build_model(problem)
        build += time.perf_counter() - t
        hint = None
        if hint_rows is not None:
            hint = completion(
                problem, model, np.flatnonzero(problem.pairs["_pos"].isin(hint_rows).to_numpy())
            )
        if how == "highs":
            return (
                problem,
                model,
                solve_highs(
                    model, time_limit=limit, seed=seed, hint=hint, stop=stop, presolve=presolve
                ),
            )
        if how == "cp-sat":
            return (
                problem,
                model,
                solve_cpsat(
                    model,
                    time_limit=limit,
                    seed=seed,
                    workers=workers,
                    hint=hint,
                    stop=stop,
                    params=params,
                ),
            )
        res = solve_flow(problem) if how == "flow" else solve_greedy(problem)
        x = completion(problem, model, np.flatnonzero(res.x))
        res.x, res.objective = x, float(model.value(x))
        if how == "flow":
            res.bound = res.objective
        return problem, model, res

    def done(problem, res, candidates: int, lossless: bool, how: str) -> OfficerResult:
        if res.x is None and res.status != INFEASIBLE:
            # stopped (time, Ctrl-C) before any plan: the greedy plan is the best one known
            problem, _, res = solve(every, "greedy", 0, cover_all=False)
            res.status, res.bound = FEASIBLE, float("nan")
            how += "; the search stopped before it found a plan: this is the greedy plan"
        info.update(candidate_pairs=candidates, lossless=lossless, how=how)
        result = _result(
            sub,
            county,
            problem,
            res,
            table,
            eligible,
            info,
            build,
            time.perf_counter() - t0 - build,
        )
        chosen = result.plan[result.plan["officer_id"] != ""]
        result.kpi_part = county_part(sub, chosen, eligible, capacity)
        return result

    def exact_over_all(how: str, portfolio: bool = False) -> OfficerResult:
        """Every eligible pair in the model: cover every village if that can be done, else as
        many as can be (the slower model with uncovered villages at a penalty).

        ``portfolio``: CP-SAT for a deterministic time, then, when it has not proven its plan,
        HiGHS from that plan for the time left (the hard OR-Library GAP instances: CP-SAT
        alone 0.08 % short on c20200 and 2.2 % on d20100 in 60 s; HiGHS proves c20200 in 8 s)."""
        if not reachable:
            problem, _, res = solve(every, how, left(), cover_all=False)
        elif portfolio and how == "cp-sat":
            problem, _, res = solve(
                every,
                how,
                left(),
                cover_all=True,
                params={"max_deterministic_time": SMALL_CPSAT_DTIME},
            )
            if res.status == FEASIBLE and not res.stats.get("stopped") and left() > 1.0:
                chosen = chosen_rows(problem, res)
                problem2, _, res2 = solve(every, "highs", left(), cover_all=True, hint_rows=chosen)
                bound = min(res.bound, res2.bound) if np.isfinite(res2.bound) else res.bound
                if res2.x is not None and res2.objective >= res.objective:
                    problem, res = problem2, res2
                    res.backend = "cp-sat then highs"
                res.bound = bound
                res.status = OPTIMAL if bound <= res.objective + 0.5 else FEASIBLE
        else:
            problem, _, res = solve(every, how, left(), cover_all=True)
            if res.x is None and not res.stats.get("stopped"):
                # no full cover (proven, or none found in time): the plan that covers most
                extra = left() if res.status == INFEASIBLE else max(1.0, 0.1 * time_limit)
                problem, _, res = solve(every, how, extra, cover_all=False, hint_rows=greedy_pairs)
        return done(problem, res, len(eligible), True, "all eligible pairs are in the model")

    if backend in ("flow", "greedy", "highs", "cp-sat-full"):
        how = "cp-sat" if backend == "cp-sat-full" else backend
        if how in ("flow", "greedy"):
            problem, _, res = solve(every, how, 0, cover_all=covers)
            return done(problem, res, len(eligible), True, "all eligible pairs are in the model")
        return exact_over_all(how)
    if reachable and days_never_bind(full):
        problem, _, res = solve(every, "flow", 0, cover_all=covers)
        return done(
            problem,
            res,
            len(eligible),
            True,
            "no officer's days can bind: solved exactly as a min-cost flow over all eligible pairs",
        )
    if len(eligible) <= inst.policy.get("solver", "prune_above_pairs") or not covers:
        return exact_over_all("cp-sat", portfolio=True)

    # Large county with a known full cover. The LP over every eligible pair first: its duals
    # price every pair, and one knapsack per officer then bounds the best plan through each pair
    # (a Lagrangian relaxation, far tighter than the LP over candidates alone).
    t2 = time.perf_counter()
    full_model = build_model(replace(full, cover_all=True))
    # without presolve: 0.11 s against 0.51 s on the sample county's 65,000 pairs (any optimal
    # duals give a valid bound)
    lp = solve_highs(full_model, relax=True, time_limit=left(), presolve=False)
    y = lp.stats["duals"][full_model.row_groups["cover"]]
    pv = full.pair_village
    pb = lagrangian_pair_bounds(
        y,
        full.pair_officer,
        pv,
        full.score,
        full.workload,
        full.days,
        limits,
        full.share,
        full.extra_village_cost,
    )
    build += time.perf_counter() - t2
    # Candidates: per village the k officers with the best bound through it (the pairs most
    # likely in an optimal plan), the LP's own pairs and the greedy plan (a full cover, so the
    # model is feasible). Measured against the earlier 12 nearest + 12 best-scoring + 12 by
    # bound (9,000 pairs): CP-SAT reaches the same or a near-optimal plan 2-5x sooner, and the
    # proof below makes up the rest (sample county 2.4 s -> 1.2 s, city 25 s -> 13 s).
    k = int(inst.policy.get("solver", "candidate_by_bound"))
    by_bound = (
        pd.DataFrame({"v": pv, "b": pb.pair_bound, "pos": every})
        .sort_values(["v", "b", "pos"], ascending=[True, False, True])
        .groupby("v", sort=False)
        .head(k)["pos"]
        .to_numpy()
    )
    lp_pairs = np.flatnonzero(lp.x[: len(eligible)] > 1e-6)
    pinned = np.flatnonzero(eligible["pinned"].to_numpy(bool))
    start = np.unique(np.concatenate([by_bound, lp_pairs, greedy_pairs, pinned]))
    problem, _model, res = solve(start, "cp-sat", left() * 0.4, cover_all=True)
    info["rounds"].append(
        {"pairs": len(start), "status": res.status, "objective": res.objective / SCALE}
    )
    if res.x is None or res.stats.get("stopped"):
        return done(
            problem,
            res,
            len(start),
            False,
            "not proven: the search stopped before the pruning check",
        )
    # The proof: a left-out pair whose bound cannot beat the plan found is in no better plan.
    z = res.objective
    chosen = chosen_rows(problem, res)
    survive = np.union1d(np.flatnonzero(pb.pair_bound > z + 0.5), chosen)
    survive = np.union1d(survive, pinned)
    outside = np.setdiff1d(survive, start)
    info["rounds"][-1].update(
        lp_bound=lp.objective / SCALE,
        lagrangian_bound=pb.bound / SCALE,
        could_improve=len(survive),
        outside=len(outside),
    )
    if not len(outside) and res.status == OPTIMAL:
        return done(
            problem,
            res,
            len(start),
            True,
            f"the {len(eligible) - len(start)} left-out pairs each have a Lagrangian "
            "bound below the plan's score",
        )
    # The widened model holds just the pairs that compete closely: a hard core. There HiGHS's
    # cuts prove optimality several times faster than CP-SAT (sample county 2.6 s against 13 s;
    # 22,000 pairs 5-11 s against 25-60 s), started from CP-SAT's plan (a MIP start; as a CP-SAT
    # hint the same plan slowed CP-SAT down), and without HiGHS's MIP presolve (2-4x faster
    # here: 29,000 pairs 5.4 s against 22 s).
    how = inst.policy.get("solver", "proof_backend")
    hint_rows = chosen if how == "highs" else None
    problem2, _, res2 = solve(
        survive, how, left(), cover_all=True, hint_rows=hint_rows, presolve=False
    )
    info["rounds"].append(
        {
            "pairs": len(survive),
            "status": res2.status,
            "backend": how,
            "objective": res2.objective / SCALE,
        }
    )
    if res2.x is None or res2.objective < z:
        problem2, res2 = problem, res  # keep the first plan (the wider search found no better)
    else:
        res2.backend = f"{res.backend} then {res2.backend}"
    # L bounds every plan over all pairs, and so does the widened model's bound: keep the lower
    res2.bound = min(res2.bound, pb.bound) if np.isfinite(res2.bound) else pb.bound
    if res2.status != OPTIMAL and res2.bound <= res2.objective + 0.5:
        res2.status = OPTIMAL
    return done(
        problem2,
        res2,
        len(survive),
        True,
        f"widened by the {len(outside)} left-out pairs whose Lagrangian bound could "
        f"beat the first plan; the other {len(eligible) - len(survive)} cannot",
    )


def _result(
    inst,
    county,
    problem: OfficerProblem,
    res: SolveResult,
    table,
    eligible,
    info,
    build,
    solve_seconds,
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
        if res.backend == "greedy":
            status = FEASIBLE
        if uncovered:
            status = PARTIAL
        obj = res.objective / SCALE
        bound = res.bound / SCALE if np.isfinite(res.bound) else np.nan
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
    plan = plan.drop(columns=["_pos"], errors="ignore")
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
        info,
        diagnostics,
        explainable(eligible, plan).drop(columns=["_pos"], errors="ignore"),
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
            "villages": sorted(uncovered),
            "officers": [],
            "days": 0.0,
            "places": 0,
            "at_most": 0,
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
