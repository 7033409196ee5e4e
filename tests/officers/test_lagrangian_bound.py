"""The Lagrangian pair bound (``officers/bound.py``) against enumeration on small problems.

The engine leaves a pair out of its model when the bound through it cannot beat the plan found,
so a bound below the best plan through a pair would silently lose that plan. Here every plan
of 3-4 officers and 5-7 villages is enumerated, and each officer's knapsack is solved by trying
every set of his villages.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from gap_problems import SETTINGS, covered_problem, every_cover, seeds
from hypothesis import given

from cunjing.optimizer.officers.bound import NEG, lagrangian_pair_bounds
from cunjing.optimizer.officers.model import OfficerProblem, build_model
from cunjing.optimizer.solve.highs import solve_highs


def bounds(problem: OfficerProblem, y: np.ndarray):
    return lagrangian_pair_bounds(
        np.asarray(y, float),
        problem.pair_officer,
        problem.pair_village,
        problem.score,
        problem.workload,
        problem.days,
        problem.limit,
        problem.share,
        problem.extra_village_cost,
    )


def knapsacks(problem: OfficerProblem, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L(y) by trying every set of villages of every officer, and per pair the same with the
    pair forced into its officer's set (-inf where no set that holds it fits)."""
    profit = problem.score - np.asarray(y)[problem.pair_village]
    best = np.zeros(len(problem.officers))
    forced = np.full(problem.n_pairs, -np.inf)
    for o in range(len(problem.officers)):
        mine = np.flatnonzero(problem.pair_officer == o)
        for k in range(0, min(len(mine), int(problem.limit[o])) + 1):
            for s in itertools.combinations(mine.tolist(), k):
                s = list(s)
                if problem.workload[s].sum() > problem.days[o]:
                    continue
                value = profit[s].sum() - problem.extra_village_cost * max(
                    0, k - int(problem.share[o])
                )
                best[o] = max(best[o], value)
                forced[s] = np.maximum(forced[s], value)
    total = float(np.sum(y)) + best.sum()
    return total, forced - best[problem.pair_officer] + total


def assert_bounds_every_plan(problem: OfficerProblem, pb, plans, values) -> None:
    tol = 1e-6 * max(1.0, float(np.abs(values).max(initial=0)))
    assert pb.bound >= values.max() - tol
    for p in range(problem.n_pairs):
        through = values[plans[:, problem.pair_village[p]] == p]
        if len(through):
            assert pb.pair_bound[p] >= through.max() - tol, p


@SETTINGS
@given(seed=seeds)
def test_bound_is_the_exact_lagrangian_and_above_every_plan_for_any_multipliers(seed):
    problem = covered_problem(seed)
    # multipliers of either sign, some far beyond any score, some zero
    rng = np.random.default_rng(seed)
    y = rng.uniform(-80, 80, len(problem.villages)) * rng.choice([0, 0.1, 1, 3])
    pb = bounds(problem, y)
    exact, forced = knapsacks(problem, y)
    # L(y) is the Lagrangian itself (each knapsack solved exactly), not merely above it ...
    assert abs(pb.bound - exact) <= 1e-6 * max(1.0, abs(exact))
    # ... and forcing a pair in is never below forcing it into the exact knapsack; a pair that
    # fits no set of its officer's gets no bound at all
    fits = np.isfinite(forced)
    assert np.all(pb.pair_bound[fits] >= forced[fits] - 1e-6 * max(1.0, abs(exact)))
    assert np.all(pb.pair_bound[~fits] == NEG)
    plans, values = every_cover(problem)
    assert len(plans), "the planted plan covers every village"
    assert_bounds_every_plan(problem, pb, plans, values)


@SETTINGS
@given(seed=seeds)
def test_bound_with_the_lp_duals_lies_between_the_optimum_and_the_lp(seed):
    """As the engine prices pairs: y = the duals of the cover rows of the LP (the model with
    every village covered). With y*, L(y*) ≤ the LP optimum (each knapsack's integer optimum is
    at most its LP optimum), and ≥ the best plan; with the pinned pairs held in the LP, every
    plan that keeps them stays below L and below the bound through each of its pairs."""
    problem = covered_problem(seed)
    free = replace(problem, pinned=np.zeros(problem.n_pairs, bool))
    lp = solve_highs(build_model(free), 30, relax=True, presolve=False)
    assert lp.status == "OPTIMAL"
    y = lp.stats["duals"][build_model(free).row_groups["cover"]]
    pb = bounds(problem, y)
    plans, values = every_cover(problem)
    assert values.max() - 1e-6 <= pb.bound <= lp.objective + 1e-6 * max(1.0, abs(lp.objective))
    assert_bounds_every_plan(problem, pb, plans, values)

    model = build_model(problem)  # the pinned pairs fixed, as in the engine
    lp = solve_highs(model, 30, relax=True, presolve=False)
    assert lp.status == "OPTIMAL"
    pb = bounds(problem, lp.stats["duals"][model.row_groups["cover"]])
    plans, values = every_cover(problem, keep_pins=True)
    assert len(plans), "the planted plan keeps its pins"
    assert_bounds_every_plan(problem, pb, plans, values)
