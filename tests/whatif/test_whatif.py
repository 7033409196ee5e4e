"""What-if runs: transfers and other changes re-plan little, keep pins, and say why."""

from __future__ import annotations

import copy
import json
import shutil

import pandas as pd
import pytest

from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.reports.people import from_people

from conftest import TINY, write_bundle


def read(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def changed_rows(before, after):
    b = read(before, "officer_plan.csv").set_index("village_id")["officer_id"]
    a = read(after, "officer_plan.csv").set_index("village_id")["officer_id"]
    return set(b.index[b != a.reindex(b.index)])


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A generated county with roomy officers, and its plan."""
    root = tmp_path_factory.mktemp("wi")
    bundle = root / "bundle"
    generate_bundle(bundle, villages=60, counties=1, seed=21)
    off = pd.read_csv(bundle / "officers.csv", dtype=str, keep_default_na=False)
    off["available_days"] = "16"
    off.to_csv(bundle / "officers.csv", index=False)
    plan = root / "plan"
    assert main(["plan", str(bundle), "--out", str(plan), "--time-limit", "30"]) == 0
    return bundle, plan


def busiest(plan) -> str:
    rows = read(plan, "officer_plan.csv")
    return rows["officer_id"].value_counts().index[0]


def test_transfer_reassigns_exactly_the_orphans_when_capacity_allows(planned, tmp_path, capsys):
    bundle, plan = planned
    officer = busiest(plan)
    held = set(read(plan, "officer_plan.csv").query("officer_id == @officer")["village_id"])
    out = tmp_path / "w"
    assert (
        main(["whatif", str(bundle), "--plan", str(plan), "--transfer", officer, "--out", str(out)])
        == 0
    )
    assert changed_rows(plan, out) == held
    new = read(out, "officer_plan.csv")
    assert officer not in set(new["officer_id"])
    assert (new["officer_id"] != "").all()
    diff = read(out, "diff.csv")
    assert set(diff["village_id"]) == held
    assert (diff["before"] == officer).all()
    assert diff["reason"].str.contains("调离").all()
    text = capsys.readouterr().out
    name = load_bundle(bundle).officers.at[officer, "name"]
    # the headline in plain words: who leaves, where his villages go, nothing more moves
    assert text.startswith(f"{name}（{officer}）调离：{len(held)} 个村改由")
    assert "顺带调整" not in text.splitlines()[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["whatif"]["villages_changed"] == len(held)
    assert "OFF-LIFE" in summary["whatif"]["score_by_rule"]["change"]
    # the planner's files come with it: the workbook's 变更 sheet lists the changed villages
    from openpyxl import load_workbook

    for name in ("plan.xlsx", "plan.gpkg", "report.html", "public_notice.xlsx"):
        assert (out / name).exists(), name
    sheet = load_workbook(out / "plan.xlsx", read_only=True)["变更"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == len(diff)


def test_diff_lists_every_changed_row_and_nothing_else(planned, tmp_path):
    bundle, plan = planned
    rows = read(plan, "officer_plan.csv")
    officers = rows["officer_id"].value_counts().index[:2].tolist()
    village = rows["village_id"].iloc[5]
    out = tmp_path / "w"
    code = main(
        [
            "whatif",
            str(bundle),
            "--plan",
            str(plan),
            "--transfer",
            officers[0],
            "--transfer",
            officers[1],
            "--set-key-village",
            village,
            "--set-days",
            f"{rows['officer_id'].iloc[-1]}=4",
            "--out",
            str(out),
        ]
    )
    assert code in (0, 1)
    diff = read(out, "diff.csv")
    assert set(diff["village_id"]) == changed_rows(plan, out)
    new = read(out, "officer_plan.csv").set_index("village_id")["officer_id"]
    old = rows.set_index("village_id")["officer_id"]
    for r in diff.itertuples():
        assert r.before == old[r.village_id] and r.after == new[r.village_id]
        assert r.reason


def test_pinned_assignments_never_move(tmp_path):
    data = copy.deepcopy(TINY)
    for o in data["officers"]:
        o["available_days"] = "7"
        o["max_villages"] = "3"
    data["plan_officers"] = [
        {"village_id": "V1", "officer_id": "100001", "pinned": "true"},
        {"village_id": "V2", "officer_id": "100001", "pinned": "true"},
    ]
    bundle = write_bundle(tmp_path / "b", data)
    plan = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(plan)]) == 0
    before = read(plan, "officer_plan.csv").set_index("village_id")
    assert before.loc["V1", "officer_id"] == before.loc["V2", "officer_id"] == "100001"
    moved = before["officer_id"].value_counts()
    other = next(o for o in moved.index if o != "100001")
    out = tmp_path / "w"
    main(["whatif", str(bundle), "--plan", str(plan), "--transfer", other, "--out", str(out)])
    after = read(out, "officer_plan.csv").set_index("village_id")
    assert after.loc["V1", "officer_id"] == after.loc["V2", "officer_id"] == "100001"
    assert after.loc["V1", "pinned"] == "True"


def test_max_changes_holds(planned, tmp_path):
    bundle, plan = planned
    officer = busiest(plan)
    held = (read(plan, "officer_plan.csv")["officer_id"] == officer).sum()
    # make room scarce so that chains would help, then allow only the forced changes
    tight = tmp_path / "tight"
    shutil.copytree(bundle, tight)
    off = pd.read_csv(tight / "officers.csv", dtype=str, keep_default_na=False)
    off["available_days"] = "7"
    off.to_csv(tight / "officers.csv", index=False)
    plan2 = tmp_path / "plan2"
    main(["plan", str(tight), "--out", str(plan2), "--time-limit", "30"])
    officer = busiest(plan2)
    held = (read(plan2, "officer_plan.csv")["officer_id"] == officer).sum()
    out = tmp_path / "w"
    main(
        [
            "whatif",
            str(tight),
            "--plan",
            str(plan2),
            "--transfer",
            officer,
            "--max-changes",
            str(held),
            "--out",
            str(out),
        ]
    )
    assert len(changed_rows(plan2, out)) <= held
    assert len(read(out, "diff.csv")) <= held


def test_impossible_change_is_diagnosed(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    # only officer 100002 may cover V4
    data["pairs"] = [
        {"officer_id": o, "village_id": "V4", "forbidden": "true"} for o in ("100001", "100003")
    ]
    bundle = write_bundle(tmp_path / "b", data)
    plan = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(plan)]) == 0
    out = tmp_path / "w"
    assert (
        main(
            ["whatif", str(bundle), "--plan", str(plan), "--transfer", "100002", "--out", str(out)]
        )
        == 1
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "PARTIAL"
    assert any("V4" in d["ids"] for d in summary["diagnostics"])
    assert read(out, "officer_plan.csv").set_index("village_id").loc["V4", "officer_id"] == ""
    assert "Traceback" not in capsys.readouterr().err


def test_changes_file_and_bad_changes(planned, tmp_path, capsys):
    bundle, plan = planned
    officer = busiest(plan)
    changes = tmp_path / "changes.csv"
    changes.write_text(
        f"change,id,value\ntransfer,{officer},\nset_days,nobody,3\n", encoding="utf-8"
    )
    out = tmp_path / "w"
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--changes",
                str(changes),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "changes.csv:3:id: 未知的民警“nobody”" in capsys.readouterr().err
    assert not out.exists()
    changes.write_text(f"变更,编号,值\n调离,{officer},\n", encoding="utf-8")
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--changes",
                str(changes),
                "--out",
                str(out),
            ]
        )
        == 0
    )


def test_add_officer_takes_villages_only_for_a_clear_gain(planned, tmp_path):
    bundle, plan = planned
    town = pd.read_csv(bundle / "townships.csv", dtype=str)["township_id"].iloc[0]
    county = pd.read_csv(bundle / "townships.csv", dtype=str)["county_id"].iloc[0]
    village = pd.read_csv(bundle / "villages.csv", dtype=str)
    first = village[village["township_id"] == town]["village_id"].iloc[0]
    new = tmp_path / "new.csv"
    new.write_text(
        "officer_id,name,category,county_id,base_township_id,available_days,"
        f"preferences\n999999,新民警,station,{county},{town},8,{first}\n",
        encoding="utf-8",
    )
    out = tmp_path / "w"
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--add-officer",
                str(new),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    diff = read(out, "diff.csv")
    assert (diff["after"] == "999999").any(), "his first wish, a clear gain, goes to him"
    for r in diff.itertuples():
        assert "更合适" in r.reason or "顺带调整" in r.reason or "新增民警" in r.reason


def test_transfer_sweep_ranks_every_officer(planned, tmp_path, capsys):
    bundle, plan = planned
    out = tmp_path / "sweep"
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--sweep",
                "transfer",
                "--out",
                str(out),
                "--jobs",
                "2",
            ]
        )
        == 0
    )
    sweep = from_people(pd.read_csv(out / "sweep.csv", dtype={"警号": str}))
    holders = set(read(plan, "officer_plan.csv")["officer_id"]) - {""}
    assert set(sweep["officer_id"]) == holders
    assert list(sweep["rank"]) == list(range(1, len(sweep) + 1))
    lost = sweep["lost_score"].tolist()
    assert lost == sorted(lost, reverse=True) or (sweep["uncovered"] > 0).any()
    assert (sweep["forced_changes"] == sweep["villages_held"]).all()
    assert "已逐一试算" in capsys.readouterr().out


def test_an_auxiliary_leaves_and_only_his_village_changes(planned, tmp_path):
    bundle, plan = planned
    aux = read(plan, "auxiliary_plan.csv")
    # a village whose own township has an idle auxiliary who may serve there (not his home): the
    # best fit then needs no knock-on move (else one is allowed: a clearly better fit)
    people = read(bundle, "auxiliaries.csv")
    town = read(bundle, "villages.csv").set_index("village_id")["township_id"]
    idle = people[
        ~people["auxiliary_id"].isin(aux["auxiliary_id"]) & (people["status"] == "active")
    ]
    idle_homes = idle.groupby(idle["home_village_id"].map(town))["home_village_id"].agg(set)
    covered = [
        bool(idle_homes.get(t, set()) - {v})
        for v, t in zip(aux["village_id"], aux["township_id"], strict=True)
    ]
    leaving = aux.loc[covered, "auxiliary_id"].iloc[0]
    village = aux.loc[covered, "village_id"].iloc[0]
    out = tmp_path / "w"
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--remove-auxiliary",
                leaving,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    diff = read(out, "diff.csv")
    assert [village, "auxiliary", leaving] in diff[["village_id", "role", "before"]].values.tolist()
    # at most one knock-on move: the annual placement is held by period 1's exchange limits, so
    # placing again around the leaver may take one clearly better fit elsewhere
    assert len(diff) <= 2 and set(diff["role"]) == {"auxiliary"}
    new = read(out, "auxiliary_plan.csv").set_index("village_id")["auxiliary_id"]
    assert new[village] not in ("", leaving)
    old = aux.set_index("village_id")["auxiliary_id"]
    moved = list(diff["village_id"])
    assert (new.drop(moved) == old.drop(moved)).all()
    assert changed_rows(plan, out) == set(), "no officer moves"


def test_a_new_auxiliary_and_an_unknown_one(planned, tmp_path, capsys):
    bundle, plan = planned
    aux = pd.read_csv(bundle / "auxiliaries.csv", dtype=str, keep_default_na=False)
    row = aux.iloc[0].to_dict()
    new = tmp_path / "new_aux.csv"
    pd.DataFrame(
        [{**row, "auxiliary_id": "FJ999999", "name": "新辅警", "recommended_village_ids": ""}]
    ).to_csv(new, index=False)
    out = tmp_path / "w"
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--add-auxiliary",
                str(new),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    diff = read(out, "diff.csv")
    assert set(diff["role"]) <= {"auxiliary"}
    for r in diff.itertuples():
        assert r.reason
    assert (
        main(
            [
                "whatif",
                str(bundle),
                "--plan",
                str(plan),
                "--remove-auxiliary",
                "FJ000000",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )
    assert "未知的辅警“FJ000000”" in capsys.readouterr().err
