"""What a planner reads: help in Chinese (English on request), one-line messages instead of
internal errors, the one score of plan/check/whatif, and explain by name with reasons."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.reports.explain import explain


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    root = tmp_path_factory.mktemp("planner")
    bundle = root / "bundle"
    generate_bundle(bundle, villages=60, counties=1, seed=7)
    plan = root / "plan"
    assert main(["plan", str(bundle), "--out", str(plan), "--time-limit", "20"]) == 0
    return bundle, plan


def test_help_is_chinese_by_default_and_english_on_request(capsys):
    with pytest.raises(SystemExit) as done:
        main(["plan", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("用法：cunjing plan") and "写入方案的文件夹" in text and "选项" in text
    with pytest.raises(SystemExit):
        main(["--lang", "en", "plan", "--help"])
    text = capsys.readouterr().out
    assert text.startswith("usage: cunjing plan") and "folder to write the plan into" in text
    # argparse's own errors too
    with pytest.raises(SystemExit) as done:
        main(["--lang", "zh", "whatif"])
    assert done.value.code == 2
    assert "错误：缺少必需的参数：--plan" in capsys.readouterr().err


def test_one_score_in_plan_check_and_whatif(planned, tmp_path, capsys):
    bundle, plan = planned
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    score = summary["kpis"]["officer"]["objective"]
    assert main(["check", str(bundle), str(plan)]) == 0
    assert f"得分 {score:.2f}" in capsys.readouterr().out
    officer = pd.read_csv(plan / "officer_plan.csv", dtype=str)["officer_id"].iloc[0]
    out = tmp_path / "w"
    assert (
        main(["whatif", str(bundle), "--plan", str(plan), "--transfer", officer, "--out", str(out)])
        == 0
    )
    text = capsys.readouterr().out
    after = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert f"得分 {score:.2f} → {after['kpis']['officer']['objective']:.2f}" in text
    # no solver words in what the planner reads
    assert not re.search(r"\b(gap|bound|objective)\b", text)
    # the headline names the officer who leaves and where his villages go
    name = load_bundle(bundle).officers.at[officer, "name"]
    assert text.startswith(f"{name}（{officer}）调离：")
    assert main(["check", str(bundle), str(out)]) == 0
    assert f"得分 {after['kpis']['officer']['objective']:.2f}" in capsys.readouterr().out


def test_diff_names_every_id(planned, tmp_path, capsys):
    bundle, plan = planned
    inst = load_bundle(bundle)
    officer = pd.read_csv(plan / "officer_plan.csv", dtype=str)["officer_id"].iloc[0]
    out = tmp_path / "w"
    assert (
        main(["whatif", str(bundle), "--plan", str(plan), "--transfer", officer, "--out", str(out)])
        == 0
    )
    diff = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    assert list(diff.columns[:5]) == ["village_id", "role", "before", "after", "reason"]
    assert (diff["village_name"] == diff["village_id"].map(inst.villages["name"])).all()
    for who in ("before", "after"):
        named = diff[diff[who] != ""]
        assert (named[f"{who}_name"] == named[who].map(inst.officers["name"])).all()


def test_explain_takes_a_name_and_a_whatif_folder(planned, tmp_path, capsys):
    bundle, plan = planned
    inst = load_bundle(bundle)
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str)
    unique = rows[~rows["village_name"].duplicated(keep=False)].iloc[0]
    assert main(["explain", str(plan), unique["village_name"]]) == 0
    by_name = capsys.readouterr().out
    assert main(["explain", str(plan), unique["village_id"]]) == 0
    assert capsys.readouterr().out == by_name
    assert by_name.startswith(f"{unique['village_name']}（{unique['village_id']}，")
    # a what-if folder has no candidate pairs: explain works from the bundle
    officer = rows["officer_id"].iloc[0]
    out = tmp_path / "w"
    assert (
        main(["whatif", str(bundle), "--plan", str(plan), "--transfer", officer, "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    village = rows["village_id"].iloc[0]
    assert main(["explain", str(out), village]) == 0
    text = capsys.readouterr().out
    # the officer who left is nobody's alternative any more
    assert inst.officers.at[officer, "name"] not in text
    assert main(["explain", str(plan), "没有这个村"]) == 2
    err = capsys.readouterr().err
    assert "方案中没有“没有这个村”这个村" in err and "Traceback" not in err


def test_explain_says_why_each_better_officer_is_not_chosen(planned):
    """Every officer explain calls full is full: his days used and the village's need exceed
    his days, or he holds his most villages."""
    bundle, plan = planned
    inst = load_bundle(bundle)
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str)
    full = re.compile(
        r"(\S+)（(\d+)）：得分 .*?他已包 (\d+) 个村，每月 ([\d.]+) 天中已用 ([\d.]+) 天，该村还需 ([\d.]+) 天"
    )
    seen = 0
    for village in rows["village_id"]:
        for line in explain(plan, village, inst):
            m = full.search(line)
            if m:
                seen += 1
                officer, days, used, need = m.group(2), *map(float, m.group(4, 5, 6))
                assert days == inst.officers.at[officer, "available_days"]
                assert used + need > days
                assert (rows["officer_id"] == officer).sum() == int(m.group(3))
                # and what making room would cost, in points
                assert "要腾出时间" in line or "腾出的天数也不够" in line
    assert seen > 0


def test_ordinary_mistakes_get_one_line_not_an_internal_error(planned, tmp_path, capsys):
    bundle, plan = planned
    # an edited workbook naming an officer the bundle does not know
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    sheet = book["包村民警安排"]
    col = [c.value for c in sheet[1]].index("警号") + 1
    sheet.cell(row=2, column=col).value = "999999"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    assert main(["check", str(bundle), str(edited)]) == 1
    captured = capsys.readouterr()
    assert "999999" in captured.out and "内部错误" not in captured.err
    # a month without its leading zero
    assert main(["calendar", str(plan), "--month", "2027-3", "--out", str(tmp_path / "c")]) == 0
    assert "走访日历 2027-03" in capsys.readouterr().out
    assert main(["calendar", str(plan), "--month", "2027-13", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--month：" in err and "不是年月" in err


def test_a_closed_pipe_is_one_line(tmp_path):
    """``cunjing policy | head``: the reader goes away before the listing is printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cunjing.optimizer.cli", "policy"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # as head does once it has its lines
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait() == 2
    assert err.count("\n") == 1 and "输出在打印完之前被关闭" in err, err


def test_no_library_warnings_on_a_bundle_without_coordinates(tmp_path):
    """numpy's "All-NaN slice", shapely's and pandas' warnings never reach the terminal."""
    from conftest import TINY, write_bundle

    strip = ("lon", "lat", "base_lon", "base_lat")
    tables = {
        name: [{k: v for k, v in row.items() if k not in strip} for row in rows]
        for name, rows in TINY.items()
    }
    bundle = write_bundle(tmp_path / "b", tables)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cunjing.optimizer.cli",
            "plan",
            str(bundle),
            "--out",
            str(tmp_path / "p"),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "CUNJING_DEBUG"},
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", run.stderr
    assert "离家路程中位数 nan" not in run.stdout
