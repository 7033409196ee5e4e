"""Each AUX rule on its own: a plan that meets it and one that breaks it (RING bundle)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from aux_bundles import plan, ring

from cunjing.constraints import (
    aux_cover,
    aux_exchange,
    aux_familiar,
    aux_fulltime,
    aux_not_home,
    aux_tenure,
    aux_township,
)
from cunjing.constraints.base import Assignment
from cunjing.constraints.validate import auxiliary_violations, rotation_violations

# the rules' messages are read in English here; their Chinese: tests/test_messages.py
pytestmark = pytest.mark.usefixtures("english")


def judge(rule, inst, plan):
    """The rule's check on a plan of (village_id, person) rows, as the validator hands it."""
    return rule.check(inst, Assignment.auxiliaries(plan))


@pytest.fixture(scope="module")
def inst(tmp_path_factory):
    return ring(tmp_path_factory.mktemp("rules"))


def rules_of(violations) -> list[str]:
    return sorted(v.rule for v in violations)


GOOD = plan(("V1", "A7"), ("V2", "A1"), ("V3", "A8"), ("V4", "A3"), ("V5", "A2"))


def test_a_good_plan_meets_every_rule_and_each_break_is_named(inst):
    good = pd.concat([GOOD, plan(("V6", "A4"), ("V7", "A9"))])  # C2's villages, auxiliaries
    assert auxiliary_violations(inst, good) == []
    for swap, rule in (
        ({"A2": "A6"}, "AUX-COVER"),  # A6 is hired only in 2027-06
        ({"A8": "A2", "A2": "A8"}, "AUX-NOT-HOME"),  # A2 comes from V3
        ({"A3": "A2", "A2": "A3"}, "AUX-TENURE"),  # A2 has served V4 43 months
    ):
        bad = good.assign(auxiliary_id=good["auxiliary_id"].replace(swap))
        assert rule in rules_of(auxiliary_violations(inst, bad)), swap


def test_cover_every_village_once_by_someone_in_service(inst):
    assert judge(aux_cover, inst, pd.concat([GOOD, plan(("V6", "A4"), ("V7", "A9"))])) == []
    missing = judge(aux_cover, inst, GOOD)
    assert len(missing) == 1 and missing[0].ids == ("V6", "V7")
    twice = judge(aux_cover, inst, pd.concat([GOOD, plan(("V6", "A4"), ("V6", "A3"))]))
    assert any("V6 has 2 resident auxiliaries" in v.message for v in twice)
    leaving = judge(aux_cover, inst, pd.concat([GOOD, plan(("V6", "A5"), ("V7", "A9"))]))
    assert [v.ids for v in leaving] == [("V6", "A5")] and "(status leaving)" in leaving[0].message
    # A6 is hired 2027-06: not for period 1 (2027), in service from period 2 (2028)
    late = plan(("V6", "A6"))
    assert "hired 2027-06" in judge(aux_cover, inst, late)[-1].message
    assert aux_cover.why_not(late, inst, 2)[0] == ""
    # A8 leaves 2028-07: serves 2027 but not 2028
    assert aux_cover.why_not(plan(("V5", "A8")), inst, 1)[0] == ""
    assert "2028-07" in aux_cover.why_not(plan(("V5", "A8")), inst, 2)[0]


def test_fulltime_one_village_each(inst):
    assert judge(aux_fulltime, inst, GOOD) == []
    bad = judge(aux_fulltime, inst, plan(("V1", "A7"), ("V2", "A7")))
    assert len(bad) == 1 and bad[0].ids == ("A7", "V1", "V2")


def test_township_own_or_neighbour(inst):
    rel, why = aux_township.relation(
        plan(("V1", "A7"), ("V3", "A7"), ("V5", "A7"), ("V6", "A7"), ("V1", "A4")), inst
    )
    assert list(rel) == [
        "same_township",
        "neighbour_township",
        "",
        "neighbour_township",
        "neighbour_township",
    ]
    assert why[0] == why[1] == ""
    assert "neither" in why[2]
    assert "another county" in why[3]  # a C1 auxiliary in C2
    assert "another county" in why[4]
    assert rules_of(judge(aux_township, inst, plan(("V5", "A7")))) == ["AUX-TOWNSHIP"]
    assert judge(aux_township, inst, plan(("V3", "A7"))) == []


def test_township_switches(tmp_path):
    own = ring(tmp_path, "[rules.AUX-TOWNSHIP]\nallow_neighbours = false\n", name="own")
    assert "allow_neighbours is off" in judge(aux_township, own, plan(("V3", "A7")))[0].message
    assert judge(aux_township, own, plan(("V1", "A7"))) == []
    across = ring(tmp_path, "[rules.AUX-TOWNSHIP]\nacross_counties = true\n", name="across")
    assert judge(aux_township, across, plan(("V1", "A4"), ("V6", "A7"))) == []


def test_not_home(inst):
    assert rules_of(judge(aux_not_home, inst, plan(("V2", "A7")))) == ["AUX-NOT-HOME"]
    assert judge(aux_not_home, inst, plan(("V1", "A7"))) == []


def test_tenure_in_the_annual_plan(inst):
    # A1 in V2 for 19 months: stays; A2 in V4 for 43 months: has reached 3 × 12 and leaves
    assert judge(aux_tenure, inst, plan(("V2", "A1"))) == []
    over = judge(aux_tenure, inst, plan(("V4", "A2")))
    assert len(over) == 1 and "43 months" in over[0].message
    # A3 left V3 in 2026-03: no return before 2028-04; A7 left it in 2021-12: may return
    back = judge(aux_tenure, inst, plan(("V3", "A3")))
    assert len(back) == 1 and "2028-04" in back[0].message
    assert judge(aux_tenure, inst, plan(("V3", "A7"))) == []


def _rotation(rows):
    return pd.DataFrame(rows, columns=["period", "village_id", "auxiliary_id"])


def test_tenure_over_a_rotation_counts_history_and_returns(inst):
    # A1 has 19 months (1 period done) in V2: periods 1..2 keep him within 3, 1..3 do not
    ok = _rotation([(1, "V2", "A1"), (2, "V2", "A1"), (3, "V2", "A7")])
    assert aux_tenure.check_rotation(inst, ok) == []
    long = _rotation([(p, "V2", "A1") for p in (1, 2, 3)])
    bad = aux_tenure.check_rotation(inst, long)
    assert len(bad) == 1 and "4 periods in a row" in bad[0].message
    # a fresh stay of 4 periods
    fresh = _rotation([(p, "V1", "A7") for p in (1, 2, 3, 4)])
    assert "4 periods in a row, the limit is 3" in aux_tenure.check_rotation(inst, fresh)[0].message
    # leaving V1 after period 1 and coming back in period 3 is 1 period away; 2 are needed
    back = _rotation([(1, "V1", "A7"), (3, "V1", "A7")])
    msg = aux_tenure.check_rotation(inst, back)
    assert len(msg) == 1 and "1 period(s) after leaving" in msg[0].message
    assert aux_tenure.check_rotation(inst, _rotation([(1, "V1", "A7"), (4, "V1", "A7")])) == []
    # A3 left V3 in 2026-03: period 2 (2028-01) is too early, period 3 (2029-01) is fine
    assert len(aux_tenure.check_rotation(inst, _rotation([(2, "V3", "A3")]))) == 1
    assert aux_tenure.check_rotation(inst, _rotation([(3, "V3", "A3")])) == []
    # A1 leaves V2 at the plan start (his posting ends 2026-12) and cannot come back in period 2
    assert len(aux_tenure.check_rotation(inst, _rotation([(2, "V2", "A1")]))) == 1


def test_exchange_limits_per_county_and_township(tmp_path):
    inst = ring(
        tmp_path,
        "[rules.AUX-EXCHANGE]\nshare = 0.25\nper_township = 1\ntownship_share = 0.0\n",
    )
    # C1 has 6 auxiliaries in service in period 1 (A5 leaves, A6 not hired yet; A4 is C2's)
    caps = aux_exchange.county_caps(inst, 2).set_index(["county_id", "period"])
    assert caps.loc[("C1", 1), "in_service"] == 5 and caps.loc[("C1", 1), "cap"] == 1
    assert caps.loc[("C1", 2), "in_service"] == 5  # A6 hired, A8 gone
    # period 1: V2 keeps A1, V4 changes from A2 (still in service): 1 exchange, within the cap
    one = _rotation([(1, "V2", "A1"), (1, "V4", "A3")])
    assert aux_exchange.check_rotation(inst, one) == []
    # both incumbents replaced in period 1: 2 exchanges > 1 (county); T1 and T2 one each
    two = _rotation([(1, "V2", "A7"), (1, "V4", "A3")])
    bad = aux_exchange.check_rotation(inst, two)
    assert len(bad) == 1 and "2 villages of county C1" in bad[0].message
    # two changes in T1 in period 2 break the township's limit of 1 and the county cap
    t1 = _rotation([(1, "V1", "A7"), (1, "V2", "A1"), (2, "V1", "A3"), (2, "V2", "A8")])
    msgs = [v.message for v in aux_exchange.check_rotation(inst, t1)]
    assert any("township T1" in m for m in msgs) and any("county C1" in m for m in msgs)
    # filling a village that had no auxiliary (V1 in period 1) is not an exchange
    ch = aux_exchange.changes(inst, t1).set_index(["village_id", "period"])
    assert ch.loc[("V1", 1), "moved"] and not ch.loc[("V1", 1), "exchange"]


def test_exchange_judges_the_moved_column(inst):
    rot = _rotation([(1, "V2", "A1"), (2, "V2", "A7")]).assign(moved=[True, True])
    msgs = [v.message for v in aux_exchange.check_rotation(inst, rot)]
    assert msgs == ["period 1: village V2 is marked moved=True but its auxiliary did not change"]


def test_exchange_limit_for_large_townships(tmp_path):
    inst = ring(tmp_path, "[rules.AUX-EXCHANGE]\nper_township = 1\ntownship_share = 0.5\n")
    limits = aux_exchange.township_limits(inst)
    assert limits["T1"] == 1 and limits["T3"] == 1  # ceil(0.5 × 2) = 1, ceil(0.5 × 1) = 1
    big = ring(
        tmp_path, "[rules.AUX-EXCHANGE]\nper_township = 0\ntownship_share = 1.0\n", name="big"
    )
    assert aux_exchange.township_limits(big)["T1"] == 2


def test_familiar_points_and_reasons(inst):
    from cunjing.optimizer.auxiliaries.pairs import describe_pairs

    pairs = describe_pairs(
        inst, plan(("V1", "A7"), ("V3", "A7"), ("V2", "A1"))[["auxiliary_id", "village_id"]]
    )
    km = pairs["km"].to_numpy()
    assert km[0] < km[1]
    # A7 (home V2, T1) in V1: own township 30, recommended 20, less the km
    assert pairs["score"].tolist()[0] == pytest.approx(round(30 + 20 - km[0], 2))
    assert pairs["score"].tolist()[1] == pytest.approx(round(-km[1], 2))
    # A1 is the incumbent of V2 (plan_auxiliaries.csv): 25 points for keeping him
    assert pairs["p:incumbent"].tolist() == [0.0, 0.0, 25.0]
    assert list(aux_familiar.label(pairs, inst)) == [
        "AUX-FAMILIAR:same_township;AUX-FAMILIAR:recommended",
        "",
        "AUX-FAMILIAR:same_township;AUX-FAMILIAR:incumbent",
    ]
    assert np.all(aux_familiar.points(pairs, inst, with_incumbent=False) <= pairs["score"])


def test_rotation_check_runs_every_rule_per_period(inst):
    rot = _rotation(
        [(1, "V1", "A7"), (1, "V2", "A7"), (2, "V5", "A7")]  # FULLTIME in 1, TOWNSHIP in 2
    )
    got = rules_of(rotation_violations(inst, rot))
    assert "AUX-FULLTIME" in got and "AUX-TOWNSHIP" in got and "AUX-COVER" in got
    gap = _rotation([(1, "V1", "A7"), (3, "V1", "A7")])
    assert any("without a gap" in v.message for v in rotation_violations(inst, gap))
