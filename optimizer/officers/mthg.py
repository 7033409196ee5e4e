"""Martello & Toth's MTHG for the generalized assignment problem (1981), the classical peer.

Construction: while villages are left, every village's *regret* is the gap between its best and
second-best officer by a desirability f (among officers with room: days and count); the village
with the largest regret goes to its best officer (a village only one officer can still take has
infinite regret). Improvement: each village in turn moves to the officer with room who scores it
best. Run with the four desirabilities of the original — profit, profit per day, fewest days,
fewest days relative to the officer's month — and keep the best plan.

Adapted to the model: profits are scores shifted to be positive (the shift changes no
comparison within a village); a village no officer has room for stays uncovered instead of the
run failing (the model's uncovered penalty then counts it); the improvement phase counts the
fair-share penalty; pinned pairs are fixed beforehand (``Core``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .core import NONE, Core

MEASURES = ("profit", "profit per day", "fewest days", "fewest days of the month")


@dataclass
class MthgResult:
    choice: np.ndarray
    objective: int
    uncovered: int
    measure: str
    seconds: float
    by_measure: dict[str, int]


def _desirability(core: Core, measure: str, W: np.ndarray, P: np.ndarray) -> np.ndarray:
    if measure == "profit":
        return P.astype(float)
    if measure == "profit per day":
        return P / np.maximum(W, 1)
    if measure == "fewest days":
        return -W.astype(float)
    return -W / np.maximum(core.days, 1)[:, None]


def construct(core: Core, measure: str) -> np.ndarray:
    """MTHG's first phase with one desirability: a choice (−1 where no officer had room)."""
    pair_at = core.pair_at
    has = pair_at >= 0
    safe = np.maximum(pair_at, 0)
    W = np.where(has, core.workload[safe], 0)
    low = core.score.min(initial=0)
    P = np.where(has, core.score[safe] - low + 1, 0)
    f = np.where(has, _desirability(core, measure, W, P), -np.inf)
    n_o, n_v = f.shape
    room = core.days.astype(np.int64).copy()
    slots = core.limit.astype(np.int64).copy()
    fits = has & (room[:, None] >= W) & (slots[:, None] > 0)
    F = np.where(fits, f, -np.inf)
    a = np.full(n_v, NONE, dtype=np.int64)
    left = core.reachable.copy()

    def top2(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sub = F[:, cols]
        if n_o >= 2:
            part = np.argpartition(-sub, 1, axis=0)[:2]
            v1, v2 = sub[part[0], np.arange(len(cols))], sub[part[1], np.arange(len(cols))]
            swap = v2 > v1
            first = np.where(swap, part[1], part[0])
            b1, b2 = np.maximum(v1, v2), np.minimum(v1, v2)
        else:
            first = np.zeros(len(cols), dtype=np.int64)
            b1, b2 = sub[0], np.full(len(cols), -np.inf)
        # ties on the best value: the lowest officer index, so runs are deterministic
        best_val = b1
        tie = sub == best_val[None, :]
        first = np.where(np.isfinite(best_val), np.argmax(tie, axis=0), first)
        return first, b1, b2

    cols = np.arange(n_v)
    best_o, b1, b2 = top2(cols)
    for _ in range(int(left.sum())):
        second = np.where(np.isfinite(b2), b2, 0.0)
        regret = np.where(np.isfinite(b2), b1 - second, np.inf)
        regret = np.where(np.isfinite(b1) & left, regret, -np.inf)
        v = int(np.argmax(regret))
        if not np.isfinite(regret[v]) and regret[v] < 0:
            break  # the villages left fit nowhere: they stay uncovered
        o = int(best_o[v])
        a[v] = o
        left[v] = False
        room[o] -= W[o, v]
        slots[o] -= 1
        F[:, v] = -np.inf
        row_ok = has[o] & (W[o] <= room[o]) & (slots[o] > 0)
        lost = np.isfinite(F[o]) & ~row_ok
        F[o, lost] = -np.inf
        # villages that lost o need their top two again (o may have been one of them)
        redo = np.flatnonzero(lost & left)
        if len(redo):
            bo, x1, x2 = top2(redo)
            best_o[redo], b1[redo], b2[redo] = bo, x1, x2
        b1[v] = -np.inf
    choice = np.full(n_v, NONE, dtype=np.int64)
    held = np.flatnonzero(a >= 0)
    choice[held] = pair_at[a[held], held]
    return choice


def improve(core: Core, choice: np.ndarray) -> np.ndarray:
    """MTHG's second phase: each village in turn to the officer with room who scores it best
    (its own score and the fair-share change counted)."""
    choice = choice.copy()
    pair_at = core.pair_at
    has = pair_at >= 0
    safe = np.maximum(pair_at, 0)
    W = np.where(has, core.workload[safe], 0)
    S = np.where(has, core.score[safe], 0)
    load, cnt = core.counts(choice)
    room = core.days - load
    slots = core.limit - cnt
    for v in range(core.n_v):
        p = choice[v]
        if p < 0:
            continue
        o = int(core.officer[p])
        fair_in = core.extra * ((cnt + 1 - core.share) > 0)
        fair_out = core.extra * ((cnt[o] - core.share[o]) > 0)
        gain = S[:, v] - S[o, v] - fair_in + fair_out
        ok = has[:, v] & (W[:, v] <= room) & (slots > 0)
        ok[o] = False
        gain = np.where(ok, gain, 0)
        o2 = int(np.argmax(gain))
        if gain[o2] > 0:
            room[o] += W[o, v]
            slots[o] += 1
            cnt[o] -= 1
            room[o2] -= W[o2, v]
            slots[o2] -= 1
            cnt[o2] += 1
            choice[v] = pair_at[o2, v]
    return choice


def solve_mthg(core: Core) -> MthgResult:
    """MTHG with each desirability, improved; the plan covering most villages, then scoring best."""
    t0 = time.perf_counter()
    if not core.n_pairs:  # no officer can take any village
        none = np.full(core.n_v, NONE, dtype=np.int64)
        return MthgResult(none, core.objective(none), 0, MEASURES[0], 0.0, {})
    t0 = time.perf_counter()
    best, best_key, best_m = None, None, MEASURES[0]
    by: dict[str, int] = {}
    for m in MEASURES:
        c = improve(core, construct(core, m))
        val = core.objective(c)
        by[m] = val
        key = (int((c >= 0).sum()), val)
        if best_key is None or key > best_key:
            best, best_key, best_m = c, key, m
    assert best is not None
    return MthgResult(
        best,
        core.objective(best),
        int(((best < 0) & core.reachable).sum()),
        best_m,
        time.perf_counter() - t0,
        by,
    )
