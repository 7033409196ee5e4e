"""The schedule bound (``rotation/schedule.py``) against every rotation of small counties.

The rotation reports the schedule's fewest moves as a proven lower bound, and the engine holds
its search at that number of moves: a bound above the moves of some rotation would hide better
rotations and call a worse one proven. Variants of RING's county C1 (5 villages; hires,
leavers, postings, tenure, returns and exchange limits drawn from a seed) are enumerated whole
by the rules written in ``rotation_judge`` from POLICY.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st
from properties import property_settings
from rotation_judge import BruteForce, ring_variant, stint_index, stints_of

from cunjing.optimizer.auxiliaries.placement import county_scope
from cunjing.optimizer.rotation.problem import RotationProblem, make_rotation_problem
from cunjing.optimizer.rotation.schedule import (
    contradictions,
    schedule_model,
    solve_schedule,
    stint_options,
    uncoverable,
)

CHECKED = 300  # rotations of a county mapped to schedules one by one (a sample when more)


def option_of_stints(problem: RotationProblem, options: pd.DataFrame) -> np.ndarray:
    """Per stint of the pool, its row of ``stint_options``: the stint without its name."""
    keys = ["village", "first", "last", "new", "goes_on", "exchange"]
    stints = pd.DataFrame({k: getattr(problem, f"s_{k}") for k in keys})
    at = pd.MultiIndex.from_frame(options[keys]).get_indexer(pd.MultiIndex.from_frame(stints))
    assert (at >= 0).all()
    return at


@property_settings(10)
@given(seed=st.integers(0, 2**32 - 1))
def test_schedule_bound_never_exceeds_the_moves_of_any_rotation(tmp_path_factory, seed):
    inst, periods = ring_variant(tmp_path_factory.mktemp("ring"), seed)
    judge = BruteForce(inst, periods)
    found = list(judge.rotations())
    assume(found)  # a county with no rotation at all bounds nothing
    sub = county_scope(inst, "C1")
    problem = make_rotation_problem(sub, "C1", periods)
    # the counting proof never calls a county with a rotation impossible ...
    assert contradictions(sub, problem) == []
    # ... and the schedule's fewest moves are at most those of every rotation
    sched = solve_schedule(problem)
    assert sched.status == "OPTIMAL"
    fewest = min(moves for _, moves, _ in found)
    assert 0 <= sched.moves <= fewest
    # the proof, rotation by rotation: each one is a schedule with the same moves (its stints
    # are in the pool, and without the names they keep every row of the schedule model)
    options = stint_options(problem)
    model = schedule_model(problem, options, uncoverable(problem))
    index = stint_index(problem)
    rng = np.random.default_rng(seed)
    some = [found[i] for i in np.sort(rng.permutation(len(found))[:CHECKED])]
    option = option_of_stints(problem, options)
    x = np.zeros((len(some), len(options)), dtype=np.int64)
    for i, (rot, _, _) in enumerate(some):
        x[i, option[stints_of(problem, judge, rot, index)]] = 1
    ax = (model.matrix() @ x.T).T
    low, high = model.row_bounds()
    assert np.all((ax >= low) & (ax <= high), axis=1).all()
    assert np.array_equal(x @ model.objective(), [-moves for _, moves, _ in some])
