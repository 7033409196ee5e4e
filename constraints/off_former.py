"""OFF-FORMER (soft, §二(一) 回曾经工作地包村): officers go back to a township where they worked before."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-FORMER",
    clause="§二(一) 回曾经工作地包村",
    kind="soft",
    subject="officer",
    summary=N_("officers go back to a township where they worked before"),
    weight=40.0,
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 where the village lies in a township the officer worked in before."""
    former = inst.officers["former_township_ids"]
    former = former[former.map(len) > 0].explode().rename("township_id")
    if former.empty or pairs.empty:
        return np.zeros(len(pairs))
    known = pd.MultiIndex.from_arrays([former.index, former.to_numpy()])
    asked = pd.MultiIndex.from_arrays([pairs["officer_id"], pairs["township_id"]])
    return asked.isin(known).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
