"""The pairs ``cunjing explain`` may want beside a plan: each village's pair and its best
others (``officer_candidates.csv.gz`` of the annual plan). The explanation itself is
``reports.explain``: it reads any plan folder with its bundle."""

from __future__ import annotations

import numpy as np
import pandas as pd

EXPLAIN_NEXT = 3  # explain shows the three best-scoring other officers of a village


def explainable(eligible: pd.DataFrame, plan: pd.DataFrame, k: int = EXPLAIN_NEXT + 1):
    """The pairs the annual plan keeps for a village: its plan's pair and the k best-scoring
    others of all its eligible pairs (not only the final model's: the proof keeps just the pairs
    that could beat the plan, often none but the village's own)."""
    chosen = plan.loc[plan["officer_id"] != "", ["village_id", "officer_id"]]
    # each pair's village's plan officer (a village has one row in the plan); codes sorted as
    # the ids are, so that numpy sorts the table in the ids' order (pandas' sort and merge over
    # the text ids were 0.07 s of a 400-village county, this 0.02 s)
    holder = pd.Series(
        chosen["officer_id"].to_numpy(object), index=chosen["village_id"].to_numpy(object)
    )
    vid = eligible["village_id"].to_numpy(object)
    oid = eligible["officer_id"].to_numpy(object)
    keep = holder.reindex(vid).to_numpy(object) == oid
    v = pd.factorize(vid, sort=True)[0]
    o = pd.factorize(oid, sort=True)[0]
    # per village by score, best first, ties by officer: the first k of each village
    order = np.lexsort((o, -eligible["score"].to_numpy(float), v))
    first = np.searchsorted(v[order], v[order], side="left")
    keep[order[np.arange(len(order)) - first < k]] = True
    rows = np.flatnonzero(keep)
    return eligible.iloc[rows[np.lexsort((o[rows], v[rows]))]]
