"""The Lagrangian relaxation of the cover rows, its knapsacks, and better multipliers.

Relax every village's cover row with a multiplier y_v: the model falls apart into one knapsack
per officer (his days, his count limit, the fair-share penalty b·max(0, k − f_o)):

    L(y) = base + Σ_v y_v + Σ_v max(0, −M − y_v) + Σ_o max { Σ_{p∈S} (s_p − y_v(p)) − pen_o(|S|) }

(the middle sum only when villages may stay uncovered at M each). Every plan scores at most L(y),
for any y. The LP's duals are a good y; the subgradient method (Held, Wolfe & Crowder's steps
towards a target, Polyak's step length) lowers L from there, which is the bound the literature
reports for the GAP (Fisher, Jaikumar & Van Wassenhove 1986).

The knapsacks are one dynamic programme over (items, count, days) for all officers at once: item
t of every officer is added in one numpy step (a gather along the days axis), so the Python loop
runs over the most items one officer has, not over officers × items. Only items of positive
profit enter (the others never help). When an officer's count cannot matter (his days alone keep
him within his limit and his fair share) the count axis is dropped: on OR-Library's gapd that is
every officer, and the programme is a plain 0/1 knapsack over days.

Forcing pair p into its officer's knapsack gives L_p ≥ every plan through p (``forced``): the
best of k−1 other items within days − w_p, plus p's profit, less pen(k). A pair whose L_p cannot
beat a known plan is in no better plan and may be fixed to 0 (reduced-cost fixing).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .core import Core

NEG = -1e18
# Bools of the back-tracking tables held at once (T items x officers x counts x days); officers
# are solved in chunks below it (the sample county's 144 officers in 2-3 chunks)
KEEP_CELLS = 40_000_000


@dataclass
class Relaxation:
    y: np.ndarray
    bound: float  # L(y)
    value: np.ndarray  # per officer: his best knapsack profit, the penalty taken off
    take: np.ndarray | None  # per core pair: in his officer's best knapsack
    uncovered: np.ndarray  # per village: the relaxation leaves it uncovered (u_v = 1)
    forced: np.ndarray | None  # per core pair: L with the pair forced in (NEG: cannot be)

    def subgradient(self, core: Core) -> np.ndarray:
        """1 − (times covered) − u_v per village: L's slope in y."""
        assert self.take is not None
        covered = np.bincount(core.village[self.take], minlength=core.n_v)
        return 1.0 - covered - self.uncovered


def _penalty(core: Core, offs: np.ndarray, k_max: int) -> np.ndarray:
    """pen_o(k) for k = 0..k_max: the fair-share cost, +inf beyond the officer's limit."""
    k = np.arange(k_max + 1)[None, :]
    pen = core.extra * np.maximum(0, k - core.share[offs][:, None]).astype(float)
    return np.where(k > core.limit[offs][:, None], np.inf, pen)


def relax(core: Core, y: np.ndarray, *, solution: bool = True, forced: bool = False) -> Relaxation:
    """L(y); with ``solution`` each officer's best knapsack, with ``forced`` every pair's L_p."""
    y = np.asarray(y, dtype=float)
    profit = core.score - y[core.village]
    n_o = core.n_o
    items = np.flatnonzero(profit > 0)
    items = items[np.lexsort((core.workload[items], core.officer[items]))]
    o_of = core.officer[items]
    n_items = np.bincount(o_of, minlength=n_o)
    start = np.concatenate([[0], np.cumsum(n_items)])
    rank = np.arange(len(items)) - start[o_of]
    # most items an officer can take: his cheapest that fit his days (items sorted by days)
    csum = np.cumsum(core.workload[items])
    used = csum - np.concatenate([[0], csum])[start[o_of]]
    kfit = np.bincount(o_of[used <= core.days[o_of]], minlength=n_o)
    k_use = np.minimum(kfit, core.limit)
    # the count axis is needed where the limit or the fair share can bind (a negative share,
    # left by pinned villages, costs even with no item: kfit >= 0 > share)
    count_matters = (core.limit < kfit) | ((core.extra > 0) & (kfit > core.share))
    value = np.zeros(n_o)
    take = np.zeros(core.n_pairs, dtype=bool) if solution else None
    forced_val = np.full(core.n_pairs, NEG) if forced else None
    for offs, cm in _chunks(core, n_items, count_matters, k_use, solution):
        f, keeps, W, cap, row, _, k_dim = _tables(
            core, profit, items, o_of, rank, offs, cm, k_use, keep=solution
        )
        rows = np.arange(len(offs))
        at_cap = f[rows, :, cap]  # (officers, counts)
        if cm:
            val = at_cap - _penalty(core, offs, k_dim - 1)
            kbest = np.argmax(val, axis=1)
            value[offs] = val[rows, kbest]
        else:
            kbest = np.zeros(len(offs), dtype=np.int64)
            value[offs] = at_cap[:, 0]
        if take is not None:
            took = _backtrack(keeps, W, cap, kbest, cm)
            mine = row[o_of] >= 0
            take[items[mine]] = took[row[o_of[mine]], rank[mine]]
        if forced_val is not None:
            _forced(core, profit, f, cap, row, offs, cm, k_dim, forced_val)
    bound = float(y.sum()) + float(value.sum()) + core.base
    uncovered = np.zeros(core.n_v)
    if not core.cover_all:
        gain = -core.penalty - y
        uncovered = (gain > 0).astype(float)
        bound += float(np.maximum(gain, 0).sum())
    if forced_val is not None:
        # the forced knapsack may count p twice (p among its own k-1 others): L bounds it too
        forced_val = np.where(
            forced_val > NEG / 2, np.minimum(forced_val - value[core.officer] + bound, bound), NEG
        )
    return Relaxation(y, bound, value, take, uncovered, forced_val)


def _chunks(core: Core, n_items, count_matters, k_use, solution: bool):
    """Officers in groups solved together: those whose count matters apart, by number of items,
    each group's back-tracking tables under KEEP_CELLS."""
    order = np.lexsort((n_items, count_matters))
    pos, n_o = 0, core.n_o
    while pos < n_o:
        cm = bool(count_matters[order[pos]])
        end = pos + 1
        while end < n_o and bool(count_matters[order[end]]) == cm:
            grp = order[pos : end + 1]
            k_dim = int(k_use[grp].max()) + 1 if cm else 1
            cells = int(n_items[order[end]]) * len(grp) * k_dim * (int(core.days[grp].max()) + 1)
            if solution and cells > KEEP_CELLS:
                break
            end += 1
        yield order[pos:end], cm
        pos = end


def _tables(core, profit, items, o_of, rank, offs, cm, k_use, keep: bool):
    """The dynamic programme for officers ``offs``: f[o, k, c] the best profit of at most k of
    his items within c days, and the per-item improvement masks for back-tracking."""
    nc = len(offs)
    row = np.full(core.n_o, -1)
    row[offs] = np.arange(nc)
    mine = row[o_of] >= 0
    t_dim = int(rank[mine].max(initial=-1)) + 1
    k_dim = int(k_use[offs].max(initial=0)) + 1 if cm else 1
    cap = core.days[offs]
    c_dim = int(cap.max(initial=0)) + 1
    P = np.full((nc, t_dim), NEG)
    W = np.zeros((nc, t_dim), dtype=np.int64)
    P[row[o_of[mine]], rank[mine]] = profit[items[mine]]
    W[row[o_of[mine]], rank[mine]] = core.workload[items[mine]]
    c_range = np.arange(c_dim)
    f = np.zeros((nc, k_dim, c_dim))
    keeps = []
    for t in range(t_dim):
        shifted = c_range[None, :] - W[:, t : t + 1]
        valid = shifted >= 0
        idx = np.maximum(shifted, 0)
        if k_dim == 1:
            g = np.take_along_axis(f[:, 0, :], idx, axis=1) + P[:, t : t + 1]
            better = valid & (g > f[:, 0, :])
            np.copyto(f[:, 0, :], g, where=better)
            better = better[:, None, :]
        else:
            src = f[:, :-1, :]
            g = np.take_along_axis(src, np.broadcast_to(idx[:, None, :], src.shape), axis=2)
            g += P[:, t, None, None]
            better = valid[:, None, :] & (g > f[:, 1:, :])
            np.copyto(f[:, 1:, :], g, where=better)
        if keep:
            keeps.append(better)
    return f, keeps, W, cap, row, t_dim, k_dim


def _backtrack(keeps, W, cap, kbest, cm: bool) -> np.ndarray:
    """Which of each officer's items his best knapsack takes (officers x items)."""
    nc, t_dim = W.shape
    rows = np.arange(nc)
    c = cap.copy()
    k = kbest.copy()
    took = np.zeros((nc, t_dim), dtype=bool)
    for t in range(t_dim - 1, -1, -1):
        if cm:
            tk = keeps[t][rows, np.maximum(k - 1, 0), c] & (k >= 1)
            k = k - tk
        else:
            tk = keeps[t][rows, 0, c]
        took[:, t] = tk
        c = c - np.where(tk, W[:, t], 0)
    return took


def _forced(core, profit, f, cap, row, offs, cm, k_dim, out) -> None:
    """For the pairs of officers ``offs``: their officer's best knapsack with the pair forced in:
    the best of at most k−1 other items within days − w_p, plus p's profit, less pen(k)."""
    sel = np.flatnonzero(row[core.officer] >= 0)
    r = row[core.officer[sel]]
    rest = cap[r] - core.workload[sel]
    ok = rest >= 0
    sel, r, rest = sel[ok], r[ok], rest[ok]
    col = f[r, :, rest]  # (pairs, k_dim): best of at most k-1 others, k = 1..k_dim
    if cm:
        pen = _penalty(core, offs, k_dim)[r][:, 1:]  # pen(k) for k = 1..k_dim
        best = np.max(col - pen, axis=1)
    else:
        best = col[:, 0]
    out[sel] = best + profit[sel]


@dataclass
class Multipliers:
    y: np.ndarray
    bound: float  # the lowest L(y) seen
    start_bound: float  # L at the starting multipliers
    iterations: int
    seconds: float
    history: list[float] = field(default_factory=list)
    relaxation: Relaxation | None = None  # at the best y, with its knapsack solution


def improve_multipliers(
    core: Core,
    y0: np.ndarray,
    lower: float | None,
    *,
    iterations: int = 300,
    time_limit: float | None = None,
    step: float = 0.1,
    patience: int = 10,
    integral: bool = True,
    on_relaxation: Callable[[Relaxation], float | None] | None = None,
) -> Multipliers:
    """Subgradient descent on L from ``y0`` (the LP's duals), with Polyak steps towards
    ``lower`` (the best plan known; a callback may raise it from each relaxation, a Lagrangian
    heuristic). The step factor starts at ``step`` (small: the LP duals are already close) and
    halves after ``patience`` steps without a better bound. Stops when L is within one unit of
    ``lower`` (``integral`` objectives: the plan is then proven optimal), when the relaxation's
    own knapsacks cover every village once (it is then an optimal plan), or at the limits."""
    t0 = time.perf_counter()
    y = np.asarray(y0, dtype=float).copy()
    best: Relaxation | None = None
    history: list[float] = []
    lam = step
    stall = 0
    start_bound = float("nan")
    it = 0
    for it in range(1, iterations + 1):
        rel = relax(core, y)
        history.append(rel.bound)
        if it == 1:
            start_bound = rel.bound
        if best is None or rel.bound < best.bound - 1e-9:
            if best is not None and rel.bound < best.bound - 1e-6 * max(1.0, abs(best.bound)):
                stall = 0
            else:
                stall += 1
            best = rel
        else:
            stall += 1
        if on_relaxation is not None:
            got = on_relaxation(rel)
            if got is not None and (lower is None or got > lower):
                lower = got
        g = rel.subgradient(core)
        norm = float(g @ g)
        if norm == 0:
            break  # the knapsacks form a plan: L is its score, the optimum
        if lower is not None and best.bound - lower < (1.0 if integral else 1e-9):
            break
        if stall >= patience:
            lam /= 2
            stall = 0
            if lam < 1e-4:
                break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        # Polyak's step aims at the best plan known, but never further than 1 % below L: a
        # poor first plan (a greedy one) makes steps so long that the multipliers land in a
        # worse corner of the dual (on d20100 the column search then found 1.8 % for 0.19 %)
        near = rel.bound - 0.01 * max(1.0, abs(rel.bound))
        target = near if lower is None else max(lower, near)
        gap = max(rel.bound - target, 1e-6 * max(1.0, abs(rel.bound)))
        y -= lam * gap / norm * g
    assert best is not None
    return Multipliers(best.y, best.bound, start_bound, it, time.perf_counter() - t0, history, best)


def problem_pair_bounds(core: Core, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L(y) and, for every pair of the problem, a bound on every plan through it: L for a
    pinned pair, NEG for a pair no plan can use (its village is pinned to another officer, or
    it no longer fits its officer's days), else the forced knapsack's L_p."""
    rel = relax(core, y, solution=False, forced=True)
    assert rel.forced is not None
    out = np.full(core.problem.n_pairs, NEG)
    out[core.pair_ids] = rel.forced
    out[core.pinned_pairs] = rel.bound
    return rel.bound, out
