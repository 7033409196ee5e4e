"""The malformed-input corpus (``tests/malformed/``, described in ``CASES.toml``), each case run
the way a planner runs it: ``cunjing validate CASE``.

For every case: the exit code (2 refused, 0 accepted), every expected problem at its
``file:row:column`` with its message, no other error (one broken thing, one message), no
traceback, and nothing written. Commands that write a plan join in by themselves once
``cli.COMMANDS`` has them (see ``WRITERS``): on a refused bundle they must exit 2 with the same
problems and leave their ``--out`` folder unmade.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cunjing.optimizer.cli.main import COMMANDS, main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.problems import Problem

from conftest import TINY, write_bundle, write_csv

CORPUS = Path(__file__).resolve().parents[1] / "malformed"
CASES: dict[str, dict] = tomllib.loads((CORPUS / "CASES.toml").read_text(encoding="utf-8"))
NOT_CASES = {"_outside", "__pycache__"}  # the target of the escaping link; bytecode

# Commands that read a bundle and write, with the arguments that make them write into OUT.
# A command is tested as soon as cli.COMMANDS registers it; add `check`/`whatif` likewise.
WRITERS = {
    "plan": ["--out", "{out}"],
    "rotate": ["--periods", "2", "--out", "{out}"],
}


def located(expect: dict) -> str:
    """How a problem line starts, e.g. ``villages.csv:5:cases: `` (Problem's own format)."""
    severity = "warning" if expect.get("warning") else "error"
    problem = Problem(expect["file"], expect.get("row", 0), expect.get("column", ""), "", severity)
    return str(problem)


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder`` (links not followed) with its size and modification time."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_reported(case: dict, lines: list[str]) -> None:
    for e in case["expect"]:
        start = located(e)
        assert any(line.startswith(start) and e["says"] in line for line in lines), (
            f"expected a line starting {start!r} saying {e['says']!r}",
            lines,
        )


def test_the_corpus_is_complete():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name not in NOT_CASES}
    assert folders == set(CASES), "every folder has an entry in CASES.toml, and the reverse"
    refused = [n for n, c in CASES.items() if c["exit"] == 2]
    warned = [n for n, c in CASES.items() if c["exit"] == 0 and c["expect"]]
    assert len(refused) >= 40 and len(warned) >= 4
    for name, case in CASES.items():
        assert case["exit"] in (0, 2) and case["what"], name
        assert case["exit"] == 0 or case["expect"], f"{name}: a refused case says why"


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_is_reported_where_it_is(name, capsys, monkeypatch, tmp_path):
    case = CASES[name]
    monkeypatch.chdir(CORPUS)  # the planner's view: paths and labels as typed
    monkeypatch.delenv("CUNJING_DEBUG", raising=False)
    path = case.get("path", name)
    before, listing = tree(CORPUS / name), sorted(os.listdir(CORPUS))

    code, out, err = run(["validate", path], capsys)

    assert "Traceback" not in out + err and "内部错误" not in err, out + err
    assert code == case["exit"], out + err
    lines = out.splitlines()
    assert_reported(case, lines)
    if code == 2:
        errors = [line for line in lines if ": 警告：" not in line]
        expected = [e for e in case["expect"] if not e.get("warning")]
        assert len(errors) == len(expected), ("errors beyond the expected ones", errors)
        assert "处问题" in err
    else:
        assert any(line.endswith("：检查通过") for line in lines), out
    assert tree(CORPUS / name) == before and sorted(os.listdir(CORPUS)) == listing

    if code != 2:
        return
    for command, args in WRITERS.items():
        if command not in COMMANDS:
            continue
        target = tmp_path / command
        argv = [command, path, *(a.format(out=target) for a in args)]
        code, out, err = run(argv, capsys)
        assert code == 2, (argv, out + err)
        assert "Traceback" not in out + err and "内部错误" not in err
        assert_reported(case, (out + err).splitlines())
        assert not target.exists(), f"{command} wrote {target} for a refused bundle"
        assert tree(CORPUS / name) == before


def test_the_command_in_a_real_process():
    """Exit code and output as the shell sees them, for a case that crashed before."""
    name = "symlink-loop"
    case = CASES[name]
    proc = subprocess.run(
        [sys.executable, "-m", "cunjing.optimizer.cli", "validate", case.get("path", name)],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "CUNJING_DEBUG"},
        timeout=120,
    )
    assert proc.returncode == case["exit"], proc.stdout + proc.stderr
    assert proc.stderr == "共 1 处问题\n", "nothing but the count: no traceback, no warnings"
    assert_reported(case, proc.stdout.splitlines())


def test_a_gbk_row_that_happens_to_be_utf8_is_read_as_gbk(tmp_path):
    """'璁惰唱' in GBK is also valid UTF-8 ('讶質'): one such row is chance, not mixed encodings."""
    assert "璁惰唱".encode("gbk").decode("utf-8") == "讶質"
    data = copy.deepcopy(TINY)
    data["auxiliaries"][2]["name"] = "璁惰唱"
    folder = write_bundle(tmp_path / "b", data)
    write_csv(folder / "auxiliaries.csv", data["auxiliaries"], encoding="gbk")
    inst = load_bundle(folder)
    assert inst.auxiliaries.at["FJ3", "name"] == "璁惰唱"
    assert inst.auxiliaries.at["FJ1", "name"] == "辅警1"
