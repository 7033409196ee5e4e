"""Column generation and diving: the root's bound holds, a dive's plan fits and covers, the same
pool gives the same plan, and the hard-county pipeline runs the dives where they pay."""

from __future__ import annotations

import numpy as np
import pytest

from cunjing.data.hard_counties import generate
from cunjing.optimizer.officers import hard
from cunjing.optimizer.officers.core import hard_county_problem, make_core
from cunjing.optimizer.officers.diving import (
    INTERIOR_OFFICERS,
    LP_RATE,
    PICKS,
    Pool,
    _Budget,
    _dive,
    _generate,
    _Master,
    collector,
    dive,
    knapsacks,
)
from cunjing.optimizer.officers.lagrangian import improve_multipliers, relax
from cunjing.optimizer.officers.model import build_model
from cunjing.optimizer.officers.repair import cover
from cunjing.optimizer.solve.highs import solve_highs

from officer_cases import optimum, tiny_problem

SHAPES = [{}, {"extra": 120}, {"max_villages": True}, {"pins": 2, "extra": 70}]


def _pool(core, start) -> Pool:
    """The pipeline's pool: the subgradient's knapsacks and a plan's columns."""
    pool = Pool()
    improve_multipliers(
        core, np.zeros(core.n_v), None, iterations=30, on_relaxation=collector(core, pool)
    )
    pool.add_plan(core, start)
    return pool


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(s) or "plain")
@pytest.mark.parametrize("seed", range(3))
def test_the_roots_bound_holds_and_a_dives_plan_fits_and_covers(shape, seed):
    problem = tiny_problem(seed, officers=3, villages=7, cover_all=True, **shape)
    best, _ = optimum(problem)
    core = make_core(problem)
    start = cover(core, None, seed=0, max_iterations=2_000).choice
    res = dive(core, _pool(core, start), max_seconds=60.0)
    # the Lagrangian dual's bound: above every plan, at most the model's own LP
    lp = solve_highs(build_model(problem), relax=True, presolve=False)
    assert best <= res.bound + 1e-6
    assert res.bound <= lp.objective + 1e-6 * max(1.0, abs(lp.objective))
    assert res.dives >= 1
    if res.choice is not None:  # a dive covers every village an officer can take, or says nan
        assert core.fits(res.choice)
        assert (res.choice[core.reachable] >= 0).all()
        assert core.objective(res.choice) <= best
        assert core.objective(res.choice) == max(c for c in res.costs if np.isfinite(c))


def _county():
    """A type-D county of d20200's shape (10 villages an officer), smaller."""
    return hard_county_problem(generate("D", 100, 10, seed=3), cover_all=True)


def test_dives_on_a_tight_type_d_county_end_near_their_bound_and_repeat_exactly():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    assert core.fits(start)
    first = dive(core, _pool(core, start), max_seconds=5.0)
    again = dive(core, _pool(core, start), max_seconds=5.0)
    assert first.choice is not None and core.fits(first.choice)
    assert (first.choice >= 0).all()
    # within 1 % of the proven bound (the dual's: the optimum lies between)
    assert core.objective(first.choice) >= first.bound - 0.01 * abs(first.bound)
    assert np.array_equal(first.choice, again.choice) and np.array_equal(
        first.costs, again.costs, equal_nan=True
    )
    assert first.iterations == again.iterations and first.spent == again.spent
    # the bound is L at the root's duals: a relaxation there gives it back
    assert first.bound >= core.objective(first.choice)


def test_a_restart_keeps_the_dives_first_fixings_and_never_takes_its_forbidden_pick():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    pool = _pool(core, start)
    budget = _Budget(core, 1e9, None)
    choice, path = _dive(core, pool, 0.8, budget)
    assert choice is not None and core.fits(choice)
    fixed = np.concatenate(path)
    assert np.array_equal(choice[core.village[fixed]], fixed)  # every fixed pair is in the plan
    restarted = 0
    for step in (len(path) // 4, len(path) // 2, 3 * len(path) // 4):
        prefix, avoid = path[:step], int(path[step][0])
        again, path2 = _dive(core, _pool(core, start), 0.8, budget, prefix, avoid)
        assert all(np.array_equal(a, b) for a, b in zip(path2[:step], prefix, strict=True))
        assert not any(avoid in p for p in path2)
        if again is not None:
            restarted += 1
            assert core.fits(again)
            assert again[core.village[avoid]] != avoid
            kept = np.concatenate(prefix) if prefix else np.zeros(0, np.int64)
            assert np.array_equal(again[core.village[kept]], kept)
    assert restarted >= 1


def test_a_dive_step_fixes_a_share_of_the_open_villages_and_starts_from_the_roots_basis():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    pool = _pool(core, start)
    budget = _Budget(core, 1e9, None)
    root = _Master(core, pool)
    assert _generate(root, core, None, budget) is not None
    basis = root.h.getBasis()
    choice, path = _dive(core, pool.copy(), 0.8, budget, basis=basis)
    assert choice is not None and core.fits(choice)
    open_villages = core.n_v
    for step in path:
        villages = np.unique(core.village[step])
        assert len(villages) == len(step)  # one pair a village
        assert len(villages) >= max(1, int(PICKS * open_villages))
        open_villages -= len(villages)
    # from the root's basis the first LP is solved again without a simplex iteration
    warm = _Master(core, pool.copy(), basis)
    warm.h.run()
    assert warm.h.getInfo().simplex_iteration_count == 0
    cold = _Master(core, pool.copy())
    cold.h.run()
    assert cold.h.getInfo().simplex_iteration_count > 0
    assert warm.h.getInfo().objective_function_value == pytest.approx(
        cold.h.getInfo().objective_function_value
    )


def test_a_wide_masters_steps_are_solved_by_the_interior_point_method_to_the_simplexs_optimum():
    core = make_core(hard_county_problem(generate("D", 200, INTERIOR_OFFICERS, seed=3)))
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    pool = _pool(core, start)
    budget = _Budget(core, 1e9, None)
    root = _Master(core, pool)
    assert _generate(root, core, None, budget) is not None
    root_work = budget.lp_work
    basis = root.h.getBasis()
    choice, path = _dive(core, pool.copy(), 0.8, budget, basis=basis)
    assert choice is not None and core.fits(choice) and (choice[core.reachable] >= 0).all()
    # the same dive again: the same steps, plan and work (the budget counts the work)
    again = _Budget(core, 1e9, None)
    choice2, path2 = _dive(core, pool.copy(), 0.8, again, basis=basis)
    assert np.array_equal(choice, choice2) and len(path) == len(path2)
    assert all(np.array_equal(a, b) for a, b in zip(path, path2, strict=True))
    assert again.lp_work > 0
    assert again.lp_work == pytest.approx(budget.lp_work - root_work, rel=1e-12)
    # the first step's fixings, then the LP by each method: the same optimum
    col, flat = pool.flat()
    owner = np.full(core.n_v, -1)
    owner[core.village[path[0]]] = core.officer[path[0]]
    off = (owner[core.village] >= 0) & (owner[core.village] != core.officer)
    shut = np.unique(col[off[flat]])
    objective = {}
    for interior in (True, False):
        master = _Master(core, pool.copy(), interior=interior)
        master.bounds(shut, 0.0)
        _x, _duals, work = master.solve()
        info = master.h.getInfo()
        assert (info.ipm_iteration_count > 0) == interior
        assert (info.simplex_iteration_count > 0) != interior  # no crossover
        assert work > 0
        objective[interior] = info.objective_function_value
    assert objective[True] == pytest.approx(objective[False], rel=1e-7)


def test_no_budget_no_dive_and_no_bound():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    res = dive(core, _pool(core, start), max_seconds=0.0)
    assert res.choice is None and res.dives == 0 and res.bound == np.inf
    assert not res.guarded  # the work budget ended it, not the clock
    # the wall-clock guard: it ends the dives too, and says so
    res = dive(core, _pool(core, start), max_seconds=60.0, guard=0.0)
    assert res.guarded and res.dives == 0 and res.choice is None
    # a root that does not end in its own part: no dives, and nothing spent after it
    res = dive(core, _pool(core, start), max_seconds=60.0, root_seconds=0.0)
    assert res.dives == 0 and res.bound == np.inf and res.iterations == 1
    full = dive(core, _pool(core, start), max_seconds=2.0, root_seconds=2.0, thresholds=(0.8,))
    assert full.dives > 0 and np.isfinite(full.bound)


def _root_and_first_dive(core, start):
    """The work (budget seconds) of dive()'s root and of its first dive (0.8), measured apart."""
    pool = _pool(core, start)
    budget = _Budget(core, 1e9, None)
    master = _Master(core, pool)
    _generate(master, core, None, budget)
    root = budget.spent()
    basis = master.h.getBasis()
    choice, path = _dive(core, pool.copy(), 0.8, budget, basis=basis)
    assert choice is not None
    return pool, basis, root, budget.spent() - root, path


def test_a_dive_cut_by_its_budget_leaves_its_fixed_pairs_and_the_rest_rounded_from_its_lp():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    pool, basis, root, first, path = _root_and_first_dive(core, start)
    # the same dive with half its work: cut, and the same steps as far as it went
    rounded: list[np.ndarray] = []
    budget = _Budget(core, root + first / 2, None)
    budget.lp_work = root * LP_RATE  # the root's work already spent, as in dive()
    choice, cut = _dive(core, pool.copy(), 0.8, budget, basis=basis, rounded=rounded)
    assert choice is None and 0 < len(cut) < len(path)
    assert all(np.array_equal(a, b) for a, b in zip(cut, path, strict=False))
    (plan,) = rounded
    fixed = np.concatenate(cut)
    assert np.array_equal(plan[core.village[fixed]], fixed)  # its fixed pairs kept
    on = np.flatnonzero(plan >= 0)
    assert np.array_equal(core.village[plan[on]], on)  # a pair of its own village each
    assert len(on) == core.n_v  # the LP covers every village: so does its rounding
    # a dive that ends leaves nothing to round
    rounded.clear()
    choice, _path = _dive(core, pool.copy(), 0.8, _Budget(core, 1e9, None), basis=basis,
                          rounded=rounded)  # fmt: skip
    assert choice is not None and not rounded


def test_the_reserve_is_kept_back_until_a_dive_gives_a_plan():
    core = make_core(_county())
    start = cover(core, None, seed=0, max_iterations=20_000).choice
    _p, _b, root, first, _c = _root_and_first_dive(core, start)
    # the reserve leaves half the first dive's work: the dive is cut, and its rounding left
    top = root + 10 * first
    res = dive(core, _pool(core, start), max_seconds=top, reserve=top - root - first / 2,
               thresholds=(0.8,))  # fmt: skip
    assert res.choice is None and res.rounded is not None
    assert res.spent < root + first  # the reserve was not spent
    # with room for the first dive, its plan gives the reserve back to the restarts
    res = dive(core, _pool(core, start), max_seconds=top, reserve=top - root - 1.5 * first,
               thresholds=(0.8,))  # fmt: skip
    assert res.choice is not None and res.rounded is None
    assert res.spent > root + 1.5 * first and res.dives > 1


def test_the_pool_keeps_each_officers_column_once():
    core = make_core(tiny_problem(1, officers=3, villages=7))
    rel = relax(core, np.zeros(core.n_v))
    pool = Pool()
    for _ in range(2):
        for o, pairs in enumerate(knapsacks(core, rel.take)):
            pool.add(o, pairs)
    assert len(pool) == core.n_o
    for o, pairs in zip(pool.officer, pool.pairs, strict=True):
        assert (core.officer[pairs] == o).all()
        assert np.array_equal(np.sort(np.flatnonzero(rel.take & (core.officer == o))), pairs)


def _stages(problem, time_limit):
    return [s.name for s in hard.solve_hard(problem, time_limit=time_limit, seed=0).stages]


def test_the_pipeline_dives_at_8_to_12_villages_an_officer_or_wide_counties_of_few():
    names = _stages(_county(), 6.0)
    assert "dive" in names
    assert names.index("oscillation") < names.index("dive")
    # five villages an officer: the column search's ground, no dive
    five = hard_county_problem(generate("D", 60, 12, seed=3), cover_all=True)
    names = _stages(five, 4.0)
    assert "oscillation" in names and "dive" not in names
    # five with more than 40 officers (no column search there): the dives again (D400x80)
    wide = hard_county_problem(generate("D", 250, 50, seed=3), cover_all=True)
    names = _stages(wide, 6.0)
    assert "dive" in names
    assert names.index("oscillation") < names.index("dive")
    # twenty: HiGHS's last stage does better there (d10200)
    twenty = hard_county_problem(generate("D", 200, 10, seed=3), cover_all=True)
    names = _stages(twenty, 4.0)
    assert "oscillation" in names and "dive" not in names


def test_a_long_run_dives_on_a_wide_county_only_while_its_plan_is_far_from_the_bound(
    monkeypatch,
):
    # 8 villages an officer with 42 officers: outside both dive windows at a short limit
    county = hard_county_problem(generate("D", 336, 42, seed=3), cover_all=True)
    names = _stages(county, 5.0)
    assert "oscillation" in names and "dive" not in names
    # from DIVE_LONG_LIMIT on (lowered here so the test is quick), a plan further than
    # DIVE_LONG_GAP from the bound after the oscillation gets the dives
    monkeypatch.setattr(hard, "DIVE_LONG_LIMIT", 5.0)
    monkeypatch.setattr(hard, "DIVE_LONG_GAP", 0.0)
    names = _stages(county, 5.0)
    assert "dive" in names
    assert names.index("oscillation") < names.index("dive")
    # one within it does not: the stages after the oscillation go on as before
    monkeypatch.setattr(hard, "DIVE_LONG_GAP", 1.0)
    names = _stages(county, 5.0)
    assert "oscillation" in names and "dive" not in names


def test_a_long_dive_cut_short_is_completed_into_a_plan_that_fits(monkeypatch):
    county = hard_county_problem(generate("C", 336, 42, seed=3), cover_all=True)
    monkeypatch.setattr(hard, "DIVE_LONG_LIMIT", 1.0)
    monkeypatch.setattr(hard, "DIVE_LONG_GAP", 0.0)
    monkeypatch.setattr(hard, "DIVE_LONG_ROOT", 0.4)
    real = hard.dive

    def cut(core, pool, **kw):
        # the real dives, with a reserve that leaves the first one a twentieth of a second
        root = real(core, pool.copy(), max_seconds=kw["max_seconds"], thresholds=()).spent
        return real(core, pool, **{**kw, "reserve": kw["max_seconds"] - root - 0.05})

    monkeypatch.setattr(hard, "dive", cut)
    res = hard.solve_hard(county, time_limit=12.0, seed=0)
    names = [s.name for s in res.stages]
    at = names.index("dive completion")
    assert names[at - 1] == "dive"
    assert res.stages[at].objective >= res.stages[at - 1].objective  # never a worse plan
    core = make_core(county)
    plan = core.from_pairs(res.pairs)
    assert core.fits(plan) and (plan >= 0).all()
    # the same run again: the same plan (the reserve and the completion are counted work)
    again = hard.solve_hard(county, time_limit=12.0, seed=0)
    assert np.array_equal(again.pairs, res.pairs)
