"""The resident-auxiliary placement of the annual plan: an assignment problem.

    maximise   Σ s_p x_p − M Σ u_v
    subject to Σ_{p∋v} x_p + u_v = 1          every village      (AUX-COVER)
               Σ_{p∋a} x_p ≤ 1                every auxiliary    (AUX-FULLTIME)
               x_p = 1 for pinned pairs
               x, u ∈ {0,1}

over the eligible pairs p = (auxiliary a, village v): AUX-TOWNSHIP, AUX-NOT-HOME, AUX-TENURE and
being in service decide eligibility, so they need no rows. s_p is the pair's AUX-FAMILIAR points
(incumbent kept included), M makes covering a village worth more than any score. The matrix is
that of a bipartite graph, so the LP is integral and a min-cost flow solves it exactly.
All numbers in hundredths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...constraints import aux_cover, aux_fulltime
from ...constraints.base import SCALE
from ..solve.linear_model import LinearModel


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

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)


def make_problem(
    villages: pd.Index, auxiliaries: pd.Index, eligible: pd.DataFrame
) -> AuxiliaryProblem:
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
    )


def build_model(problem: AuxiliaryProblem) -> LinearModel:
    m = LinearModel()
    m.add_vars("x", 0, 1, problem.score)
    aux_cover.add_to_model(m, problem)
    aux_fulltime.add_to_model(m, problem)
    for i in np.flatnonzero(problem.pinned):
        m.fixed[int(i)] = 1
    return m


def completion(problem: AuxiliaryProblem, model: LinearModel, chosen: np.ndarray) -> np.ndarray:
    """The full variable vector for a set of chosen pairs."""
    x = np.zeros(model.n_vars, dtype=np.int64)
    x[chosen] = 1
    covered = np.bincount(problem.pair_village[chosen], minlength=len(problem.villages))
    x[model.var_groups["uncovered"]] = (covered == 0).astype(np.int64)
    return x
