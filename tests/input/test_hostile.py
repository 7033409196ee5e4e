"""Hostile files that cannot live in the committed corpus (``tests/malformed/``): pipes, sparse
giants, folders without the right to read, names differing only in case, floods of problems.

Each is run the way a planner runs it, in a real process with a timeout where a regression
would block (a pipe opened for reading waits for a writer for ever).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.limits import MAX_TABLE_BYTES
from cunjing.optimizer.input.problems import MAX_PROBLEMS_PER_FILE, BundleError
from cunjing.optimizer.input.work_logs import read_work_logs

from conftest import TINY, write_bundle, write_csv

ROOT = Path(__file__).resolve().parents[2]


def cunjing(*args: str, cwd: Path | None = None, drop_root: bool = False, timeout: float = 120):
    """``cunjing ARGS`` in a fresh process. ``drop_root``: without root's right to read and write
    any file (CAP_DAC_OVERRIDE), so that a folder's permission bits hold for root too."""
    cmd = [sys.executable, "-m", "cunjing.optimizer.cli", *args]
    if drop_root and os.geteuid() == 0:
        caps = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *cmd]
    env = {k: v for k, v in os.environ.items() if k not in ("CUNJING_DEBUG", "CUNJING_LANG")}
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", ["villages.csv", "geo.gpkg", "policy.toml"])
def test_a_pipe_named_like_a_bundle_file_is_refused_not_opened(tmp_path, name):
    folder = write_bundle(tmp_path / "b")
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    code, out = cunjing("validate", str(folder), timeout=60)
    assert code == 2, out
    assert f"{name}: 这是命名管道（FIFO），不是文件：只读取普通文件" in out
    assert "Traceback" not in out


def test_a_pipe_given_as_the_workbook_or_the_logs_is_refused(tmp_path):
    os.mkfifo(tmp_path / "bundle.xlsx")
    code, out = cunjing("validate", str(tmp_path / "bundle.xlsx"), timeout=60)
    assert code == 2 and "这是命名管道（FIFO）" in out, out

    os.mkfifo(tmp_path / "logs.csv")
    with pytest.raises(BundleError) as e:
        read_work_logs(tmp_path / "logs.csv", load_bundle(write_bundle(tmp_path / "b")))
    assert "命名管道" in str(e.value.problems[0])


def test_a_table_beyond_the_size_bound_is_refused_before_it_is_read(tmp_path):
    """A sparse file: 101 MB that take no disk and would take a second to read."""
    folder = write_bundle(tmp_path / "b")
    with open(folder / "villages.csv", "r+b") as f:
        f.truncate(MAX_TABLE_BYTES + 1)
    t0 = time.perf_counter()
    with pytest.raises(BundleError) as e:
        load_bundle(folder)
    assert time.perf_counter() - t0 < 30
    lines = [str(p) for p in e.value.problems]
    assert "villages.csv: 文件有 100 MB，超过输入文件的上限 100 MB" in lines[0], lines


def test_tables_differing_in_case_are_ambiguous(tmp_path):
    folder = write_bundle(tmp_path / "b")
    write_csv(folder / "Villages.csv", TINY["villages"][:3])
    with pytest.raises(BundleError) as e:
        load_bundle(folder)
    assert [str(p) for p in e.value.problems if p.severity == "error"] == [
        "villages.csv: Villages.csv, villages.csv 都会被当作 villages.csv（文件名只差大小写或全角半角）"
        "：无法确定用哪一个，请只保留一个"
    ]


def test_an_unreadable_bundle_folder_exits_2_with_its_path(tmp_path):
    folder = write_bundle(tmp_path / "b")
    folder.chmod(0)
    try:
        code, out = cunjing("validate", str(folder), drop_root=True)
    finally:
        folder.chmod(0o755)
    assert code == 2, out
    assert f"{folder}: 无法读取文件夹：Permission denied" in out


def test_out_under_a_file_is_refused_before_the_work(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    out_dir = tmp_path / "notes.txt" / "plan"
    code, out = cunjing("plan", "--out", str(out_dir))
    assert code == 2, out
    assert f"cunjing plan：{out_dir}：{tmp_path / 'notes.txt'} 是文件，不能在其下建立文件夹" in out
    assert "已写入" not in out and not out_dir.exists()


def test_out_in_a_read_only_folder_is_refused_before_the_work(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, out = cunjing("plan", "--out", str(locked / "plan"), drop_root=True)
    finally:
        locked.chmod(0o755)
    assert code == 2, out
    assert f"无法在 {locked} 中写入：Permission denied" in out
    assert list(locked.iterdir()) == []  # not even the probe is left


def test_a_flood_of_problems_is_cut_at_the_bound_and_counted(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    data["villages"] += [
        {"village_id": f"W{i}", "name": f"村{i}", "township_id": "T1", "cases": "许多"}
        for i in range(300)
    ]
    folder = write_bundle(tmp_path / "b", data)
    assert main(["validate", str(folder)]) == 2
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("villages")]
    assert len(lines) == MAX_PROBLEMS_PER_FILE + 1
    assert lines[0].startswith("villages.csv: 此文件还有 200 处问题未列出（只显示前 100 处）")


def test_rounded_ids_are_one_cause_and_their_references_one_line(tmp_path, capsys):
    """Excel rounded the village codes: one message first with the fix in Excel's words, and
    the references the rounding broke in one line with their count."""
    data = copy.deepcopy(TINY)
    codes = {f"V{i}": f"34130210{i:04d}" for i in range(1, 7)}
    for v in data["villages"]:
        v["village_id"] = "3.41302E+11"
    for a in data["auxiliaries"]:
        a["home_village_id"] = codes[a["home_village_id"]]
    data["officers"][0]["preferences"] = codes["V1"]
    folder = write_bundle(tmp_path / "b", data)
    assert main(["validate", str(folder)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "villages.csv::village_id: 此列有 6 个编码是科学计数法（3.41302E+11，第 2, 3, 4, 5, 6, 7 行）"
    )
    assert "设置单元格格式 → 文本" in lines[0] and "数据 → 从文本/CSV" in lines[0]
    homes = [line for line in lines if line.startswith("auxiliaries.csv")]
    assert homes == [
        "auxiliaries.csv::home_village_id: 有 8 个未知的户籍村编码（'341302100001', '341302100002', "
        "'341302100003', '341302100004', '341302100005'），在第 2, 3, 4, 5, 6 等行：多半是 "
        "villages.csv 中被 Excel 四舍五入的编码所致（见第一条提示）；改正那些编码后这些问题也会消失"
    ]


def test_each_row_error_names_its_person_or_village(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    data["officers"][1]["category"] = "特警"
    data["aux_history"] = [{"auxiliary_id": "FJ2", "village_id": "V9", "start": "2022-01"}]
    folder = write_bundle(tmp_path / "b", data)
    assert main(["validate", str(folder)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert (
        "officers.csv:3:category: 李强（100002）：无法识别的 category（警种）“特警”（可填：刑警（criminal）、"
        "国保（domestic_security）、机关（organ）、治安（public_security）、派出所（station）、"
        "交警（traffic））"
    ) in lines
    assert "aux_history.csv:2:village_id: 辅警2（FJ2）：未知的行政村“V9”" in lines


def test_a_name_that_would_command_the_terminal_is_never_printed_raw(tmp_path):
    data = copy.deepcopy(TINY)
    data["townships"][0]["name"] = "甲镇\x1b]0;pwned\x07"
    folder = write_bundle(tmp_path / "b", data)
    code, out = cunjing("validate", str(folder), timeout=60)
    assert code == 2
    assert "\x1b" not in out and "\x07" not in out
    assert "甲镇\\x1b]0;pwned\\x07（T1）" in out
