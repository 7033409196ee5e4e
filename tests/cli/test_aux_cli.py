"""``cunjing rotate``: files, exit codes, and no traceback on bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from aux_bundles import RING, generated

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.rotation.files import moves_table, timeline_table

from conftest import write_bundle


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("cli"), 60, seed=7)


def test_rotate_writes_every_file_and_exits_0(small, tmp_path, capsys):
    out = tmp_path / "rot"
    code = main(["rotate", str(small), "--periods", "3", "--out", str(out), "--seed", "2"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Traceback" not in printed.err + printed.out
    assert sorted(p.name for p in out.iterdir()) == [
        ".reports.json",  # the workbook's fingerprint: a planner's edits are never lost
        "plan.gpkg",
        "plan.xlsx",
        "report.html",
        "rotation.csv",
        "rotation_moves.csv",
        "rotation_summary.json",
        "rotation_timeline.csv",
    ]
    from openpyxl import load_workbook

    assert "轮换计划" in load_workbook(out / "plan.xlsx", read_only=True).sheetnames
    rot = pd.read_csv(out / "rotation.csv", dtype=str, keep_default_na=False)
    assert {"period", "village_id", "auxiliary_id", "moved"} <= set(rot.columns)
    assert len(rot) == 60 * 3 and (rot["auxiliary_id"] != "").all()
    assert "home_village_id" not in rot.columns  # personal data stays out
    summary = json.loads((out / "rotation_summary.json").read_text(encoding="utf-8"))
    inst = load_bundle(small)
    assert summary["input_sha256"] == inst.fingerprint
    assert summary["seed"] == 2 and summary["periods"] == 3
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert summary["violations"] == [] and summary["diagnostics"] == []
    assert summary["moves"] == summary["moves_bound"]
    for key in ("objective", "best_bound", "gap", "wall_seconds", "versions", "workers"):
        assert key in summary
    moves = pd.read_csv(out / "rotation_moves.csv")
    county = moves[moves["scope"] == "county"]
    assert len(county) == 3 and (county["exchanges"] <= county["limit"]).all()
    timeline = pd.read_csv(out / "rotation_timeline.csv", dtype=str, keep_default_na=False)
    assert list(timeline.columns[-4:]) == ["period_1", "period_2", "period_3", "moves"]
    # every village-period of rotation.csv appears in the timeline of its auxiliary
    placed = timeline.melt(
        id_vars="auxiliary_id", value_vars=["period_1", "period_2", "period_3"]
    ).query("value != ''")
    assert len(placed) == len(rot)


def test_timeline_and_moves_tables_agree_with_the_rotation(small):
    from cunjing.optimizer.rotation.engine import rotate_county

    inst = load_bundle(small)
    res = rotate_county(inst, inst.counties[0], 2)
    from cunjing.optimizer.rotation.files import rotation_table

    rot = rotation_table(inst, [res])
    tl = timeline_table(inst, rot, 2)
    assert tl["moves"].sum() >= 0
    # an auxiliary's period columns name the villages rotation.csv gives him
    wide = rot.pivot(index="auxiliary_id", columns="period", values="village_id")
    got = tl.set_index("auxiliary_id").loc[wide.index, ["period_1", "period_2"]]
    assert (got.to_numpy() == wide.fillna("").to_numpy()).all()
    mv = moves_table(inst, [res])
    assert mv.loc[mv["scope"] == "county", "moved"].sum() == int(rot["moved"].sum())


def test_contradiction_exits_1_with_the_numbers(tmp_path, capsys):
    folder = write_bundle(tmp_path / "ring", RING)
    (folder / "policy.toml").write_text(
        '[plan]\nstart_month = "2027-01"\n[rules.AUX-TENURE]\nperiods = 1\n'
        "[rules.AUX-EXCHANGE]\nshare = 0.2\n",
        encoding="utf-8",
    )
    out = tmp_path / "rot"
    code = main(["rotate", str(folder), "--periods", "2", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 1
    assert "AUX-EXCHANGE" in printed.out and "至少需交流" in printed.out
    summary = json.loads((out / "rotation_summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "INFEASIBLE" and summary["diagnostics"]


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = dict(RING)
    bad["auxiliaries"] = [dict(RING["auxiliaries"][0], home_village_id="NOWHERE")]
    folder = write_bundle(tmp_path / "bad", bad)
    out = tmp_path / "rot"
    code = main(["rotate", str(folder), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 2
    assert "auxiliaries.csv:2:home_village_id" in printed.err
    assert "Traceback" not in printed.err
    assert not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--periods", "0"], "--periods 必须在 1 到 50 之间"),
        (["--time-limit", "0"], "--time-limit 必须大于 0 秒"),
        (["--workers", "0"], "--workers 必须在 1 到 64 之间"),
    ],
)
def test_bad_arguments_exit_2(tmp_path, capsys, args, message):
    code = main(["rotate", "--out", str(tmp_path / "rot"), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "rot").exists()
