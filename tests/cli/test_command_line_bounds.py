"""The command line's own hard stops: numbers out of range are refused before any work, and
nothing printed can command the terminal."""

from __future__ import annotations

import io

import pytest

from cunjing.optimizer.cli.main import PrintableLines, main

# (arguments, what the refusal names): the bundle named does not exist, so a refusal that
# came after reading it would say so instead
MISSING = "no-such-bundle"
OUT = ["--out", "never-written"]
CASES = [
    (["plan", MISSING, *OUT, "--time-limit", "nan"], "--time-limit 必须大于 0 秒"),
    (["plan", MISSING, *OUT, "--time-limit", "inf"], "--time-limit 必须大于 0 秒"),
    (["plan", MISSING, *OUT, "--time-limit", "-1"], "--time-limit 必须大于 0 秒"),
    (["plan", MISSING, *OUT, "--time-limit", "1e9"], "--time-limit 必须大于 0 秒"),
    (["plan", MISSING, *OUT, "--workers", "-3"], "--workers 必须在 1 到 64 之间，而不是 -3"),
    (["plan", MISSING, *OUT, "--workers", "0"], "--workers 必须在 1 到 64 之间"),
    (["plan", MISSING, *OUT, "--jobs", "0"], "--jobs 必须在 1 到 1024 之间"),
    (["plan", MISSING, *OUT, "--seed", "-1"], "--seed 必须在 0 到 2147483647 之间"),
    (["plan", MISSING, *OUT, "--seed", str(2**31)], "--seed 必须在 0 到 2147483647 之间"),
    (["rotate", MISSING, *OUT, "--periods", "0"], "--periods 必须在 1 到 50 之间"),
    (["rotate", MISSING, *OUT, "--periods", "100000"], "--periods 必须在 1 到 50 之间"),
    (
        ["whatif", MISSING, "--plan", "p", *OUT, "--max-changes", "-1"],
        "--max-changes 必须在 0 到 1000000 之间",
    ),
    (["whatif", MISSING, "--plan", "p", *OUT, "--jobs", "-2"], "--jobs 必须在 1 到 1024 之间"),
    (["sample", "never-written", "--villages", "0"], "--villages 必须在 1 到 1000000 之间"),
    (["sample", "never-written", "--villages", "10000000000"], "--villages 必须在 1 到 1000000"),
    (["sample", "never-written", "--counties", "-1"], "--counties 必须在 1 到 10000 之间"),
    (["sample", "never-written", "--seed", "-5"], "--seed 必须在 0 到 2147483647 之间"),
    (["calendar", "p", "--month", "9999-12", *OUT], "'9999-12' 不在 1950—2099 年之间"),
    (["calendar", "p", "--month", "2027-13", *OUT], "'2027-13' 不是年月"),
    (
        ["compliance", MISSING, "--logs", "l", "--quarter", "0027Q1", *OUT],
        "'0027Q1' 不在 1950—2099 年之间",
    ),
    (
        ["compliance", MISSING, "--logs", "l", "--year", "0027", *OUT],
        "'0027' 不在 1950—2099 年之间",
    ),
    (["compliance", MISSING, "--logs", "l", "--year", "27", *OUT], "--year：'27' 不是年份"),
]


@pytest.mark.parametrize(
    ("argv", "says"), CASES, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in CASES]
)
def test_out_of_range_is_refused_before_any_work(argv, says, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err, err
    assert "不存在" not in err  # nothing was read: the bundle's absence is never noticed
    assert list(tmp_path.iterdir()) == []


def test_every_printed_line_has_its_control_characters_spelled_out():
    buf = io.StringIO()
    out = PrintableLines(buf)
    out.write("甲镇\x1b]0;pwned\x07 村\tB\r\n二村\x9b2J\n")
    assert buf.getvalue() == "甲镇\\x1b]0;pwned\\x07 村\tB\\r\n二村\\x9b2J\n"


def test_a_path_that_would_command_the_terminal_is_printed_spelled_out(tmp_path, capsys):
    out = tmp_path / "方案\x1b[2J"
    assert main(["sample", str(out), "--villages", "20", "--counties", "1"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "方案\\x1b[2J" in printed
    assert (out / "villages.csv").exists()
