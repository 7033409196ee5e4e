"""Switches that act (issue 16): a hard rule switched off changes the plan where breaking it
scores better, and ``check`` agrees (the same plan breaks the rule under the policy that has it
on and breaks nothing under the policy that has it off). Rules a plan needs are refused off at
load (``tests/input/test_policy.py``)."""

from __future__ import annotations

import copy

import pandas as pd

from cunjing.constraints.validate import (
    auxiliary_violations,
    officer_violations,
    rotation_violations,
)
from cunjing.optimizer.auxiliaries.placement import plan_county_auxiliaries
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.rotation.engine import rotate_county
from cunjing.optimizer.solve.options import SolveOptions

from conftest import TINY, write_bundle

OPTIONS = SolveOptions(time_limit=20.0, seed=0, workers=1)


def two(tmp_path, data, rule: str, extra: str = ""):
    """The bundle with ``rule`` on and with it off (``extra``: more policy lines for both)."""
    on = write_bundle(tmp_path / "on", data)
    off = write_bundle(tmp_path / "off", data)
    (on / "policy.toml").write_text(extra, encoding="utf-8")
    header = f"[rules.{rule}]\n"
    switched = extra.replace(header, header + "enabled = false\n")
    if switched == extra:
        switched = f"{header}enabled = false\n{extra}"
    (off / "policy.toml").write_text(switched, encoding="utf-8")
    return load_bundle(on), load_bundle(off)


def placed(inst) -> pd.DataFrame:
    return plan_county_auxiliaries(inst, "C1", OPTIONS).plan


def pairs(plan: pd.DataFrame, person: str = "auxiliary_id") -> set[tuple[str, str]]:
    return set(zip(plan["village_id"], plan[person], strict=True))


def rules(found) -> set[str]:
    return {v.rule for v in found}


def test_aux_township_off_takes_auxiliaries_from_any_township(tmp_path):
    data = copy.deepcopy(TINY)
    data["township_neighbours"] = []  # T1 and T2 are not neighbours
    for a in data["auxiliaries"]:  # every auxiliary lives in T1
        a["home_village_id"] = {"V4": "V2", "V5": "V3", "V6": "V1"}.get(
            a["home_village_id"], a["home_village_id"]
        )
    on, off = two(tmp_path, data, "AUX-TOWNSHIP")
    plan_on, plan_off = placed(on), placed(off)
    t2 = plan_off["village_id"].isin(["V4", "V5", "V6"])
    assert (plan_on.loc[t2.to_numpy(), "auxiliary_id"] == "").all()  # nobody may serve T2
    assert (plan_off["auxiliary_id"] != "").all()  # switched off: T1's auxiliaries serve T2
    assert set(plan_off.loc[t2.to_numpy(), "relation"]) == {"other_township"}
    rows = plan_off[["village_id", "auxiliary_id"]]
    assert "AUX-TOWNSHIP" in rules(auxiliary_violations(on, rows))
    assert not auxiliary_violations(off, rows)


def test_aux_not_home_off_lets_an_auxiliary_serve_his_home_village(tmp_path):
    data = copy.deepcopy(TINY)
    # each auxiliary is recommended for his own home village: worth 20 points more there
    for a in data["auxiliaries"]:
        a["recommended_village_ids"] = a["home_village_id"]
    on, off = two(tmp_path, data, "AUX-NOT-HOME")
    plan_on, plan_off = placed(on), placed(off)
    home = on.auxiliaries["home_village_id"]
    at_home_on = sum(home[a] == v for v, a in pairs(plan_on) if a)
    at_home_off = sum(home[a] == v for v, a in pairs(plan_off) if a)
    assert at_home_on == 0 and at_home_off == 6
    rows = plan_off[["village_id", "auxiliary_id"]]
    assert "AUX-NOT-HOME" in rules(auxiliary_violations(on, rows))
    assert not auxiliary_violations(off, rows)


def test_aux_tenure_off_keeps_an_auxiliary_past_the_limit(tmp_path):
    data = copy.deepcopy(TINY)
    data["aux_history"] = [
        {"auxiliary_id": "FJ2", "village_id": "V1", "start": "2022-01", "end": ""},
    ]
    data["plan_auxiliaries"] = [{"village_id": "V1", "auxiliary_id": "FJ2"}]
    extra = '[plan]\nstart_month = "2027-01"\n[rules.AUX-FAMILIAR]\nincumbent = 500.0\n'
    on, off = two(tmp_path, data, "AUX-TENURE", extra)
    assert ("V1", "FJ2") not in pairs(placed(on))  # 5 years in V1: he must move
    plan_off = placed(off)
    assert ("V1", "FJ2") in pairs(plan_off)  # switched off: he stays (500 points)
    rows = plan_off[["village_id", "auxiliary_id"]]
    assert "AUX-TENURE" in rules(auxiliary_violations(on, rows))
    assert not auxiliary_violations(off, rows)


def test_aux_exchange_off_lets_a_rotation_exchange_beyond_the_limit(tmp_path):
    data = copy.deepcopy(TINY)
    data["aux_history"] = [
        {"auxiliary_id": "FJ2", "village_id": "V1", "start": "2024-01", "end": ""},
        {"auxiliary_id": "FJ1", "village_id": "V2", "start": "2024-01", "end": ""},
    ]
    data["plan_auxiliaries"] = [
        {"village_id": "V1", "auxiliary_id": "FJ2"},
        {"village_id": "V2", "auxiliary_id": "FJ1"},
    ]
    # a 3-year tenure ends for both in period 1: two exchanges, where the limit allows none
    extra = (
        '[plan]\nstart_month = "2027-01"\n'
        "[rules.AUX-EXCHANGE]\nshare = 0.0\nper_township = 0\ntownship_share = 0.0\n"
    )
    on, off = two(tmp_path, data, "AUX-EXCHANGE", extra)
    res_on = rotate_county(on, "C1", periods=2, options=OPTIONS)
    res_off = rotate_county(off, "C1", periods=2, options=OPTIONS)
    assert res_on.diagnostics and {d["rule"] for d in res_on.diagnostics} >= {"AUX-EXCHANGE"}
    assert len(res_off.rotation) == 2 * len(off.villages)
    assert res_off.moves >= 2
    rot = res_off.rotation[["period", "village_id", "auxiliary_id", "moved"]]
    assert "AUX-EXCHANGE" in rules(rotation_violations(on, rot))
    assert not rotation_violations(off, rot)


def test_off_area_made_hard_keeps_a_key_village_to_its_area_officer(tmp_path):
    data = copy.deepcopy(TINY)
    # the traffic officer wishes the key village V1 first; its area officer is the station
    # officer of T1 (derived from his base township: no responsibility_areas.csv)
    data["officers"][1]["preferences"] = "V1"
    data["officers"][0]["preferences"] = ""
    soft = write_bundle(tmp_path / "soft", data)
    hard = write_bundle(tmp_path / "hard", data)
    (soft / "policy.toml").write_text("[rules.OFF-AREA]\nweight = 0.0\n", encoding="utf-8")
    (hard / "policy.toml").write_text(
        "[rules.OFF-AREA]\nweight = 0.0\nhard = true\n", encoding="utf-8"
    )
    soft_i, hard_i = load_bundle(soft), load_bundle(hard)
    plan_soft = plan_county_officers(soft_i, "C1", OPTIONS).plan
    plan_hard = plan_county_officers(hard_i, "C1", OPTIONS).plan
    assert ("V1", "100002") in pairs(plan_soft, "officer_id")
    assert ("V1", "100001") in pairs(plan_hard, "officer_id")
    rows = plan_soft[["village_id", "officer_id"]]
    assert "OFF-AREA" in rules(officer_violations(hard_i, rows))
    assert "OFF-AREA" not in rules(officer_violations(soft_i, rows))
