"""The plan a bureau makes by hand: best pair first, while the officer has room.

A baseline for benchmarks (and a warm start): it ignores how one choice blocks a better one.
"""

from __future__ import annotations

import time

import numpy as np

from ..solve.result import SolveResult
from ..solve.status import Status
from .model import OfficerProblem


def solve_greedy(problem: OfficerProblem) -> SolveResult:
    t0 = time.perf_counter()
    n_v = len(problem.villages)
    days_left = problem.days.copy()
    count_left = problem.limit.copy()
    covered = np.zeros(n_v, dtype=bool)
    x = np.zeros(problem.n_pairs, dtype=np.int64)
    for p in np.flatnonzero(problem.pinned):
        o, v = problem.pair_officer[p], problem.pair_village[p]
        x[p], covered[v] = 1, True
        days_left[o] -= problem.workload[p]
        count_left[o] -= 1
    # stable order: score, then the pair's position, so the baseline is deterministic
    order = np.lexsort((np.arange(problem.n_pairs), -problem.score))
    for p in order.tolist():
        o, v = problem.pair_officer[p], problem.pair_village[p]
        if covered[v] or count_left[o] <= 0 or days_left[o] < problem.workload[p]:
            continue
        x[p], covered[v] = 1, True
        days_left[o] -= problem.workload[p]
        count_left[o] -= 1
    return SolveResult(
        x, Status.FEASIBLE, float("nan"), float("nan"), time.perf_counter() - t0, "greedy"
    )
