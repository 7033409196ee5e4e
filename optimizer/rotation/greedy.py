"""Rotations built one period at a time with a min-cost flow per period.

- :func:`staggered` follows a schedule (``rotation_schedule``: which villages change when) and
  fills each period's new stints with the best free auxiliaries. It keeps the schedule's moves
  and exchange counts, so it is feasible whenever every period's flow fills its stints: the warm
  start of the exact search.
- :func:`period_greedy` is what a bureau does without a plan: each period, move exactly those
  whose tenure is up (or who left), and fill their villages with the best free auxiliaries for as
  long as the rules allow. It looks ahead at nothing, so the exchange limits may break later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .problem import RotationProblem
from .schedule import Schedule


def match(
    aux: np.ndarray, slot: np.ndarray, cost: np.ndarray, n_aux: int, n_slot: int
) -> np.ndarray:
    """Edges (``aux[k]``, ``slot[k]``) of a maximum matching of least cost (positions k)."""
    from ortools.graph.python import min_cost_flow

    if not len(aux):
        return np.zeros(0, dtype=np.int64)
    f = min_cost_flow.SimpleMinCostFlow()
    source, sink = n_aux + n_slot, n_aux + n_slot + 1
    tails = np.concatenate([np.full(n_aux, source), aux, n_aux + np.arange(n_slot)])
    heads = np.concatenate([np.arange(n_aux), n_aux + slot, np.full(n_slot, sink)])
    caps = np.ones(len(tails), dtype=np.int64)
    costs = np.concatenate(
        [np.zeros(n_aux, np.int64), cost.astype(np.int64), np.zeros(n_slot, np.int64)]
    )
    arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = np.zeros(n_aux + n_slot + 2, np.int64)
    supply[source], supply[sink] = n_slot, -n_slot
    f.set_nodes_supplies(np.arange(n_aux + n_slot + 2), supply)
    if f.solve_max_flow_with_min_cost() != f.OPTIMAL:
        raise RuntimeError("min-cost flow failed")
    flows = f.flows(arcs)[n_aux : n_aux + len(aux)]
    return np.flatnonzero(flows > 0)


class _State:
    """Who is busy until when, and when each pair last served (for returns)."""

    def __init__(self, problem: RotationProblem):
        self.p = problem
        self.busy_until = np.zeros(len(problem.auxiliaries), dtype=np.int64)
        self.pair_last = np.full(len(problem.pairs), -(10**6), dtype=np.int64)
        self.chosen: list[int] = []

    def free(self, stints: np.ndarray, first: int) -> np.ndarray:
        p = self.p
        return (self.busy_until[p.s_aux[stints]] < first) & (
            first - self.pair_last[p.s_pair[stints]] - 1 >= p.gap
        )

    def take(self, stints: np.ndarray) -> None:
        p = self.p
        self.busy_until[p.s_aux[stints]] = p.s_last[stints]
        self.pair_last[p.s_pair[stints]] = p.s_last[stints]
        self.chosen += stints.tolist()


def staggered(problem: RotationProblem, schedule: Schedule) -> np.ndarray:
    """Stint ids of a rotation that keeps ``schedule``'s stints (where the flows fill them)."""
    p = problem
    st = _State(p)
    opts = schedule.options.reset_index(drop=True)
    pool = pd.DataFrame(
        {
            "stint": np.arange(p.n_stints),
            "village": p.s_village,
            "first": p.s_first,
            "last": p.s_last,
            "goes_on": p.s_goes_on,
            "exchange": p.s_exchange,
        }
    )
    for first in range(1, p.periods + 1):
        now = opts[opts["first"] == first].reset_index(drop=True)
        if now.empty:
            continue
        now["slot"] = np.arange(len(now))
        cand = pool[pool["first"] == first].merge(
            now[["slot", "village", "last", "goes_on", "exchange"]],
            on=["village", "last", "goes_on", "exchange"],
        )
        stints = cand["stint"].to_numpy(np.int64)
        ok = st.free(stints, first)
        stints, slots = stints[ok], cand["slot"].to_numpy(np.int64)[ok]
        ua, ia = np.unique(p.s_aux[stints], return_inverse=True)
        pick = match(ia, slots, -p.s_score[stints], len(ua), len(now))
        st.take(stints[pick])
    return np.array(sorted(st.chosen), dtype=np.int64)


def period_greedy(problem: RotationProblem) -> np.ndarray:
    """Stint ids of the rotation made one period at a time with no look-ahead."""
    p = problem
    st = _State(p)
    n_v = len(p.villages)
    until = np.zeros(n_v, dtype=np.int64)  # last period each village is served
    # the incumbents stay as long as they may
    go = np.flatnonzero(p.s_goes_on)
    if len(go):
        longest = pd.DataFrame({"s": go, "v": p.s_village[go], "l": p.s_last[go]})
        longest = longest.sort_values(["v", "l"]).groupby("v").tail(1)["s"].to_numpy(np.int64)
        st.take(longest)
        until[p.s_village[longest]] = p.s_last[longest]
    for first in range(1, p.periods + 1):
        open_v = np.flatnonzero(until < first)
        if not len(open_v):
            continue
        sel = np.flatnonzero((p.s_first == first) & p.s_new & np.isin(p.s_village, open_v))
        sel = sel[st.free(sel, first)]
        # each auxiliary for as long as he may stay: the longest stint of each pair
        frame = pd.DataFrame({"s": sel, "pair": p.s_pair[sel], "l": p.s_last[sel]})
        sel = frame.sort_values(["pair", "l"]).groupby("pair").tail(1)["s"].to_numpy(np.int64)
        ua, ia = np.unique(p.s_aux[sel], return_inverse=True)
        uv, iv = np.unique(p.s_village[sel], return_inverse=True)
        pick = match(ia, iv, -p.pair_points[p.s_pair[sel]], len(ua), len(uv))
        st.take(sel[pick])
        until[p.s_village[sel[pick]]] = p.s_last[sel[pick]]
    return np.array(sorted(st.chosen), dtype=np.int64)
