"""OFF-CADRE (soft, §二(一) 选派干部包原选派村): selected cadres take the village they were seconded to."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-CADRE",
    clause="§二(一) 选派干部包原选派村",
    kind="soft",
    subject="officer",
    summary=N_("selected cadres take the village they were seconded to"),
    weight=150.0,
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 where a selected cadre meets the village he was seconded to."""
    sel = inst.officers["selected_village_id"].reindex(pairs["officer_id"]).to_numpy(object)
    return (sel == pairs["village_id"].to_numpy(object)).astype(float) * (sel != "")


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
