"""The placement within AUX-EXCHANGE's limits, by the flow: Lagrangian prices on the side rows,
then reduced-cost fixing, so that HiGHS proves the optimum on a model of a few hundred pairs.

The side rows ``Σ c x ≤ b`` (c = −1 on a village's incumbent pair: at least so many incumbents
stay in a township or county) are priced by λ ≥ 0: the flow with the incumbents' points raised by
λ, solved exactly with each village left empty at the model's penalty (a bypass arc), is a
Lagrangian relaxation, its value plus ``λ·b`` an upper bound L(λ) of the placement with the rows
(an exchange beyond a limit costs as much as a village left empty; λ stays below that). Each
broken row's λ is raised by doubling, then bisected, one flow a round (10-20 ms on a county of
400 villages); each round's flow that covers as many villages as the first is a plan (a row it
breaks costs its penalty), the best of them a lower bound. When a plan's value meets the least
L, it is optimal and no MIP is needed.

Otherwise the flow at the least L gives reduced costs: node potentials by Bellman-Ford on its
residual graph (no negative cycle at an optimum), and for each pair the least loss of turning it
on (or off, if chosen). A pair whose loss exceeds L minus a cutoff is in no plan worth the cutoff,
so it is fixed; HiGHS then branches over what is left (``placement._within_limits``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import NegativeCycleError, bellman_ford

from ...constraints.base import SCALE
from .flow import _pinned_parts, solve_flow
from .model import AuxiliaryProblem

ROUNDS = 30  # flows at most: doubling from one point up to the penalty, then bisection


@dataclass
class Priced:
    """What the rounds found: the best of their plans, its value, the least upper bound L and
    the λ and flow that gave it (for the reduced costs)."""

    plan: np.ndarray  # 0/1 over the pairs: the best of the rounds' flows
    value: float  # of ``plan`` in the model's units
    bound: float  # the least L(λ) of the rounds
    lam: np.ndarray
    flow: np.ndarray  # the flow at ``lam``
    flows: int

    @property
    def proven(self) -> bool:
        return self.bound - self.value < 1  # integer units

    def fixings(self, problem: AuxiliaryProblem, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """Pairs in no plan worth ``cutoff`` or more: off if the flow leaves them, on if it
        takes them. Valid for any cutoff; proving with one above the best known plan's value
        needs a plan that reaches it."""
        return _fixings(problem, _raised(problem, self.lam), self.flow, self.bound - cutoff)


def model_value(problem: AuxiliaryProblem, x: np.ndarray) -> float:
    """The placement model's objective of a 0/1 plan over the pairs: points, less the penalty
    of each village left empty and each exchange beyond a limit."""
    excess = np.maximum(problem.side.lhs(x) - problem.side.ub, 0).sum()
    return float(problem.score @ x - problem.uncovered_penalty * (_empty(problem, x) + excess))


def price(problem: AuxiliaryProblem, start: np.ndarray) -> Priced:
    """Lagrangian rounds from the flow's plan ``start`` (which breaks a row)."""
    side = problem.side
    lam = np.zeros(side.n_rows, dtype=np.int64)
    lo = np.zeros(side.n_rows, dtype=np.int64)  # a λ at which the row was broken
    hi = np.full(side.n_rows, -1, dtype=np.int64)  # a λ at which it held (−1: none yet)
    best_plan, best_value = start, -np.inf
    least = (np.inf, lam.copy(), start)  # L, its λ and its flow
    x, flows = start, 0
    fewest_empty = _empty(problem, start)  # the plans are held to cover as many as the flow
    for _ in range(ROUNDS):
        score = _raised(problem, lam)
        relaxed = float(score @ x) - problem.uncovered_penalty * _empty(problem, x)
        bound = relaxed + float(lam @ side.ub)
        if bound < least[0]:
            least = (bound, lam.copy(), x)
        # every round's flow that covers the most villages is a plan: a row it breaks costs
        # its excess's penalty (some limits cannot be kept, when AUX-TENURE moves more
        # auxiliaries than a township may change); the bound needs no such plan
        value = model_value(problem, x)
        if value > best_value and _empty(problem, x) == fewest_empty:
            best_plan, best_value = x, value
        if least[0] - best_value < 1:
            break
        broken = side.lhs(x) - side.ub > 0
        lo[broken] = lam[broken]
        hi[~broken & (lam > 0)] = lam[~broken & (lam > 0)]
        new = lam.copy()
        known = hi >= 0
        new[known] = (lo[known] + hi[known]) // 2
        grow = broken & ~known
        new[grow] = np.maximum(SCALE, 2 * lam[grow])
        new = np.minimum(new, problem.uncovered_penalty)  # the bound holds for λ up to it
        if (new == lam).all():
            break
        lam = new
        # exactly the relaxation's optimum: raised points may outweigh a village, so not the
        # flow that covers the most first
        raised = replace(problem, score=_raised(problem, lam))
        x = solve_flow(raised, penalty=problem.uncovered_penalty).x
        flows += 1
    return Priced(best_plan, best_value, least[0], least[1], least[2], flows)


def _raised(problem: AuxiliaryProblem, lam: np.ndarray) -> np.ndarray:
    side = problem.side
    bonus = np.bincount(
        side.pair, weights=-side.coef * lam[side.row], minlength=problem.n_pairs
    ).astype(np.int64)
    return problem.score + bonus


def _empty(problem: AuxiliaryProblem, x: np.ndarray) -> int:
    covered = np.bincount(problem.pair_village[x > 0], minlength=len(problem.villages)) > 0
    return len(problem.villages) - int(covered.sum())


def _fixings(
    problem: AuxiliaryProblem, score: np.ndarray, x: np.ndarray, gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose least loss (reduced cost at the flow ``x``, optimal for ``score``) exceeds
    ``gap``: off if unchosen, on if chosen. Min-cost terms: a pair's arc costs −score."""
    n_a, n_v = len(problem.auxiliaries), len(problem.villages)
    pinned, free, busy_a = _pinned_parts(problem)
    busy_v = np.zeros(n_v, dtype=bool)
    busy_v[problem.pair_village[pinned]] = True
    s, t, root = n_a + n_v, n_a + n_v + 1, n_a + n_v + 2
    a = problem.pair_aux[free]
    v = n_a + problem.pair_village[free]
    cost = -score[free].astype(float)
    used = x[free] > 0
    aux_used = np.zeros(n_a, dtype=bool)
    aux_used[problem.pair_aux[free[used]]] = True
    covered = np.zeros(n_v, dtype=bool)
    covered[problem.pair_village[free[used]]] = True
    bypassed = n_v - int(covered.sum())  # units through the bypass (busy villages too)
    idle_a = np.flatnonzero(~busy_a & ~aux_used)
    held_a = np.flatnonzero(~busy_a & aux_used)
    open_v = np.flatnonzero(~busy_v & ~covered)
    held_v = np.flatnonzero(~busy_v & covered)
    penalty = float(problem.uncovered_penalty)
    # the residual graph of the flow with its bypass (source → sink at the penalty, n_v units)
    back, ahead = bypassed > 0, bypassed < n_v
    tails = [
        np.where(used, v, a), np.full(len(idle_a), s), held_a, n_a + open_v,
        np.full(len(held_v), t), [t] if back else [], [s] if ahead else [],
        np.full(root, root),
    ]  # fmt: skip
    heads = [
        np.where(used, a, v), idle_a, np.full(len(held_a), s), np.full(len(open_v), t),
        n_a + held_v, [s] if back else [], [t] if ahead else [], np.arange(root),
    ]  # fmt: skip
    costs = [
        np.where(used, -cost, cost), np.zeros(len(idle_a)), np.zeros(len(held_a)),
        np.zeros(len(open_v)), np.zeros(len(held_v)), [-penalty] if back else [],
        [penalty] if ahead else [], np.zeros(root),
    ]  # fmt: skip
    graph = coo_matrix(
        (np.concatenate(costs), (np.concatenate(tails), np.concatenate(heads))),
        shape=(root + 1, root + 1),
    ).tocsr()
    try:
        pi = bellman_ford(graph, directed=True, indices=root)
    except NegativeCycleError:  # not optimal for ``score``: no fixing from it
        return np.array([], np.int64), np.array([], np.int64)
    loss = np.where(used, -cost + pi[v] - pi[a], cost + pi[a] - pi[v])
    beyond = loss > gap + 1e-6
    return free[beyond & ~used], free[beyond & used]
