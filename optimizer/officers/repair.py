"""A full cover whenever one can be found, then a better plan: shift, swap and ejection moves.

``cover`` takes a partial plan (or none), puts every reachable village on some officer and then
removes the overload: a tabu search over *shift* (a village to another officer) and *swap* (two
villages of two officers exchanged) moves that minimises the weighted overload

    F = Σ_o α_o · (max(0, days_o − D_o) + ρ · max(0, count_o − K_o))

where an officer's weight α_o grows while he stays overloaded (the adaptive penalties of Yagiura,
Ibaraki & Glover's ejection-chain search for the GAP, 2004): the search goes where the overload is
persistent, and a move undone too soon is tabu. Scores only break ties (``score_weight``). It
stops as soon as no officer is overloaded: a full cover.

``improve`` then raises the plan's score without breaking a rule: the best shift or swap each
step (a worse one when none improves, tabu meanwhile), and *ejection chains* of length two (a
village moves in, one of the officer's villages moves on to a third officer who has room). The
fair-share penalty and pinned pairs hold throughout (the core has the pins fixed).

Both are deterministic for a seed: the limits are iterations, with a time limit as a guard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .core import NONE, Core

BIG = 1 << 40
ALPHA_CAP = 1e9  # the adaptive weights stay finite


@dataclass
class SearchResult:
    choice: np.ndarray
    objective: int
    uncovered: int  # reachable villages left without an officer
    iterations: int
    seconds: float
    stopped: str  # "covered", "iterations", "time", "no move", "local optimum"


class _Plan:
    """A plan as officer per village, with loads, counts and dense pair tables."""

    def __init__(self, core: Core, choice: np.ndarray | None) -> None:
        self.core = core
        pair_at = core.pair_at
        self.has = pair_at >= 0
        safe = np.where(self.has, pair_at, 0)
        self.W = np.where(self.has, core.workload[safe], BIG)  # officers x villages
        self.S = np.where(self.has, core.score[safe], 0)
        self.a = np.full(core.n_v, NONE, dtype=np.int64)
        if choice is not None:
            c = np.asarray(choice)
            self.a[c >= 0] = core.officer[c[c >= 0]]
        self.load = np.zeros(core.n_o, dtype=np.int64)
        self.cnt = np.zeros(core.n_o, dtype=np.int64)
        self.recount()

    def recount(self) -> None:
        held = self.a >= 0
        v = np.flatnonzero(held)
        o = self.a[held]
        self.load = np.bincount(o, weights=self.W[o, v], minlength=self.core.n_o).astype(np.int64)
        self.cnt = np.bincount(o, minlength=self.core.n_o).astype(np.int64)

    def choice(self) -> np.ndarray:
        c = np.full(self.core.n_v, NONE, dtype=np.int64)
        held = np.flatnonzero(self.a >= 0)
        c[held] = self.core.pair_at[self.a[held], held]
        return c

    def fair(self, cnt: np.ndarray, offs) -> np.ndarray:
        """Fair-share cost of officers ``offs`` at counts ``cnt``."""
        core = self.core
        return core.extra * np.maximum(cnt - core.share[offs], 0)

    def move(self, v: int, o2: int) -> None:
        o = self.a[v]
        if o >= 0:
            self.load[o] -= self.W[o, v]
            self.cnt[o] -= 1
        if o2 >= 0:
            self.load[o2] += self.W[o2, v]
            self.cnt[o2] += 1
        self.a[v] = o2


def _result(core: Core, choice: np.ndarray, it: int, t0: float, stopped: str) -> SearchResult:
    uncovered = int(((choice < 0) & core.reachable).sum())
    return SearchResult(
        choice, core.objective(choice), uncovered, it, time.perf_counter() - t0, stopped
    )


def _insert_all(plan: _Plan, rho: float) -> None:
    """Every reachable uncovered village onto the officer it overloads least (villages with
    the fewest officers first, then the heaviest), scores breaking ties."""
    core = plan.core
    todo = np.flatnonzero((plan.a < 0) & core.reachable)
    if not len(todo):
        return
    options = plan.has[:, todo].sum(axis=0)
    cheapest = np.where(plan.has[:, todo], plan.W[:, todo], BIG).min(axis=0)
    for v in todo[np.lexsort((-cheapest, options))].tolist():
        room = core.days - plan.load - plan.W[:, v]
        slots = core.limit - plan.cnt - 1
        over = np.maximum(-room, 0) + rho * np.maximum(-slots, 0)
        key = np.where(plan.has[:, v], over * 1e12 - plan.S[:, v], np.inf)
        plan.move(v, int(np.argmin(key)))


def _excess(core: Core, load, cnt, offs, rho: float):
    return np.maximum(load - core.days[offs], 0) + rho * np.maximum(cnt - core.limit[offs], 0)


def cover(
    core: Core,
    start: np.ndarray | None = None,
    *,
    seed: int = 0,
    max_iterations: int = 20_000,
    time_limit: float | None = None,
    score_weight: float = 0.0,
    growth: float = 0.1,
) -> SearchResult:
    """A full cover from ``start`` (a choice, or none), or the plan covering the most villages
    found within the limits (overloaded officers then give up their heaviest villages)."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    plan = _Plan(core, start)
    n_o = core.n_o
    # a unit of count excess weighs like an average village's days
    rho = float(core.workload.mean()) if core.n_pairs else 1.0
    # scores in the search's units: score_weight x (points per day of overload)
    scale = float(np.abs(core.score).max(initial=1)) / max(rho, 1.0)
    gamma = score_weight / max(scale, 1e-9)
    _insert_all(plan, rho)
    alpha = np.ones(n_o)
    tabu = np.zeros((core.n_v, n_o), dtype=np.int64)
    best_a, best_exc = plan.a.copy(), np.inf
    stopped, it = "iterations", 0
    all_o = np.arange(n_o)
    for it in range(1, max_iterations + 1):
        exc = _excess(core, plan.load, plan.cnt, all_o, rho)
        total = float(exc.sum())
        if total < best_exc:
            best_exc, best_a = total, plan.a.copy()
        if total == 0:
            stopped = "covered"
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            stopped = "time"
            break
        over = np.flatnonzero(exc > 0)
        w = alpha[over] * exc[over]
        focus = int(over[rng.choice(len(over), p=w / w.sum())]) if len(over) > 1 else int(over[0])
        mv = _best_move(plan, focus, alpha, exc, total, rho, gamma, tabu, it)
        if mv is None:
            stopped = "no move"
            break
        for v, o_new, o_old in mv:
            plan.move(v, o_new)
            tabu[v, o_old] = it + int(rng.integers(5, 15))
        exc = _excess(core, plan.load, plan.cnt, all_o, rho)
        # capped: an officer who can never be relieved (a county short of days) would otherwise
        # reach infinity after some 7,000 steps and break the draw of the next focus
        alpha[exc > 0] *= 1.0 + growth
        np.minimum(alpha, ALPHA_CAP, out=alpha)
    if stopped != "covered":
        plan.a = best_a
        plan.recount()
        _shed(plan)
    choice = plan.choice()
    return _result(core, choice, it, t0, stopped)


def _best_move(plan: _Plan, focus: int, alpha, exc, total, rho, gamma, tabu, it):
    """The best shift or swap of one of ``focus``'s villages by weighted overload (scores at
    ``gamma``): a list of (village, new officer, old officer)."""
    core = plan.core
    vs = np.flatnonzero(plan.a == focus)
    if not len(vs):
        return None
    o = focus
    all_o = np.arange(core.n_o)
    # shifts: vs x officers
    w_out = plan.W[o, vs]
    d_out = alpha[o] * (
        _excess(core, plan.load[o] - w_out, plan.cnt[o] - 1, o, rho) - exc[o]
    )  # (f,)
    w_in = plan.W[:, vs].T  # (f, n_o)
    new_exc_in = _excess(core, plan.load[None, :] + w_in, plan.cnt[None, :] + 1, all_o, rho)
    d_in = alpha[None, :] * (new_exc_in - exc[None, :])
    s_gain = plan.S[:, vs].T - plan.S[o, vs][:, None]
    f_o = plan.fair(plan.cnt[o] - 1, o) - plan.fair(plan.cnt[o], o)
    f_in = plan.fair(plan.cnt + 1, all_o) - plan.fair(plan.cnt, all_o)
    d_shift = d_out[:, None] + d_in - gamma * (s_gain - f_o - f_in[None, :])
    ok = plan.has[:, vs].T.copy()
    ok[:, o] = False
    after = (
        total
        - exc[o]
        - exc[None, :]
        + _excess(core, plan.load[o] - w_out, plan.cnt[o] - 1, o, rho)[:, None]
        + new_exc_in
    )
    free = (tabu[vs] <= it) | (after <= 0)
    d_shift = np.where(ok & free, d_shift, np.inf)
    # swaps: v in vs with u held by another officer o2
    us = np.flatnonzero((plan.a >= 0) & (plan.a != o))
    best_shift = np.unravel_index(int(np.argmin(d_shift)), d_shift.shape)
    best = (float(d_shift[best_shift]), "shift", best_shift)
    if len(us):
        o2 = plan.a[us]
        w_ou = plan.W[o, us]  # (nu,)
        w_o2v = plan.W[o2[:, None], vs[None, :]].T  # (f, nu)
        w_o2u = plan.W[o2, us]
        new_o = plan.load[o] - w_out[:, None] + w_ou[None, :]
        new_o2 = plan.load[o2][None, :] - w_o2u[None, :] + w_o2v
        e_o = _excess(core, new_o, plan.cnt[o], o, rho)
        e_o2 = _excess(core, new_o2, plan.cnt[o2][None, :], o2[None, :], rho)
        d = alpha[o] * (e_o - exc[o]) + alpha[o2][None, :] * (e_o2 - exc[o2][None, :])
        sg = (
            plan.S[o, us][None, :]
            + plan.S[o2[:, None], vs[None, :]].T
            - plan.S[o, vs][:, None]
            - plan.S[o2, us][None, :]
        )
        d = d - gamma * sg
        ok = plan.has[o, us][None, :] & plan.has[o2[:, None], vs[None, :]].T
        after = total - exc[o] - exc[o2][None, :] + e_o + e_o2
        free = ((tabu[vs][:, o2] <= it) & (tabu[us, o][None, :] <= it)) | (after <= 0)
        d = np.where(ok & free, d, np.inf)
        if d.size:
            i = np.unravel_index(int(np.argmin(d)), d.shape)
            if d[i] < best[0]:
                best = (float(d[i]), "swap", i)
    if not np.isfinite(best[0]):
        return None
    kind, (i, j) = best[1], best[2]
    v = int(vs[i])
    if kind == "shift":
        return [(v, int(j), o)]
    u = int(us[j])
    o2 = int(plan.a[u])
    return [(v, o2, o), (u, o, o2)]


def _shed(plan: _Plan) -> None:
    """Make an overloaded plan fit: each overloaded officer gives up his heaviest villages
    (fewest lost), which then go wherever they fit (best score first)."""
    core = plan.core
    dropped = []
    for o in np.flatnonzero((plan.load > core.days) | (plan.cnt > core.limit)).tolist():
        vs = np.flatnonzero(plan.a == o)
        for v in vs[np.argsort(-plan.W[o, vs], kind="stable")].tolist():
            if plan.load[o] <= core.days[o] and plan.cnt[o] <= core.limit[o]:
                break
            plan.move(v, NONE)
            dropped.append(v)
    for v in dropped:
        fits = (
            plan.has[:, v] & (plan.load + plan.W[:, v] <= core.days) & (plan.cnt + 1 <= core.limit)
        )
        if fits.any():
            plan.move(v, int(np.argmax(np.where(fits, plan.S[:, v], -BIG))))


def improve(
    core: Core,
    choice: np.ndarray,
    *,
    seed: int = 0,
    max_iterations: int = 2_000,
    time_limit: float | None = None,
    patience: int = 200,
    swap_sample: int = 64,
) -> SearchResult:
    """A better plan from a plan that fits (villages may be uncovered when the model allows):
    tabu search over shifts, swaps and two-step ejection chains that keep every rule, the best
    move each step; stops after ``patience`` steps without a better plan."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    plan = _Plan(core, choice)
    n_o, n_v = core.n_o, core.n_v
    tabu = np.zeros((n_v, n_o + 1), dtype=np.int64)  # column n_o: "uncovered"
    cur = core.objective(plan.choice())
    best_val, best_a = cur, plan.a.copy()
    stall, it, stopped = 0, 0, "iterations"
    for it in range(1, max_iterations + 1):
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            stopped = "time"
            break
        sample = rng.choice(n_v, size=min(swap_sample, n_v), replace=False) if n_v else []
        mv = _best_improving(
            plan, np.sort(np.asarray(sample, dtype=np.int64)), tabu, it, cur, best_val
        )
        if mv is None:
            stopped = "no move"
            break
        gain, moves = mv
        for v, o_new, o_old in moves:
            plan.move(v, o_new)
            tabu[v, o_old if o_old >= 0 else n_o] = it + int(rng.integers(7, 20))
        cur += gain
        if cur > best_val:
            best_val, best_a, stall = cur, plan.a.copy(), 0
        else:
            stall += 1
            if stall >= patience:
                stopped = "local optimum"
                break
    plan.a = best_a
    out = plan.choice()
    assert core.fits(out)
    return _result(core, out, it, t0, stopped)


def _best_improving(plan: _Plan, sample, tabu, it, cur, best_val):
    """The best rule-keeping move: a shift of any village (or cover of an uncovered one), a
    swap between a sampled village and any other, or an ejection chain v→o2, u: o2→o3. Tabu
    moves only when they give a plan better than the best."""
    core = plan.core
    n_o = core.n_o
    all_o = np.arange(n_o)
    pen = core.penalty if not core.cover_all else 0
    a = plan.a
    held = a >= 0
    room = core.days - plan.load
    slots = core.limit - plan.cnt
    f_in = plan.fair(plan.cnt + 1, all_o) - plan.fair(plan.cnt, all_o)  # cost of one more
    f_out = plan.fair(plan.cnt - 1, all_o) - plan.fair(plan.cnt, all_o)  # gain of one less
    # value lost by taking v off its officer (or 0, and the penalty saved, when uncovered)
    ao = np.where(held, a, 0)
    v_all = np.arange(core.n_v)
    off_val = np.where(held, -plan.S[ao, v_all] + f_out[ao], pen)
    options = []
    # shifts (officers x villages)
    fits = plan.has & (room[:, None] >= plan.W) & (slots[:, None] >= 1)
    fits &= a[None, :] != all_o[:, None]
    gain = plan.S - f_in[:, None] + off_val[None, :]
    taboo = it < tabu[:, :n_o].T
    ok = fits & (~taboo | (cur + gain > best_val))
    g = np.where(ok, gain, -np.inf)
    if g.size:
        i = np.unravel_index(int(np.argmax(g)), g.shape)
        if np.isfinite(g[i]):
            o2, v = int(i[0]), int(i[1])
            options.append((float(g[i]), [(v, o2, int(a[v]))]))
    # swaps: sampled v (held) with any held u of another officer
    vs = sample[held[sample]]
    us = np.flatnonzero(held)
    if len(vs) and len(us):
        o1, o2 = a[vs], a[us]
        w_new1 = plan.W[o1[:, None], us[None, :]] - plan.W[o1, vs][:, None]  # o1 load change
        w_new2 = plan.W[o2[None, :], vs[:, None]] - plan.W[o2, us][None, :]
        ok = (
            plan.has[o1[:, None], us[None, :]]
            & plan.has[o2[None, :], vs[:, None]]
            & (o1[:, None] != o2[None, :])
            & (w_new1 <= room[o1][:, None])
            & (w_new2 <= room[o2][None, :])
        )
        gain = (
            plan.S[o1[:, None], us[None, :]]
            + plan.S[o2[None, :], vs[:, None]]
            - plan.S[o1, vs][:, None]
            - plan.S[o2, us][None, :]
        )
        taboo = (tabu[vs][:, o2] > it) | (it < tabu[us][:, o1].T)
        ok &= ~taboo | (cur + gain > best_val)
        g = np.where(ok, gain, -np.inf)
        i = np.unravel_index(int(np.argmax(g)), g.shape)
        if np.isfinite(g[i]):
            v, u = int(vs[i[0]]), int(us[i[1]])
            options.append((float(g[i]), [(v, int(a[u]), int(a[v])), (u, int(a[v]), int(a[u]))]))
    # ejection chains: v → o2 (over o2's room by its days or count), u: o2 → o3 with room
    chain = _best_chain(plan, sample, room, slots, f_in, f_out, off_val, tabu, it, cur, best_val)
    if chain is not None:
        options.append(chain)
    if not options:
        return None
    return max(options, key=lambda t: t[0])


def _best_chain(plan, sample, room, slots, f_in, f_out, off_val, tabu, it, cur, best_val):
    """Length-two ejection chains starting from the sampled villages: v moves to o2 where it
    does not fit; o2's village u that makes room moves on to an officer o3 with room."""
    core = plan.core
    n_o = core.n_o
    a = plan.a
    best = None
    for v in sample.tolist():
        # o2 candidates: v does not fit as things are, but would after one of o2's villages left
        cand = plan.has[:, v] & (np.arange(n_o) != a[v])
        cand &= (plan.W[:, v] > room) | (slots < 1)
        if not cand.any():
            continue
        o2s = np.flatnonzero(cand)
        gain_in = plan.S[o2s, v] + off_val[v]  # count of o2 unchanged: fair share unchanged
        top = o2s[np.argsort(-gain_in, kind="stable")[:3]]
        for o2 in top.tolist():
            us = np.flatnonzero(a == o2)
            if not len(us):
                continue
            # u leaves o2: v must then fit o2
            fit2 = plan.W[o2, v] - plan.W[o2, us] <= room[o2]
            us = us[fit2]
            if not len(us):
                continue
            if a[v] == o2:
                continue
            # u → o3 with room (o3 != o2); when o3 is v's old officer his room grows by W[o1, v]
            o1 = a[v]
            room3 = room.copy()
            slot3 = slots.copy()
            if o1 >= 0:
                room3[o1] += plan.W[o1, v]
                slot3[o1] += 1
            fits3 = plan.has[:, us] & (plan.W[:, us] <= room3[:, None]) & (slot3[:, None] >= 1)
            fits3[o2, :] = False
            f3 = f_in.copy()
            if o1 >= 0:
                # o1 already lost v: his next village costs as at his count - 1
                f3[o1] = plan.fair(plan.cnt[o1], o1) - plan.fair(plan.cnt[o1] - 1, o1)
            g3 = plan.S[:, us] - f3[:, None] - plan.S[o2, us][None, :]
            total = plan.S[o2, v] + off_val[v] + g3
            taboo = (it < tabu[us, :n_o].T) | (tabu[v, o2] > it)
            ok = fits3 & (~taboo | (cur + total > best_val))
            g = np.where(ok, total, -np.inf)
            i = np.unravel_index(int(np.argmax(g)), g.shape)
            if np.isfinite(g[i]) and (best is None or g[i] > best[0]):
                o3, u = int(i[0]), int(us[i[1]])
                best = (float(g[i]), [(v, o2, int(o1)), (u, o3, o2)])
    return best
