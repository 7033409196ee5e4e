"""Every parameter a planner changes shows in the outputs (issue 16): 规则说明 states each rule
with the values in force and whose they are, reads 未检查 for a rule the run did not judge;
"matched of possible" never shows more matched than possible; the contact boards print."""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest

from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.plan_files import read_plan_folder
from cunjing.optimizer.reports.workbook import RULE_SHEET, workbook_sheets
from cunjing.optimizer.run.check import check
from cunjing.optimizer.run.plan import plan

from conftest import TINY, write_bundle

POLICY = (
    "[rules.VISIT-DAYS]\nvisit_days_per_month = 3\n[rules.AUX-TENURE]\nperiods = 2\n"
    "[rules.OFF-CADRE]\nenabled = false\n"
)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sheet")
    folder = write_bundle(tmp / "b")
    (folder / "policy.toml").write_text(POLICY, encoding="utf-8")
    inst = load_bundle(folder)
    run = plan(inst)
    run.write(tmp / "plan")
    return inst, tmp / "plan"


def sheet(planned) -> pd.DataFrame:
    inst, out = planned
    return workbook_sheets(read_plan_folder(out), inst)[RULE_SHEET].set_index("规则编号")


def test_rules_are_stated_with_the_values_in_force(planned):
    rules = sheet(planned)
    assert "每月进村累计不少于3天" in rules.at["VISIT-DAYS", "内容（按现行参数）"]
    tenure = rules.at["AUX-TENURE", "内容（按现行参数）"]
    assert "不超过2期" in tenure and "每期12个月" in tenure
    # the exchange share that follows a 2-period tenure, as the bureau's setting
    assert "0.6" in rules.at["AUX-EXCHANGE", "内容（按现行参数）"]
    assert rules.at["AUX-EXCHANGE", "来源"] == "本局设定"
    assert rules.at["OFF-PREF", "来源"] == "文件条款"
    assert "periods=2（本局）" in rules.at["AUX-TENURE", "参数（文件规定 / 本局设定）"]
    assert (
        "visit_days_per_month=3.0（文件）" in rules.at["VISIT-DAYS", "参数（文件规定 / 本局设定）"]
    )


def test_a_rule_the_run_did_not_judge_reads_not_judged(planned):
    rules = sheet(planned)
    assert rules.at["OFF-COVER", "违反条数"] == 0  # judged, held
    assert rules.at["AUX-TOWNSHIP", "违反条数"] == 0
    assert rules.at["VISIT-DAYS", "违反条数"] == "未检查"  # an annual plan has no calendar
    # the annual plan is the rotation's period 1: judged by its exchange limits too
    assert rules.at["AUX-EXCHANGE", "违反条数"] == 0
    assert rules.at["OFF-CADRE", "启用"] == "否"
    assert rules.at["OFF-CADRE", "决定村数"] == "未检查"


def test_a_folder_without_records_of_checks_reads_not_judged(planned, tmp_path):
    import json
    import shutil

    inst, out = planned
    old = tmp_path / "old"
    shutil.copytree(out, old)
    summary = json.loads((old / "summary.json").read_text())
    del summary["checks"]
    (old / "summary.json").write_text(json.dumps(summary))
    rules = workbook_sheets(read_plan_folder(old), inst)[RULE_SHEET].set_index("规则编号")
    assert rules.at["OFF-LOAD", "违反条数"] == "未检查"


def test_matched_never_exceeds_possible_after_a_policy_edit(planned, tmp_path):
    _, out = planned
    # the same plan judged after the visit days went up to 8 a month: the officers' days no
    # longer hold their villages (OFF-LOAD reports it), and the counts stay honest
    data = copy.deepcopy(TINY)
    folder = write_bundle(tmp_path / "b", data)
    (folder / "policy.toml").write_text(
        POLICY.replace("visit_days_per_month = 3", "visit_days_per_month = 8"), encoding="utf-8"
    )
    edited = load_bundle(folder)
    res = check(edited, out)
    assert "OFF-LOAD" in {v.rule for v in res.violations}
    rules = res.officer_kpis["rules"]
    assert rules and all(r["matched"] <= r["possible"] for r in rules.values())
    assert any(r["matched"] > 0 for r in rules.values())


def test_contact_boards_one_a4_page_a_village_names_unit_phone_only(planned):
    inst, out = planned
    page = (out / "contact_boards.html").read_text(encoding="utf-8")
    assert page.count('<section class="board">') == len(inst.villages)
    assert "size: A4" in page and "警民联系牌" in page
    assert "一村辅警工作室" in page and "六村辅警工作室" in page
    # no ids, native places, home villages or scores on a public board
    for word in ("100001", "FJ1", "V1", "籍贯", "户籍", "得分"):
        assert word not in re.sub(r"<style>.*?</style>", "", page, flags=re.S)


def test_each_auxiliary_has_his_supervising_officer_in_the_plan_and_workbook(planned):
    """§三(三) 驻村辅警在责任区民警的指导和监督下开展驻村工作: named per village."""
    from cunjing.optimizer.reports.workbook import AUXILIARY_SHEET

    inst, out = planned
    plan = pd.read_csv(out / "auxiliary_plan.csv", dtype=str, encoding="utf-8-sig").fillna("")
    sup = plan.set_index("village_id")["supervisor_id"]
    assert sup[["V1", "V2", "V3"]].tolist() == ["100001"] * 3  # T1's station officer
    assert (sup[["V4", "V5", "V6"]] == "").all()  # T2 has no station officer
    sheet = workbook_sheets(read_plan_folder(out), inst)[AUXILIARY_SHEET].set_index("村编码")
    assert sheet.at["V1", "指导监督民警（责任区民警）"] == "100001 张伟"


def test_a_rotation_records_the_rules_it_was_judged_by(tmp_path):
    from cunjing.optimizer.run.rotate import rotate

    inst = load_bundle(write_bundle(tmp_path / "b"))
    run = rotate(inst, 2)
    checks = run.record["checks"]
    assert {"AUX-TENURE", "AUX-EXCHANGE", "AUX-COVER"} <= set(checks)
    assert "OFF-COVER" not in checks and "VISIT-DAYS" not in checks
