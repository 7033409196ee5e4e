"""What the seed allows and asks (issue 16): AUX-TOWNSHIP's named exceptions, city organ
officers, the exchange shares that follow the tenure, responsibility areas and supervisors,
station duty, contact boards."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from cunjing.constraints import aux_duty, aux_exchange, off_area, pub_board
from cunjing.constraints.validate import auxiliary_violations
from cunjing.optimizer.auxiliaries.placement import plan_county_auxiliaries
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.problems import BundleError
from cunjing.optimizer.solve.options import SolveOptions

from conftest import TINY, write_bundle

OPTIONS = SolveOptions(time_limit=20.0, seed=0, workers=1)


def bundle(tmp_path, data, policy: str = ""):
    folder = write_bundle(tmp_path, data)
    if policy:
        (folder / "policy.toml").write_text(policy, encoding="utf-8")
    return load_bundle(folder)


def far_apart():
    """TINY without the T1–T2 border, and T2's villages with only T1's auxiliaries."""
    data = copy.deepcopy(TINY)
    data["township_neighbours"] = []
    for a in data["auxiliaries"]:
        a["home_village_id"] = {"V4": "V2", "V5": "V3", "V6": "V1"}.get(
            a["home_village_id"], a["home_village_id"]
        )
    return data


def test_a_named_exception_lets_one_auxiliary_serve_across_townships(tmp_path):
    data = far_apart()
    data["auxiliary_exceptions"] = [
        {"auxiliary_id": "FJ4", "village_id": "V4", "reason": "熟悉该村 经派出所推荐"}
    ]
    inst = bundle(tmp_path / "b", data)
    plan = plan_county_auxiliaries(inst, "C1", OPTIONS).plan.set_index("village_id")
    assert plan.at["V4", "auxiliary_id"] == "FJ4"
    assert plan.at["V4", "relation"] == "exception"
    assert plan.at["V4", "exception"] == "熟悉该村 经派出所推荐"
    assert (plan.loc[["V5", "V6"], "auxiliary_id"] == "").all()  # no exception named there
    rows = plan.reset_index()[["village_id", "auxiliary_id"]]
    assert "AUX-TOWNSHIP" not in {v.rule for v in auxiliary_violations(inst, rows)}
    # the annual plan counts it as an exception, and its reason reaches the file
    from cunjing.optimizer.run.plan import plan as plan_run

    run = plan_run(inst)
    assert run.record["kpis"]["auxiliary"]["exceptions"] == 1
    row = run.auxiliary_plan.set_index("village_id").loc["V4"]
    assert row["relation"] == "exception" and row["exception"] == "熟悉该村 经派出所推荐"
    # the same pair without the exception breaks the rule
    plain = bundle(tmp_path / "c", far_apart())
    assert "AUX-TOWNSHIP" in {v.rule for v in auxiliary_violations(plain, rows)}


def test_an_exception_names_a_known_auxiliary_and_village(tmp_path):
    data = copy.deepcopy(TINY)
    data["auxiliary_exceptions"] = [{"auxiliary_id": "FJ99", "village_id": "V4", "reason": "x"}]
    with pytest.raises(BundleError) as e:
        bundle(tmp_path / "b", data)
    assert any(
        p.file == "auxiliary_exceptions.csv" and p.column == "auxiliary_id"
        for p in e.value.problems
    )


def test_city_organ_officers_join_the_county_of_their_native_place(tmp_path):
    data = copy.deepcopy(TINY)
    data["townships"] = [*data["townships"]]
    data["townships"][1] = {**data["townships"][1], "county_id": "C2"}
    data["officers"][2] = {**data["officers"][2], "county_id": "CITY"}  # native V5, in C2
    with pytest.raises(BundleError):  # off: CITY is no county of the bundle
        bundle(tmp_path / "off", data)
    inst = bundle(tmp_path / "on", data, "[rules.OFF-ORIGIN]\ncity_organ_officers = true\n")
    assert inst.officers.at["100003", "county_id"] == "C2"
    assert inst.officers.at["100003", "bureau_id"] == "CITY"
    assert inst.officers.at["100001", "county_id"] == "C1"  # the others stay in their county


def test_exchange_shares_follow_the_tenure(tmp_path):
    three = bundle(tmp_path / "a", TINY)
    assert aux_exchange.shares(three.policy) == (0.4, 0.4)
    two = bundle(tmp_path / "b", TINY, "[rules.AUX-TENURE]\nperiods = 2\n")
    assert aux_exchange.shares(two.policy) == (0.6, 0.6)
    fixed = bundle(tmp_path / "c", TINY, "[rules.AUX-EXCHANGE]\nshare = 0.25\n")
    assert aux_exchange.shares(fixed.policy) == (0.25, 0.4)
    assert aux_exchange.RULE.source == "bureau" and "§" not in aux_exchange.RULE.clause[:3]


def test_responsibility_areas_are_derived_or_given_and_name_supervisors(tmp_path):
    derived = bundle(tmp_path / "a", TINY)
    areas = derived.responsibility_areas
    # the station officer 100001 (base T1) answers for T1's villages
    assert set(areas["officer_id"]) == {"100001"}
    assert set(areas["village_id"]) == {"V1", "V2", "V3"} and areas["derived"].all()
    plan = pd.DataFrame({"village_id": ["V1", "V4"], "officer_id": ["100002", "100002"]})
    sup = off_area.supervisors(derived, plan, ["V1", "V4"])
    assert sup.tolist() == ["100001", ""]
    data = copy.deepcopy(TINY)
    data["responsibility_areas"] = [
        {"officer_id": "100002", "village_id": "V4"},
        {"officer_id": "100003", "village_id": "V4"},
    ]
    given = bundle(tmp_path / "b", data)
    assert not given.responsibility_areas["derived"].any()
    plan = pd.DataFrame({"village_id": ["V4"], "officer_id": ["100003"]})
    assert off_area.supervisors(given, plan, ["V4"]).tolist() == ["100003"]  # his own officer


def test_auxiliaries_on_station_duty_are_reported(tmp_path):
    data = copy.deepcopy(TINY)
    data["auxiliary_duty"] = [
        {"auxiliary_id": "FJ2", "date": "2027-03-05", "duty": "夜班"},
        {"auxiliary_id": "FJ2", "date": "2027-03-12", "duty": "备勤"},
        {"auxiliary_id": "FJ3", "date": "2027-04-01", "duty": "夜班"},  # another month
        {"auxiliary_id": "FJ8", "date": "2027-03-05", "duty": "夜班"},  # not resident
    ]
    inst = bundle(tmp_path / "b", data)
    found = aux_duty.on_duty(inst, {"V1": "FJ2", "V2": "FJ3"}, ["2027-03"])
    assert found[["auxiliary_id", "village_id", "days"]].values.tolist() == [["FJ2", "V1", 2]]
    assert found.at[0, "duty"] == "备勤;夜班"


def test_contact_board_office_names():
    assert pub_board.office_name("一村") == "一村辅警工作室"
    assert pub_board.office_name("振北") == "振北村辅警工作室"
    assert pub_board.office_name("花园社区") == "花园社区辅警工作室"
    assert set(pub_board.BOARD_FIELDS) <= {
        "office",
        "village_name",
        "township_name",
        *(f"{p}_{f}" for p in ("officer", "auxiliary") for f in ("name", "unit", "phone")),
    }
