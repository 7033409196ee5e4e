"""The Lagrangian relaxation of the cover rows: its bound, its pair bounds, better multipliers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from cunjing.optimizer.officers.bound import lagrangian_pair_bounds
from cunjing.optimizer.officers.core import gap_problem, make_core
from cunjing.optimizer.officers.lagrangian import (
    NEG,
    improve_multipliers,
    problem_pair_bounds,
    relax,
)
from cunjing.optimizer.officers.model import build_model
from cunjing.optimizer.solve.highs import solve_highs

from gap_bundles import instances
from officer_cases import optimum, plans, tiny_problem, value

SHAPES = [
    {},
    {"extra": 150},
    {"max_villages": True},
    {"pins": 2, "extra": 90},
    {"cover_all": True, "tight": 0.9},
]


def lp_duals(problem):
    model = build_model(problem)
    lp = solve_highs(model, relax=True, presolve=False)
    return lp, lp.stats["duals"][model.row_groups["cover"]]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
@pytest.mark.parametrize("seed", range(4))
def test_bound_is_never_below_the_optimum(shape, seed):
    problem = tiny_problem(seed, **shape)
    best, _ = optimum(problem)
    core = make_core(problem)
    rng = np.random.default_rng(seed)
    _, y_lp = lp_duals(problem)
    for y in (y_lp[core.village_ids], rng.normal(0, 400, core.n_v), np.zeros(core.n_v)):
        assert relax(core, y).bound >= best - 1e-6


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
@pytest.mark.parametrize("seed", range(3))
def test_pair_bound_is_never_below_the_best_plan_through_the_pair(shape, seed):
    problem = tiny_problem(seed, **shape)
    core = make_core(problem)
    y = np.random.default_rng(seed).normal(0, 300, core.n_v)
    bound, pb = problem_pair_bounds(core, y)
    best_through = np.full(problem.n_pairs, NEG)
    for chosen in plans(problem):
        v = value(problem, chosen)
        best_through[chosen] = np.maximum(best_through[chosen], v)
    usable = best_through > NEG / 2
    assert np.all(pb[usable] >= best_through[usable] - 1e-6)
    assert np.all(pb <= bound + 1e-6)  # forcing a pair in never raises the bound


@pytest.mark.parametrize("shape", SHAPES[:3], ids=lambda s: ",".join(s) or "plain")
def test_bound_equals_the_reference_dynamic_programme(shape):
    problem = tiny_problem(7, officers=5, villages=9, **shape)
    core = make_core(problem)
    y = np.random.default_rng(1).normal(0, 300, core.n_v)
    ref = lagrangian_pair_bounds(
        y,
        problem.pair_officer,
        problem.pair_village,
        problem.score,
        problem.workload,
        problem.days,
        problem.limit,
        problem.share,
        problem.extra_village_cost,
    )
    rel = relax(core, y)
    # the reference has no uncovered villages and no pins: compare where the model has neither
    if not problem.cover_all:
        rel_bound = rel.bound - np.maximum(-problem.uncovered_penalty - y, 0).sum()
    else:
        rel_bound = rel.bound
    assert rel_bound == pytest.approx(ref.bound, abs=1e-6)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
def test_each_knapsack_fits_and_scores_its_value(shape):
    problem = tiny_problem(3, officers=4, villages=8, **shape)
    core = make_core(problem)
    y = np.random.default_rng(2).normal(0, 300, core.n_v)
    rel = relax(core, y)
    profit = core.score - y[core.village]
    for o in range(core.n_o):
        mine = np.flatnonzero(rel.take & (core.officer == o))
        assert core.workload[mine].sum() <= core.days[o]
        assert len(mine) <= core.limit[o]
        pen = core.extra * max(0, len(mine) - core.share[o])
        assert profit[mine].sum() - pen == pytest.approx(rel.value[o], abs=1e-6)


@pytest.mark.parametrize("name", ["c515-1", "d05100"])
def test_better_multipliers_lower_the_lp_duals_bound_and_stay_above_the_optimum(name):
    (g,) = instances({name})
    problem = gap_problem(-100 * g.cost, g.resource, g.capacity, cover_all=True)
    core = make_core(problem)
    lp, y = lp_duals(problem)
    start = relax(core, y).bound
    mult = improve_multipliers(core, y, -100 * g.optimum, iterations=150)
    assert mult.start_bound == pytest.approx(start)
    assert start <= lp.objective + 1e-6  # integral knapsacks: never weaker than the LP
    assert mult.bound <= start + 1e-9
    assert mult.bound >= -100 * g.optimum - 1e-6
    if name == "d05100":
        assert mult.bound < start - 100  # the steps do lower it (by more than one unit of cost)
