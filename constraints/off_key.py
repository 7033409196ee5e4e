"""OFF-KEY (soft, §二(一) 治安民警和派出所民警包重点村): public-security and station police take key villages (station police those of their own station)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-KEY",
    clause="§二(一) 治安民警和派出所民警包重点村",
    kind="soft",
    subject="officer",
    summary=N_(
        "public-security and station police take key villages (station police those of their own station)"
    ),
    weight=50.0,
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for a public-security officer on a key village, and for a station officer on a key
    village of his own station's township (any key village when his base is not given)."""
    key = inst.villages["kind"].reindex(pairs["village_id"]).to_numpy(object) == "key"
    cat = pairs["category"].to_numpy(object)
    base_tw = inst.officers["base_township_id"].reindex(pairs["officer_id"]).to_numpy(object)
    own = (base_tw == "") | (base_tw == pairs["township_id"].to_numpy(object))
    return (key & ((cat == "public_security") | ((cat == "station") & own))).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
