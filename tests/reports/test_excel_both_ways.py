"""Excel both ways: the input template (Chinese sheets, drop-downs, examples) reads back as a
bundle; Chinese sheet and file names are accepted; an edited plan.xlsx is adopted with its edits
pinned; a workbook a planner changed is never overwritten without a copy."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import range_boundaries

from cunjing.constraints.validate import officer_violations
from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.schema import TABLES

from conftest import write_bundle


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    root = tmp_path_factory.mktemp("excel")
    bundle = root / "bundle"
    generate_bundle(bundle, villages=60, counties=1, seed=7)
    plan = root / "plan"
    assert main(["plan", str(bundle), "--out", str(plan), "--time-limit", "20"]) == 0
    return bundle, plan


def dropdowns(sheet) -> dict[str, str]:
    """Header -> the list of its drop-down."""
    head = [c.value for c in sheet[1]]
    out = {}
    for dv in sheet.data_validations.dataValidation:
        first_col = range_boundaries(str(dv.sqref).split()[0])[0]
        out[head[first_col - 1]] = dv.formula1
    return out


def test_template_has_chinese_sheets_dropdowns_and_reads_back(tmp_path, capsys):
    out = tmp_path / "数据.xlsx"
    assert main(["template", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    for name in ("乡镇", "行政村", "民警", "辅警", "相邻乡镇", "说明"):
        assert name in book.sheetnames
    officers = book["民警"]
    headers = [c.value for c in officers[1]]
    assert headers[:4] == ["警号", "姓名", "警种", "县区编码"]
    lists = dropdowns(officers)
    assert "派出所" in lists["警种"] and "在岗" in lists["状态"]
    villages = book["行政村"]
    vl = dropdowns(villages)
    assert "重点村" in vl["类型"] and "是" in vl["社情复杂"]
    # ids are text cells (Excel keeps 341302100201 as typed)
    assert villages["A2"].data_type == "s" and villages["A2"].number_format == "@"
    # the examples make a valid bundle that plans
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert main(["plan", str(out), "--out", str(tmp_path / "p")]) == 0
    # no overwriting without --force
    assert main(["template", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err


def test_chinese_file_names_and_sheet_names_are_read(tmp_path):
    folder = write_bundle(tmp_path / "英文")
    zh = tmp_path / "中文"
    zh.mkdir()
    for t in TABLES.values():
        src = folder / t.file
        if src.exists():
            shutil.copy(src, zh / f"{t.aliases[0]}.csv")
    a, b = load_bundle(folder), load_bundle(zh)
    assert a.villages.equals(b.villages) and a.officers.equals(b.officers)
    assert not [w for w in b.warnings if "ignored" in str(w) or "忽略" in str(w)]
    # a workbook whose sheets carry the Chinese names
    book = tmp_path / "数据包.xlsx"
    with pd.ExcelWriter(book) as xw:
        for t in TABLES.values():
            src = folder / t.file
            if src.exists():
                pd.read_csv(src, dtype=str, keep_default_na=False).to_excel(
                    xw, sheet_name=t.aliases[0], index=False
                )
    c = load_bundle(book)
    assert set(c.villages.index) == set(a.villages.index)
    assert (c.officers["category"] == a.officers["category"]).all()


def _edit(workbook, changes: dict[int, tuple[str, str]]):
    """Set 警号 and 民警姓名 of sheet rows (1-based data rows) in 包村民警安排."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["包村民警安排"]
    head = [c.value for c in sheet[1]]
    ci, ni = head.index("警号") + 1, head.index("民警姓名") + 1
    for row, (officer, name) in changes.items():
        sheet.cell(row=row + 1, column=ci).value = officer
        sheet.cell(row=row + 1, column=ni).value = name
    book.save(workbook)


def test_adopt_keeps_every_edit_and_replans_what_they_broke(planned, tmp_path, capsys):
    bundle, plan = planned
    folder = tmp_path / "edited"
    shutil.copytree(plan, folder)
    inst = load_bundle(bundle)
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str, keep_default_na=False)
    held = rows[rows["officer_id"] != ""].groupby("officer_id").size()
    # the officer with the most days who holds two villages or more
    busy = inst.officers.loc[held.index[held >= 2], "available_days"].idxmax()
    name = inst.officers.at[busy, "name"]
    # the planner gives him two more villages of his township: more than he has days for
    town = rows.loc[rows["officer_id"] == busy, "township_id"].iloc[0]
    nearby = rows.index[(rows["township_id"] == town) & (rows["officer_id"] != busy)][:2]
    if len(nearby) < 2:
        nearby = rows.index[rows["officer_id"] != busy][:2]
    moved = {int(i) + 1: (busy, name) for i in nearby}
    _edit(folder / "plan.xlsx", moved)
    edited = set(rows.loc[nearby, "village_id"])
    capsys.readouterr()
    # as it is: every edit kept, the overload reported, exit 1
    assert main(["adopt", str(folder / "plan.xlsx"), "--out", str(tmp_path / "a")]) == 1
    text = capsys.readouterr().out
    assert "手工修改 2 个村" in text and "OFF-LOAD" in text
    got = pd.read_csv(tmp_path / "a" / "officer_plan.csv", dtype=str, keep_default_na=False)
    got = got.set_index("village_id")
    assert (got.loc[sorted(edited), "officer_id"] == busy).all()
    assert (got.loc[sorted(edited), "pinned"] == "True").all()
    diff = pd.read_csv(tmp_path / "a" / "diff.csv", dtype=str, keep_default_na=False)
    assert set(diff["village_id"]) == edited and (diff["reason"] == "在工作簿中修改").all()
    assert (diff["after_name"] == name).all()
    # --replan: the edits stay, his other villages move, every hard rule holds
    out = tmp_path / "b"
    assert (
        main(["adopt", str(bundle), str(folder / "plan.xlsx"), "--out", str(out), "--replan"]) == 0
    )
    got = pd.read_csv(out / "officer_plan.csv", dtype=str, keep_default_na=False)
    assert (got.set_index("village_id").loc[sorted(edited), "officer_id"] == busy).all()
    assert not officer_violations(inst, got[["village_id", "officer_id"]])
    before = rows.set_index("village_id")["officer_id"]
    moved_on = got[got["officer_id"] != got["village_id"].map(before)]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # what changed beyond the edits is what the re-plan reports, and it began with his villages
    assert set(moved_on["village_id"]) - edited == set(summary["adopted"]["replanned"])
    assert set(summary["adopted"]["replanned"]) & set(
        rows.loc[rows["officer_id"] == busy, "village_id"]
    )
    assert summary["adopted"]["edits"] == 2 and summary["adopted"]["replanned"]
    for report in ("plan.xlsx", "report.html", "public_notice.xlsx", "plan.gpkg"):
        assert (out / report).exists()


def test_adopt_reports_a_name_that_is_not_its_officer(planned, tmp_path, capsys):
    _bundle, plan = planned
    folder = tmp_path / "edited"
    shutil.copytree(plan, folder)
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str, keep_default_na=False)
    other = rows["officer_id"].iloc[5]
    _edit(folder / "plan.xlsx", {1: (other, "不是这个人")})
    capsys.readouterr()
    assert main(["adopt", str(folder / "plan.xlsx"), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "plan.xlsx[包村民警安排]:2:民警姓名:" in err and "不是不是这个人" in err
    assert not (tmp_path / "a").exists()


def test_report_keeps_a_workbook_the_planner_changed(planned, tmp_path, capsys):
    bundle, plan = planned
    folder = tmp_path / "p"
    shutil.copytree(plan, folder)
    _edit(
        folder / "plan.xlsx",
        {1: (pd.read_csv(plan / "officer_plan.csv", dtype=str)["officer_id"].iloc[3], "")},
    )
    changed = (folder / "plan.xlsx").read_bytes()
    capsys.readouterr()
    assert main(["report", str(folder)]) == 0
    text = capsys.readouterr().out
    kept = list(folder.glob("plan.edited-*.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == changed
    assert kept[0].name in text and "cunjing adopt" in text
    # the fresh workbook is the plan's again; reporting once more keeps nothing new
    assert main(["report", str(folder)]) == 0
    assert len(list(folder.glob("plan.edited-*.xlsx"))) == 1
    # a command writing over the folder keeps the changed workbook with the old folder
    _edit(folder / "plan.xlsx", {2: ("", "")})
    assert main(["plan", str(bundle), "--out", str(folder), "--time-limit", "20"]) == 0
    text = capsys.readouterr().out
    backups = list(tmp_path.glob("p.backup-*"))
    assert len(backups) == 1 and "plan.xlsx 生成后被修改过" in text
