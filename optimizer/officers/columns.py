"""Officer plans as columns: every near-best knapsack of each officer, and a branch-and-bound over
them.

With Lagrangian multipliers y, an officer's *column* (his set of villages) has a reduced profit
Σ(s_p − y_v) − pen(|S|) at most his knapsack optimum; its *deficit* is the difference. Any plan's
deficits add up to exactly L(y) − (its score), so a plan within Δ of L has every column within Δ
of its officer's best: enumerating each officer's columns up to a deficit δ_o keeps every plan
whose columns stay within those limits, and all plans better than z once δ_o ≥ L − z for all.

The master over the columns is a set *covering* model in scores shifted by κ_v = max_o s_ov
(every shifted score ≤ 0): a village covered twice can leave one of its columns without loss
(fewer days, fewer villages, never a larger fair-share penalty), so a cover is as good as the
partition it reduces to, and covering is far easier for an LP-based search than partitioning.
Its LP is as strong as the Lagrangian dual (0.13 % above d20100's optimum, where the model's own
LP is 0.69 %).

``branch_and_bound``: best-first over the master's LP (HiGHS, warm-started), plunging depth-first
from each node, branching on a village's officer (the village goes to officer o / may not go to
o: the Ryan-Foster way for set partitioning, far more balanced than branching on one column).
On OR-Library's d20100 (5 villages an officer) it finds plans within 0.2 % of the optimum in
about 10 s where HiGHS on the model is still 1 % away at 60 s; with 10 villages an officer the
columns are too many and it is not used.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

import numpy as np

from .core import NONE, Core
from .lagrangian import _penalty


@dataclass
class Columns:
    officer: np.ndarray  # per column
    pairs: list[np.ndarray]  # per column: core pair indices
    deficit: np.ndarray  # per column: its officer's best reduced profit minus its own
    limit: np.ndarray  # per officer: every column within this deficit is in the pool
    complete: np.ndarray  # per officer: the enumeration reached its limit (not cut short)
    seconds: float = 0.0
    steps: int = 0  # search steps spent (counted when the enumeration has a step budget)

    def __len__(self) -> int:
        return len(self.officer)


def _officer_columns(
    core: Core,
    profit: np.ndarray,
    o: int,
    delta: float,
    cap: int,
    until: float = np.inf,
    steps_left: list[int] | None = None,
):
    """Every column of officer o within ``delta`` of his best (None when more than ``cap``,
    when the search steps in ``steps_left`` run out or when the clock passes ``until``), and his
    best reduced profit."""
    mine = np.flatnonzero((core.officer == o) & (profit > -delta))
    p, w = profit[mine], core.workload[mine]
    C = int(core.days[o])
    # the count matters where the limit or the fair share can bind before the days do
    kfit = int(np.searchsorted(np.cumsum(np.sort(w)), C, side="right"))
    k_max = int(min(core.limit[o], kfit))
    count_matters = core.limit[o] < kfit or (core.extra > 0 and kfit > core.share[o])
    K = k_max if count_matters else 0
    T = len(mine)
    # f[t, k, c]: best profit of at most k of the first t items within c days (k axis of size
    # 1 when the count cannot matter)
    f = np.zeros((T + 1, K + 1, C + 1))
    for t in range(T):
        f[t + 1] = f[t]
        wt = int(w[t])
        if wt > C:
            continue
        if K == 0:
            np.maximum(f[t + 1, 0, wt:], f[t, 0, : C + 1 - wt] + p[t], out=f[t + 1, 0, wt:])
        else:
            np.maximum(f[t + 1, 1:, wt:], f[t, :-1, : C + 1 - wt] + p[t], out=f[t + 1, 1:, wt:])
    pen = _penalty(core, np.array([o]), max(K, k_max) + 1)[0]
    if K == 0:
        best = float(f[T, 0, C] - pen[0])

        def bound(t, k, c):
            return f[t, 0, c] - pen[0]
    else:
        best = float(np.max(f[T, :, C] - pen[: K + 1]))

        def bound(t, k, c):
            j = np.arange(K + 1 - k)
            return float(np.max(f[t, j, c] - pen[k + j]))

    thr = best - delta - 1e-9
    out: list[tuple[float, tuple]] = []
    stack = [(T, 0, C, 0.0, ())]
    steps = 0
    while stack:
        steps += 1
        if steps_left is not None:
            steps_left[0] -= 1
            if steps_left[0] < 0:
                return None, best
        if steps % 4096 == 0 and time.perf_counter() > until:
            return None, best
        t, k, c, acc, chosen = stack.pop()
        if t == 0:
            val = acc - pen[k] if K == 0 or k <= K else -np.inf
            if K == 0 and k > core.limit[o]:
                continue
            out.append((best - val, chosen))
            if len(out) > cap:
                return None, best
            continue
        if acc + bound(t - 1, min(k, K), c) >= thr:
            stack.append((t - 1, k, c, acc, chosen))
        wt = int(w[t - 1])
        if (
            wt <= c
            and (K == 0 or k < K)
            and acc + p[t - 1] + bound(t - 1, min(k + 1, K), c - wt) >= thr
        ):
            stack.append((t - 1, k + 1, c - wt, acc + p[t - 1], (*chosen, int(mine[t - 1]))))
    return out, best


def enumerate_columns(
    core: Core,
    y: np.ndarray,
    *,
    per_officer: int = 1000,
    max_deficit: float | None = None,
    first_deficit: float = 50.0,
    time_limit: float | None = None,
    max_steps: int | None = None,
) -> Columns:
    """Each officer's columns by rising deficit limits (×1.6 from ``first_deficit``) while they
    number at most ``per_officer``, up to ``max_deficit`` (e.g. L − z: then the pool holds every
    plan better than z). ``max_steps``: the search steps of all officers (a work budget, the
    same on any machine; ``time_limit`` a guard); ``Columns.steps`` counts them."""
    t0 = time.perf_counter()
    profit = core.score - np.asarray(y, dtype=float)[core.village]
    officer, pairs, deficit = [], [], []
    limit = np.zeros(core.n_o)
    complete = np.zeros(core.n_o, dtype=bool)
    until = np.inf if time_limit is None else t0 + time_limit
    budget = None if max_steps is None else [int(max_steps)]
    for o in range(core.n_o):
        delta, kept = first_deficit, None
        while True:
            got, _ = _officer_columns(core, profit, o, delta, per_officer, until, budget)
            if got is None:
                break
            kept = (delta, got)
            if max_deficit is not None and delta >= max_deficit:
                complete[o] = True
                break
            if time.perf_counter() > until or (budget is not None and budget[0] <= 0):
                break
            nxt = delta * 1.6
            delta = min(nxt, max_deficit) if max_deficit is not None else nxt
        if kept is None:  # even the first limit holds too many (or no time): the best ones
            got, _ = _officer_columns(core, profit, o, 0.0, 10 * per_officer)
            kept = (0.0, got or [])
        limit[o] = kept[0]
        for d, ch in kept[1]:
            officer.append(o)
            pairs.append(np.array(sorted(ch), dtype=np.int64))
            deficit.append(d)
    return Columns(
        np.array(officer, dtype=np.int64),
        pairs,
        np.array(deficit, dtype=float),
        limit,
        complete,
        time.perf_counter() - t0,
        0 if budget is None else int(max_steps) - max(budget[0], 0),
    )


def knapsacks(core: Core, take: np.ndarray) -> list[np.ndarray]:
    """Each officer's pairs among ``take`` (a relaxation's knapsacks, or a plan's), sorted."""
    taken = np.flatnonzero(take)
    taken = taken[np.argsort(core.officer[taken], kind="stable")]
    bounds = np.searchsorted(core.officer[taken], np.arange(core.n_o + 1))
    return [taken[bounds[o] : bounds[o + 1]] for o in range(core.n_o)]


def plan_columns(core: Core, choice: np.ndarray) -> list[np.ndarray]:
    """Each officer's column (sorted core pairs) in a plan."""
    take = np.zeros(core.n_pairs, dtype=bool)
    take[choice[choice >= 0]] = True
    return knapsacks(core, take)


def add_plan(cols: Columns, core: Core, choice: np.ndarray) -> None:
    """Each officer's column in a plan joins the pool (so the plan is in the master)."""
    have = {(int(o), tuple(p.tolist())) for o, p in zip(cols.officer, cols.pairs, strict=True)}
    extra_o, extra_p = [], []
    for o, mine in enumerate(plan_columns(core, choice)):
        key = (o, tuple(mine.tolist()))
        if key not in have:
            have.add(key)
            extra_o.append(o)
            extra_p.append(mine)
    cols.officer = np.concatenate([cols.officer, np.array(extra_o, dtype=np.int64)])
    cols.pairs.extend(extra_p)
    cols.deficit = np.concatenate([cols.deficit, np.full(len(extra_o), np.inf)])


@dataclass
class MasterResult:
    choice: np.ndarray | None
    objective: float
    bound: float  # the best bound over the pool's plans (a bound on all plans when exact)
    nodes: int
    seconds: float
    finished: bool  # the tree was searched to the end
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective)
    work: float = 0.0  # the LPs' work (``work_of``), the unit of ``max_work``


# a node's own work beside its simplex iterations (bounds, the branching rule), in iterations
NODE_ITERATIONS = 8


def best_scores(core: Core) -> np.ndarray:
    """Each village's best score over its pairs (0 for a village no officer may take): the
    masters' shift, so that every shifted score is at most 0."""
    kappa = np.full(core.n_v, -np.inf)
    np.maximum.at(kappa, core.village, core.score.astype(float))
    kappa[~np.isfinite(kappa)] = 0.0
    return kappa


def cover_master(cost, cover_lower, n_officers: int, starts, rows):
    """The covering master LP (HiGHS), maximised: columns of cost ``cost`` whose rows (villages,
    then officers) are ``rows[starts[j]:starts[j+1]]``; each village covered at least
    ``cover_lower``, each officer at most one column."""
    import highspy

    n, nv = len(cost), len(cover_lower)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, nv + n_officers
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.concatenate([np.asarray(cover_lower, dtype=float), np.zeros(n_officers)])
    lp.row_upper_ = np.concatenate([np.full(nv, highspy.kHighsInf), np.ones(n_officers)])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(rows, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(rows))
    return lp


def work_of(iterations: int, size: int) -> float:
    """An LP's work in the search's unit: (its simplex iterations + a node's own) times the
    columns and rows, in millions. A node of d20100's pool (9,600 columns) makes about 32
    iterations, of d05100's (1,600) about 100: nodes alone were 4x off between the two."""
    return (iterations + NODE_ITERATIONS) * size / 1e6


def branch_and_bound(
    core: Core,
    cols: Columns,
    incumbent: np.ndarray | None = None,
    *,
    max_nodes: int = 100_000,
    time_limit: float | None = None,
    max_work: float | None = None,
) -> MasterResult:
    """The best plan over the pool (see the module docstring); ``incumbent`` a plan that fits,
    whose value the search must beat. ``max_work``: a budget in the LPs' work (``work_of``),
    the same on any machine."""
    import highspy

    from ..solve.highs import quiet_highs

    t0 = time.perf_counter()
    nv, no, nc = core.n_v, core.n_o, len(cols)
    kappa = best_scores(core)
    shift = float(kappa.sum()) + core.base
    # column values in shifted scores, and which villages each covers
    lens = np.array([len(p) for p in cols.pairs])
    flat = np.concatenate(cols.pairs) if nc and lens.sum() else np.zeros(0, np.int64)
    col_of = np.repeat(np.arange(nc), lens)
    vill = core.village[flat]
    val = np.bincount(col_of, weights=core.score[flat] - kappa[vill], minlength=nc)
    pen = core.extra * np.maximum(lens - core.share[cols.officer], 0)
    val = val - pen
    extra_cols = 0
    if not core.cover_all:
        extra_cols = nv  # "uncovered" columns, one per village, at the penalty
    n_all = nc + extra_cols
    cost = np.concatenate([val, -core.penalty - kappa]) if extra_cols else val
    rows = np.concatenate([vill, nv + cols.officer])
    colx = np.concatenate([col_of, np.arange(nc)])
    if extra_cols:
        rows = np.concatenate([rows, np.arange(nv)])
        colx = np.concatenate([colx, nc + np.arange(nv)])
    order = np.lexsort((rows, colx))
    rows, colx = rows[order], colx[order]
    starts = np.searchsorted(colx, np.arange(n_all + 1))
    # (the LP solves are serial; HiGHS's thread count is fixed at its first run in a process)
    h = quiet_highs()
    h.passModel(cover_master(cost, np.ones(nv), no, starts, rows))
    # membership: (column, village) for the branching rule
    member = np.zeros((nc, nv), dtype=bool)
    member[col_of, vill] = True
    col_off = cols.officer

    zeroed = np.zeros(n_all, dtype=bool)

    def load(zero: np.ndarray) -> None:
        on = np.flatnonzero(zeroed & ~zero)
        off = np.flatnonzero(zero & ~zeroed)
        if len(on):
            h.changeColsBounds(len(on), on.astype(np.int32), np.zeros(len(on)), np.ones(len(on)))
        if len(off):
            h.changeColsBounds(
                len(off), off.astype(np.int32), np.zeros(len(off)), np.zeros(len(off))
            )
        zeroed[:] = zero

    work = [0.0]

    def solve():
        h.run()
        work[0] += work_of(max(0, h.getInfo().simplex_iteration_count), n_all + nv + no)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, None
        return h.getInfo().objective_function_value + shift, np.asarray(h.getSolution().col_value)

    def split(x: np.ndarray):
        """The village-officer pair to branch on, or None when the LP plan is integral."""
        xc = x[:nc]
        cover = np.zeros((nv, no))
        np.add.at(cover, (vill, col_off[col_of]), xc[col_of])
        frac = (cover > 1e-6) & (cover < 1 - 1e-6)
        if not frac.any():
            if extra_cols and np.any((x[nc:] > 1e-6) & (x[nc:] < 1 - 1e-6)):
                v = int(np.argmax(np.abs(x[nc:] - 0.5) < 0.5 - 1e-6))
                o = int(np.argmax(cover[v]))
                return v, o
            return None
        v, o = np.unravel_index(int(np.argmax(np.where(frac, cover, -1.0))), cover.shape)
        return int(v), int(o)

    best_val = -np.inf
    best_x: np.ndarray | None = None
    if incumbent is not None and core.fits(incumbent):
        best_val = float(core.objective(incumbent))
    history: list[tuple[float, float]] = []
    val0, _ = solve()
    nodes = 1
    heap: list = []
    if val0 is not None:
        heapq.heappush(heap, (-val0, 0, np.zeros(n_all, dtype=bool)))
    counter = 1
    stopped = False

    def spent() -> bool:
        return (
            nodes >= max_nodes
            or (max_work is not None and work[0] >= max_work)
            or (time_limit is not None and time.perf_counter() - t0 > time_limit)
        )

    while heap:
        if spent():
            stopped = True
            break
        negb, _, zero = heapq.heappop(heap)
        if -negb <= best_val + 0.5:
            continue
        load(zero)
        v_lp, x = solve()
        nodes += 1
        while v_lp is not None and v_lp > best_val + 0.5:
            br = split(x)
            if br is None:
                best_val, best_x = v_lp, x.copy()
                history.append((time.perf_counter() - t0, best_val))
                break
            v, o = br
            to_o = ((col_off == o) & ~member[:, v]) | ((col_off != o) & member[:, v])
            not_o = (col_off == o) & member[:, v]
            if extra_cols:
                to_o = np.concatenate([to_o, np.arange(nv) == v])
                not_o = np.concatenate([not_o, np.zeros(nv, dtype=bool)])
            heapq.heappush(heap, (-v_lp, counter, zero | not_o))
            counter += 1
            zero = zero | to_o
            load(zero)
            v_lp, x = solve()
            nodes += 1
            if spent():
                stopped = True
                break
        if stopped:
            break
    open_bound = max((-b for b, _, _ in heap), default=-np.inf)
    bound = max(best_val, open_bound) if stopped else best_val
    if val0 is None:
        bound = best_val
    choice = None
    if best_x is not None:
        choice = plan_of(core, cols.pairs, best_x[:nc])
    return MasterResult(
        choice,
        float(core.objective(choice)) if choice is not None else best_val,
        float(bound),
        nodes,
        time.perf_counter() - t0,
        not stopped,
        history,
        work[0],
    )


def plan_of(core: Core, pairs: list[np.ndarray], xc: np.ndarray) -> np.ndarray:
    """The columns a master's LP takes (``xc`` > 0.5; ``pairs`` each column's core pairs) as a
    plan: a village covered twice stays with the officer who scores it best (the other column
    gives it up, losing nothing in shifted scores)."""
    choice = np.full(core.n_v, NONE, dtype=np.int64)
    for k in np.flatnonzero(xc > 0.5).tolist():
        for p in pairs[k].tolist():
            v = int(core.village[p])
            if choice[v] < 0 or core.score[p] > core.score[choice[v]]:
                choice[v] = p
    return choice
