"""Each officer's near-best columns, and the branch-and-bound over them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cunjing.optimizer.officers.columns import add_plan, branch_and_bound, enumerate_columns
from cunjing.optimizer.officers.core import gap_problem, make_core
from cunjing.optimizer.officers.lagrangian import relax
from cunjing.optimizer.officers.repair import cover

from officer_cases import optimum, tiny_problem

SHAPES = [{}, {"extra": 120}, {"max_villages": True}, {"pins": 2, "extra": 70}]


def brute_columns(core, y, o, delta):
    """Every set of officer o's villages that fits, with its reduced profit within delta."""
    mine = np.flatnonzero(core.officer == o)
    profit = core.score - y[core.village]
    sets = []
    for k in range(len(mine) + 1):
        for s in itertools.combinations(mine.tolist(), k):
            s = np.array(s, dtype=np.int64)
            if core.workload[s].sum() > core.days[o] or len(s) > core.limit[o]:
                continue
            val = profit[s].sum() - core.extra * max(0, len(s) - core.share[o])
            sets.append((val, tuple(sorted(s.tolist()))))
    best = max(v for v, _ in sets)
    return best, {s for v, s in sets if best - v <= delta + 1e-9}


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
def test_every_column_within_the_limit_is_enumerated_and_none_other(shape):
    problem = tiny_problem(2, officers=3, villages=7, **shape)
    core = make_core(problem)
    y = np.random.default_rng(0).normal(0, 250, core.n_v)
    delta = 400.0
    cols = enumerate_columns(core, y, per_officer=10_000, first_deficit=delta, max_deficit=delta)
    assert cols.complete.all()
    rel = relax(core, y)
    for o in range(core.n_o):
        best, want = brute_columns(core, y, o, delta)
        assert best == pytest.approx(rel.value[o], abs=1e-6)  # the knapsack's optimum
        got = {tuple(p.tolist()) for k, p in enumerate(cols.pairs) if cols.officer[k] == o}
        assert got == want


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
@pytest.mark.parametrize("seed", range(3))
def test_branch_and_bound_over_a_complete_pool_finds_the_optimum(shape, seed):
    problem = tiny_problem(seed, officers=3, villages=7, **shape)
    best, _ = optimum(problem)
    core = make_core(problem)
    start = cover(core, None, seed=0, max_iterations=2_000).choice
    rel = relax(core, np.zeros(core.n_v))
    # every column within L(y) - (worst plan) of its officer's best: the pool holds every plan
    cols = enumerate_columns(
        core, rel.y, per_officer=100_000, max_deficit=rel.bound - core.objective(start) + 1
    )
    add_plan(cols, core, start)
    res = branch_and_bound(core, cols, start)
    assert res.finished
    got = res.choice if res.choice is not None else start
    assert core.fits(got)
    assert core.objective(got) == best
    assert set(np.flatnonzero(problem.pinned)) <= set(core.to_pairs(got).tolist())


def test_the_branch_and_bound_stops_at_its_work_budget_with_a_valid_bound():
    # a small type-D GAP (OR-Library's recipe): its LPs are fractional, so the tree branches
    rng = np.random.default_rng(0)
    r = rng.integers(1, 101, (4, 16))
    c = 111 - r + rng.integers(-10, 11, (4, 16))
    core = make_core(gap_problem(-100 * c, r, (0.8 * r.sum(axis=1) / 4).astype(int)))
    y = relax(core, np.zeros(core.n_v)).y
    cols = enumerate_columns(core, y, per_officer=2000, max_deficit=1e12)
    whole = branch_and_bound(core, cols, None)
    assert whole.finished and whole.nodes > 10 and whole.work > 0
    half = [branch_and_bound(core, cols, None, max_work=whole.work / 2) for _ in range(2)]
    # stopped by its LP work, at the same point on every run (no clock), with a bound that
    # still holds for the pool's best plan
    assert not half[0].finished and half[0].nodes < whole.nodes
    assert half[0].work >= whole.work / 2
    assert (half[0].nodes, half[0].work) == (half[1].nodes, half[1].work)
    assert half[0].bound >= whole.objective - 1e-6
