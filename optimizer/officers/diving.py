"""Column generation and diving: plans built from the Lagrangian dual's own columns.

An officer's *column* is one set of villages he can take within his days and count. The master
LP chooses columns (at most one an officer) to cover every village; over all columns its optimum
is the Lagrangian dual's (Dantzig-Wolfe), 0.05 % above d20200's optimum where the model's own LP
is 0.14 %. Column generation prices each officer's best knapsack at the master's duals
(``lagrangian.relax``, the subgradient's own knapsacks) and adds those that could raise the LP,
until none can. Its first columns are the subgradient's knapsacks and the plan's own.

*Diving* (Sadykov, Vanderbeck, Pessoa & Uchoa, "Primal heuristics for branch-and-price: the
assets of diving methods", INFORMS J. Computing 2019; the GAP is one of their test problems)
turns the LP into a plan: the village-officer pairs the LP takes at least ``threshold`` whole
are fixed, and among the rest the largest fractional pairs of a share of the open villages
(``PICKS``); those villages' other pairs are forbidden, columns are priced again, and again
until the LP takes every pair whole or not at all. Each dive starts from the root's columns and
basis; the dives differ by their threshold, and each is then *restarted* (limited discrepancy
search): its first fixings up to a fraction of its path taken at once, the pick it made there
forbidden, and the dive goes on. A restart costs a fraction of a dive and searches near its
path. The LP's choices are global where a local search's are a
move at a time: on d20200 dives end at 12,250-12,334 and their restarts as low as 12,242 (the
optimum is 12,235), where the oscillation stays near 12,300, and no oscillation from a dive's
plan improves it (3,000 steps). The engine at 60 s, seeds 0-2: d20200 0.55 % above the optimum
before, 0.31 % with the dives, 0.21 % with their restarts (0.23 % since a step fixes a share of
the villages, which made the dives of 80 officers end: D400x80 0.81 -> 0.28 % above its bound;
0.25 % since the steps of masters of many officers are solved by the interior point method).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..solve.lp_columns import best_per_group
from .columns import best_scores, cover_master, knapsacks, plan_columns, plan_of
from .core import NONE, Core
from .lagrangian import Relaxation, relax

# a dive's fixing threshold, one a dive in turn: 0.8 first, the cheapest (4 s on d20200 where
# 0.9-0.99 take 10-16 s) and as good as any on average (d20200 12,273, d10100 6,353, d20100
# 6,206); then 0.9, the best single dive on d20200 (12,256-12,260 from two plans; 0.99: 12,305),
# 0.7 (cheapest of all), and 0.99 and 0.95 (d10100's best with 0.8: 6,353; 0.9 gave 6,400)
THRESHOLDS = (0.8, 0.9, 0.7, 0.99, 0.95)
# an uncovered village's price in the master (its artificial column), in units of the widest
# spread of one village's scores: far below any plan, so the LP covers what it can and a dive
# that cannot is seen (a price of -1e9 outright made HiGHS's simplex crawl on D400x80)
UNCOVERED = 100.0
FORBIDDEN = -(10**12)  # a forbidden pair's score in the pricing: no knapsack takes it
# HiGHS's simplex after each change of the master (``simplex_strategy``): the primal after new
# columns, the dual after bounds, each going on from the basis it was left. The dual simplex
# throughout took D800x80's first master (8,039 columns) 91 s, the primal 5.2 s; D400x80's root
# 5.7 s against 0.5 s (the master is degenerate: 4,608 of D800x80's columns at reduced cost 0)
PRIMAL, DUAL = 4, 1
# from this many officers a dive's steps (after its first fixings) solve the master by HiGHS's
# interior point method without crossover, from scratch each time: after fixings the simplex
# stalls on these degenerate masters (D800x80: the dual 5-8 s a step, then minutes; the primal
# from the old basis > 200 s, cold 2.9 s; the interior point 1.0 s, crossover > 60 s), and the
# interior solution's duals are central, so fewer pricing rounds follow (D400x80's 0.8 dive:
# 227 rounds, 24,348, against the simplex's 428 rounds, 24,394; D800x80's: 48,637, 0.09 %
# above its bound, in 58 s, none ending before). Fewer officers keep the warm simplex: d20200's
# dives were 2x faster by the interior point but their plans worse (12,298 / 12,324 against
# 12,283 / none at 0.8 / 0.9)
INTERIOR_OFFICERS = 41
# a dive step's picks beside the pairs over the threshold: the largest fractional pair of this
# share of the villages still open (at least one, one a village): D400x80 (80 officers) dived
# one village a step in 80 steps of 0.2 s that ran out of budget; 5 % a step, 46 steps, 15 s
PICKS = 0.05
# an LP solve's own work beside its simplex iterations, in iterations (as ``columns.work_of``)
LP_ITERATIONS = 8
# an interior point iteration's work against a simplex iteration's, its size the open columns'
# nonzeros and the rows (HiGHS's presolve drops the columns bounded to 0): fitted on D400x80's
# and D800x80's 0.8 dives (10.5 and 13.8; 5.7 and 41.6 s of interior point solves)
IPM_ITERATION = 13.0
# an idle core's seconds: a pricing round's, fixed + per knapsack cell (profitable pairs x
# days), and the master's LP work a second; fitted by least squares on d20200, d10100 and
# D400x80's dives (1,493, 6,265 and 346 rounds; 6.4, 12.1 and 7.3 s of knapsacks, 9.1, 11.2 and
# 6.3 s of LPs, 49, 28 and 63 LP work a second; with the dual simplex throughout 24 and 19)
ROUND = (0.00083, 10.4e-9)
LP_RATE = 40.0


@dataclass
class DiveResult:
    choice: np.ndarray | None  # the best plan of the dives that fits, or None
    bound: float  # L at the root's last duals: a bound on every plan (inf when not priced)
    dives: int
    iterations: int  # pricing rounds, each every officer's knapsack
    columns: int  # at the root
    spent: float  # the work's seconds on an idle core (``ROUND``, ``LP_RATE``): the budget's unit
    seconds: float
    costs: list[float]  # each dive's plan's objective (nan: it could not cover)
    guarded: bool = False  # the wall-clock guard ended the dives (the plan may then vary)
    # no dive gave a plan and one was cut by the budget: its fixed pairs and the rest rounded
    # from its last LP (``_rounded``), for the oscillation to complete (``hard``)
    rounded: np.ndarray | None = None


class Pool:
    """Distinct columns (officer, sorted core pairs), in the order they came."""

    def __init__(self) -> None:
        self.officer: list[int] = []
        self.pairs: list[np.ndarray] = []
        self._keys: set[tuple[int, bytes]] = set()
        # every column's pairs end to end, and whose each is: extended as columns come
        self._col = np.zeros(0, dtype=np.int64)
        self._flat = np.zeros(0, dtype=np.int64)
        self._n_flat = 0

    def __len__(self) -> int:
        return len(self.officer)

    def add(self, o: int, pairs: np.ndarray) -> bool:
        pairs = np.sort(np.asarray(pairs, dtype=np.int64))
        key = (int(o), pairs.tobytes())
        if key in self._keys:
            return False
        self._keys.add(key)
        self.officer.append(int(o))
        self.pairs.append(pairs)
        return True

    def add_plan(self, core: Core, choice: np.ndarray) -> None:
        for o, pairs in enumerate(plan_columns(core, choice)):
            self.add(o, pairs)

    def copy(self) -> Pool:
        """The same columns, to grow apart (each dive from the root's)."""
        other = Pool()
        other.officer, other.pairs = list(self.officer), list(self.pairs)
        other._keys = set(self._keys)
        other._col, other._flat, other._n_flat = self._col, self._flat, self._n_flat
        return other

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """(column of each entry, core pair of each entry) over every column."""
        n = len(self)
        if self._n_flat < n:
            new = range(self._n_flat, n)
            lens = [len(self.pairs[k]) for k in new]
            more = np.repeat(np.arange(self._n_flat, n), lens)
            self._col = np.concatenate([self._col, more])
            self._flat = np.concatenate([self._flat, *(self.pairs[k] for k in new)])
            self._n_flat = n
        return self._col, self._flat


def collector(core: Core, pool: Pool) -> Callable[[Relaxation], None]:
    """A subgradient callback (``improve_multipliers(on_relaxation=)``) that keeps each
    relaxation's knapsacks as columns."""

    def collect(rel: Relaxation) -> None:
        if rel.take is not None:
            for o, pairs in enumerate(knapsacks(core, rel.take)):
                pool.add(o, pairs)

    return collect


class _Master:
    """The master LP over a pool's columns, in scores shifted by each village's best (every
    shifted score at most 0, so covering a village twice never pays: a cover is as good as the
    partition it reduces to), with an artificial column a village at ``UNCOVERED``."""

    def __init__(
        self, core: Core, pool: Pool, basis: object | None = None, interior: bool = False
    ) -> None:
        from ..solve.highs import quiet_highs

        self.core, self.pool = core, pool
        # after bounds, by the interior point method (``INTERIOR_OFFICERS``); ``ipm``: since then
        self.interior, self.ipm = interior, False
        self.entries = np.zeros(0, dtype=np.int64)  # each pool column's nonzeros in the LP
        self.shut = np.zeros(0, dtype=bool)  # and whether it is bounded to 0
        nv, no = core.n_v, core.n_o
        self.kappa = best_scores(core)
        reach = core.reachable
        low = np.full(nv, np.inf)
        np.minimum.at(low, core.village, core.score.astype(float))
        spread = float(np.max(np.where(reach, self.kappa - low, 0.0), initial=0.0))
        self.h = quiet_highs()
        # an unreachable village needs no cover (the plan leaves it, whatever it does)
        self.h.passModel(
            cover_master(
                np.full(nv, -UNCOVERED * (spread + 1.0)),
                reach,
                no,
                np.arange(nv + 1),
                np.arange(nv),
            )
        )
        self.n_in = 0  # pool columns in the LP
        self.last = np.zeros(0)  # the pool columns' values at the last solve (the first ones)
        self.sync()
        if basis is not None:
            self.h.setBasis(basis)

    def sync(self) -> None:
        """The pool's new columns into the LP."""
        core, pool = self.core, self.pool
        n = len(pool)
        if n == self.n_in:
            return
        new = range(self.n_in, n)
        lens = np.array([len(pool.pairs[k]) for k in new])
        offs = np.array([pool.officer[k] for k in new])
        vals, index = [], []
        for k in new:
            p = pool.pairs[k]
            v = core.village[p]
            vals.append(float((core.score[p] - self.kappa[v]).sum()))
            index.append(np.append(np.sort(v), core.n_v + pool.officer[k]))
        val = np.array(vals) - core.extra * np.maximum(lens - core.share[offs], 0)
        starts = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
        index = np.concatenate(index).astype(np.int32)
        self.h.addCols(
            len(lens),
            val.astype(float),
            np.zeros(len(lens)),
            np.ones(len(lens)),
            len(index),
            starts.astype(np.int32),
            index,
            np.ones(len(index)),
        )
        self.entries = np.concatenate([self.entries, lens + 1])
        self.shut = np.concatenate([self.shut, np.zeros(len(lens), dtype=bool)])
        self.n_in = n
        # new columns leave the basis primal feasible: the primal simplex goes on from it
        self.h.setOptionValue("simplex_strategy", PRIMAL)

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(every column's value, the artificial ones first; the duals; the LP's work)."""
        h = self.h
        h.run()
        info = h.getInfo()
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        size = h.getNumCol() + h.getNumRow()
        iterations = max(0, info.simplex_iteration_count)
        if self.ipm:
            # its work grows with the open columns' nonzeros (D800x80's columns are twice
            # D400x80's length and its iterations 2.7x dearer a column)
            size = int(self.entries[~self.shut].sum()) + h.getNumRow()
            iterations = IPM_ITERATION * max(0, info.ipm_iteration_count)
        work = (iterations + LP_ITERATIONS) * size / 1e6
        return x, np.asarray(sol.row_dual), work

    def uncovered(self) -> float:
        return float(np.asarray(self.h.getSolution().col_value)[: self.core.n_v].sum())

    def bounds(self, cols: np.ndarray, upper: float) -> None:
        if len(cols):
            idx = (self.core.n_v + np.asarray(cols)).astype(np.int32)
            self.h.changeColsBounds(
                len(idx), idx, np.zeros(len(idx)), np.full(len(idx), float(upper))
            )
            self.shut[np.asarray(cols)] = upper == 0
            if self.interior:
                self.ipm = True
                self.h.setOptionValue("solver", "ipm")
                self.h.setOptionValue("run_crossover", "off")
                self.h.clearSolver()  # no basis to go on from: each solve from scratch
            else:
                # columns bounded to 0 leave it dual feasible: the dual simplex goes on from it
                self.h.setOptionValue("simplex_strategy", DUAL)


class _Budget:
    """The dives' work in seconds of an idle core: pricing rounds by their knapsack cells
    (``ROUND``), the master's LPs by their simplex work (``LP_RATE``); counts, so the same on
    any load. The wall clock is only the search's guard."""

    def __init__(self, core: Core, max_seconds: float, guard: float | None) -> None:
        self.days = int(core.days.max()) + 1 if core.n_o else 1
        self.max_seconds = max_seconds
        self.iterations = 0
        self.cells = 0  # the pricing rounds' knapsack cells: profitable pairs x days
        self.lp_work = 0.0
        self.deadline = None if guard is None else time.perf_counter() + guard
        self.guarded = False  # the wall-clock guard ended the dives

    def spent(self) -> float:
        return self.iterations * ROUND[0] + self.cells * ROUND[1] + self.lp_work / LP_RATE

    def over(self) -> bool:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            self.guarded = True
        return self.guarded or self.spent() >= self.max_seconds


def _generate(
    master: _Master, core: Core, forbid: np.ndarray | None, budget: _Budget
) -> tuple[np.ndarray, float] | None:
    """Column generation to the end (no column can raise the LP) or the budget: (the pool
    columns' values, L at the last duals: with nothing forbidden, a bound on every plan);
    None when the budget ended it first."""
    pricing = (
        core if forbid is None else replace(core, score=np.where(forbid, FORBIDDEN, core.score))
    )
    nv = core.n_v
    while True:
        x, duals, work = master.solve()
        master.last = x[nv:]
        budget.lp_work += work
        y = duals[:nv] + master.kappa
        rel = relax(pricing, y)
        budget.iterations += 1
        budget.cells += int(np.count_nonzero(pricing.score > y[core.village])) * budget.days
        mu = duals[nv:]
        before = len(master.pool)
        for o, pairs in enumerate(knapsacks(pricing, rel.take)):
            # only a column that can raise the LP
            if rel.value[o] - mu[o] > 1e-6 * max(1.0, abs(mu[o])):
                master.pool.add(o, pairs)
        if len(master.pool) == before:
            return x[nv:], rel.bound
        master.sync()
        if budget.over():
            return None


def _dive(
    core: Core,
    pool: Pool,
    threshold: float,
    budget: _Budget,
    prefix: list[np.ndarray] | None = None,
    avoid: int = -1,
    basis: object | None = None,
    rounded: list[np.ndarray] | None = None,
) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """One dive from ``pool`` (the root's columns): a plan that covers every reachable village,
    or None (the budget ended it, or the fixed pairs left a village no officer can take), and
    the pairs it fixed step by step. ``prefix``: steps of an earlier dive taken at once, then
    the pair ``avoid`` (that dive's next pick) forbidden: a discrepancy. ``basis``: the root
    LP's, where each dive's LP starts. ``rounded``: where a dive cut by the budget leaves its
    fixed pairs and each open village on its largest pair in the last LP (``_rounded``)."""
    master = _Master(core, pool, basis, interior=core.n_o >= INTERIOR_OFFICERS)
    nv = core.n_v
    forbid = np.zeros(core.n_pairs, dtype=bool)
    fixed_pair = np.full(nv, NONE, dtype=np.int64)  # each fixed village's pair
    path: list[np.ndarray] = []

    def fix(sel: np.ndarray, col: np.ndarray, flat: np.ndarray) -> None:
        owner = np.full(nv, NONE, dtype=np.int64)
        owner[core.village[sel]] = core.officer[sel]
        fixed_pair[core.village[sel]] = sel
        new = (owner[core.village] >= 0) & (owner[core.village] != core.officer) & ~forbid
        forbid[new] = True
        master.bounds(np.unique(col[new[flat]]), 0.0)

    if prefix:
        col, flat = pool.flat()
        for sel in prefix:
            fix(sel, col, flat)
            path.append(sel)
        if avoid >= 0:
            forbid[avoid] = True
            master.bounds(np.unique(col[flat == avoid]), 0.0)
    while True:
        got = _generate(master, core, forbid, budget)
        if got is None and rounded is not None:
            rounded.append(_rounded(core, pool, master.last, fixed_pair, forbid))
        if got is None or master.uncovered() > 1e-6:
            return None, path
        x, _bound = got
        col, flat = pool.flat()
        z = np.bincount(flat, weights=x[col], minlength=core.n_pairs)
        frac = (z > 1e-6) & (z < 1 - 1e-6)
        if not frac.any():
            break
        open_z = np.where(fixed_pair[core.village] != NONE, -1.0, z)
        cand = np.flatnonzero(frac & (open_z > 0))
        # each village's largest, then the largest of those first (ties: the first pair)
        best = cand[best_per_group(core.village[cand], open_z[cand], 1)]
        best = best[np.lexsort((best, -open_z[best]))]
        picks = best[: max(1, int(PICKS * int((fixed_pair == NONE).sum())))]
        sel = np.union1d(np.flatnonzero(open_z >= threshold), picks)
        path.append(np.concatenate([picks[:1], np.setdiff1d(sel, picks[:1])]))
        fix(sel, col, flat)
    choice = plan_of(core, pool.pairs, x)
    return (choice if core.fits(choice) else None), path


def _rounded(
    core: Core, pool: Pool, x: np.ndarray, fixed_pair: np.ndarray, forbid: np.ndarray
) -> np.ndarray:
    """A dive cut short, as a plan: its fixed pairs, and each open village on its largest pair
    in the LP (``x``: the first pool columns' values) that is not forbidden; it may overload
    officers (the oscillation's start, ``hard``)."""
    col, flat = pool.flat()
    k = np.flatnonzero(col < len(x))
    z = np.bincount(flat[k], weights=x[col[k]], minlength=core.n_pairs)
    cand = np.flatnonzero((z > 1e-9) & ~forbid & (fixed_pair[core.village] == NONE))
    choice = fixed_pair.copy()
    best = cand[best_per_group(core.village[cand], z[cand], 1)]
    choice[core.village[best]] = best
    return choice


def _schedule(thresholds: tuple[float, ...]) -> list[tuple[float, float | None]]:
    """The dives in turn: (threshold, None) a dive from the root; (threshold, f) a restart of
    that threshold's dive at the fraction f of its path with its pick there forbidden. Each
    threshold's dive and its restarts at 1/2, 1/4 and 3/4 first, then the finer restarts."""
    first = [(t, a) for t in thresholds for a in (None, 0.5, 0.25, 0.75)]
    return first + [(t, a) for t in thresholds for a in (0.125, 0.375, 0.625, 0.875)]


def dive(
    core: Core,
    pool: Pool,
    *,
    max_seconds: float,
    guard: float | None = None,
    thresholds: tuple[float, ...] = THRESHOLDS,
    root_seconds: float | None = None,
    reserve: float = 0.0,
) -> DiveResult:
    """Column generation at the root from ``pool``, then a dive a threshold while the budget
    lasts (``max_seconds`` of an idle core's work, counted in pricing rounds and LP work, so the
    same on any load; ``guard`` the wall-clock guard). ``root_seconds``: the root's own part of
    it at most; a root that does not end there gives no dives and spends no more. ``reserve``:
    the budget's part kept back until a dive gives a plan (a dive cut short then leaves its
    rounding in ``rounded``, for the caller to complete)."""
    t0 = time.perf_counter()
    root = max_seconds if root_seconds is None else min(max_seconds, root_seconds)
    budget = _Budget(core, root, guard)
    master = _Master(core, pool)
    got = _generate(master, core, None, budget)
    budget.max_seconds = max_seconds - reserve
    basis = master.h.getBasis()
    rounded: list[np.ndarray] = []
    costs: list[float] = []
    best: np.ndarray | None = None
    bound = np.inf
    if got is not None:
        _x, bound = got
        paths: dict[float, list[np.ndarray]] = {}
        done: set[tuple[float, int]] = set()
        for threshold, at in _schedule(thresholds):
            if budget.over():
                break
            prefix, avoid = None, -1
            if at is not None:
                path = paths.get(threshold, [])
                step = int(at * len(path))
                if not path or (threshold, step) in done:
                    continue
                done.add((threshold, step))
                prefix, avoid = path[:step], int(path[step][0])
            choice, path = _dive(
                core, pool.copy(), threshold, budget, prefix, avoid, basis, rounded
            )
            if at is None:
                paths[threshold] = path
            costs.append(float(core.objective(choice)) if choice is not None else float("nan"))
            if choice is not None and (
                best is None or core.objective(choice) > core.objective(best)
            ):
                best = choice
                budget.max_seconds = max_seconds  # a plan: the reserve is the dives' again
    return DiveResult(
        best,
        bound,
        len(costs),
        budget.iterations,
        len(pool),
        budget.spent(),
        time.perf_counter() - t0,
        costs,
        budget.guarded,
        rounded[-1] if best is None and rounded else None,
    )
