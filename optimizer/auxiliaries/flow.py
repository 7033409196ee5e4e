"""Exact placement by min-cost flow, a greedy baseline, and Hall's certificate of a shortage.

    source ─(1)─▶ auxiliary ─(1, −s_p)─▶ village ─(1)─▶ sink

``solve_max_flow_with_min_cost`` first covers as many villages as any plan can, then maximises
the points among those plans: exactly the lexicographic objective of the placement model.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

from ..solve.result import SolveResult
from ..solve.status import Status
from .model import AuxiliaryProblem


def _pinned_parts(problem: AuxiliaryProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pinned = np.flatnonzero(problem.pinned)
    busy_a = np.zeros(len(problem.auxiliaries), dtype=bool)
    busy_v = np.zeros(len(problem.villages), dtype=bool)
    busy_a[problem.pair_aux[pinned]] = True
    busy_v[problem.pair_village[pinned]] = True
    free = np.flatnonzero(~busy_a[problem.pair_aux] & ~busy_v[problem.pair_village])
    return pinned, free, busy_a


def solve_flow(problem: AuxiliaryProblem, penalty: int | None = None) -> SolveResult:
    """The most villages covered, then the most points (the model's lexicographic objective).
    ``penalty``: instead the most points less ``penalty`` for each village left empty, exactly
    (a bypass arc from source to sink at that cost): what a Lagrangian bound needs when other
    points may outweigh a village (``limits``)."""
    from ortools.graph.python import min_cost_flow

    t0 = time.perf_counter()
    n_a, n_v = len(problem.auxiliaries), len(problem.villages)
    pinned, free, busy_a = _pinned_parts(problem)
    source, sink = n_a + n_v, n_a + n_v + 1
    f = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(n_a, source), problem.pair_aux[free], n_a + np.arange(n_v)])
    heads = np.concatenate([np.arange(n_a), n_a + problem.pair_village[free], np.full(n_v, sink)])
    caps = np.concatenate(
        [(~busy_a).astype(np.int64), np.ones(len(free), np.int64), np.ones(n_v, np.int64)]
    )
    costs = np.concatenate([np.zeros(n_a, np.int64), -problem.score[free], np.zeros(n_v, np.int64)])
    arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if penalty is not None:
        f.add_arc_with_capacity_and_unit_cost(source, sink, n_v, int(penalty))
    supply = np.zeros(n_a + n_v + 2, np.int64)
    # more than can flow through the villages: the solver finds the max (or, with the bypass,
    # every unit flows and each one through it is a village left empty)
    supply[source], supply[sink] = n_v, -n_v
    f.set_nodes_supplies(np.arange(n_a + n_v + 2), supply)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    status = f.solve() if penalty is not None else f.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - t1
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    flows = f.flows(arcs)[n_a : n_a + len(free)]
    x = np.zeros(problem.n_pairs, dtype=np.int64)
    x[free[flows > 0]] = 1
    x[pinned] = 1
    return SolveResult(
        x,
        Status.OPTIMAL,
        float("nan"),
        float("nan"),
        seconds,
        "min-cost-flow",
        {"build_seconds": build},
    )


def solve_greedy(problem: AuxiliaryProblem) -> SolveResult:
    """Best pair first (the plan a bureau makes by hand): a baseline and a warm start."""
    t0 = time.perf_counter()
    pinned, _, busy_a = _pinned_parts(problem)
    covered = np.zeros(len(problem.villages), dtype=bool)
    covered[problem.pair_village[pinned]] = True
    used = busy_a.copy()
    x = np.zeros(problem.n_pairs, dtype=np.int64)
    x[pinned] = 1
    order = np.lexsort((np.arange(problem.n_pairs), -problem.score))
    for p in order.tolist():
        a, v = problem.pair_aux[p], problem.pair_village[p]
        if covered[v] or used[a]:
            continue
        x[p], covered[v], used[a] = 1, True, True
    return SolveResult(
        x, Status.FEASIBLE, float("nan"), float("nan"), time.perf_counter() - t0, "greedy"
    )


def hall_sets(problem: AuxiliaryProblem, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The smallest set of villages of largest shortage, split into connected parts.

    From every village a maximum matching leaves uncovered, follow alternating paths (any
    eligible pair to an auxiliary, his matched pair back to a village). The villages ``S`` and
    auxiliaries ``N`` reached form the residual side of a minimum cut: every auxiliary who may
    serve a village of ``S`` is in ``N`` and matched inside ``S`` (else the matching could grow),
    so ``|S| − |N(S)|`` equals the villages left uncovered: Hall's deficiency, the largest over
    all village sets. Every set of that deficiency contains ``S``, so ``S`` is the smallest.
    Its connected parts are certificates each: ``|S_i| − |N(S_i)|`` villages short.

    Pinned pairs are taken as given: their auxiliaries and villages are out of the graph.
    Returns ``(village indices, auxiliary indices)`` per part, largest shortage first.
    """
    chosen = np.flatnonzero(np.asarray(x[: problem.n_pairs]) > 0)
    _, free, _ = _pinned_parts(problem)
    n_v = len(problem.villages)
    match_of_aux = np.full(len(problem.auxiliaries), -1)
    covered = np.zeros(n_v, dtype=bool)
    for p in chosen:
        match_of_aux[problem.pair_aux[p]] = problem.pair_village[p]
        covered[problem.pair_village[p]] = True
    pinned_v = np.zeros(n_v, dtype=bool)
    pinned_v[problem.pair_village[problem.pinned]] = True
    order = np.argsort(problem.pair_village[free], kind="stable")
    fv = problem.pair_village[free][order]
    fa = problem.pair_aux[free][order]
    start = np.searchsorted(fv, np.arange(n_v + 1))
    seen_v = np.zeros(n_v, dtype=bool)
    seen_a = np.zeros(len(problem.auxiliaries), dtype=bool)
    roots = np.flatnonzero(~covered & ~pinned_v)
    queue = deque(roots.tolist())
    seen_v[roots] = True
    while queue:
        v = queue.popleft()
        for a in fa[start[v] : start[v + 1]].tolist():
            if seen_a[a]:
                continue
            seen_a[a] = True
            w = match_of_aux[a]
            if w >= 0 and not seen_v[w]:
                seen_v[w] = True
                queue.append(w)
    # connected parts of the reached subgraph
    s_v = np.flatnonzero(seen_v)
    parent = {("v", int(v)): ("v", int(v)) for v in s_v}
    parent.update({("a", int(a)): ("a", int(a)) for a in np.flatnonzero(seen_a)})

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for v in s_v.tolist():
        for a in fa[start[v] : start[v + 1]].tolist():
            ra, rb = find(("v", v)), find(("a", a))
            if ra != rb:
                parent[rb] = ra
    groups: dict = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)
    parts = []
    for members in groups.values():
        vs = np.array(sorted(i for kind, i in members if kind == "v"), dtype=np.int64)
        as_ = np.array(sorted(i for kind, i in members if kind == "a"), dtype=np.int64)
        if len(vs) > len(as_):
            parts.append((vs, as_))
    parts.sort(key=lambda p: (-(len(p[0]) - len(p[1])), -len(p[0]), int(p[0][0])))
    return parts
