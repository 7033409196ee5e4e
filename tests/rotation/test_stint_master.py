"""The stint model (``rotation/master.py``) against rotations known by enumeration.

The stints of a rotation the rules allow, found by the judge of ``rotation_judge`` on variants of
RING's county C1, must be columns of the pool; the LP and the integer model over them must give
back that rotation and its objective (AUX-FAMILIAR points, less the busiest periods, less the
moves beyond the bound); over the whole pool, the integer model must find the best rotation
there is, and column generation a bound no rotation exceeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from properties import property_settings
from rotation_judge import BruteForce, frame_of, ring_variant, stints_of

from cunjing.optimizer.auxiliaries.placement import county_scope
from cunjing.optimizer.rotation.engine import generate_columns, objective_of, rotation_frame
from cunjing.optimizer.rotation.master import StintLP, lp_weights, weights
from cunjing.optimizer.rotation.problem import make_rotation_problem
from cunjing.optimizer.rotation.schedule import solve_schedule
from cunjing.optimizer.solve.cpsat import solve_cpsat
from cunjing.optimizer.solve.highs import solve_highs


class County:
    """A RING variant with every rotation the rules allow, and the model's view of it."""

    def __init__(self, folder, seed: int):
        inst, periods = ring_variant(folder, seed)
        self.judge = BruteForce(inst, periods)
        self.found = list(self.judge.rotations())
        self.problem = make_rotation_problem(county_scope(inst, "C1"), "C1", periods)
        # the search holds the moves at the schedule's bound; moves beyond it cost W each
        self.max_moves = solve_schedule(self.problem).moves
        self.w = weights(self.problem)

    def objective(self, moves: int, value: float) -> float:
        """The model's objective (hundredths) of a rotation the judge valued."""
        return round(100 * value) - self.w.excess_move * max(0, moves - self.max_moves)

    def best(self) -> float:
        return max(self.objective(m, v) for _, m, v in self.found)


def same_rotation(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["period", "village_id"]
    got = got.sort_values(keys).reset_index(drop=True)[[*keys, "auxiliary_id"]]
    want = want.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@property_settings(10)
@given(seed=st.integers(0, 2**32 - 1))
def test_stint_model_against_every_rotation_of_small_counties(tmp_path_factory, seed):
    """One property test for both checks: enumerating a county's rotations is the costly part."""
    county = County(tmp_path_factory.mktemp("ring"), seed)
    assume(county.found)
    stints_of_a_known_rotation_give_it_back_with_its_objective(county, seed)
    stint_model_over_the_whole_pool_finds_the_best_rotation(county)


def stints_of_a_known_rotation_give_it_back_with_its_objective(county: County, seed: int) -> None:
    problem = county.problem
    rng = np.random.default_rng(seed)
    # the best rotation and one drawn at random (often with moves beyond the bound)
    best = min(range(len(county.found)), key=lambda i: (county.found[i][1], -county.found[i][2]))
    for i in {best, int(rng.integers(len(county.found)))}:
        rot, moves, value = county.found[i]
        want = county.objective(moves, value)
        stints = stints_of(problem, county.judge, rot)
        frame = rotation_frame(problem, stints)
        same_rotation(frame, frame_of(county.judge, rot))
        assert int(frame["moved"].sum()) == moves
        assert objective_of(problem, stints, county.max_moves) == want

        # the LP over these columns alone takes each of them whole, at the rotation's value
        lp = StintLP(problem, county.max_moves, county.w)
        lp.add(stints)
        obj, duals, x = lp.solve()
        assert np.allclose(x, 1.0)
        assert obj == pytest.approx(want, abs=1e-6 * max(1.0, abs(want)))
        # the pricing the column generation runs on is HiGHS's own reduced cost
        highs_rc = np.asarray(lp.h.getSolution().col_dual)[lp.n_slack :]
        assert np.allclose(lp.reduced_costs(duals)[lp.cols], highs_rc, atol=1e-6 * abs(want))

        # the integer model over them: the rotation is a solution of its value, and the optimum
        model = lp.linear_model()
        full = lp.full_vector(stints)
        assert model.violated_rows(full).tolist() == []
        assert model.value(full) == want
        res = solve_highs(model, 30)
        assert res.status == "OPTIMAL" and round(res.objective) == want


def stint_model_over_the_whole_pool_finds_the_best_rotation(county: County) -> None:
    problem, best = county.problem, county.best()
    every = np.arange(problem.n_stints)

    # column generation from one rotation's stints, with the LP's milder penalties: its bound
    # holds for every rotation
    rot = county.found[0][0]
    lp = StintLP(problem, county.max_moves, county.w, lp_weights(problem))
    lp.add(stints_of(problem, county.judge, rot))
    bound, _, _ = generate_columns(problem, lp, [], deadline=float("inf"))
    assert bound >= best - 1e-6 * abs(best)

    # the LP over the whole pool, with the return windows it breaks cut off: a bound, priced
    # as HiGHS prices it
    lp = StintLP(problem, county.max_moves, county.w)
    lp.add(every)
    obj, duals, x = lp.solve()
    while lp.separate(x):
        obj, duals, x = lp.solve()
    assert obj >= best - 1e-6 * abs(best)
    highs_rc = np.asarray(lp.h.getSolution().col_dual)[lp.n_slack :]
    assert np.allclose(lp.reduced_costs(duals)[lp.cols], highs_rc, atol=1e-6 * abs(best))

    # the integer model over the whole pool: the best rotation there is, by both solvers, and
    # what it chose is a rotation the rules allow, of the value the model gives it
    model = lp.linear_model()
    for res in (solve_highs(model, 30), solve_cpsat(model, time_limit=30, workers=1)):
        assert res.status == "OPTIMAL", res.backend
        assert round(res.objective) == best, res.backend
        chosen = np.sort(lp.cols[res.x[lp.n_slack :] > 0])
        frame = rotation_frame(problem, chosen)
        assert (frame["auxiliary_id"] != "").all()
        moves, value = county.judge.value_of(frame)
        assert county.objective(moves, value) == best
