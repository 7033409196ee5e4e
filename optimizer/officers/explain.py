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
    held = eligible[["village_id", "officer_id"]].merge(chosen, how="left", indicator=True)
    keep = held["_merge"].to_numpy() == "both"
    best = (
        eligible.assign(_row=np.arange(len(eligible)))
        .sort_values(["village_id", "score", "officer_id"], ascending=[True, False, True])
        .groupby("village_id", sort=False)
        .head(k)["_row"]
        .to_numpy()
    )
    keep[best] = True
    return eligible[keep].sort_values(["village_id", "officer_id"], kind="stable")
