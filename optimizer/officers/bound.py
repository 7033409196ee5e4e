"""A Lagrangian bound that proves the candidate pruning lossless.

Relax the cover rows with multipliers y (the LP duals over the candidates): the problem falls
apart into one knapsack per officer (his days, his count, the balance penalty), solved exactly by
dynamic programming over *all* his eligible pairs:

    L(y) = Σ_v y_v + Σ_o max { Σ_{p∈S} (s_p − y_v(p)) − b·max(0, |S| − f_o) : S fits o }

Every plan over all eligible pairs scores at most L(y). Forcing one pair p into its officer's
knapsack gives L_p ≥ the score of every plan that uses p. A pair with L_p < z + 1 (z the best plan
found; scores are integers) can therefore be in no better plan, and may be left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEG = -1e18


@dataclass
class PairBound:
    bound: float  # L(y), an upper bound on every plan (hundredths)
    pair_bound: np.ndarray  # L_p for each pair given


def lagrangian_pair_bounds(
    y: np.ndarray,
    officer: np.ndarray,
    village: np.ndarray,
    score: np.ndarray,
    workload: np.ndarray,
    days: np.ndarray,
    limit: np.ndarray,
    share: np.ndarray,
    extra: int,
) -> PairBound:
    """L(y) and L_p for pairs (officer, village) with integer ``score`` and ``workload``.

    ``days``, ``limit`` and ``share`` are per officer. Each officer's table f[k, c] is the best
    profit of k positive-profit items within c days; forcing p adds p's profit to the best of
    k-1 items within ``days - w_p`` (an upper bound even if p is among those k-1 items).
    """
    profit = score - y[village]
    total = float(y.sum())
    pair_bound = np.full(len(officer), NEG)
    order = np.argsort(officer, kind="stable")
    starts = np.searchsorted(officer[order], np.arange(len(days) + 1))
    best_of = np.zeros(len(days))
    tables = []
    for o in range(len(days)):
        idx = order[starts[o] : starts[o + 1]]
        cap, k_max = int(days[o]), int(limit[o])
        f = np.full((k_max + 1, cap + 1), NEG)
        f[0, :] = 0.0
        for i in idx[profit[idx] > 0]:
            wi = int(workload[i])
            if wi > cap:
                continue
            for k in range(k_max, 0, -1):
                np.maximum(f[k, wi:], f[k - 1, : cap + 1 - wi] + profit[i], out=f[k, wi:])
        pen = extra * np.maximum(0, np.arange(k_max + 1) - share[o])
        best = float(np.max(f[:, cap] - pen))
        best_of[o] = best
        total += best
        tables.append((idx, f, pen, cap, k_max))
    for o, (idx, f, pen, cap, k_max) in enumerate(tables):
        if not len(idx) or k_max == 0:
            continue
        rest = cap - workload[idx]
        fits = rest >= 0
        col = np.clip(rest, 0, cap)
        forced = np.full(len(idx), NEG)
        for k in range(1, k_max + 1):
            forced = np.maximum(forced, f[k - 1][col] + profit[idx] - pen[k])
        pair_bound[idx] = np.where(fits, forced - best_of[o], NEG)
    pair_bound = np.where(pair_bound > NEG / 2, pair_bound + total, NEG)
    return PairBound(total, pair_bound)
