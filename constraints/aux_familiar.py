"""AUX-FAMILIAR (soft, §二(二) 人熟、地熟、情况熟): prefer the own township over a neighbour, a short distance from home, the station's recommendations, and staying where rules allow.

Points of a pair, times the rule's weight:
``same_township`` for the own township, ``- per_km × km`` from the home village, ``recommended``
when the station recommends the village (``recommended_village_ids``), ``incumbent`` for keeping
the auxiliary of ``plan_auxiliaries.csv`` (the annual plan only; a rotation counts moves first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_
from .base import Param, Rule

RULE = Rule(
    id="AUX-FAMILIAR",
    clause="§二(二) 人熟、地熟、情况熟",
    kind="soft",
    subject="auxiliary",
    summary=N_(
        "prefer the own township over a neighbour, a short distance from home, the station's "
        "recommendations, and staying where rules allow"
    ),
    statement=N_(
        "人熟、地熟、情况熟: {same_township} points for the own township, {recommended} for a "
        "village the station recommends, {incumbent} for keeping the incumbent, {per_km} lost "
        "per km from home"
    ),
    weight=1.0,
    params={
        "same_township": Param(
            30.0, "points for serving in the own township", minimum=0, maximum=10_000
        ),
        "per_km": Param(
            1.0, "points lost per km between home village and village", minimum=0, maximum=1_000
        ),
        "recommended": Param(
            20.0, "points for a village the station recommends", minimum=0, maximum=10_000
        ),
        "incumbent": Param(
            25.0,
            "points for keeping the incumbent auxiliary (plan_auxiliaries.csv)",
            minimum=0,
            maximum=10_000,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

PARTS = ("same_township", "km", "recommended", "incumbent")


def recommended(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """Whether the auxiliary's station recommends the pair's village."""
    rec = inst.auxiliaries["recommended_village_ids"]
    rec = rec[rec.map(len) > 0]
    if rec.empty or pairs.empty:
        return np.zeros(len(pairs), dtype=bool)
    table = rec.explode()
    key = pd.MultiIndex.from_arrays([table.index.to_numpy(object), table.to_numpy(object)])
    return pd.MultiIndex.from_arrays(
        [pairs["auxiliary_id"].to_numpy(object), pairs["village_id"].to_numpy(object)]
    ).isin(key)


def incumbent(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    pa = inst.plan_auxiliaries["auxiliary_id"]
    return pa.reindex(pairs["village_id"].to_numpy(object)).to_numpy(object) == pairs[
        "auxiliary_id"
    ].to_numpy(object)


def parts(pairs: pd.DataFrame, inst: Instance, with_incumbent: bool = True) -> pd.DataFrame:
    """Points of each part of the rule per pair (columns ``p:same_township`` …), weighted.

    ``pairs`` needs ``auxiliary_id``, ``village_id``, ``relation`` and ``km``.
    """
    p = inst.policy.rule(RULE.id)
    w = inst.policy.weight(RULE.id)
    same = pairs["relation"].to_numpy(object) == "same_township"
    km = np.nan_to_num(pairs["km"].to_numpy(float))
    inc = incumbent(pairs, inst) if with_incumbent else np.zeros(len(pairs), dtype=bool)
    return pd.DataFrame(
        {
            "p:same_township": np.round(w * p["same_township"] * same, 2),
            "p:km": np.round(-w * p["per_km"] * km, 2),
            "p:recommended": np.round(w * p["recommended"] * recommended(pairs, inst), 2),
            "p:incumbent": np.round(w * p["incumbent"] * inc, 2),
        },
        index=pairs.index,
    )


def points(pairs: pd.DataFrame, inst: Instance, with_incumbent: bool = True) -> np.ndarray:
    """The pair's points: the sum of its parts, in hundredths exactly (the solver's unit)."""
    return np.round(parts(pairs, inst, with_incumbent).sum(axis=1).to_numpy(float), 2)


def label(pairs: pd.DataFrame, inst: Instance, with_incumbent: bool = True) -> np.ndarray:
    """``AUX-FAMILIAR:same_township;AUX-FAMILIAR:recommended;…``: what the pair satisfies."""
    if not inst.policy.rule(RULE.id).enabled:
        return np.full(len(pairs), "", dtype=object)
    pts = parts(pairs, inst, with_incumbent)
    cols = [
        np.where(pts[f"p:{k}"].to_numpy() > 0, f"{RULE.id}:{k}", "")
        for k in ("same_township", "recommended", "incumbent")
    ]
    stacked = np.stack(cols, axis=1) if len(pairs) else np.zeros((0, 3), dtype=object)
    return np.array([";".join(x for x in row if x) for row in stacked], dtype=object)
