"""Small officer problems (generalized assignment with the side rules), drawn by hypothesis and
solved by enumeration, for the direct tests of the bound and the flow.

A problem is an :class:`OfficerProblem` built field by field: a few officers and villages,
integer scores (some negative) and workloads, days, counts, fair shares and the price of a
village beyond the fair share, pinned pairs, and pairs that cannot fit their officer's days.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from cunjing.optimizer.officers.model import OfficerProblem

EXAMPLES = int(os.environ.get("CUNJING_PROPERTY_EXAMPLES", "40"))

# as the other property tests: reproducible examples, no minutes-long shrinking
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def officer_problem(
    pair_officer,
    pair_village,
    score,
    workload,
    days,
    limit,
    share,
    extra: int,
    pinned=None,
    n_villages: int | None = None,
    cover_all: bool = False,
) -> OfficerProblem:
    """An :class:`OfficerProblem` from its arrays, with the uncovered penalty of ``make_problem``."""
    po, pv = np.asarray(pair_officer, np.int64), np.asarray(pair_village, np.int64)
    score = np.asarray(score, np.int64)
    n_o = len(days)
    n_v = int(pv.max(initial=-1)) + 1 if n_villages is None else n_villages
    pinned = np.zeros(len(po), bool) if pinned is None else np.asarray(pinned, bool)
    spread = int(np.abs(score).max(initial=0)) * 2 + extra + 1
    return OfficerProblem(
        county="C1",
        officers=pd.DataFrame(index=pd.Index([f"O{i}" for i in range(n_o)], name="officer_id")),
        villages=pd.Index([f"V{j}" for j in range(n_v)], name="village_id"),
        pairs=pd.DataFrame({"pinned": pinned}),
        pair_officer=po,
        pair_village=pv,
        score=score,
        workload=np.asarray(workload, np.int64),
        days=np.asarray(days, np.int64),
        max_villages=np.asarray(limit, np.int64),
        limit=np.asarray(limit, np.int64),
        share=np.asarray(share, np.int64),
        extra_village_cost=int(extra),
        uncovered_penalty=spread * (n_v + 1),
        pinned=pinned,
        cover_all=cover_all,
    )


@st.composite
def covered_problems(draw) -> OfficerProblem:
    """3-4 officers, 5-7 villages and a planted plan that covers every village within every
    officer's days and count (so a full cover exists); more pairs around it, some of which can
    never fit their officer's days; some of the planted pairs pinned."""
    n_o = draw(st.integers(3, 4))
    n_v = draw(st.integers(5, 7))
    planted = draw(st.lists(st.integers(0, n_o - 1), min_size=n_v, max_size=n_v))
    others = draw(st.lists(st.booleans(), min_size=n_o * n_v, max_size=n_o * n_v))
    po, pv, in_plan = [], [], []
    for v in range(n_v):
        for o in range(n_o):
            if o == planted[v] or others[v * n_o + o]:
                po.append(o)
                pv.append(v)
                in_plan.append(o == planted[v])
    n = len(po)
    in_plan = np.array(in_plan)
    score = np.array(draw(st.lists(st.integers(-30, 60), min_size=n, max_size=n)))
    workload = np.array(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)))
    workload[in_plan] = np.minimum(workload[in_plan], 4)
    po, pv = np.array(po), np.array(pv)
    need = np.bincount(po[in_plan], weights=workload[in_plan], minlength=n_o).astype(int)
    count = np.bincount(po[in_plan], minlength=n_o)
    days = need + np.array(draw(st.lists(st.integers(0, 12), min_size=n_o, max_size=n_o)))
    limit = count + np.array(draw(st.lists(st.integers(0, 3), min_size=n_o, max_size=n_o)))
    share = np.array(draw(st.lists(st.integers(0, 3), min_size=n_o, max_size=n_o)))
    extra = draw(st.sampled_from([0, 7, 25]))
    pin = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    pin &= in_plan & (np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))) == 0)
    return officer_problem(po, pv, score, workload, days, limit, share, extra, pin, n_v, True)


def every_cover(problem: OfficerProblem, keep_pins: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every plan that gives each village one officer and keeps each officer's days and count
    (and, with ``keep_pins``, holds every pinned pair): the pair of each village, one row a
    plan, and each plan's score less its balance cost."""
    n_o, n_v = len(problem.officers), len(problem.villages)
    per_village = [np.flatnonzero(problem.pair_village == v) for v in range(n_v)]
    if any(len(c) == 0 for c in per_village):
        return np.zeros((0, n_v), np.int64), np.zeros(0)
    grid = np.array(list(itertools.product(*per_village)), dtype=np.int64)
    mine = problem.pair_officer[grid][..., None] == np.arange(n_o)  # plan × village × officer
    count = mine.sum(axis=1)
    used = (mine * problem.workload[grid][..., None]).sum(axis=1)
    ok = (used <= problem.days).all(axis=1) & (count <= problem.limit).all(axis=1)
    if keep_pins:
        for p in np.flatnonzero(problem.pinned):
            ok &= grid[:, problem.pair_village[p]] == p
    over = np.maximum(count - problem.share, 0).sum(axis=1)
    value = problem.score[grid].sum(axis=1) - problem.extra_village_cost * over
    return grid[ok], value[ok].astype(float)
