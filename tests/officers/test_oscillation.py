"""The compiled oscillation: its moves, its bookkeeping across chunks, its rules and its seed."""

from __future__ import annotations

import numpy as np
import pytest

from cunjing.data.hard_counties import generate
from cunjing.optimizer.officers import oscillation
from cunjing.optimizer.officers.core import gap_problem, hard_county_problem, make_core
from cunjing.optimizer.officers.mthg import solve_mthg
from cunjing.optimizer.officers.oscillation import oscillate
from cunjing.optimizer.officers.repair import cover

from officer_cases import optimum, tiny_problem


def _chain_county():
    """Officer B may hold one village. Village v scores 10 with B (0 with A, its officer now);
    B's village u scores 1 with C and 0 with B. The best plan moves v to B and u on to C: an
    ejection chain. A shift of v to B alone breaks B's limit; no swap exists (A cannot take u)."""
    score = np.array([[0, 0], [10, 0], [0, 1]])  # officers A, B, C x villages v, u
    eligible = np.array([[True, False], [True, True], [False, True]])
    workload = np.ones((3, 2), dtype=np.int64)
    prob = gap_problem(
        score, workload, np.array([5, 5, 5]), eligible=eligible, max_villages=np.array([-1, 1, -1])
    )
    core = make_core(prob)
    start = core.from_pairs(
        [int(np.flatnonzero((prob.pair_officer == o) & (prob.pair_village == v))[0])
         for o, v in ((0, 0), (1, 1))]
    )  # fmt: skip
    return core, start


def test_one_step_makes_the_ejection_chain_that_no_shift_or_swap_makes():
    core, start = _chain_county()
    assert core.fits(start) and core.objective(start) == 0
    with_chains = oscillate(core, start, max_iterations=1)
    assert with_chains.objective == 11 and core.fits(with_chains.choice)
    # shifts and swaps only: the best of them breaks B's limit, so the best plan that fits is
    # still the start after that step
    without = oscillate(core, start, max_iterations=1, chains=1)
    assert without.objective == 0


def test_one_step_makes_a_chain_of_three_where_a_chain_of_two_overloads():
    """v (officer A) scores 10 with B, B's u scores 1 with C, C's w scores 1 with D; B and C may
    hold one village each: only v -> B, u -> C, w -> D together fit and gain 12."""
    score = np.array([[0, 0, 0], [10, 0, 0], [0, 1, 0], [0, 0, 1]])  # A..D x v, u, w
    eligible = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool)
    prob = gap_problem(
        score,
        np.ones((4, 3), dtype=np.int64),
        np.full(4, 5),
        eligible=eligible,
        max_villages=np.array([-1, 1, 1, -1]),
    )
    core = make_core(prob)
    start = core.from_pairs(
        [int(np.flatnonzero((prob.pair_officer == o) & (prob.pair_village == v))[0])
         for o, v in ((0, 0), (1, 1), (2, 2))]
    )  # fmt: skip
    assert core.fits(start) and core.objective(start) == 0
    assert oscillate(core, start, max_iterations=1).objective == 12
    assert oscillate(core, start, max_iterations=1, chains=2).objective == 0


@pytest.mark.parametrize("seed", range(6))
def test_reaches_the_enumerated_optimum_with_pins_limits_and_fair_share(seed):
    prob = tiny_problem(
        seed, officers=4, villages=7, extra=80, pins=1, max_villages=True, cover_all=True
    )
    best, _ = optimum(prob)
    core = make_core(prob)
    start = cover(core, None, seed=seed, max_iterations=2_000)
    if start.uncovered:
        pytest.fail("the tiny county must have a full cover for this test")
    res = oscillate(core, start.choice, seed=seed, max_iterations=2_000)
    assert core.fits(res.choice)
    assert set(np.flatnonzero(prob.pinned)) <= set(core.to_pairs(res.choice).tolist())
    # the search's own running value decides which plan is best: a slip in its bookkeeping of
    # any move would keep a plan below the optimum (or one that does not fit)
    assert res.objective == best


def test_chunks_carry_the_whole_state(monkeypatch):
    core = make_core(hard_county_problem(generate("D", 200, 40, seed=1, variant="literature")))
    start = solve_mthg(core).choice
    assert (start >= 0).all() and core.fits(start)
    whole = oscillate(core, start, seed=3, max_iterations=600)
    monkeypatch.setattr(oscillation, "CHUNK", 7)
    chunked = oscillate(core, start, seed=3, max_iterations=600)
    assert np.array_equal(whole.choice, chunked.choice)
    assert whole.iterations == chunked.iterations == 600
    assert whole.objective > core.objective(start)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another_search():
    # above FULL_SWAPS villages the swaps and chains are of a drawn sample
    core = make_core(hard_county_problem(generate("C", 600, 60, seed=2, variant="literature")))
    assert oscillation.swap_sample(core.n_v) < core.n_v
    start = solve_mthg(core).choice
    a = oscillate(core, start, seed=5, max_iterations=300)
    b = oscillate(core, start, seed=5, max_iterations=300)
    c = oscillate(core, start, seed=6, max_iterations=300)
    assert np.array_equal(a.choice, b.choice)
    assert not np.array_equal(a.choice, c.choice)
    for r in (a, b, c):
        assert core.fits(r.choice) and r.objective >= core.objective(start)


@pytest.mark.parametrize(
    "make",
    [
        lambda: tiny_problem(3, officers=4, villages=9, extra=80, max_villages=True),
        lambda: hard_county_problem(generate("D", 120, 20, seed=1, variant="literature")),
    ],
    ids=["fair-share-and-limits", "D120x20"],
)
def test_every_step_keeps_its_value_loads_and_counts_true(make):
    """Step by step, the search's running value, days and counts are those of its plan."""
    core = make_core(make())
    start = cover(core, None, seed=0, max_iterations=2_000).choice
    state = oscillation._State(core, start, 0, 0.02)
    it = 0
    for _ in range(400):
        if state.run(it, 1, 3) == 0:
            break
        it += 1
        a, held = state.a, np.flatnonzero(state.a >= 0)
        cnt = np.bincount(a[held], minlength=core.n_o)
        load = np.bincount(a[held], weights=state.W[a[held], held], minlength=core.n_o)
        fair = core.extra * np.maximum(cnt - core.share, 0)
        assert state.cur[0] == state.S[a[held], held].sum() - fair.sum()
        assert np.array_equal(state.cnt, cnt) and np.array_equal(state.load, load)
    assert it > 100
