"""No spreadsheet formula reaches a CSV the program writes: a text cell Excel would run (=, +,
-, @, a tab or a carriage return first) is written after an apostrophe, numbers stay numbers,
and the program's own readers give back exactly the text that was written."""

from __future__ import annotations

import copy
import csv
import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.plan_files import read_assignment, read_part
from cunjing.optimizer.input.schema import OFFICER_PLAN
from cunjing.optimizer.input.tables import FORMULA_START, restore_formula_text
from cunjing.optimizer.output.files import write_csv

from conftest import TINY, write_bundle

EXAMPLES = int(os.environ.get("CUNJING_PROPERTY_EXAMPLES", "200"))
PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"

starts = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "'=", "''+", "", "a", "1", "-1"])
cells = st.builds(lambda a, b: a + b, starts, st.text(max_size=12))


def written_cells(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [c for row in csv.reader(f) for c in row]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(cells, min_size=1, max_size=8))
def test_no_written_cell_is_a_formula_and_every_cell_reads_back(tmp_path, texts):
    frame = pd.DataFrame({"name": texts, "score": [-3.5] * len(texts)})
    path = tmp_path / "plan.csv"
    write_csv(frame, path)
    body = written_cells(path)[2:]  # after the header
    for cell in body:
        assert not cell.startswith(FORMULA_START) or pd.Series([cell]).str.match(PLAIN_NUMBER)[0]
    assert body[1::2] == ["-3.5"] * len(texts)  # numbers are written as numbers
    # a line break is written as Excel writes it, a line feed (a bare CR would end the row)
    texts = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
    back = read_part(path, OFFICER_PLAN, typed=False)
    assert back["name"].tolist() == texts
    assert [restore_formula_text(c) for c in body[0::2]] == texts


def test_a_plan_with_formula_names_writes_them_as_text(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    data["officers"][1]["name"] = '=HYPERLINK("http://example.invalid","李强")'
    data["villages"][2]["name"] = "+三村"
    data["auxiliaries"][2]["name"] = "@SUM(1+1)"
    bundle = write_bundle(tmp_path / "b", data)
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out)]) == 0
    for name in ("officer_plan.csv", "auxiliary_plan.csv"):
        cells = written_cells(out / name)
        assert not [c for c in cells if c.startswith(("=", "+", "@")) and c != "+"], cells
    officer = written_cells(out / "officer_plan.csv")
    assert "'+三村" in officer
    # the program's readers take the apostrophe off: the plan checks against its own bundle
    plan = read_assignment(out, "officer")
    assert set(plan["village_id"]) == {f"V{i}" for i in range(1, 7)}
    assert main(["check", str(bundle), str(out)]) == 0
    capsys.readouterr()
