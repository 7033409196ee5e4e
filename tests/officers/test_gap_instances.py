"""OR-Library GAP instances as bundles (benchmarks/gap): the engine reaches the known optimum.

The generalized assignment problem is the officer model without its side rules; a small
instance keeps the conversion (pairs.csv workloads and scores, days in hundredths) honest.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.solve.options import SolveOptions

from gap_bundles import instances, write_bundle


@pytest.mark.parametrize("name", ["c515-1", "a05100"])
def test_gap_instance_reaches_the_known_optimum(tmp_path, name):
    (gap,) = instances({name})
    inst = load_bundle(write_bundle(gap, tmp_path / name))
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=60))
    assert res.status == "OPTIMAL"
    # scores are minus the costs: the plan's cost is the known optimum
    assert round(-res.objective) == gap.optimum
    used = res.plan.groupby("officer_id")["workload_days"].sum()
    capacity = inst.officers["available_days"].reindex(used.index)
    assert (used <= capacity + 1e-9).all()
