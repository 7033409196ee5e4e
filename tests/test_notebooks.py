"""The planner's notebooks run top to bottom (stored without outputs, so they never rot)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_the_three_walk_throughs():
    assert [p.name for p in NOTEBOOKS] == [
        "01_annual_plan.ipynb",
        "02_what_if_transfer.ipynb",
        "03_auxiliary_rotation.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in raw["cells"] if c["cell_type"] == "code"), (
        "notebooks are stored without outputs"
    )
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    seconds = time.perf_counter() - t0
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    assert seconds < 240  # each well under a minute on a quiet machine (see README)
