"""Exact officer plans as a min-cost flow, when no officer's days can bind.

If, for every officer, even his most demanding candidate villages up to his maximum count fit
his days, OFF-LOAD's day rows are redundant and the model is a transportation problem: its LP is
integral and OR-Tools' min-cost flow solves it exactly (max coverage first, then best score).

    source ─(K_o: f_o arcs free, the rest at b each)─▶ officer ─(1, −s_p)─▶ village ─(1)─▶ sink
"""

from __future__ import annotations

import time

import numpy as np

from ..solve.result import SolveResult
from ..solve.status import Status
from .model import OfficerProblem


def days_never_bind(problem: OfficerProblem) -> bool:
    """True when, for every officer, his most demanding candidate villages up to his maximum
    count fit his days: then the day rows can never bind."""
    order = np.lexsort((-problem.workload, problem.pair_officer))
    po = problem.pair_officer[order]
    wl = problem.workload[order]
    start = np.searchsorted(po, np.arange(len(problem.officers)))
    rank = np.arange(len(po)) - start[po]
    counted = rank < problem.limit[po]
    need = np.bincount(po[counted], weights=wl[counted], minlength=len(problem.officers))
    return bool(np.all(need <= problem.days))


def solve_flow(problem: OfficerProblem) -> SolveResult:
    from ortools.graph.python import min_cost_flow

    t0 = time.perf_counter()
    n_o, n_v = len(problem.officers), len(problem.villages)
    pinned = np.flatnonzero(problem.pinned)
    held = np.bincount(problem.pair_officer[pinned], minlength=n_o)
    taken = np.zeros(n_v, dtype=bool)
    taken[problem.pair_village[pinned]] = True
    free = np.flatnonzero(~problem.pinned & ~taken[problem.pair_village])
    source, sink = n_o + n_v, n_o + n_v + 1
    cap = np.maximum(problem.limit - held, 0)
    share = np.maximum(problem.share - held, 0)
    f = min_cost_flow.SimpleMinCostFlow()
    free_part = np.minimum(cap, share)
    dear_part = cap - free_part
    tails = [
        np.full(n_o, source),
        np.full(n_o, source),
        problem.pair_officer[free],
        n_o + np.arange(n_v),
    ]
    heads = [np.arange(n_o), np.arange(n_o), n_o + problem.pair_village[free], np.full(n_v, sink)]
    caps = [free_part, dear_part, np.ones(len(free), np.int64), (~taken).astype(np.int64)]
    costs = [
        np.zeros(n_o, np.int64),
        np.full(n_o, problem.extra_village_cost, np.int64),
        -problem.score[free],
        np.zeros(n_v, np.int64),
    ]
    # pinned villages already count towards an officer's fair share
    costs[1] = np.where(held >= problem.share, problem.extra_village_cost, costs[1])
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    supply = np.zeros(n_o + n_v + 2, np.int64)
    supply[source], supply[sink] = n_v, -n_v  # as much as can flow: max flow, then min cost
    f.set_nodes_supplies(np.arange(n_o + n_v + 2), supply)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    status = f.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - t1
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    flows = f.flows(arcs)
    pair_arcs = flows[2 * n_o : 2 * n_o + len(free)]
    x = np.zeros(problem.n_pairs, dtype=np.int64)
    x[free[pair_arcs > 0]] = 1
    x[pinned] = 1
    return SolveResult(
        x,
        Status.OPTIMAL,
        float("nan"),
        float("nan"),
        seconds,
        "min-cost-flow",
        {"build_seconds": build},
    )
