"""Small officer problems and their exact optimum by brute force, for the engine's direct tests.

Each problem is drawn with every side of the model: pairs missing, count limits, a fair share with
its penalty, pinned pairs, and villages that may stay uncovered at the penalty.
"""

from __future__ import annotations

import itertools

import numpy as np

from cunjing.optimizer.officers.core import gap_problem
from cunjing.optimizer.officers.model import OfficerProblem, build_model, completion


def tiny_problem(
    seed: int,
    officers: int = 3,
    villages: int = 6,
    *,
    extra: int = 0,
    pins: int = 0,
    max_villages: bool = False,
    tight: float = 0.5,
    cover_all: bool = False,
) -> OfficerProblem:
    """A random problem small enough to enumerate (officers + 1)^villages plans."""
    rng = np.random.default_rng(seed)
    m, n = officers, villages
    workload = rng.integers(50, 300, size=(m, n))
    score = rng.integers(-500, 800, size=(m, n))
    eligible = rng.random((m, n)) < 0.8
    eligible[rng.integers(0, m, size=n), np.arange(n)] = True
    days = np.round(tight * workload.sum(axis=1) / m * 2).astype(np.int64) + 100
    mx = rng.integers(1, n, size=m) if max_villages else None
    share = rng.integers(0, 3, size=m) if extra else None
    pinned = None
    if pins:
        pinned = np.zeros((m, n), dtype=bool)
        for v in rng.choice(n, size=pins, replace=False):
            o = int(np.flatnonzero(eligible[:, v])[0])
            pinned[o, v] = True
            workload[o, v] = min(workload[o, v], 100)
    return gap_problem(
        score,
        workload,
        days,
        eligible=eligible,
        max_villages=mx,
        share=share,
        extra_village_cost=extra,
        pinned=pinned,
        cover_all=cover_all,
    )


def plans(problem: OfficerProblem):
    """Every plan that keeps the hard rules, as arrays of chosen pair indices."""
    n_v = len(problem.villages)
    options = [[-1] for _ in range(n_v)]
    for p in range(problem.n_pairs):
        options[problem.pair_village[p]].append(p)
    pinned = np.flatnonzero(problem.pinned)
    for v in problem.pair_village[pinned]:
        options[v] = [p for p in options[v] if p >= 0 and problem.pinned[p]]
    if problem.cover_all:
        options = [[p for p in opt if p >= 0] for opt in options]
    mx = np.where(problem.max_villages >= 0, problem.max_villages, n_v)
    for combo in itertools.product(*options):
        chosen = np.array([p for p in combo if p >= 0], dtype=np.int64)
        o = problem.pair_officer[chosen]
        load = np.bincount(o, weights=problem.workload[chosen], minlength=len(problem.officers))
        cnt = np.bincount(o, minlength=len(problem.officers))
        if np.all(load <= problem.days) and np.all(cnt <= mx):
            yield chosen


def value(problem: OfficerProblem, chosen: np.ndarray) -> int:
    """The model's objective of a plan, computed by hand (scores, fair share, uncovered)."""
    o = problem.pair_officer[chosen]
    cnt = np.bincount(o, minlength=len(problem.officers))
    covered = len(np.unique(problem.pair_village[chosen]))
    penalty = 0 if problem.cover_all else problem.uncovered_penalty
    return int(
        problem.score[chosen].sum()
        - problem.extra_village_cost * np.maximum(cnt - problem.share, 0).sum()
        - penalty * (len(problem.villages) - covered)
    )


def optimum(problem: OfficerProblem) -> tuple[int, np.ndarray | None]:
    """The best plan by enumeration, and its value (checked against the linear model's)."""
    best, best_plan = None, None
    model = build_model(problem)
    for chosen in plans(problem):
        v = value(problem, chosen)
        if best is None or v > best:
            best, best_plan = v, chosen
    if best_plan is not None:
        assert model.value(completion(problem, model, best_plan)) == best
    return (best if best is not None else -(2**62)), best_plan
