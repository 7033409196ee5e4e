"""The resident-auxiliary placement of the annual plan: an assignment problem.

    maximise   Σ s_p x_p − M Σ u_v
    subject to Σ_{p∋v} x_p + u_v = 1          every village      (AUX-COVER)
               Σ_{p∋a} x_p ≤ 1                every auxiliary    (AUX-FULLTIME)
               x_p = 1 for pinned pairs
               Σ_p c_rp x_p ≤ b_r             period 1's exchange limits and the look-ahead
                                              (``auxiliary_exchange``), where they can bind
               x, u ∈ {0,1}

over the eligible pairs p = (auxiliary a, village v): AUX-TOWNSHIP, AUX-NOT-HOME, AUX-TENURE and
being in service decide eligibility, so they need no rows. s_p is the pair's AUX-FAMILIAR points
(incumbent kept included), M makes covering a village worth more than any score. The matrix is
that of a bipartite graph, so without the side rows the LP is integral and a min-cost flow solves
it exactly; the side rows hold in that flow's plan unless the limits bind, and then the model
with them goes to HiGHS (``placement``). All numbers in hundredths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...constraints import aux_cover, aux_fulltime
from ...constraints.base import SCALE
from ..solve.linear_model import INF, LinearModel
from .exchange import SideRows


@dataclass
class AuxiliaryProblem:
    villages: pd.Index  # villages to cover, in model order
    auxiliaries: pd.Index  # auxiliaries who may serve, in model order
    pairs: pd.DataFrame  # eligible pairs
    pair_aux: np.ndarray
    pair_village: np.ndarray
    score: np.ndarray  # hundredths of points
    pinned: np.ndarray  # bool per pair
    uncovered_penalty: int
    side: SideRows | None = None  # AUX-EXCHANGE's rows over the pairs (None: none binds)

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)


def make_problem(
    villages: pd.Index,
    auxiliaries: pd.Index,
    eligible: pd.DataFrame,
    side=None,
) -> AuxiliaryProblem:
    """The assignment over the ``eligible`` pairs; ``side(pairs)`` gives its side rows over
    the pairs in model order (None: none)."""
    villages = pd.Index(sorted(villages))
    auxiliaries = pd.Index(sorted(auxiliaries))
    pairs = eligible[
        eligible["village_id"].isin(villages) & eligible["auxiliary_id"].isin(auxiliaries)
    ].reset_index(drop=True)
    score = np.round(pairs["score"].to_numpy(float) * SCALE).astype(np.int64)
    # covering one more village may re-seat every auxiliary along an augmenting path: the spread
    # of all scores over every village bounds what that costs
    spread = 2 * int(np.abs(score).max(initial=0)) + 1
    return AuxiliaryProblem(
        villages=villages,
        auxiliaries=auxiliaries,
        pairs=pairs,
        pair_aux=auxiliaries.get_indexer(pairs["auxiliary_id"]),
        pair_village=villages.get_indexer(pairs["village_id"]),
        score=score,
        pinned=pairs["pinned"].to_numpy(bool),
        uncovered_penalty=spread * (len(villages) + 1),
        side=side(pairs) if side is not None else None,
    )


def build_model(problem: AuxiliaryProblem) -> LinearModel:
    m = LinearModel()
    m.add_vars("x", 0, 1, problem.score)
    aux_cover.add_to_model(m, problem)
    aux_fulltime.add_to_model(m, problem)
    for i in np.flatnonzero(problem.pinned):
        m.fixed[int(i)] = 1
    side = problem.side
    if side is not None:
        # Σ c x − e ≤ b: an exchange beyond a limit (e) costs as much as a village left
        # uncovered, more than any points (the limits may contradict AUX-TENURE's forced moves,
        # which the plan then reports; a placement still covers every village it can)
        x = m.var_groups["x"]
        most = np.bincount(side.row, weights=np.maximum(side.coef, 0), minlength=side.n_rows)
        e = m.add_vars(
            "excess",
            0,
            np.maximum(most - side.ub, 0).astype(np.int64),
            -problem.uncovered_penalty,
        )
        m.add_rows(
            "exchange",
            np.concatenate([side.row, np.arange(side.n_rows)]),
            np.concatenate([side.pair + x.start, np.arange(e.start, e.stop)]),
            np.concatenate([side.coef, -np.ones(side.n_rows, np.int64)]),
            np.full(side.n_rows, -INF),
            side.ub,
        )
    return m


def completion(problem: AuxiliaryProblem, model: LinearModel, chosen: np.ndarray) -> np.ndarray:
    """The full variable vector for a set of chosen pairs."""
    x = np.zeros(model.n_vars, dtype=np.int64)
    x[chosen] = 1
    covered = np.bincount(problem.pair_village[chosen], minlength=len(problem.villages))
    x[model.var_groups["uncovered"]] = (covered == 0).astype(np.int64)
    if problem.side is not None:
        over = problem.side.lhs(x[: problem.n_pairs]) - problem.side.ub
        x[model.var_groups["excess"]] = np.maximum(over, 0).astype(np.int64)
    return x
