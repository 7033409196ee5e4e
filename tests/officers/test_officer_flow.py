"""The officer flow (``officers/flow.py``) against CP-SAT on the same model, when days cannot bind.

The engine solves a county as a min-cost flow whenever ``days_never_bind`` says so, without ever
running the integer model: the flow must then reach the model's optimum (as many villages
covered, then the best score less the balance cost), with the pinned pairs held.
"""

from __future__ import annotations

import itertools

import numpy as np
from gap_problems import SETTINGS, loose_problem, seeds
from hypothesis import given

from cunjing.optimizer.officers.flow import days_never_bind, solve_flow
from cunjing.optimizer.officers.model import OfficerProblem, build_model, completion
from cunjing.optimizer.solve.cpsat import solve_cpsat


def days_bind_somewhere(problem: OfficerProblem) -> bool:
    """Some officer has a set of his villages, no more than his count, beyond his days."""
    for o in range(len(problem.officers)):
        mine = np.flatnonzero(problem.pair_officer == o).tolist()
        for k in range(1, min(len(mine), int(problem.limit[o])) + 1):
            for s in itertools.combinations(mine, k):
                if problem.workload[list(s)].sum() > problem.days[o]:
                    return True
    return False


@SETTINGS
@given(seed=seeds)
def test_days_never_bind_says_whether_a_set_of_villages_can_exceed_the_days(seed):
    problem = loose_problem(seed, slack=(-4, 2))
    assert days_never_bind(problem) == (not days_bind_somewhere(problem))


@SETTINGS
@given(seed=seeds)
def test_flow_reaches_the_cpsat_optimum_when_days_cannot_bind(seed):
    problem = loose_problem(seed)
    assert days_never_bind(problem)
    model = build_model(problem)
    exact = solve_cpsat(model, time_limit=30, seed=0, workers=1)
    flow = solve_flow(problem)
    assert flow.status == "OPTIMAL"
    chosen = np.flatnonzero(flow.x)
    # a plan: one officer a village at most, every pinned pair in it
    assert np.bincount(problem.pair_village[chosen], minlength=len(problem.villages)).max() <= 1
    assert set(np.flatnonzero(problem.pinned)) <= set(chosen.tolist())
    n_v = len(problem.villages)
    covered = len(np.unique(problem.pair_village[chosen]))
    if exact.status == "INFEASIBLE":
        # every village must be covered and cannot be: the flow covers as many as it can
        assert problem.cover_all and covered < n_v
        return
    assert exact.status == "OPTIMAL"
    x = completion(problem, model, chosen)
    assert len(model.violated_rows(x)) == 0
    assert model.value(x) == round(exact.objective)
    # as many villages covered as CP-SAT covers
    cp_covered = len(np.unique(problem.pair_village[np.flatnonzero(exact.x[: problem.n_pairs])]))
    assert covered == cp_covered
