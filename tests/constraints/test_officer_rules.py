"""Each officer rule module on its own: who matches, and what the hard-rule checks catch."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from cunjing.constraints import (
    off_cadre,
    off_complex,
    off_continuity,
    off_cover,
    off_former,
    off_hotspot,
    off_key,
    off_life,
    off_load,
    off_origin,
    off_pref,
    off_traffic,
)
from cunjing.constraints.base import Assignment
from cunjing.constraints.registry import RULES
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.pairs import build_pairs

from conftest import TINY, write_bundle

# the rules' messages are read in English here; their Chinese: tests/test_messages.py
pytestmark = pytest.mark.usefixtures("english")


def judge(rule, inst, plan):
    """The rule's check on a plan of (village_id, person) rows, as the validator hands it."""
    return rule.check(inst, Assignment.officers(plan))


def bundle(tmp_path, change=None):
    data = copy.deepcopy(TINY)
    if change:
        change(data)
    return load_bundle(write_bundle(tmp_path / "b", data))


def pairs_of(inst, rows):
    return build_pairs(inst, pd.DataFrame(rows, columns=["officer_id", "village_id"]))


def test_every_policy_rule_has_a_module_with_its_id_and_clause():
    ids = {
        "OFF-COVER",
        "OFF-LOAD",
        "OFF-PREF",
        "OFF-ORIGIN",
        "OFF-FORMER",
        "OFF-TRAFFIC",
        "OFF-HOTSPOT",
        "OFF-COMPLEX",
        "OFF-KEY",
        "OFF-CADRE",
        "OFF-LIFE",
        "OFF-CONTINUITY",
    }
    assert ids <= set(RULES)
    for rid in ids:
        assert RULES[rid].clause.startswith("§")
        assert RULES[rid].kind in ("hard", "soft")


def test_pref_ranks_villages_and_townships(tmp_path):
    inst = bundle(tmp_path)  # officer 100001 wishes V1 first, then township T1
    p = pairs_of(inst, [("100001", "V1"), ("100001", "V2"), ("100001", "V4"), ("100002", "V1")])
    rank, named = off_pref.wishes(p, inst)
    assert rank.tolist() == [1, 2, 0, 0]
    assert named.tolist() == [True, False, False, False]
    m = off_pref.match(p, inst)
    assert m[0] == 1.0
    assert m[1] == pytest.approx(0.75 * 0.8)  # second wish, and only by township
    assert m[2] == m[3] == 0.0
    assert off_pref.label(p, inst).tolist() == ["OFF-PREF:1", "OFF-PREF:2", "", ""]


def test_origin_applies_to_organ_officers_only(tmp_path):
    def native(d):
        d["officers"][0].update(native_township_id="T2")  # a station officer: rule does not apply

    inst = bundle(tmp_path, native)
    p = pairs_of(inst, [("100003", "V5"), ("100003", "V4"), ("100003", "V1"), ("100001", "V4")])
    assert off_origin.match(p, inst).tolist() == [1.0, 0.6, 0.0, 0.0]


def test_former_townships(tmp_path):
    inst = bundle(tmp_path, lambda d: d["officers"][1].update(former_township_ids="T1"))
    p = pairs_of(inst, [("100002", "V1"), ("100002", "V4"), ("100001", "V1")])
    assert off_former.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_traffic_police_on_route_villages(tmp_path):
    inst = bundle(tmp_path)  # V4 is on a traffic route; 100002 is traffic police
    p = pairs_of(inst, [("100002", "V4"), ("100002", "V5"), ("100001", "V4")])
    assert off_traffic.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_hotspots_are_top_cases_of_the_county(tmp_path):
    def criminal(d):
        d["officers"][1]["category"] = "criminal"

    inst = bundle(tmp_path, criminal)
    hot = off_hotspot.hotspots(inst)
    # cases 12, 1, 0, 30, 2, 4: the 80 % quantile is 12, and at least 5 cases
    assert sorted(hot[hot].index) == ["V1", "V4"]
    p = pairs_of(inst, [("100002", "V4"), ("100002", "V2"), ("100001", "V4")])
    assert off_hotspot.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_complex_villages_for_domestic_security(tmp_path):
    inst = bundle(tmp_path, lambda d: d["officers"][1].update(category="domestic_security"))
    p = pairs_of(inst, [("100002", "V3"), ("100002", "V4"), ("100001", "V3")])
    assert off_complex.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_key_villages_for_station_police_of_their_own_township(tmp_path):
    inst = bundle(tmp_path, lambda d: d["officers"][1].update(category="public_security"))
    # V1 (T1) and V4 (T2) are key; 100001 is station police based in T1
    p = pairs_of(inst, [("100001", "V1"), ("100001", "V4"), ("100002", "V4"), ("100003", "V1")])
    assert off_key.match(p, inst).tolist() == [1.0, 0.0, 1.0, 0.0]


def test_cadre_goes_back_to_his_village(tmp_path):
    inst = bundle(tmp_path, lambda d: d["officers"][2].update(selected_village_id="V6"))
    p = pairs_of(inst, [("100003", "V6"), ("100003", "V5"), ("100001", "V6")])
    assert off_cadre.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_continuity_with_the_incumbent_plan(tmp_path):
    inst = bundle(
        tmp_path, lambda d: d.update(plan_officers=[{"village_id": "V2", "officer_id": "100003"}])
    )
    p = pairs_of(inst, [("100003", "V2"), ("100001", "V2"), ("100003", "V1")])
    assert off_continuity.match(p, inst).tolist() == [1.0, 0.0, 0.0]


def test_life_costs_travel_and_sets_a_fair_share(tmp_path):
    inst = bundle(tmp_path)
    p = pairs_of(inst, [("100001", "V1"), ("100001", "V6")])
    pts = off_life.points(p, inst, off_life.match(p, inst))
    assert pts[0] > pts[1]  # V6 lies further from his base
    assert pts[1] == pytest.approx(-3.0 * p["km"].iloc[1])
    share = off_life.fair_share(inst, inst.officers, 6)
    # 8, 8 and 7 days of 23: shares 6*8/23 = 2.09 -> 3, 3, and 6*7/23 = 1.83 -> 2
    assert share.tolist() == [3, 3, 2]


def test_weights_and_switches_come_from_the_policy(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "policy.toml").write_text(
        "[rules.OFF-PREF]\nweight = 10\n[rules.OFF-KEY]\nenabled = false\n", encoding="utf-8"
    )
    inst = load_bundle(folder)
    p = pairs_of(inst, [("100001", "V1")])
    assert p["p:OFF-PREF"].iloc[0] == 10.0
    assert p["p:OFF-KEY"].iloc[0] == 0.0
    assert p["score"].iloc[0] == pytest.approx(
        sum(p[c].iloc[0] for c in p.columns if c.startswith("p:"))
    )


def test_workload_is_visit_days_plus_travel_and_pairs_override(tmp_path):
    def override(d):
        d["pairs"] = [
            {"officer_id": "100003", "village_id": "V6", "workload_days": "5", "score": "12.5"},
            {"officer_id": "100001", "village_id": "V2", "forbidden": "true"},
        ]

    inst = bundle(tmp_path, override)
    p = pairs_of(inst, [("100001", "V1"), ("100003", "V6"), ("100001", "V2")])
    km = p["km"].iloc[0]
    assert p["workload_days"].iloc[0] == pytest.approx(round(2 + 2 * 2 * km / 30 / 8, 2), abs=0.01)
    assert p["workload_days"].iloc[1] == 5.0
    assert p["extra"].iloc[1] == 12.5
    assert p["why_not"].tolist() == ["", "", "forbidden in pairs.csv"]


def test_cover_check_finds_blank_double_and_ineligible(tmp_path):
    def leaving(d):
        d["officers"][1]["status"] = "leaving"

    inst = bundle(tmp_path, leaving)
    ok = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5", "V6"],
            "officer_id": ["100001", "100001", "100001", "100003", "100003", "100003"],
        }
    )
    assert judge(off_cover, inst, ok) == []
    bad = pd.DataFrame(
        {
            "village_id": ["V1", "V1", "V3", "V4", "V5"],
            "officer_id": ["100001", "100003", "100002", "100003", "nobody"],
        }
    )
    msgs = [v.message for v in judge(off_cover, inst, bad)]
    assert any("without a liaison officer" in m and "V2" in m and "V6" in m for m in msgs)
    assert any(m.startswith("village V1 has 2 liaison officers") for m in msgs)
    assert any("V3: officer 100002 may not cover it (the officer is leaving)" in m for m in msgs)
    assert any("V5: officer nobody is not in the bundle" in m for m in msgs)


def test_load_check_finds_days_and_count_overruns(tmp_path):
    inst = bundle(tmp_path, lambda d: d["officers"][0].update(max_villages="2"))
    # 100001: max 2 villages; 100003: 7 days, and 4 villages need 8+ days
    plan = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5", "V6"],
            "officer_id": ["100001", "100001", "100001", "100003", "100003", "100003"],
        }
    )
    msgs = [v.message for v in judge(off_load, inst, plan)]
    assert any(m.startswith("officer 100001") and "more than his maximum of 2" in m for m in msgs)
    assert not any(m.startswith("officer 100003") for m in msgs)  # 3 villages fit 7 days
    plan.loc[2, "officer_id"] = "100003"
    msgs = [v.message for v in judge(off_load, inst, plan)]
    assert any(m.startswith("officer 100003") and "needs" in m and "but has 7" in m for m in msgs)


def test_loads_are_summed_in_hundredths(tmp_path):
    inst = bundle(tmp_path)
    p = pairs_of(inst, [("100001", "V1"), ("100001", "V2")])
    load = off_load.loads(inst, p)
    assert load.at["100001", "days_used"] == pytest.approx(np.round(p["workload_days"], 2).sum())
