"""What the monthly work prints: the visit calendar's month grid and month pages, the
compliance scorecards as a Chinese workbook, and the CSV files in Chinese that read back as
the English machine tables."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.i18n import set_language
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.reports.people import from_people

from conftest import write_bundle, write_csv
from plan_folders import write_plan_folder

PLAN = pd.DataFrame(
    {"village_id": ["V1", "V2", "V4", "V3"], "officer_id": ["100001", "100001", "100002", "100003"]}
)
LOGS = [
    {
        "officer_id": o,
        "auxiliary_id": "",
        "village_id": v,
        "date": d,
        "hours": "8",
    }  # a full day each (§五(一): time adds up)
    for o, v, d in (
        ("100001", "V1", "2027-03-02"),
        ("100001", "V1", "2027-03-22"),
        ("100001", "V2", "2027-03-03"),  # one visit only: short
        ("100002", "V4", "2027-03-04"),
        ("100002", "V4", "2027-03-25"),
        ("100003", "V3", "2027-03-05"),
        ("100003", "V3", "2027-03-26"),
    )
]


def test_calendar_workbook_and_chinese_csv(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    inst = load_bundle(bundle)
    plan = write_plan_folder(tmp_path / "plan", inst, bundle, PLAN)
    zh, en = tmp_path / "zh", tmp_path / "en"
    assert main(["calendar", str(plan), "--month", "2027-03", "--out", str(zh)]) == 0
    assert (
        main(["--lang", "en", "calendar", str(plan), "--month", "2027-03", "--out", str(en)]) == 0
    )
    chinese = pd.read_csv(zh / "calendar.csv", dtype=str, encoding="utf-8-sig")
    english = pd.read_csv(en / "calendar.csv", dtype=str, encoding="utf-8-sig")
    assert list(chinese.columns[:3]) == ["警号", "民警姓名", "日期"]
    assert set(chinese["同日走访两村"]) <= {"是", "否"}
    set_language("zh")  # the language the Chinese file was written in
    pd.testing.assert_frame_equal(from_people(chinese), english, check_dtype=False)
    book = openpyxl.load_workbook(zh / "calendar.xlsx")
    assert book.sheetnames[:2] == ["月度走访表", "个人月历"]
    grid = book["月度走访表"]
    head = [c.value for c in grid[1]]
    assert head[:3] == ["警号", "民警姓名", "包村数"] and head[3] == "1日 周一"
    assert len(head) == 3 + 31 and grid.max_row == 1 + 3  # a row per officer
    # each visit in its day's cell, coloured; Saturdays and Sundays shaded
    for r in english.itertuples():
        row = next(i for i in range(2, grid.max_row + 1) if grid.cell(i, 1).value == r.officer_id)
        col = 3 + dt.date.fromisoformat(r.date).day
        assert r.village_name in grid.cell(row, col).value
        assert grid.cell(row, col).fill.fgColor.rgb.endswith("E2EFDA")
    saturday = 3 + 6  # 2027-03-06
    assert grid.cell(2, saturday).fill.fgColor.rgb.endswith("E7E6E6")
    pages = book["个人月历"]
    titles = [c.value for c in pages["A"] if c.value and "2027-03" in str(c.value)]
    assert len(titles) == 3 and titles[0].startswith(inst.officers["name"].iloc[0])
    assert pages.page_setup.orientation == "landscape"


def test_compliance_workbook(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    inst = load_bundle(bundle)
    plan = write_plan_folder(tmp_path / "plan", inst, bundle, PLAN)
    logs = write_csv(tmp_path / "logs.csv", LOGS)
    out = tmp_path / "out"
    args = ["compliance", "--logs", str(logs), "--month", "2027-03", "--plan", str(plan)]
    assert main([*args, "--out", str(out)]) == 1  # 张伟 is short in 二村
    book = openpyxl.load_workbook(out / "compliance.xlsx")
    assert book.sheetnames == [
        "需复核人员",
        "排名（优秀包村民警）",
        "月考评",
        "考核项目",
        "各村情况",
        "问题日志",
    ]
    card = book["月考评"]
    head = [c.value for c in card[1]]
    assert head[:2] == ["警号", "民警姓名"] and "合格" in head
    passed = {
        card.cell(r, 1).value: card.cell(r, head.index("合格") + 1).value
        for r in range(2, card.max_row + 1)
    }
    assert passed == {"100001": "否", "100002": "是", "100003": "是"}
    failing = next(r for r in range(2, card.max_row + 1) if card.cell(r, 1).value == "100001")
    assert card.cell(failing, 1).fill.fgColor.rgb.endswith("FCE4D6")
    review = pd.read_csv(out / "review.csv", dtype=str, encoding="utf-8-sig")
    assert list(review.columns[:3]) == ["人员类别", "编号", "姓名"]
    assert review["原因"].iloc[0].startswith("月考评不合格")
