"""The officer plan: optimal against brute force, pruning proven, partial plans diagnosed."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from cunjing.constraints.validate import officer_violations
from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.officers.explain import EXPLAIN_NEXT
from cunjing.optimizer.officers.pairs import build_pairs
from cunjing.optimizer.solve.options import SolveOptions

from brute_force import brute_force
from conftest import TINY, write_bundle


def random_tiny(rng, tmp_path, i):
    data = copy.deepcopy(TINY)
    for o in data["officers"]:
        o["available_days"] = str(rng.choice([2.5, 4.5, 5, 7, 9]))
        o["max_villages"] = str(rng.choice(["", "1", "2", "3"]))
        places = ["V1", "V2", "V3", "V4", "V5", "V6", "T1", "T2"]
        o["preferences"] = ";".join(rng.choice(places, size=rng.integers(0, 3), replace=False))
    return load_bundle(write_bundle(tmp_path / f"r{i}", data))


@pytest.mark.parametrize("seed", range(8))
def test_engine_matches_brute_force_on_tiny_bundles(tmp_path, seed):
    rng = np.random.default_rng(seed)
    inst = random_tiny(rng, tmp_path, seed)
    covered, objective = brute_force(inst)
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=20, workers=1))
    got = int((res.plan["officer_id"] != "").sum())
    assert got == covered
    if covered == 6:
        assert res.status == "OPTIMAL"
        assert res.objective == pytest.approx(objective, abs=0.011)
        assert officer_violations(inst, res.plan[["village_id", "officer_id"]]) == []
    else:
        assert res.status == "PARTIAL"
        assert res.diagnostics, "a partial plan says why"


def policy_options(inst, **given) -> SolveOptions:
    """The solver options of the bundle's policy.toml, with ``given`` over them."""
    return SolveOptions.from_settings(inst.policy.sections["solver"], **given)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("g") / "county"
    generate_bundle(folder, villages=90, counties=1, seed=11)
    # small enough to solve with every pair too; prune anyway, to test the proof
    (folder / "policy.toml").write_text(
        "[solver]\nprune_above_pairs = 0\ncandidate_by_bound = 2\n", encoding="utf-8"
    )
    return load_bundle(folder)


def test_pruned_engine_is_as_good_as_every_pair_and_says_so(county):
    engine = plan_county_officers(county, county.counties[0], policy_options(county, time_limit=60))
    full = plan_county_officers(
        county, county.counties[0], policy_options(county, time_limit=60, backend="cp-sat-full")
    )
    highs = plan_county_officers(
        county, county.counties[0], policy_options(county, time_limit=60, backend="highs")
    )
    assert engine.status == full.status == highs.status == "OPTIMAL"
    assert engine.objective == pytest.approx(full.objective, abs=0.01)
    assert engine.objective == pytest.approx(highs.objective, abs=0.01)
    assert engine.pruning["lossless"]
    assert engine.pruning["candidate_pairs"] < engine.pruning["eligible_pairs"]
    assert officer_violations(county, engine.plan[["village_id", "officer_id"]]) == []


def test_central_duals_keep_the_proof_lossless_with_fewer_pairs_left(county, monkeypatch):
    """Asked for central duals on every county (the engine asks only where the simplex's
    prices leave more than 25 pairs a village), the proof keeps the optimum and leaves fewer
    pairs that could beat the first plan than the vertex's prices do."""
    from cunjing.optimizer.officers import engine

    options = policy_options(county, time_limit=60)
    vertex = plan_county_officers(county, county.counties[0], options)
    monkeypatch.setattr(engine, "CENTRAL_ABOVE", 0.0)
    central = plan_county_officers(county, county.counties[0], options)
    first = central.pruning["rounds"][0]
    assert first["central_duals"]
    assert first["central_could_improve"] < first["vertex_could_improve"]
    assert first["could_improve"] < vertex.pruning["rounds"][0]["could_improve"]
    assert central.status == vertex.status == "OPTIMAL"
    assert central.objective == pytest.approx(vertex.objective, abs=0.01)
    assert central.pruning["lossless"]
    assert officer_violations(county, central.plan[["village_id", "officer_id"]]) == []


def test_greedy_baseline_is_feasible_and_no_better(county):
    engine = plan_county_officers(county, county.counties[0], policy_options(county, time_limit=60))
    greedy = plan_county_officers(county, county.counties[0], SolveOptions(backend="greedy"))
    assert greedy.objective <= engine.objective + 1e-6


def test_flow_solves_exactly_when_days_never_bind(tmp_path):
    folder = tmp_path / "flow"
    generate_bundle(folder, villages=60, counties=1, seed=5)
    off = pd.read_csv(folder / "officers.csv", dtype=str, keep_default_na=False)
    off["available_days"] = "30"
    off["max_villages"] = "3"
    off.to_csv(folder / "officers.csv", index=False)
    inst = load_bundle(folder)
    cid = inst.counties[0]
    flow = plan_county_officers(inst, cid)
    full = plan_county_officers(inst, cid, SolveOptions(backend="cp-sat-full", time_limit=60))
    assert flow.backend == "min-cost-flow"
    assert flow.status == "OPTIMAL"
    assert flow.objective == pytest.approx(full.objective, abs=0.01)


def test_too_few_officer_days_gives_a_partial_plan_with_a_counting_proof(tmp_path):
    data = copy.deepcopy(TINY)
    for o in data["officers"]:
        o["available_days"] = "4.5"  # two villages each at most: 6 villages, room for ~6 but
        o["max_villages"] = "1"  # one each: 3 places for 6 villages
    inst = load_bundle(write_bundle(tmp_path / "b", data))
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=20))
    assert res.status == "PARTIAL"
    assert int((res.plan["officer_id"] != "").sum()) == 3
    cert = [d for d in res.diagnostics if "short" in d]
    assert cert, res.diagnostics
    c = cert[0]
    # the proof, re-counted: these villages can only be served by these officers ...
    table = build_pairs(inst)
    eligible = table[table["eligible"]]
    who = set(eligible.loc[eligible["village_id"].isin(c["villages"]), "officer_id"])
    assert who <= set(c["officers"])
    # ... whose places are fewer than the villages
    places = inst.officers.loc[c["officers"], "max_villages"].sum()
    assert len(c["villages"]) - places == c["short"] == 3
    assert any("没有包村民警" in d["message"] for d in res.diagnostics)


def test_plan_command_writes_the_contract_files(tmp_path, capsys):
    bundle = write_bundle(tmp_path / "b")
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out), "--time-limit", "20"]) == 0
    plan = pd.read_csv(out / "officer_plan.csv", dtype=str, keep_default_na=False)
    assert list(plan.columns[:9]) == [
        "village_id",
        "village_name",
        "township_id",
        "township_name",
        "officer_id",
        "officer_name",
        "category",
        "workload_days",
        "km",
    ]
    assert {"score", "reasons"} <= set(plan.columns)
    assert set(plan["village_id"]) == {"V1", "V2", "V3", "V4", "V5", "V6"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in (
        "status",
        "objective",
        "best_bound",
        "gap",
        "wall_seconds",
        "build_seconds",
        "solve_seconds",
        "seed",
        "workers",
        "versions",
        "input_sha256",
        "kpis",
        "diagnostics",
    ):
        assert key in summary
    k = summary["kpis"]
    assert k["villages"] == 6 and k["covered_by_officer"] == 6
    assert "OFF-TRAFFIC" in k["officer"]["rules"]
    assert set(k["officer"]["load"]["villages_per_officer"]) == {"min", "median", "max"}
    out_text = capsys.readouterr().out
    assert out_text.startswith("方案已是最优")
    # explain a village (by its code or its name): its pair by rule and the next officers
    assert main(["explain", str(out), "V4"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("四村（V4，乙镇）") and "各规则得分" in text and "其次为" in text
    assert main(["explain", str(out), "四村"]) == 0
    assert capsys.readouterr().out == text


def test_plan_is_deterministic(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    runs = []
    for i in range(2):
        out = tmp_path / f"p{i}"
        assert main(["plan", str(bundle), "--out", str(out), "--seed", "3", "--workers", "2"]) == 0
        runs.append((out / "officer_plan.csv").read_bytes())
    assert runs[0] == runs[1]


def test_infeasible_bundle_exits_1_with_diagnostics(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    for o in data["officers"]:
        o["max_villages"] = "1"
    out = tmp_path / "plan"
    assert main(["plan", str(write_bundle(tmp_path / "b", data)), "--out", str(out)]) == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "PARTIAL"
    assert summary["kpis"]["covered_by_officer"] == 3
    assert any(d["rule"] in ("OFF-LOAD", "OFF-COVER") for d in summary["diagnostics"])
    assert "Traceback" not in capsys.readouterr().err


def test_check_judges_a_hand_made_plan(tmp_path, capsys, english):
    bundle = write_bundle(tmp_path / "b")
    hand = tmp_path / "hand.csv"
    pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5"],
            "officer_id": ["100001", "100001", "100001", "100001", "100002"],
        }
    ).to_csv(hand, index=False)
    assert main(["check", str(bundle), str(hand)]) == 1
    out = capsys.readouterr().out
    assert "OFF-COVER: 1 village(s) without a liaison officer (空白村): V6" in out
    assert "OFF-LOAD: officer 100001" in out
    good = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(good)]) == 0
    capsys.readouterr()
    assert main(["check", str(bundle), str(good)]) == 0
    assert "every hard rule holds" in capsys.readouterr().out


def test_explain_pairs_hold_each_village_and_its_best_others(county):
    # the pruned path's final model keeps only pairs that could beat the plan, often a village's
    # own alone; explain still gets the village's pair and its next best officers
    res = plan_county_officers(county, county.counties[0], policy_options(county, time_limit=60))
    table = build_pairs(county)
    eligible = table[table["eligible"]]
    held = res.pairs.merge(res.plan[["village_id", "officer_id"]], how="inner")
    assert len(held) == len(res.plan)  # every plan pair is there
    per_village = res.pairs.groupby("village_id").size()
    possible = eligible.groupby("village_id").size().reindex(per_village.index)
    assert (per_village >= possible.clip(upper=EXPLAIN_NEXT + 1)).all()
    assert (per_village <= EXPLAIN_NEXT + 2).all()
