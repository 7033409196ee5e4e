"""Placing the auxiliaries of the annual plan: exact, checked, and a shortage proven by counting."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from aux_bundles import generated, ring, short_bundle

from cunjing.constraints import aux_cover, aux_not_home, aux_tenure, aux_township
from cunjing.constraints.validate import auxiliary_violations
from cunjing.optimizer.auxiliaries.placement import plan_county_auxiliaries
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.solve.options import SolveOptions


def eligible_by_counting(inst, villages, auxiliaries) -> dict[str, set[str]]:
    """Per village, every auxiliary the rule modules allow (the whole cross product: nothing of
    the planner's pair table or flow is used)."""
    pairs = pd.DataFrame(
        list(itertools.product(auxiliaries, villages)), columns=["auxiliary_id", "village_id"]
    )
    ok = (
        (aux_cover.why_not(pairs, inst) == "")
        & (aux_township.why_not(pairs, inst) == "")
        & (aux_not_home.why_not(pairs, inst) == "")
        & (aux_tenure.why_not(pairs, inst) == "")
    )
    out: dict[str, set[str]] = {v: set() for v in villages}
    for a, v in zip(pairs["auxiliary_id"][ok], pairs["village_id"][ok], strict=True):
        out[v].add(a)
    return out


def deficiency(who: dict[str, set[str]], villages) -> int:
    villages = list(villages)
    return len(villages) - len(set().union(*(who[v] for v in villages))) if villages else 0


def test_ring_county_is_placed_exactly_and_checked(tmp_path):
    inst = ring(tmp_path)
    c1 = inst.county("C1")
    results = {
        b: plan_county_auxiliaries(inst, "C1", SolveOptions(time_limit=20), backend=b)
        for b in ("auto", "highs", "cp-sat", "greedy")
    }
    flow = results["auto"]
    assert flow.status == "OPTIMAL" and flow.backend == "min-cost-flow"
    assert set(flow.plan["village_id"]) == {"V1", "V2", "V3", "V4", "V5"}
    assert auxiliary_violations(c1, flow.plan) == []
    for b in ("highs", "cp-sat"):
        assert results[b].objective == pytest.approx(flow.objective), b
        assert results[b].status == "OPTIMAL"
        assert auxiliary_violations(c1, results[b].plan) == []
    assert results["greedy"].objective <= flow.objective + 1e-9
    # the incumbent A1 may stay in V2 (19 months) and does; A2 (43 months) leaves V4
    row = flow.plan.set_index("village_id")
    assert row.at["V2", "auxiliary_id"] == "A1" and row.at["V2", "kept"]
    assert row.at["V4", "auxiliary_id"] != "A2"
    assert flow.kpis["incumbents_must_leave_by_rule"] == {"AUX-TENURE": 1}
    assert "AUX-FAMILIAR:incumbent" in row.at["V2", "reasons"]


def test_generated_county_flow_matches_the_mip_solvers(tmp_path):
    inst = load_bundle(generated(tmp_path, 80, seed=3))
    county = inst.counties[0]
    flow = plan_county_auxiliaries(inst, county)
    highs = plan_county_auxiliaries(inst, county, SolveOptions(time_limit=30), backend="highs")
    assert flow.status == "OPTIMAL" and highs.status == "OPTIMAL"
    assert flow.objective == pytest.approx(highs.objective)
    assert flow.kpis["uncovered"] == 0
    assert auxiliary_violations(inst, flow.plan) == []
    assert auxiliary_violations(inst, highs.plan) == []
    again = plan_county_auxiliaries(inst, county)
    pd.testing.assert_frame_equal(flow.plan, again.plan)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shortage_is_diagnosed_by_hall_and_verified_by_counting(tmp_path, seed):
    inst = short_bundle(tmp_path, seed, share=0.4)
    county = inst.counties[0]
    res = plan_county_auxiliaries(inst, county)
    uncovered = res.plan.loc[res.plan["auxiliary_id"] == "", "village_id"].tolist()
    assert uncovered, "the bundle was meant to be short of auxiliaries"
    assert res.status == "PARTIAL"
    # what the plan does is legal: only AUX-COVER's missing villages are reported
    rules = {v.rule for v in auxiliary_violations(inst, res.plan)}
    assert rules == {"AUX-COVER"}
    certs = [d for d in res.diagnostics if d["rule"] == "AUX-COVER"]
    villages = inst.villages.index[inst.villages["county_id"] == county]
    auxiliaries = inst.auxiliaries.index[inst.auxiliaries["county_id"] == county]
    who = eligible_by_counting(inst, villages, auxiliaries)
    total = 0
    for c in certs:
        s, n = c["villages"], c["auxiliaries"]
        # N(S) is exactly the auxiliaries named, and they are too few by `short`
        assert set().union(*(who[v] for v in s)) == set(n)
        assert len(s) - len(n) == c["short"] > 0
        # the smallest such set: leaving out any village makes the shortage smaller
        for v in s:
            assert deficiency(who, [w for w in s if w != v]) < c["short"]
        if len(s) > 1:
            assert f"{len(s)} 个村" in c["message"]
            assert f"只有 {len(n)} 名辅警可以驻" in c["message"]
        total += c["short"]
    # Hall: no plan covers more, and this plan covers that many
    assert total == len(uncovered)
    # the parts are disjoint
    seen = [v for c in certs for v in c["villages"]]
    assert len(seen) == len(set(seen))


def test_shortage_message_names_townships(tmp_path):
    inst = ring(
        tmp_path,
        auxiliaries=[
            {"auxiliary_id": "A1", "name": "甲", "county_id": "C1", "home_village_id": "V1"},
            {"auxiliary_id": "A2", "name": "乙", "county_id": "C1", "home_village_id": "V5"},
        ],
        aux_history=None,
        plan_auxiliaries=None,
    )
    res = plan_county_auxiliaries(inst, "C1")
    assert res.status == "PARTIAL" and res.kpis["covered"] == 2
    msg = [d["message"] for d in res.diagnostics]
    # A1 comes from V1 and A2 from V5: no one may serve those two; V2, V3 and V4 share A1, A2
    assert sorted(msg) == [
        "V1村（V1，甲镇）没有可以驻村的辅警；附近被规则排除的辅警：AUX-NOT-HOME 排除 1 名",
        "V5村（V5，丙镇）没有可以驻村的辅警；附近被规则排除的辅警：AUX-NOT-HOME 排除 1 名",
        "甲镇（T1）、乙镇（T2）：3 个村（甲镇：V2村（V2）；乙镇：V3村（V3）、V4村（V4））只有 2 "
        "名辅警可以驻（甲（A1）、乙（A2））：1 个村没有驻村辅警",
    ]
    assert sum(d["short"] for d in res.diagnostics) == 3


def test_pins_are_kept_when_legal_and_reported_when_not(tmp_path):
    inst = ring(
        tmp_path,
        plan_auxiliaries=[
            {"village_id": "V1", "auxiliary_id": "A8", "pinned": "true"},
            {"village_id": "V4", "auxiliary_id": "A2", "pinned": "true"},  # 43 months there
        ],
    )
    res = plan_county_auxiliaries(inst, "C1")
    row = res.plan.set_index("village_id")
    assert row.at["V1", "auxiliary_id"] == "A8" and row.at["V1", "pinned"]
    assert row.at["V4", "auxiliary_id"] != "A2"
    assert any(
        d["rule"] == "AUX-TENURE" and "锁定不予采用" in d["message"] for d in res.diagnostics
    )


def test_across_counties_plans_every_county_as_one(tmp_path):
    # C1 has no auxiliary left; C2 has three for its two villages, and 丁镇 borders 甲镇
    aux = [
        {"auxiliary_id": a, "name": a, "county_id": "C2", "home_village_id": h}
        for a, h in (("A4", "V7"), ("A9", "V6"), ("A10", "V7"))
    ]
    kw = {"auxiliaries": aux, "aux_history": None, "plan_auxiliaries": None}
    apart = ring(tmp_path, name="apart", **kw)
    assert plan_county_auxiliaries(apart, "C1").kpis["covered"] == 0
    policy = "[rules.AUX-TOWNSHIP]\nacross_counties = true\n"
    together = ring(tmp_path, policy, name="together", **kw)
    res = plan_county_auxiliaries(together, None)
    got = res.plan.set_index("village_id")["auxiliary_id"]
    assert res.kpis["covered"] == 3
    assert got["V6"] and got["V7"] and (got["V1"] or got["V2"])
    # legal by every rule; only the villages no one can reach are reported
    assert {v.rule for v in auxiliary_violations(together, res.plan)} == {"AUX-COVER"}
    assert sum(d["short"] for d in res.diagnostics) == 7 - 3
