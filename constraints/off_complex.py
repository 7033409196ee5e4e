"""OFF-COMPLEX (soft, §二(一) 国保民警包社情复杂村): domestic-security police take villages with complex social conditions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-COMPLEX",
    clause="§二(一) 国保民警包社情复杂村",
    kind="soft",
    subject="officer",
    summary=N_("domestic-security police take villages with complex social conditions"),
    weight=50.0,
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for a domestic-security officer on a village with complex social conditions."""
    cx = inst.villages["complex"].reindex(pairs["village_id"]).to_numpy(bool)
    return ((pairs["category"].to_numpy(object) == "domestic_security") & cx).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
