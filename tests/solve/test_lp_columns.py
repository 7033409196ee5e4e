"""The LP priced in column by column (``solve/lp_columns.py``) against the whole LP at once.

The engine's Lagrangian bound takes its duals from this LP; a column left out that should have
entered would give duals that are not optimal (a weaker bound, pairs kept that need not be) and
an objective below the LP's. Officer models of a few hundred pairs (days that bind, count limits,
a fair share, pinned pairs) are solved both ways from a handful of columns.
"""

from __future__ import annotations

import numpy as np
import pytest

from cunjing.optimizer.officers.core import gap_problem
from cunjing.optimizer.officers.model import build_model
from cunjing.optimizer.solve.highs import solve_highs
from cunjing.optimizer.solve.lp_columns import (
    TOLERANCE,
    best_per_group,
    central_duals,
    solve_lp_by_columns,
)
from cunjing.optimizer.solve.status import Status


def officer_model(seed: int, cover_all: bool, pins: bool = False):
    rng = np.random.default_rng(seed)
    m, n = 10, 80
    workload = rng.integers(10, 90, size=(m, n))
    score = rng.integers(-50, 400, size=(m, n))
    days = np.full(m, int(workload.sum() / m * 0.35))
    pinned = np.zeros((m, n), bool)
    if pins:
        pinned[0, 0] = pinned[1, 1] = True
    problem = gap_problem(
        score,
        workload,
        days,
        eligible=rng.random((m, n)) < 0.8,
        max_villages=np.where(np.arange(m) % 3 == 0, 6, -1),
        share=np.full(m, 5),
        extra_village_cost=30,
        pinned=pinned,
        cover_all=cover_all,
    )
    return problem, build_model(problem)


def first_columns(problem, model, k: int = 2) -> np.ndarray:
    """A village's ``k`` best-scoring pairs and every column that is not a pair."""
    best = best_per_group(problem.pair_village, problem.score, k)
    return np.concatenate([best, np.arange(problem.n_pairs, model.n_vars)])


def test_best_per_group_keeps_each_groups_highest_ties_first() -> None:
    group = np.array([2, 0, 2, 0, 2, 1, 0])
    key = np.array([5, 1, 7, 1, 5, 3, 0])
    assert sorted(best_per_group(group, key, 1).tolist()) == [1, 2, 5]
    # group 2: 7 then the earlier of the two 5s; group 0: the two 1s; group 1 has one entry
    assert sorted(best_per_group(group, key, 2).tolist()) == [0, 1, 2, 3, 5]
    assert sorted(best_per_group(group, key, 9).tolist()) == list(range(7))


def assert_optimal_lp(model, res) -> None:
    """Feasible, and no column at its lower bound would raise the objective."""
    lb, ub = model.bounds()
    lo, hi = model.row_bounds()
    ax = model.matrix() @ res.x
    assert np.all(ax >= lo - 1e-6) and np.all(ax <= hi + 1e-6)
    assert np.all(res.x >= lb - 1e-9) and np.all(res.x <= ub + 1e-9)
    reduced = res.stats["reduced_costs"]
    at_lower = res.x <= lb + 1e-9
    assert np.all(reduced[at_lower & (ub > lb)] <= TOLERANCE * 10)
    cost = model.objective().astype(float)
    assert np.allclose(reduced, cost - model.matrix().T @ res.stats["duals"])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cover_all", [False, True])
def test_same_objective_as_the_whole_lp(seed: int, cover_all: bool) -> None:
    problem, model = officer_model(seed, cover_all, pins=seed % 2 == 1)
    whole = solve_highs(model, 30, relax=True, presolve=False)
    if whole.status == Status.INFEASIBLE:  # cover_all with days too short: nothing to compare
        assert solve_lp_by_columns(model, first_columns(problem, model)).status == whole.status
        return
    priced = solve_lp_by_columns(model, first_columns(problem, model), 30)
    assert priced.status == Status.OPTIMAL
    # priced in (not the whole LP's fallback), from fewer columns than the model's
    assert priced.stats["columns"] < model.n_vars
    assert priced.objective == pytest.approx(whole.objective, rel=1e-9, abs=1e-6)
    assert_optimal_lp(model, priced)


def test_prices_in_columns_over_rounds() -> None:
    """From one column a village the optimum needs others: several rounds, fewer columns
    than the model has."""
    problem, model = officer_model(3, cover_all=False)
    priced = solve_lp_by_columns(model, first_columns(problem, model))
    assert priced.stats["rounds"] >= 2
    assert len(first_columns(problem, model)) < priced.stats["columns"] < model.n_vars


def test_pinned_columns_join_from_the_start() -> None:
    """A column fixed at 1 (a pinned pair) is in the LP even when the caller leaves it out."""
    problem, model = officer_model(1, cover_all=False, pins=True)
    pinned = np.flatnonzero(problem.pinned)
    start = np.setdiff1d(first_columns(problem, model), pinned)
    priced = solve_lp_by_columns(model, start)
    assert np.allclose(priced.x[pinned], 1.0)
    assert priced.objective == pytest.approx(
        solve_highs(model, 30, relax=True, presolve=False).objective, rel=1e-9
    )


def test_first_columns_that_cannot_cover_fall_back_to_the_whole_lp() -> None:
    """Every village must be covered and the first columns cover only some: the restricted LP
    is infeasible, so the whole LP is solved instead (the same answer)."""
    for seed in range(20):
        problem, model = officer_model(seed, cover_all=True)
        whole = solve_highs(model, 30, relax=True, presolve=False)
        if whole.status == Status.OPTIMAL:
            break
    else:
        pytest.fail("no coverable model among the seeds")
    some = np.flatnonzero(problem.pair_village < 5)
    priced = solve_lp_by_columns(model, some)
    assert priced.status == Status.OPTIMAL
    assert priced.objective == pytest.approx(whole.objective, rel=1e-9)
    assert_optimal_lp(model, priced)


def dual_value(model, y: np.ndarray) -> float:
    """The LP dual's value at row prices ``y``: the most ``cᵀx − yᵀAx`` can be within the
    columns' bounds plus the most ``yᵀs`` within the rows' bounds. Every y bounds the LP from
    above (weak duality); only optimal duals reach its objective."""
    lb, ub = model.bounds()
    lo, hi = model.row_bounds()
    lo = np.where(lo <= -(2**39), -np.inf, lo).astype(float)
    hi = np.where(hi >= 2**39, np.inf, hi).astype(float)
    d = model.objective().astype(float) - model.matrix().T @ y
    col = np.maximum(d * lb, d * ub)
    with np.errstate(invalid="ignore"):  # 0 x inf: a price of 0 on an open side costs 0
        row = np.maximum(np.where(y == 0, 0, y * lo), np.where(y == 0, 0, y * hi))
    return float(col.sum() + row.sum())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cover_all", [False, True])
def test_central_duals_are_optimal_for_the_whole_lp(seed: int, cover_all: bool) -> None:
    """From the columns a priced LP ended with, the central duals reach the LP's objective
    as a dual bound over every column."""
    problem, model = officer_model(seed, cover_all)
    whole = solve_highs(model, 30, relax=True, presolve=False)
    assert whole.status == Status.OPTIMAL
    assert dual_value(model, whole.stats["duals"]) == pytest.approx(whole.objective, rel=1e-7)
    priced = solve_lp_by_columns(model, first_columns(problem, model))
    y = central_duals(model, priced.stats["column_ids"])
    assert y is not None
    assert dual_value(model, y) == pytest.approx(whole.objective, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_central_duals_price_in_the_columns_they_need(seed: int) -> None:
    """From one column a village (villages may stay uncovered, so that LP is feasible) the
    interior point's prices alone are far from optimal: the columns that price in are added
    until none does, and prices not yet checked against every column are never returned."""
    problem, model = officer_model(seed, cover_all=False)
    whole = solve_highs(model, 30, relax=True, presolve=False)
    few = first_columns(problem, model, k=1)
    y = central_duals(model, few)
    assert y is not None
    assert dual_value(model, y) == pytest.approx(whole.objective, rel=1e-6)
    assert central_duals(model, few, max_rounds=1) is None
