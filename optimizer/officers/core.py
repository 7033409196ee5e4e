"""The officer model with its pinned pairs fixed: the arrays every algorithm of this package reads.

A pinned pair is in every plan, so its village leaves the problem (with all its other pairs) and
its officer keeps what is left of his days, his count limit and his fair share:

    penalty b·max(0, pinned + k − f) = b·max(0, k − (f − pinned))

so the fair-share rule holds unchanged with the share reduced by the pinned count (it may go
negative: then every further village costs b). Pairs that no longer fit their officer's days go
too. What remains is a GAP with count limits and a convex count penalty; a plan of the core is a
*choice*: per free village the core pair that covers it, or -1.

``gap_problem`` builds an :class:`OfficerProblem` straight from arrays (OR-Library instances,
generated hard counties, tests), without a bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .model import OfficerProblem, implied_limits

if TYPE_CHECKING:
    from ...data.hard_counties import HardCounty

NONE = -1  # no pair: the village is uncovered


@dataclass
class Core:
    problem: OfficerProblem
    n_o: int
    n_v: int  # free villages (not pinned)
    village_ids: np.ndarray  # problem village index of each free village
    pair_ids: np.ndarray  # problem pair index of each core pair
    officer: np.ndarray  # per core pair
    village: np.ndarray  # per core pair: free-village index
    score: np.ndarray
    workload: np.ndarray
    days: np.ndarray  # per officer: days left after his pinned villages (hundredths)
    limit: np.ndarray  # per officer: villages he may still take
    share: np.ndarray  # per officer: fair share left (may be negative)
    extra: int  # hundredths of points per village beyond the fair share
    penalty: int  # per uncovered village (only when not cover_all)
    cover_all: bool
    pinned_pairs: np.ndarray  # problem pair indices that are pinned
    base: int  # score of the pinned pairs
    pins_fit: bool  # False when pinned pairs alone break an officer's days or count

    @property
    def n_pairs(self) -> int:
        return len(self.officer)

    @cached_property
    def by_village(self) -> tuple[np.ndarray, np.ndarray]:
        """Core pairs grouped by village: (order, start) with village v's pairs
        ``order[start[v]:start[v+1]]``."""
        order = np.argsort(self.village, kind="stable")
        start = np.searchsorted(self.village[order], np.arange(self.n_v + 1))
        return order, start

    @cached_property
    def pair_at(self) -> np.ndarray:
        """Dense officer x village table of core pair indices (-1: no pair)."""
        t = np.full((self.n_o, self.n_v), NONE, dtype=np.int64)
        t[self.officer, self.village] = np.arange(self.n_pairs)
        return t

    @cached_property
    def reachable(self) -> np.ndarray:
        """Free villages that have at least one pair."""
        return np.bincount(self.village, minlength=self.n_v) > 0

    # plans ---------------------------------------------------------------------------------
    def counts(self, choice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Days used and villages held per officer by a choice (pinned ones excluded)."""
        p = choice[choice >= 0]
        load = np.bincount(self.officer[p], weights=self.workload[p], minlength=self.n_o)
        cnt = np.bincount(self.officer[p], minlength=self.n_o)
        return load.astype(np.int64), cnt.astype(np.int64)

    def objective(self, choice: np.ndarray) -> int:
        """The model's objective of the plan (hundredths): scores, fair-share cost, uncovered."""
        p = choice[choice >= 0]
        _, cnt = self.counts(choice)
        over = np.maximum(cnt - self.share, 0)
        uncovered = int((choice < 0).sum())
        return int(
            self.base + self.score[p].sum() - self.extra * over.sum() - self.penalty * uncovered
        )

    def fits(self, choice: np.ndarray) -> bool:
        """Every officer within his days and count limit."""
        load, cnt = self.counts(choice)
        return bool(np.all(load <= self.days) and np.all(cnt <= self.limit))

    def to_pairs(self, choice: np.ndarray) -> np.ndarray:
        """Problem pair indices of the plan, pinned pairs included, sorted."""
        return np.sort(np.concatenate([self.pair_ids[choice[choice >= 0]], self.pinned_pairs]))

    def to_x(self, choice: np.ndarray) -> np.ndarray:
        """The plan as the problem's 0/1 pair vector."""
        x = np.zeros(self.problem.n_pairs, dtype=np.int64)
        x[self.to_pairs(choice)] = 1
        return x

    def from_pairs(self, pairs: np.ndarray) -> np.ndarray:
        """A choice from problem pair indices (pinned ones and pairs out of the core ignored)."""
        where = np.full(self.problem.n_pairs, NONE, dtype=np.int64)
        where[self.pair_ids] = np.arange(self.n_pairs)
        c = where[np.asarray(pairs, dtype=np.int64)]
        c = c[c >= 0]
        choice = np.full(self.n_v, NONE, dtype=np.int64)
        choice[self.village[c]] = c
        return choice


def make_core(problem: OfficerProblem) -> Core:
    """The problem with its pinned pairs fixed (see the module docstring)."""
    n_o, n_v = len(problem.officers), len(problem.villages)
    pinned = np.flatnonzero(problem.pinned)
    po, pv = problem.pair_officer, problem.pair_village
    pin_load = np.bincount(po[pinned], weights=problem.workload[pinned], minlength=n_o)
    pin_cnt = np.bincount(po[pinned], minlength=n_o)
    days = problem.days - pin_load.astype(np.int64)
    limit = problem.limit - pin_cnt
    share = problem.share - pin_cnt
    pins_fit = bool(np.all(days >= 0) and np.all(limit >= 0))
    taken = np.zeros(n_v, dtype=bool)
    taken[pv[pinned]] = True
    free_v = np.flatnonzero(~taken)
    new_v = np.full(n_v, NONE, dtype=np.int64)
    new_v[free_v] = np.arange(len(free_v))
    keep = ~taken[pv] & (problem.workload <= np.maximum(days, 0)[po]) & (limit[po] > 0)
    ids = np.flatnonzero(keep)
    extra = int(problem.extra_village_cost)
    # the core's own penalty b·max(0, k - share') is the officer's whole fair-share cost, the
    # pinned villages' part included: base is just the pinned pairs' scores
    base = int(problem.score[pinned].sum())
    return Core(
        problem=problem,
        n_o=n_o,
        n_v=len(free_v),
        village_ids=free_v,
        pair_ids=ids,
        officer=po[ids].astype(np.int64),
        village=new_v[pv[ids]],
        score=problem.score[ids].astype(np.int64),
        workload=problem.workload[ids].astype(np.int64),
        days=np.maximum(days, 0).astype(np.int64),
        limit=np.maximum(limit, 0).astype(np.int64),
        share=share.astype(np.int64),
        extra=extra,
        penalty=int(problem.uncovered_penalty) if not problem.cover_all else 0,
        cover_all=bool(problem.cover_all),
        pinned_pairs=pinned,
        base=base,
        pins_fit=pins_fit,
    )


def gap_problem(
    score: np.ndarray,
    workload: np.ndarray,
    days: np.ndarray,
    *,
    eligible: np.ndarray | None = None,
    max_villages: np.ndarray | None = None,
    share: np.ndarray | None = None,
    extra_village_cost: int = 0,
    pinned: np.ndarray | None = None,
    cover_all: bool = False,
    county: str = "C1",
) -> OfficerProblem:
    """An officer problem from officer x village arrays in hundredths (score, workload), officer
    days in hundredths, without a bundle: OR-Library instances, generated counties, tests.

    ``eligible`` (bool, officer x village) keeps some pairs; ``pinned`` (bool, same shape) pins
    pairs; ``max_villages`` (-1: none) and ``share`` (default: no fair-share cost) per officer."""
    score = np.asarray(score, dtype=np.int64)
    workload = np.asarray(workload, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    m, n = score.shape
    ok = np.ones((m, n), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    ok &= workload <= days[:, None]
    o, v = np.nonzero(ok)
    officer_ids = np.array([f"A{i:03d}" for i in range(m)], dtype=object)
    village_ids = np.array([f"J{j:04d}" for j in range(n)], dtype=object)
    mx = np.full(m, -1, dtype=np.int64) if max_villages is None else np.asarray(max_villages)
    officers = pd.DataFrame(
        {
            "available_days": days / 100.0,
            "max_villages": pd.array(np.where(mx >= 0, mx, 0), dtype="Int64"),
        },
        index=pd.Index(officer_ids, name="officer_id"),
    )
    officers.loc[mx < 0, "max_villages"] = pd.NA
    pin = np.zeros(len(o), dtype=bool) if pinned is None else np.asarray(pinned, bool)[o, v]
    pairs = pd.DataFrame(
        {
            "officer_id": officer_ids[o],
            "village_id": village_ids[v],
            "workload_days": workload[o, v] / 100.0,
            "score": score[o, v] / 100.0,
            "pinned": pin,
            "_pos": np.arange(len(o)),
        }
    )
    limit = implied_limits(officers, pairs, days)
    sc = score[o, v]
    extra = int(extra_village_cost)
    spread = int(np.abs(sc).max(initial=0)) * 2 + extra + 1
    return OfficerProblem(
        county=county,
        officers=officers,
        villages=pd.Index(village_ids, name="village_id"),
        pairs=pairs,
        pair_officer=o.astype(np.int64),
        pair_village=v.astype(np.int64),
        score=sc,
        workload=workload[o, v],
        days=days,
        max_villages=mx,
        limit=limit,
        share=np.full(m, n, dtype=np.int64) if share is None else np.asarray(share, np.int64),
        extra_village_cost=extra,
        uncovered_penalty=spread * (n + 1),
        pinned=pin,
        cover_all=cover_all,
    )


def hard_county_problem(county: HardCounty, cover_all: bool = False) -> OfficerProblem:
    """A generated hard county (``cunjing.data.hard_counties``) as an officer problem without a
    bundle: scores −c in hundredths, as the bundle's ``score`` column of points −c is read."""
    return gap_problem(
        -100 * county.cost,
        county.resource,
        county.capacity,
        eligible=county.allowed,
        cover_all=cover_all,
    )
