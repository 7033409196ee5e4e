"""Small officer problems (generalized assignment with the side rules), drawn from a seed and
solved by enumeration, for the direct tests of the bound and the flow.

A problem is an :class:`OfficerProblem` built field by field: a few officers and villages,
integer scores (some negative) and workloads, days, counts, fair shares and the price of a
village beyond the fair share, pinned pairs, and pairs that cannot fit their officer's days.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from properties import property_settings

from cunjing.optimizer.officers.model import OfficerProblem

SETTINGS = property_settings(40)


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


def covered_problem(seed: int) -> OfficerProblem:
    """3-4 officers, 5-7 villages and a planted plan that covers every village within every
    officer's days and count (so a full cover exists); more pairs around it, some of which can
    never fit their officer's days; some of the planted pairs pinned."""
    rng = np.random.default_rng(seed)
    n_o, n_v = int(rng.integers(3, 5)), int(rng.integers(5, 8))
    planted = rng.integers(0, n_o, n_v)
    eligible = rng.random((n_v, n_o)) < rng.uniform(0.3, 0.8)
    eligible[np.arange(n_v), planted] = True
    pv, po = np.nonzero(eligible)
    in_plan = po == planted[pv]
    n = len(po)
    top = int(rng.choice([8, 60]))  # scores close to the price of a village beyond the share
    score = rng.integers(-top // 2, top + 1, n)
    workload = rng.integers(1, 10, n)
    workload[in_plan] = np.minimum(workload[in_plan], 4)
    need = np.bincount(po[in_plan], weights=workload[in_plan], minlength=n_o).astype(np.int64)
    count = np.bincount(po[in_plan], minlength=n_o)
    days = need + rng.integers(0, 13, n_o)
    limit = count + rng.integers(0, 4, n_o)
    share = rng.integers(0, 4, n_o)
    extra = int(rng.choice([0, 7, 25]))
    pin = in_plan & (rng.random(n) < 0.2)
    return officer_problem(po, pv, score, workload, days, limit, share, extra, pin, n_v, True)


def loose_problem(seed: int, slack: tuple[int, int] = (0, 5)) -> OfficerProblem:
    """2-4 officers and 3-8 villages, some villages no officer may cover, officers with no room;
    each officer's days are those of his most demanding villages up to his count, plus
    ``slack`` (from 0 up: his days can never bind; below 0: they may). Some pairs pinned, at most
    one a village and no more than an officer's count."""
    rng = np.random.default_rng(seed)
    n_o, n_v = int(rng.integers(2, 5)), int(rng.integers(3, 9))
    pv, po = np.nonzero(rng.random((n_v, n_o)) < rng.uniform(0.3, 0.9))
    n = len(po)
    top = int(rng.choice([8, 60]))
    score = rng.integers(-top // 2, top + 1, n)
    workload = rng.integers(1, 10, n)
    limit = rng.integers(0, 5, n_o)
    need = np.array([np.sort(workload[po == o])[::-1][: limit[o]].sum() for o in range(n_o)])
    days = np.maximum(need + rng.integers(slack[0], slack[1] + 1, n_o), 0)
    share = rng.integers(0, 3, n_o)
    extra = int(rng.choice([0, 10, 40]))
    pin = np.zeros(n, bool)
    held = np.zeros(n_o, np.int64)
    for p in np.flatnonzero(rng.random(n) < 0.3):
        o, v = po[p], pv[p]
        if not pin[pv == v].any() and held[o] < limit[o] and workload[p] <= days[o]:
            pin[p], held[o] = True, held[o] + 1
    cover_all = bool(rng.random() < 0.3)
    return officer_problem(po, pv, score, workload, days, limit, share, extra, pin, n_v, cover_all)


# a seed for numpy's generator: varied problems from the first example on (hypothesis's own
# draws start from the simplest values), reproducible, and printed when a test fails
seeds = st.integers(0, 2**32 - 1)


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
