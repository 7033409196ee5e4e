"""OFF-CONTINUITY (soft, §二(一) 及时调整…确保工作的延续性): keep the incumbent plan's pairs where the rules allow; reassign orphaned villages at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-CONTINUITY",
    clause="§二(一) 及时调整…确保工作的延续性",
    kind="soft",
    subject="officer",
    summary=N_(
        "keep the incumbent plan's pairs where the rules allow; reassign orphaned villages at once"
    ),
    weight=30.0,
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 where the pair is in the incumbent plan (plan_officers.csv)."""
    inc = inst.plan_officers["officer_id"]
    return (
        inc.reindex(pairs["village_id"]).to_numpy(object) == pairs["officer_id"].to_numpy(object)
    ).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
