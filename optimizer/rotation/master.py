"""The rotation's stint model, its LP by column generation, and the same model for any solver.

    maximise   Σ_k s_k x_k − M Σ u_vp − W e − w (z + Σ_t z_t)
    subject to Σ_{k covers v,p} x_k + u_vp = 1                 every village, period  (AUX-COVER)
               Σ_{k of a, covers p} x_k ≤ 1                    every auxiliary, period (AUX-FULLTIME)
               Σ_{k new} x_k − e ≤ moves*                      as few moves as the rules allow
               X_p ≤ cap_p,  X_tp ≤ limit_t                     exchanges  (AUX-EXCHANGE)
               X_p − z ≤ 0,  X_tp − z_t ≤ 0                     the busiest period (even spread)
               Σ_{k of pair i, meets window j} x_k ≤ 1          returns (AUX-TENURE), where ≥ 2 stints
               x ∈ {0,1}

over stints k (see ``rotation_problem``), with X_p the exchanges of period p: stints ending
with p − 1 whose auxiliary is still in service, plus in period 1 the incumbents in service who
do not go on. ``moves*`` is the schedule's fewest moves (``rotation_schedule``), a lower bound
for every rotation, so when ``e`` = 0 the moves are proven fewest and the objective is
AUX-FAMILIAR then spread. ``M`` and ``W`` make a village-period without an auxiliary, then a
move beyond the bound, worth more than any points.

The pool has ~12 stints for each of ~100 pairs per village (0.5 M for 400 villages); the LP
needs few of them. Column generation: solve the LP over a subset (HiGHS, warm-started as
columns are added), price the whole pool with the duals in one vectorised pass, add the best,
repeat. ``Σ max(0, rc)`` over the pool bounds what the left-out stints could add (each x ≤ 1),
so every round gives a proven upper bound; at the end the LP over the subset is the LP over all.
The window rows enter the LP as cutting planes, only where its solution breaks one (a row that
holds has dual 0, so pricing stays exact); the integer model gets every window two of its stints
meet. The LP runs with milder penalties (``lp_weights``), which only loosen the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..solve.highs import quiet_highs, run_with_threads
from ..solve.linear_model import INF, LinearModel
from .problem import RotationProblem
from .schedule import exchange_constants, exchange_rows


@dataclass
class Weights:
    uncovered: int  # M, hundredths
    excess_move: int  # W, hundredths
    spread: int  # w, hundredths


def weights(problem: RotationProblem) -> Weights:
    """The integer model's weights: lexicographic (cover, then moves, then points)."""
    top = int(np.abs(problem.pair_points).max(initial=0))
    n = len(problem.villages) * problem.periods + 1
    w_move = (2 * top + 1) * n  # more than all points of the plan can change
    return Weights(
        uncovered=w_move * (problem.periods + 2), excess_move=w_move, spread=problem.spread_weight
    )


def lp_weights(problem: RotationProblem) -> Weights:
    """Milder penalties for the LP of column generation.

    With penalties M' ≤ M and W' ≤ W every rotation scores at least as much as with M and W
    (the penalised amounts are ≥ 0), so the LP with M', W' still bounds the true objective from
    above; where its optimum leaves nothing uncovered and no move beyond the bound (as usual),
    it is the same LP optimum. Huge penalties only make the duals wander (a cover row's dual
    may lie anywhere up to M), and pricing with such duals adds useless stints by the thousand.
    """
    top = int(np.abs(problem.s_score).max(initial=0)) + 100
    # covering a village-period beats a few moves beyond the bound, which beat any stint
    return Weights(uncovered=12 * top, excess_move=4 * top, spread=problem.spread_weight)


class RowLayout:
    """Row numbering of the model (window rows come after, as they are added)."""

    def __init__(self, problem: RotationProblem):
        v, a, t, p = (
            len(problem.villages),
            len(problem.auxiliaries),
            len(problem.townships),
            problem.periods,
        )
        self.cover = 0
        self.full = v * p
        self.moves = self.full + a * p
        self.cap = self.moves + 1
        self.tcap = self.cap + p
        self.spread = self.tcap + t * p
        self.tspread = self.spread + p
        self.n = self.tspread + t * p

    def bounds(self, problem: RotationProblem, max_moves: int) -> tuple[np.ndarray, np.ndarray]:
        v, a, p = len(problem.villages), len(problem.auxiliaries), problem.periods
        c_const, t_const = exchange_constants(problem)
        lo = np.full(self.n, -np.inf)
        hi = np.zeros(self.n)
        lo[self.cover : self.full] = hi[self.cover : self.full] = 1.0
        hi[self.full : self.moves] = 1.0
        hi[self.moves] = max_moves
        hi[self.cap : self.tcap] = problem.cap[1:] - c_const
        hi[self.tcap : self.spread] = np.repeat(problem.per_township, p) - t_const
        hi[self.spread : self.tspread] = -c_const
        hi[self.tspread : self.n] = -t_const
        _ = (v, a, p)
        return lo, hi


def stint_entries(problem: RotationProblem, lay: RowLayout, idx: np.ndarray):
    """CSC pieces of stint columns ``idx``: (column position, row, coefficient) arrays."""
    per = problem.periods
    f, last = problem.s_first[idx], problem.s_last[idx]
    v, a = problem.s_village[idx], problem.s_aux[idx]
    length = last - f + 1
    pos = np.repeat(np.arange(len(idx)), length)
    off = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    period0 = np.repeat(f - 1, length) + off  # 0-based period of each covered period
    cols = [pos, pos]
    rows = [
        lay.cover + np.repeat(v, length) * per + period0,
        lay.full + np.repeat(a, length) * per + period0,
    ]
    coef = [np.ones(len(pos)), np.ones(len(pos))]
    new = np.flatnonzero(problem.s_new[idx])
    cols.append(new)
    rows.append(np.full(len(new), lay.moves))
    coef.append(np.ones(len(new)))
    ecols, ecoef, county, town = exchange_rows(
        problem, v, problem.s_exchange[idx], problem.s_goes_on[idx]
    )
    for base, rr in (
        (lay.cap, county),
        (lay.tcap, town),
        (lay.spread, county),
        (lay.tspread, town),
    ):
        cols.append(ecols)
        rows.append(base + rr)
        coef.append(ecoef.astype(float))
    return np.concatenate(cols), np.concatenate(rows), np.concatenate(coef)


class StintLP:
    """The LP over a growing subset of stints, kept in one HiGHS object (warm restarts)."""

    def __init__(
        self, problem: RotationProblem, max_moves: int, w: Weights, w_lp: Weights | None = None
    ):
        import highspy

        self.problem = problem
        self.w = w
        w_true, w = w, (w_lp or w)
        self.lay = RowLayout(problem)
        self.h = quiet_highs()
        self.h.setOptionValue("threads", 1)
        lo, hi = self.lay.bounds(problem, max_moves)
        self.max_moves = max_moves
        n_rows = self.lay.n
        self.h.addRows(
            n_rows, lo, hi, 0, np.zeros(n_rows, np.int32), np.zeros(0, np.int32), np.zeros(0)
        )
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        lay, per = self.lay, problem.periods
        n_vp = len(problem.villages) * per
        n_t = len(problem.townships)
        # slack columns: uncovered (one per village-period), excess moves, busiest periods
        s_rows = [np.arange(n_vp), [lay.moves], np.arange(lay.spread, lay.tspread)]
        s_coef = [np.ones(n_vp), [-1.0], -np.ones(per)]
        s_cost = [np.full(n_vp, -w.uncovered), [-w.excess_move], [-w.spread]]
        starts = [np.arange(n_vp), [n_vp], [n_vp + 1]]
        nnz = n_vp + 1 + per
        t_rows = lay.tspread + np.arange(n_t * per)
        s_rows.append(t_rows)
        s_coef.append(-np.ones(n_t * per))
        s_cost.append(np.full(n_t, -w.spread))
        starts.append(nnz + np.arange(n_t) * per)
        self.n_slack = n_vp + 2 + n_t
        self.h.addCols(
            self.n_slack,
            np.concatenate([np.asarray(c, float) for c in s_cost]),
            np.zeros(self.n_slack),
            np.full(self.n_slack, highspy.kHighsInf),
            nnz + n_t * per,
            np.concatenate([np.asarray(s, np.int32) for s in starts]).astype(np.int32),
            np.concatenate([np.asarray(r, np.int32) for r in s_rows]).astype(np.int32),
            np.concatenate([np.asarray(c, float) for c in s_coef]),
        )
        true_cost = [
            np.full(n_vp, -w_true.uncovered),
            [-w_true.excess_move],
            [-w_true.spread],
            np.full(n_t, -w_true.spread),
        ]
        self.slack_cost = np.concatenate([np.asarray(c, float) for c in true_cost])
        self.slack_entries = (
            np.repeat(
                np.arange(self.n_slack), np.diff(np.append(np.concatenate(starts), nnz + n_t * per))
            ),
            np.concatenate([np.asarray(r, np.int64) for r in s_rows]),
            np.concatenate([np.asarray(c, float) for c in s_coef]),
        )
        self.cols = np.zeros(0, dtype=np.int64)  # stint ids in column order
        self.in_lp = np.zeros(problem.n_stints, dtype=bool)
        # window rows: (pair, first period of the window) -> row
        self.windows: dict[tuple[int, int], int] = {}
        self.win_pair: list[int] = []
        self.win_start: list[int] = []
        pair_sorted = problem.s_pair
        self.pair_ptr = np.searchsorted(pair_sorted, np.arange(len(problem.pairs) + 1))

    # ------------------------------------------------------------------------------------
    def add(self, idx: np.ndarray) -> None:
        idx = np.unique(idx[~self.in_lp[idx]])
        if not len(idx):
            return
        p = self.problem
        pos, rows, coef = stint_entries(p, self.lay, idx)
        # existing window rows the new stints meet
        if self.windows:
            wp, wr, wc = self._window_entries(idx)
            pos, rows, coef = (
                np.concatenate([pos, wp]),
                np.concatenate([rows, wr]),
                np.concatenate([coef, wc]),
            )
        order = np.lexsort((rows, pos))
        pos, rows, coef = pos[order], rows[order], coef[order]
        starts = np.searchsorted(pos, np.arange(len(idx))).astype(np.int32)
        self.h.addCols(
            len(idx),
            p.s_score[idx].astype(float),
            np.zeros(len(idx)),
            np.ones(len(idx)),
            len(rows),
            starts,
            rows.astype(np.int32),
            coef,
        )
        self.cols = np.concatenate([self.cols, idx])
        self.in_lp[idx] = True

    def _meets(self, stints: np.ndarray, start: np.ndarray) -> np.ndarray:
        p = self.problem
        return (p.s_first[stints] <= start + p.gap) & (p.s_last[stints] >= start)

    def _window_entries(self, idx: np.ndarray):
        """Entries of stints ``idx`` in the window rows of their pairs."""
        p = self.problem
        keys = self.windows
        pos, rows = [], []
        pairs = p.s_pair[idx]
        for s in self.window_starts():
            r = np.array([keys.get((int(q), s), -1) for q in pairs.tolist()], dtype=np.int64)
            hit = (r >= 0) & self._meets(idx, np.full(len(idx), s))
            pos.append(np.flatnonzero(hit))
            rows.append(r[hit])
        pos = np.concatenate(pos)
        return pos, np.concatenate(rows), np.ones(len(pos))

    def window_starts(self) -> range:
        p = self.problem
        return range(1, max(1, p.periods - p.gap) + 1)

    def conflicts(self, cols: np.ndarray, x: np.ndarray | None = None):
        """Window rows among stints ``cols``: per window, the pairs two of whose stints meet
        it (with ``x``: only where their values add up to more than 1). Yields
        ``(pair, window start, positions in cols)``."""
        p = self.problem
        pair = p.s_pair[cols]
        for s in self.window_starts():
            meet = self._meets(cols, np.full(len(cols), s))
            if x is None:
                act = np.bincount(pair[meet], minlength=len(p.pairs)).astype(float)
                hot = np.flatnonzero(act >= 2)
            else:
                act = np.bincount(pair[meet], weights=x[meet], minlength=len(p.pairs))
                hot = np.flatnonzero(act > 1 + 1e-6)
            if not len(hot):
                continue
            pos = np.flatnonzero(meet & np.isin(pair, hot))
            pos = pos[np.argsort(pair[pos], kind="stable")]
            cut = np.flatnonzero(np.diff(pair[pos])) + 1
            for group in np.split(pos, cut):
                yield int(pair[group[0]]), s, group

    def separate(self, x: np.ndarray) -> int:
        """Add the window rows the LP solution ``x`` breaks; how many were added (cutting
        planes: a row that holds needs no place in the LP, its dual is 0)."""
        new_rows = [
            (q, s, g) for q, s, g in self.conflicts(self.cols, x) if (q, s) not in self.windows
        ]
        if not new_rows:
            return 0
        base = self.h.getNumRow()
        lengths = [len(g) for _, _, g in new_rows]
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
        index = (self.n_slack + np.concatenate([g for _, _, g in new_rows])).astype(np.int32)
        self.h.addRows(
            len(new_rows),
            np.full(len(new_rows), -np.inf),
            np.ones(len(new_rows)),
            len(index),
            starts,
            index,
            np.ones(len(index)),
        )
        for k, (q, s, _) in enumerate(new_rows):
            self.windows[(q, s)] = base + k
            self.win_pair.append(q)
            self.win_start.append(s)
        return len(new_rows)

    # ------------------------------------------------------------------------------------
    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """(objective, row duals for the maximisation, stint values)."""
        run_with_threads(self.h)
        info = self.h.getInfo()
        sol = self.h.getSolution()
        duals = np.asarray(sol.row_dual)
        x = np.asarray(sol.col_value)[self.n_slack :]
        return float(info.objective_function_value), duals, x

    def reduced_costs(self, duals: np.ndarray) -> np.ndarray:
        """Reduced cost of every stint of the pool under ``duals`` (> 0: it would improve)."""
        p, lay, per = self.problem, self.lay, self.problem.periods
        v, a = p.s_village, p.s_aux
        f, last = p.s_first, p.s_last
        cov = duals[lay.cover : lay.full].reshape(len(p.villages), per)
        ful = duals[lay.full : lay.moves].reshape(len(p.auxiliaries), per)
        cc = np.concatenate([np.zeros((len(p.villages), 1)), np.cumsum(cov, axis=1)], axis=1)
        fc = np.concatenate([np.zeros((len(p.auxiliaries), 1)), np.cumsum(ful, axis=1)], axis=1)
        rc = p.s_score.astype(float)
        rc -= cc[v, last] - cc[v, f - 1]
        rc -= fc[a, last] - fc[a, f - 1]
        rc -= p.s_new * duals[lay.moves]
        ecols, ecoef, county, town = exchange_rows(p, v, p.s_exchange, p.s_goes_on)
        for base, rr in (
            (lay.cap, county),
            (lay.tcap, town),
            (lay.spread, county),
            (lay.tspread, town),
        ):
            np.add.at(rc, ecols, -ecoef * duals[base + rr])
        if self.windows:
            wp = np.array(self.win_pair)
            ws = np.array(self.win_start)
            wd = duals[
                [self.windows[(q, s)] for q, s in zip(self.win_pair, self.win_start, strict=True)]
            ]
            lens = self.pair_ptr[wp + 1] - self.pair_ptr[wp]
            stint = np.repeat(self.pair_ptr[wp], lens) + (
                np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
            )
            start = np.repeat(ws, lens)
            hit = self._meets(stint, start)
            np.add.at(rc, stint[hit], -np.repeat(wd, lens)[hit])
        return rc

    def linear_model(self) -> LinearModel:
        """The integer model over the stints now in the LP, for CP-SAT or HiGHS (integers):
        every window row two of its stints meet, not only those the LP needed."""
        m = LinearModel()
        n_s = self.n_slack
        p = self.problem
        n_vp = len(p.villages) * p.periods
        slack_hi = np.zeros(n_s, dtype=np.int64)
        slack_hi[:n_vp] = 1
        slack_hi[n_vp] = n_vp  # excess moves
        slack_hi[n_vp + 1] = len(p.villages)  # the county's busiest period
        slack_hi[n_vp + 2 :] = np.bincount(p.village_township, minlength=len(p.townships))
        m.add_vars("slack", 0, slack_hi, self.slack_cost.astype(np.int64))
        m.add_vars("x", 0, 1, p.s_score[self.cols])
        sp, sr, sc = self.slack_entries
        pos, rows, coef = stint_entries(p, self.lay, self.cols)
        groups = list(self.conflicts(self.cols))
        lo, hi = self.lay.bounds(p, self.max_moves)
        if groups:
            wpos = np.concatenate([g for _, _, g in groups])
            wrow = self.lay.n + np.repeat(np.arange(len(groups)), [len(g) for _, _, g in groups])
            pos, rows = np.concatenate([pos, wpos]), np.concatenate([rows, wrow])
            coef = np.concatenate([coef, np.ones(len(wpos))])
            lo = np.concatenate([lo, np.full(len(groups), -np.inf)])
            hi = np.concatenate([hi, np.ones(len(groups))])
        lo = np.where(np.isfinite(lo), lo, -INF).astype(np.int64)
        hi = np.where(np.isfinite(hi), hi, INF).astype(np.int64)
        m.add_rows(
            "rotation",
            np.concatenate([sr, rows]),
            np.concatenate([sp, pos + n_s]),
            np.concatenate([sc, coef]).astype(np.int64),
            lo,
            hi,
        )
        return m

    def full_vector(self, chosen_stints: np.ndarray) -> np.ndarray:
        """The integer model's variables for a rotation given as stints (all in the LP)."""
        p = self.problem
        n_s = self.n_slack
        x = np.zeros(n_s + len(self.cols), dtype=np.int64)
        col_of = np.full(p.n_stints, -1, dtype=np.int64)
        col_of[self.cols] = np.arange(len(self.cols))
        x[n_s + col_of[chosen_stints]] = 1
        x[:n_s] = slack_values(p, self.lay, chosen_stints, self.max_moves)
        return x


def slack_values(
    problem: RotationProblem, lay: RowLayout, stints: np.ndarray, max_moves: float
) -> np.ndarray:
    """Uncovered, excess moves and busiest-period values of a rotation given as stints."""
    per = problem.periods
    n_v = len(problem.villages)
    cover = np.zeros((n_v, per + 1), dtype=np.int64)
    np.add.at(cover, (problem.s_village[stints], problem.s_first[stints] - 1), 1)
    np.add.at(cover, (problem.s_village[stints], problem.s_last[stints]), -1)
    covered = np.cumsum(cover, axis=1)[:, :per]
    u = (covered == 0).astype(np.int64).ravel()
    moves = int(problem.s_new[stints].sum())
    ex_c, ex_t = exchanges_of(problem, stints)
    return np.concatenate(
        [
            u,
            [max(0, moves - int(max_moves))],
            [max(0, int(ex_c.max(initial=0)))],
            ex_t.max(axis=1, initial=0),
        ]
    ).astype(np.int64)


def exchanges_of(problem: RotationProblem, stints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exchanges per period (county) and per township and period, of a rotation as stints."""
    per = problem.periods
    c_const, t_const = exchange_constants(problem)
    county = c_const.astype(np.int64).copy()
    town = t_const.reshape(len(problem.townships), per).astype(np.int64).copy()
    ex = problem.s_exchange[stints]
    t = problem.village_township[problem.s_village[stints]]
    e = ex > 0
    np.add.at(county, ex[e] - 1, 1)
    np.add.at(town, (t[e], ex[e] - 1), 1)
    go = problem.s_goes_on[stints]
    np.add.at(county, np.zeros(int(go.sum()), np.int64), -1)
    np.add.at(town, (t[go], np.zeros(int(go.sum()), np.int64)), -1)
    return county, town
