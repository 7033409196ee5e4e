"""Large-neighbourhood search: a few officers' villages re-planned exactly by CP-SAT, again and
again, around the best plan known.

Each round frees every village of a small group of officers (one drawn at random, then those who
could take most of the group's villages) and gives CP-SAT the exact sub-model: those villages,
those officers, their days, counts and fair shares, the pairs still allowed (reduced-cost fixing
may have removed some), the current plan as a hint. CP-SAT proves such a sub-model in a fraction
of a second, so a round either finds the group's best plan or shows there is none better. The
group grows when rounds keep proving "nothing better" and shrinks when they run out of time.

Deterministic for a seed: each round's CP-SAT has a deterministic time limit and one worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .core import NONE, Core


@dataclass
class LnsResult:
    choice: np.ndarray
    objective: int
    rounds: int
    improved: int  # rounds that found a better plan
    seconds: float
    size: int  # group size at the end


def _group(core: Core, a: np.ndarray, allowed: np.ndarray, first: int, size: int, rng) -> list:
    """``first`` and the officers who share most allowed pairs with the group's villages."""
    group = [first]
    pair_at = core.pair_at
    ok = (pair_at >= 0) & allowed[np.maximum(pair_at, 0)]
    while len(group) < size:
        mine = np.isin(a, group)
        # officers who could take the group's villages, and whose villages the group could take
        link = ok[:, mine].sum(axis=1) + ok[group][:, ~mine].any(axis=0) @ (
            a[~mine, None] == np.arange(core.n_o)[None, :]
        )
        link = link.astype(float) + rng.random(core.n_o) * 0.5  # ties broken by the seed
        link[group] = -1
        nxt = int(np.argmax(link))
        if link[nxt] <= 0.5:
            break
        group.append(nxt)
    return group


def _solve_group(core: Core, a: np.ndarray, allowed: np.ndarray, group: list, dtime: float, seed):
    """The best plan of the group's villages among the group's officers (None: no better one)."""
    from ortools.sat.python import cp_model

    offs = np.asarray(group)
    vs = np.flatnonzero(np.isin(a, offs))
    if not len(vs):
        return None, True
    pair_at = core.pair_at[np.ix_(offs, vs)]  # group officers x villages
    usable = (pair_at >= 0) & allowed[np.maximum(pair_at, 0)]
    # the current plan's pairs stay usable (it is the hint and the bar to beat)
    cur_row = np.searchsorted(offs, a[vs]) if np.all(np.diff(offs) > 0) else None
    if cur_row is None:
        pos = {o: i for i, o in enumerate(offs.tolist())}
        cur_row = np.array([pos[o] for o in a[vs].tolist()])
    usable[cur_row, np.arange(len(vs))] = True
    m = cp_model.CpModel()
    r_idx, c_idx = np.nonzero(usable)
    pairs = pair_at[r_idx, c_idx]
    x = [m.new_bool_var("") for _ in range(len(pairs))]
    by_village: list[list] = [[] for _ in range(len(vs))]
    by_off: list[list] = [[] for _ in range(len(offs))]
    for k, (r, c) in enumerate(zip(r_idx.tolist(), c_idx.tolist(), strict=True)):
        by_village[c].append(k)
        by_off[r].append(k)
    for ks in by_village:
        m.add_exactly_one(x[k] for k in ks)
    wl = core.workload[pairs].tolist()
    sc = core.score[pairs].tolist()
    obj = [(x[k], sc[k]) for k in range(len(pairs))]
    for r, ks in enumerate(by_off):
        o = int(offs[r])
        if not ks:
            continue
        m.add(sum(x[k] * wl[k] for k in ks) <= int(core.days[o]))
        m.add(sum(x[k] for k in ks) <= int(core.limit[o]))
        if core.extra > 0 and len(ks) > core.share[o]:
            e = m.new_int_var(0, len(ks), "")
            m.add(e >= sum(x[k] for k in ks) - int(core.share[o]))
            obj.append((e, -core.extra))
    m.maximize(sum(c * v for v, c in obj))
    for k in range(len(pairs)):
        m.add_hint(x[k], bool(cur_row[c_idx[k]] == r_idx[k]))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = int(seed)
    s.parameters.max_deterministic_time = float(dtime)
    code = s.solve(m)
    proven = code == cp_model.OPTIMAL
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    chosen = np.array([s.value(v) for v in x], dtype=bool)
    new = np.full(len(vs), NONE, dtype=np.int64)
    new[c_idx[chosen]] = offs[r_idx[chosen]]
    return (vs, new), proven


def search(
    core: Core,
    choice: np.ndarray,
    *,
    allowed: np.ndarray | None = None,
    seed: int = 0,
    rounds: int = 200,
    time_limit: float | None = None,
    size: int = 4,
    max_size: int = 12,
    round_dtime: float = 0.3,
) -> LnsResult:
    """Rounds of exact re-planning of officer groups from ``choice`` (a plan that fits and
    covers what it can; only its covered villages move). ``allowed``: per core pair, whether it
    may be used (default all)."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    allowed = np.ones(core.n_pairs, dtype=bool) if allowed is None else allowed
    choice = np.asarray(choice).copy()
    a = np.full(core.n_v, NONE, dtype=np.int64)
    a[choice >= 0] = core.officer[choice[choice >= 0]]
    best = core.objective(choice)
    improved, done = 0, 0
    proven_streak = 0
    for _ in range(rounds):
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        done += 1
        first = int(rng.integers(core.n_o))
        group = sorted(_group(core, a, allowed, first, size, rng))
        got, proven = _solve_group(core, a, allowed, group, round_dtime, rng.integers(1 << 30))
        if got is not None:
            vs, new = got
            trial = a.copy()
            trial[vs] = new
            c = np.full(core.n_v, NONE, dtype=np.int64)
            held = trial >= 0
            c[held] = core.pair_at[trial[held], np.flatnonzero(held)]
            val = core.objective(c)
            if val > best:
                a, choice, best = trial, c, val
                improved += 1
        # grow the groups while CP-SAT proves them quickly; shrink when it cannot
        if proven:
            proven_streak += 1
            if proven_streak >= 3 and size < max_size:
                size += 1
                proven_streak = 0
        else:
            proven_streak = 0
            size = max(2, size - 1)
    return LnsResult(choice, best, done, improved, time.perf_counter() - t0, size)
