"""The same hard county, seed and time limit give the same plan on an idle and on a loaded machine:
the hard-county search ends its stages on work budgets (steps, nodes, HiGHS's checks, CP-SAT's
deterministic time), the clock being only a far guard. The second run shares the machine with a
busy loop on every core, so a stage that stopped on the clock would stop elsewhere."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
from contextlib import contextmanager

import pandas as pd
import pytest

from cunjing.data.hard_counties import generate, write_bundle
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.solve.options import SolveOptions

BUDGET_USED = "工作量用尽"  # HiGHS ended on its work budget, said in its stage line
GUARD_FIRED = "时间保护"  # the wall-clock guard's words, which must not appear
SECONDS = re.compile(r"\d+\.\d 秒")


def _said(notes: list[str]) -> list[str]:
    """The stage lines without their seconds."""
    return [SECONDS.sub("", n) for n in notes]


def _spin(stop) -> None:
    while not stop.is_set():
        pass


@contextmanager
def busy_machine():
    """A busy loop on every core for the duration."""
    ctx = mp.get_context("fork")  # the loop needs nothing of the parent: fork starts at once
    stop = ctx.Event()
    procs = [
        ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(os.cpu_count() or 2)
    ]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        stop.set()
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.terminate()


@pytest.mark.parametrize(
    ("kind", "villages", "officers", "variant", "backend"),
    [
        # MTHG or the repair covers it: CP-SAT for its deterministic time, then HiGHS
        ("C", 100, 10, "tight", "cp-sat"),
        # no full cover: the hard-county pipeline (repair, CP-SAT's proof, HiGHS)
        ("C", 200, 20, "cut-local", "hard-county pipeline"),
    ],
)
def test_hard_county_plan_is_the_same_on_a_loaded_machine(
    tmp_path, kind, villages, officers, variant, backend
):
    county = generate(kind, villages, officers, seed=1, variant=variant)
    inst = load_bundle(write_bundle(county, tmp_path / county.name))
    (cid,) = inst.counties
    options = SolveOptions(time_limit=2.0, seed=3)
    idle = plan_county_officers(inst, cid, options)
    with busy_machine():
        loaded = plan_county_officers(inst, cid, options)
    assert idle.backend.startswith(backend)
    # the greedy plan leaves villages out: this is the hard path, said stage by stage
    assert any(n.startswith("贪心方案") for n in idle.notes)
    said = "\n".join(idle.notes + loaded.notes)
    assert GUARD_FIRED not in said, said
    if backend == "hard-county pipeline":
        # the last search ran to its work budget: the stage the clock used to end
        assert BUDGET_USED in idle.notes[-1]
    pd.testing.assert_frame_equal(idle.plan, loaded.plan)
    assert idle.objective == loaded.objective
    assert idle.status == loaded.status
    # what the stages did is the same, line for line, but for the seconds
    assert _said(idle.notes) == _said(loaded.notes)
