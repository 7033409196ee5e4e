"""Strategic oscillation around the days limits, compiled: many more steps than numpy can make.

A tabu search over every *shift* (a village to another officer), *swap* (two villages of two
officers exchanged) and *ejection chain* (a village moves to an officer, one of his villages
moves on to a third, and on counties of at most ``budget.FULL_SWAPS`` villages one of the
third's villages on to a fourth) that maximises

    score − fair-share cost − Σ_o α_o · (max(0, days_o − D_o) + ρ · max(0, count_o − K_o))

where α_o rises while officer o is over his days or count and every α falls while the plan fits:
the search walks along the boundary where the best plans of a tight county lie (the adaptive
penalties and ejection chains of Yagiura, Ibaraki & Glover's search for the GAP, 2004). A move
back to an officer a village just left is tabu for 3-4 steps, unless (a shift or swap) it leads
to a plan that fits and beats the best one. Returns the best plan that fits.

Why compiled: a step weighs tens of thousands of moves. numpy took 2-6 ms a step with only a
sample of swaps and no chains (d20200: 1,860 steps in its share); numba's loops weigh every
shift, swap and chain of two in 0.6 ms there, chains of three too in about twice that. From
MTHG's plan of d20200, 20,000 steps (with a tenure of 5-11 steps then): 1.24 % above the
optimum with shifts and swaps alone, 0.94-1.05 % with chains of two, 0.82-0.84 % with chains of
three (10,000 steps, about the same time: 0.84-0.93 %). A chain is found at the cost of a swap:
each village's two best entries (and, for chains of three, its two best tails) are weighed once
a step. The steps are deterministic for a seed (a xorshift generator of its own); the clock is
looked at between chunks of steps, a guard only. numba caches the machine code on disk (``make
setup`` builds it), so a process loads it in 0.2-0.5 s instead of compiling for about 7 s.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from .budget import swap_sample
from .core import Core
from .repair import ALPHA_CAP, SearchResult, _insert_all, _Plan, _result, _shed

CHUNK = 2_000  # steps between two looks at the clock
# a move back is tabu for 3 + 0..1 steps. Short (the chains, it seems, already carry the search
# out of a basin; a long tabu forbids the moves that would finish a plan): the engine at 60 s
# over seeds 0-2, against 5 + 0..6 steps before, gap to the best known d10100 0.34 -> 0.18 %,
# d20200 0.69 -> 0.55 %, d05100 0.11 -> 0.06 %, d10200 0.15 -> 0.18 %, d20100 the same; from
# the bound D400x80 0.85 -> 0.81 %, E1600x80 0.10 -> 0.03 %. The oscillation alone on d10100,
# 32,000 steps from MTHG's plan, four seeds: 1 + 0 steps cycles (0.57 %), 3 + 0..1 0.34 %,
# 5 + 0..6 0.47 %, 8 + 0..7 0.70 %, 12 + 0..9 0.82 %
TENURE = (3, 2)


def oscillate(
    core: Core,
    choice: np.ndarray,
    *,
    seed: int = 0,
    max_iterations: int = 100_000,
    time_limit: float | None = None,
    growth: float = 0.02,
    chains: int = 3,
) -> SearchResult:
    """A better plan than ``choice`` within ``max_iterations`` steps; reachable villages it
    leaves uncovered are first put on the officer they overload least. ``chains`` is the longest
    ejection chain weighed (1: shifts and swaps only); chains of three only where every swap is
    weighed (``budget.FULL_SWAPS``)."""
    t0 = time.perf_counter()
    state = _State(core, choice, seed, growth)
    plan, a = state.plan, state.a
    it, stopped = 0, "iterations"
    while it < max_iterations:
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            stopped = "time"
            break
        steps = min(CHUNK, max_iterations - it)
        done = state.run(it, steps, chains)
        it += done
        if done < steps:
            stopped = "no move"
            break
    plan.a = state.best_a.copy() if np.isfinite(state.best_val) else a
    plan.recount()
    out = plan.choice()
    if not core.fits(out):
        _shed(plan)
        out = plan.choice()
    return _result(core, out, it, t0, stopped)


def compile_ahead() -> None:
    """Compile the steps (and cache them on disk) on a two-officer county: ``make setup`` runs
    it, so that no planner's run waits for the compiler."""
    from .core import gap_problem, make_core

    cost = np.array([[3, 1, 2], [1, 3, 2]])
    core = make_core(gap_problem(-cost, np.ones((2, 3), dtype=np.int64), np.array([2, 2])))
    oscillate(core, np.full(core.n_v, -1, dtype=np.int64), max_iterations=3)


class _State:
    """The search's arrays, carried from one chunk of steps to the next."""

    def __init__(self, core: Core, choice: np.ndarray, seed: int, growth: float) -> None:
        self.plan = plan = _Plan(core, choice)
        self.rho = rho = float(core.workload.mean()) if core.n_pairs else 1.0
        self.alpha0 = alpha0 = float(np.abs(core.score).mean()) / max(rho, 1.0) + 1.0
        _insert_all(plan, rho)
        self.a = plan.a.copy()  # the search's plan; ``plan`` ends as the best one
        self.extra, self.growth = int(core.extra), growth
        self.S = np.ascontiguousarray(plan.S, dtype=np.int64)
        self.W = np.ascontiguousarray(plan.W, dtype=np.int64)
        self.has = np.ascontiguousarray(plan.has)
        # one machine code for every county: the same types always
        self.days = core.days.astype(np.int64)
        self.limit = core.limit.astype(np.int64)
        self.share = core.share.astype(np.int64)
        self.load = plan.load.astype(np.int64)
        self.cnt = plan.cnt.astype(np.int64)
        self.alpha = np.full(core.n_o, alpha0)
        self.tabu = np.zeros((core.n_v, core.n_o), dtype=np.int64)
        self.k = swap_sample(core.n_v)
        # xorshift64's state: never zero
        self.rng = np.array([(seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % (1 << 63) | 1],
                            dtype=np.uint64)  # fmt: skip
        held = plan.a >= 0
        v = np.flatnonzero(held)
        fair = core.extra * np.maximum(plan.cnt - core.share, 0)
        self.cur = np.array([int(plan.S[plan.a[v], v].sum() - fair.sum())], dtype=np.int64)
        start = plan.choice()
        self.best_val = float(self.cur[0]) if core.fits(start) else -np.inf
        self.best_a = plan.a.copy()

    def run(self, it: int, steps: int, chains: int) -> int:
        """``steps`` steps on the search's plan from step ``it``, chains of up to ``chains``
        moves: the steps made (fewer when no move is allowed)."""
        done, self.best_val = _steps(
            self.S, self.W, self.has, self.days, self.limit, self.share, self.extra, self.rho,
            self.growth, self.alpha0, self.a, self.load, self.cnt, self.alpha, self.tabu, it, steps,
            self.best_val, self.best_a, self.rng, self.k, self.cur, chains, *TENURE,
        )  # fmt: skip
        return int(done)


@njit(cache=True)
def _draw(rng, n):
    """A number in 0..n-1 from the xorshift64 state ``rng[0]``."""
    x = rng[0]
    x ^= x << np.uint64(13)
    x ^= x >> np.uint64(7)
    x ^= x << np.uint64(17)
    rng[0] = x
    return np.int64(x % np.uint64(n))


@njit(cache=True, inline="always")
def _excess(o, load_o, cnt_o, days, limit, rho):
    """Officer o's overload with ``load_o`` days and ``cnt_o`` villages: days over his limit,
    and villages over his count at ``rho`` days each."""
    return max(load_o - days[o], 0) + rho * max(cnt_o - limit[o], 0)


@njit(cache=True, inline="always")
def _aspires(over, cur, gain, best_val):
    """A tabu move is taken all the same when it leads to a plan that fits (``over``: the
    officers it leaves overloaded) and beats the best one."""
    return over == 0 and cur + gain > best_val


@njit(cache=True, inline="always")
def _shift(x, to, S, W, a, load, cnt, tabu, it, rng, t_base, t_span, extra, share, cur):
    """Village x moves to officer ``to``: the plan's value (score and fair-share cost), days and
    counts follow, and the move back is tabu for a while. A swap or a chain is its shifts one
    after another: the fair-share terms of an officer who loses a village and gains one cancel."""
    fr = a[x]
    fair_out = extra * (max(cnt[fr] - share[fr], 0) - max(cnt[fr] - 1 - share[fr], 0))
    fair_in = extra * (max(cnt[to] + 1 - share[to], 0) - max(cnt[to] - share[to], 0))
    cur[0] += S[to, x] - S[fr, x] + fair_out - fair_in
    load[fr] -= W[fr, x]
    cnt[fr] -= 1
    load[to] += W[to, x]
    cnt[to] += 1
    a[x] = to
    tabu[x, fr] = it + t_base + _draw(rng, t_span)


# compiled on first use; numba caches the machine code on disk, so later processes load it
@njit(cache=True)
def _steps(S, W, has, days, limit, share, extra, rho, growth, alpha0, a, load, cnt, alpha,
              tabu, it0, n_steps, best_val, best_a, rng, k, cur, chains, t_base, t_span):  # fmt: skip
    """``n_steps`` steps from step ``it0``; arrays change in place. Returns (steps made, best
    value); fewer steps than asked when no move is allowed."""
    n_o, n_v = S.shape
    exc = np.zeros(n_o)
    f_in = np.zeros(n_o, dtype=np.int64)  # fair-share cost of one more village
    f_out = np.zeros(n_o, dtype=np.int64)  # ... saved by one fewer
    sample = np.zeros(k, dtype=np.int64)
    ent1 = np.zeros(n_v)  # each village's best and second best entry elsewhere, and whose
    ent2 = np.zeros(n_v)
    off1 = np.zeros(n_v, dtype=np.int64)
    off2 = np.zeros(n_v, dtype=np.int64)
    start = np.zeros(n_o + 1, dtype=np.int64)
    fill = np.zeros(n_o, dtype=np.int64)
    by_off = np.zeros(n_v, dtype=np.int64)
    long_chains = chains >= 3 and k >= n_v
    t1v, t2v = np.zeros(n_v), np.zeros(n_v)  # each village's best two tails: value, o3, w, o4
    t1o3, t2o3 = np.zeros(n_v, dtype=np.int64), np.zeros(n_v, dtype=np.int64)
    t1w, t2w = np.zeros(n_v, dtype=np.int64), np.zeros(n_v, dtype=np.int64)
    t1o4, t2o4 = np.zeros(n_v, dtype=np.int64), np.zeros(n_v, dtype=np.int64)
    lo, hi = alpha0 / ALPHA_CAP, alpha0 * ALPHA_CAP
    for step in range(n_steps):
        it = it0 + step + 1
        n_over = 0
        for o in range(n_o):
            e = _excess(o, load[o], cnt[o], days, limit, rho)
            exc[o] = e
            if e > 0:
                n_over += 1
            f_in[o] = extra * (max(cnt[o] + 1 - share[o], 0) - max(cnt[o] - share[o], 0))
            f_out[o] = extra * (max(cnt[o] - share[o], 0) - max(cnt[o] - 1 - share[o], 0))
        best_g = -np.inf
        mv_v, mv_o, mv_u = -1, -1, -1  # shift v to o; or swap v and u (mv_u >= 0)
        # shifts
        for v in range(n_v):
            o1 = a[v]
            if o1 < 0:
                continue
            e_out = _excess(o1, load[o1] - W[o1, v], cnt[o1] - 1, days, limit, rho)
            p_out = alpha[o1] * (e_out - exc[o1])
            over_out = n_over - (exc[o1] > 0) + (e_out > 0)
            for o2 in range(n_o):
                if o2 == o1 or not has[o2, v]:
                    continue
                e_in = _excess(o2, load[o2] + W[o2, v], cnt[o2] + 1, days, limit, rho)
                d_true = S[o2, v] - S[o1, v] - f_in[o2] + f_out[o1]
                g = d_true - p_out - alpha[o2] * (e_in - exc[o2])
                if g <= best_g:
                    continue
                if tabu[v, o2] > it:
                    over = over_out - (exc[o2] > 0) + (e_in > 0)
                    if not _aspires(over, cur[0], d_true, best_val):
                        continue
                best_g, mv_v, mv_o, mv_u = g, v, o2, -1
        # swaps: every pair of villages, or a sample of villages against every other
        if k >= n_v:
            for i in range(n_v):
                sample[i] = i
        else:
            for i in range(k):
                sample[i] = _draw(rng, n_v)
        for i in range(k):
            v = sample[i]
            o1 = a[v]
            if o1 < 0:
                continue
            u0 = v + 1 if k >= n_v else 0  # each pair once when every village is weighed
            for u in range(u0, n_v):
                o2 = a[u]
                if o2 < 0 or o2 == o1 or not has[o1, u] or not has[o2, v]:
                    continue
                d_true = S[o1, u] + S[o2, v] - S[o1, v] - S[o2, u]
                l1 = load[o1] - W[o1, v] + W[o1, u]
                l2 = load[o2] - W[o2, u] + W[o2, v]
                e1 = _excess(o1, l1, cnt[o1], days, limit, rho)
                e2 = _excess(o2, l2, cnt[o2], days, limit, rho)
                g = d_true - alpha[o1] * (e1 - exc[o1]) - alpha[o2] * (e2 - exc[o2])
                if g <= best_g:
                    continue
                if tabu[v, o2] > it or tabu[u, o1] > it:
                    over = n_over - (exc[o1] > 0) - (exc[o2] > 0) + (e1 > 0) + (e2 > 0)
                    if not _aspires(over, cur[0], d_true, best_val):
                        continue
                best_g, mv_v, mv_o, mv_u = g, v, o2, u
        # ejection chains: v moves o1 -> o2, and o2's village u makes room by moving on to a
        # third officer o3 (its best or second best entry, neither o1 nor o2: those are shifts
        # and swaps); with each village's two best entries known, a chain costs a swap's work
        mv_o3, mv_w, mv_o4 = -1, -1, -1
        if chains >= 2:
            for u in range(n_v):
                e1v, e2v, o1u, o2u = -np.inf, -np.inf, -1, -1
                ou = a[u]
                if ou >= 0:
                    for o3 in range(n_o):
                        if o3 == ou or not has[o3, u] or tabu[u, o3] > it:
                            continue
                        e_in = _excess(o3, load[o3] + W[o3, u], cnt[o3] + 1, days, limit, rho)
                        g = S[o3, u] - f_in[o3] - alpha[o3] * (e_in - exc[o3])
                        if g > e1v:
                            e2v, o2u = e1v, o1u
                            e1v, o1u = g, o3
                        elif g > e2v:
                            e2v, o2u = g, o3
                ent1[u], ent2[u], off1[u], off2[u] = e1v, e2v, o1u, o2u
            # villages by officer
            for o in range(n_o + 1):
                start[o] = 0
            for u in range(n_v):
                if a[u] >= 0:
                    start[a[u] + 1] += 1
            for o in range(n_o):
                start[o + 1] += start[o]
            for o in range(n_o):
                fill[o] = start[o]
            for u in range(n_v):
                if a[u] >= 0:
                    by_off[fill[a[u]]] = u
                    fill[a[u]] += 1
            if long_chains:
                # each village u's best tail: u enters o3, whose village w moves on to its best
                # entry o4 (not u's officer); the best two tails through two different o3
                for u in range(n_v):
                    t1v[u], t2v[u] = -np.inf, -np.inf
                    t1o3[u], t2o3[u] = -1, -1
                    ou = a[u]
                    if ou < 0:
                        continue
                    for o3 in range(n_o):
                        if o3 == ou or not has[o3, u] or tabu[u, o3] > it:
                            continue
                        bv, bw, bo4 = -np.inf, -1, -1
                        for j in range(start[o3], start[o3 + 1]):
                            w = by_off[j]
                            o4, e4 = off1[w], ent1[w]
                            if o4 == ou:
                                o4, e4 = off2[w], ent2[w]
                            if o4 < 0:
                                continue
                            e3 = _excess(
                                o3, load[o3] + W[o3, u] - W[o3, w], cnt[o3], days, limit, rho
                            )
                            g = S[o3, u] - S[o3, w] - alpha[o3] * (e3 - exc[o3]) + e4
                            if g > bv:
                                bv, bw, bo4 = g, w, o4
                        if bv > t1v[u]:
                            t2v[u], t2o3[u], t2w[u], t2o4[u] = t1v[u], t1o3[u], t1w[u], t1o4[u]
                            t1v[u], t1o3[u], t1w[u], t1o4[u] = bv, o3, bw, bo4
                        elif bv > t2v[u]:
                            t2v[u], t2o3[u], t2w[u], t2o4[u] = bv, o3, bw, bo4
            for i in range(k):
                v = sample[i]
                o1 = a[v]
                if o1 < 0:
                    continue
                e_out = _excess(o1, load[o1] - W[o1, v], cnt[o1] - 1, days, limit, rho)
                g_out = -S[o1, v] + f_out[o1] - alpha[o1] * (e_out - exc[o1])
                for o2 in range(n_o):
                    if o2 == o1 or not has[o2, v] or tabu[v, o2] > it:
                        continue
                    for j in range(start[o2], start[o2 + 1]):
                        u = by_off[j]
                        o3 = off1[u]
                        e3 = ent1[u]
                        if o3 == o1:
                            o3 = off2[u]
                            e3 = ent2[u]
                        if o3 < 0:
                            continue
                        e2 = _excess(o2, load[o2] + W[o2, v] - W[o2, u], cnt[o2], days, limit, rho)
                        head = g_out + S[o2, v] - S[o2, u] - alpha[o2] * (e2 - exc[o2])
                        g = head + e3
                        if g > best_g:
                            best_g, mv_v, mv_o, mv_u, mv_o3, mv_w = g, v, o2, u, o3, -1
                        if long_chains:
                            if t1o3[u] >= 0 and t1o3[u] != o1 and t1o4[u] != o1:
                                g = head + t1v[u]
                                if g > best_g:
                                    best_g, mv_v, mv_o, mv_u = g, v, o2, u
                                    mv_o3, mv_w, mv_o4 = t1o3[u], t1w[u], t1o4[u]
                            elif t2o3[u] >= 0 and t2o3[u] != o1 and t2o4[u] != o1:
                                g = head + t2v[u]
                                if g > best_g:
                                    best_g, mv_v, mv_o, mv_u = g, v, o2, u
                                    mv_o3, mv_w, mv_o4 = t2o3[u], t2w[u], t2o4[u]
        if mv_v < 0:
            return step, best_val
        # the move: its shifts one after another (v, then u, then w), each made tabu to undo;
        # u goes on to o3 in a chain, back to v's officer in a swap
        o1 = a[mv_v]
        _shift(mv_v, mv_o, S, W, a, load, cnt, tabu, it, rng, t_base, t_span, extra, share, cur)
        if mv_u >= 0:
            to = mv_o3 if mv_o3 >= 0 else o1
            _shift(mv_u, to, S, W, a, load, cnt, tabu, it, rng, t_base, t_span, extra, share, cur)
        if mv_w >= 0:
            _shift(
                mv_w, mv_o4, S, W, a, load, cnt, tabu, it, rng, t_base, t_span, extra, share, cur
            )
        # the weights: all fall while the plan fits, an overloaded officer's rises
        fits = True
        for o in range(n_o):
            if load[o] > days[o] or cnt[o] > limit[o]:
                fits = False
                alpha[o] = min(alpha[o] * (1.0 + growth), hi)
        if fits:
            for o in range(n_o):
                alpha[o] = max(alpha[o] * (1.0 - growth), lo)
            if cur[0] > best_val:
                best_val = float(cur[0])
                for x in range(n_v):
                    best_a[x] = a[x]
    return n_steps, best_val
