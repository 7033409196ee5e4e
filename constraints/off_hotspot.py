"""OFF-HOTSPOT (soft, §二(一) 刑警包案件高发村): criminal police take villages with many cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Param, Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-HOTSPOT",
    clause="§二(一) 刑警包案件高发村",
    kind="soft",
    subject="officer",
    summary=N_("criminal police take villages with many cases"),
    statement=N_(
        "criminal police take villages with many cases: at or above the {quantile} quantile of "
        "their county by last year's cases, and at least {min_cases} cases"
    ),
    weight=50.0,
    params={
        "quantile": Param(
            0.8,
            "a hotspot is in the top (1 - quantile) of its county's villages by cases",
            minimum=0,
            maximum=1,
        ),
        "min_cases": Param(
            5, "and has at least this many cases last year", minimum=0, maximum=100_000
        ),
    },
)


def hotspots(inst: Instance) -> pd.Series:
    """Villages with many cases: in the top (1 - quantile) of their county and ≥ min_cases."""
    p = inst.policy.rule(RULE.id)
    v = inst.villages
    cut = v.groupby("county_id")["cases"].transform(lambda c: c.quantile(p["quantile"]))
    return (v["cases"] >= cut) & (v["cases"] >= p["min_cases"]) & (v["cases"] > 0)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for a criminal-police officer on a hotspot village."""
    hot = hotspots(inst).reindex(pairs["village_id"]).to_numpy(bool)
    return ((pairs["category"].to_numpy(object) == "criminal") & hot).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
