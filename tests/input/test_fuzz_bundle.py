"""Damaged CSV bytes never crash the loader: ``cunjing validate`` accepts the bundle or refuses it
with located problems (exit 0 or 2), whatever is cut, flipped, dropped or doubled.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunjing.optimizer.cli.main import main

from conftest import TINY, write_bundle

TABLES = sorted(TINY)
FILES = tuple(f"{t}.csv:" for t in TABLES)  # every problem names the file it is in


def _cells(data: bytes) -> list[list[bytes]]:
    return [line.split(b",") for line in data.split(b"\n")]


def _join(cells: list[list[bytes]]) -> bytes:
    return b"\n".join(b",".join(line) for line in cells)


def truncate(data: bytes, at: int, _: int, __: bytes) -> bytes:
    return data[: at % (len(data) + 1)]


def flip(data: bytes, at: int, bits: int, _: bytes) -> bytes:
    i = at % len(data)
    return data[:i] + bytes([data[i] ^ (bits % 255 + 1)]) + data[i + 1 :]


def insert(data: bytes, at: int, _: int, junk: bytes) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + junk + data[i:]


def drop_cell(data: bytes, at: int, col: int, _: bytes) -> bytes:
    cells = _cells(data)
    line = cells[at % len(cells)]
    del line[col % len(line)]
    return _join(cells)


def double_cell(data: bytes, at: int, col: int, _: bytes) -> bytes:
    cells = _cells(data)
    line = cells[at % len(cells)]
    j = col % len(line)
    line.insert(j, line[j])
    return _join(cells)


def double_line(data: bytes, at: int, to: int, _: bytes) -> bytes:
    lines = data.split(b"\n")
    lines.insert(to % (len(lines) + 1), lines[at % len(lines)])
    return b"\n".join(lines)


MUTATIONS = [truncate, flip, insert, drop_cell, double_cell, double_line]
# bytes that break CSV and text: quotes, separators, line ends, NUL, BOM, GBK and UTF-8 halves
JUNK = st.lists(
    st.sampled_from(
        [b'"', b",", b";", b"\t", b"\r", b"\n", b"\0", b"\xef\xbb\xbf", b"\xd5", b"\xe4\xb8"]
    )
    | st.binary(min_size=1, max_size=3),
    min_size=1,
    max_size=4,
).map(b"".join)


# A load takes ~0.15 s, so the suite runs 60 mutations; hunt longer with CUNJING_FUZZ_EXAMPLES=2000.
EXAMPLES = int(os.environ.get("CUNJING_FUZZ_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.sampled_from(TABLES),
    steps=st.lists(
        st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10_000), st.integers(0, 255), JUNK),
        min_size=1,
        max_size=3,
    ),
)
def test_validate_accepts_or_refuses_damaged_csv(table, steps):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_bundle(Path(tmp) / "b")
        path = folder / f"{table}.csv"
        data = path.read_bytes()
        for mutate, a, b, junk in steps:
            data = mutate(data, a, b, junk) if data else data
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        # with CUNJING_DEBUG an unexpected exception escapes main() and fails the test with it
        with (
            mock.patch.dict(os.environ, {"CUNJING_DEBUG": "1"}),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(["validate", str(folder)])
    assert code in (0, 2), out.getvalue() + err.getvalue()
    if code == 2:
        problems = [line for line in out.getvalue().splitlines() if ": warning: " not in line]
        assert problems and all(line.startswith(FILES) for line in problems), problems
