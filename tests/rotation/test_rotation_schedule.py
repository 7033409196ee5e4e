"""The schedule bound (``rotation/schedule.py``) against every rotation of small counties.

The rotation reports the schedule's fewest moves as a proven lower bound, and the engine holds
its search at that number of moves: a bound above the moves of some rotation would hide better
rotations and call a worse one proven. Variants of RING's county C1 (5 villages; hires,
leavers, postings, tenure, returns and exchange limits drawn from a seed) are enumerated whole
by the rules written in ``rotation_judge`` from POLICY.md.
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from rotation_judge import BruteForce, ring_variant, stints_of

from cunjing.optimizer.auxiliaries.placement import county_scope
from cunjing.optimizer.rotation.problem import RotationProblem, make_rotation_problem
from cunjing.optimizer.rotation.schedule import (
    contradictions,
    schedule_model,
    solve_schedule,
    stint_options,
    uncoverable,
)

EXAMPLES = int(os.environ.get("CUNJING_PROPERTY_EXAMPLES", "10"))
CHECKED = 300  # rotations of a county mapped to schedules one by one (a sample when more)


def schedule_of(problem: RotationProblem, options, stints: np.ndarray) -> np.ndarray:
    """The schedule model's variables for a rotation: its stints without the names."""
    keys = ["village", "first", "last", "new", "goes_on", "exchange"]
    row = {tuple(r): i for i, r in enumerate(options[keys].itertuples(index=False, name=None))}
    x = np.zeros(len(options), dtype=np.int64)
    for k in stints.tolist():
        key = (
            problem.s_village[k],
            problem.s_first[k],
            problem.s_last[k],
            problem.s_new[k],
            problem.s_goes_on[k],
            problem.s_exchange[k],
        )
        x[row[key]] = 1
    return x


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
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
    rng = np.random.default_rng(seed)
    for i in np.sort(rng.permutation(len(found))[:CHECKED]).tolist():
        rot, moves, _ = found[i]
        x = schedule_of(problem, options, stints_of(problem, judge, rot))
        assert model.violated_rows(x).tolist() == [], rot
        assert model.value(x) == -moves, rot
