"""The annual plan is the rotation's period 1 (issue 16): ``plan`` and ``rotate`` give one
answer, and that answer keeps period 1's exchange limits."""

from __future__ import annotations

import pandas as pd
from aux_bundles import generated

from cunjing.constraints import aux_exchange
from cunjing.constraints.validate import rotation_violations
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.run.plan import plan
from cunjing.optimizer.run.rotate import rotate
from cunjing.optimizer.solve.options import SolveOptions

OPTIONS = SolveOptions(time_limit=30.0, seed=0, workers=1)


def test_the_annual_plan_is_period_1_of_the_rotation(tmp_path):
    # on this county the familiar-points placement and a free rotation's first period
    # differed in 32 of 60 villages
    inst = load_bundle(generated(tmp_path, 60, seed=0))
    annual = plan(inst, OPTIONS)
    rot = rotate(inst, 3, OPTIONS)
    assert rot.holds and rotation_violations(inst, rot.rotation) == []
    first = rot.rotation[rot.rotation["period"] == 1].set_index("village_id")["auxiliary_id"]
    placed = annual.auxiliary_plan.set_index("village_id")["auxiliary_id"]
    assert (placed != "").all()
    pd.testing.assert_series_equal(
        first.sort_index().astype(str), placed.sort_index().astype(str), check_names=False
    )


def test_the_annual_plan_keeps_period_1s_exchange_limits(tmp_path):
    # the best familiar points alone change 37 villages' auxiliaries here, over the county's
    # cap of 0.4 × 82 = 32: the plan must keep the cap, and says it judged it
    inst = load_bundle(generated(tmp_path, 60, seed=0))
    run = plan(inst, OPTIONS)
    rows = run.auxiliary_plan[["village_id", "auxiliary_id"]].assign(period=1)
    per_c, _per_t = aux_exchange.move_counts(inst, rows)
    assert (per_c["exchanges"] <= per_c["cap"]).all()
    assert int(per_c["exchanges"].sum()) > 0  # some exchange: the limit is what held it
    assert run.record["checks"]["AUX-EXCHANGE"] == 0
    assert run.status in ("OPTIMAL", "FEASIBLE")
