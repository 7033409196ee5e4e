"""OFF-ORIGIN (soft, §二(一) 回原籍包村): organ officers go back to their native place (原籍)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import CATEGORIES, Param, Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-ORIGIN",
    clause="§二(一) 回原籍包村",
    kind="soft",
    subject="officer",
    summary=N_("organ officers go back to their native place (原籍)"),
    statement=N_(
        "officers of the categories {categories} go back to their native place: the native "
        "village in full, another village of the native township {township_value} of it"
    ),
    weight=60.0,
    params={
        "categories": Param(
            ("organ",), "officer categories the rule applies to", items=CATEGORIES, seed=True
        ),
        "city_organ_officers": Param(
            False,
            "organ officers of the city bureau (an officers.csv county_id that is no county of "
            "the bundle) go back to the county of their native place (native village, else "
            "native township, else first wish) and are planned there (§二(一) 回原籍包村); "
            "off: every officer belongs to a county of the bundle",
        ),
        "township_value": Param(
            0.6,
            "a village of the native township, as a share of the native village itself",
            minimum=0,
            maximum=1,
        ),
    },
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for the officer's native village, township_value for another village of his native
    township; only for the categories the rule names (organ officers by default).
    """
    p = inst.policy.rule(RULE.id)
    off = inst.officers.loc[pairs["officer_id"]]
    native_tw = off["native_township_id"].to_numpy(object)
    native_v = off["native_village_id"].to_numpy(object)
    # a native village given without its township still names the township
    v_tw = inst.villages["township_id"].reindex(native_v).fillna("").to_numpy(object)
    native_tw = np.where(native_tw == "", v_tw, native_tw)
    applies = np.isin(off["category"].to_numpy(object), list(p["categories"]))
    village = pairs["village_id"].to_numpy(object) == native_v
    township = pairs["township_id"].to_numpy(object) == native_tw
    value = np.where(village, 1.0, np.where(township, p["township_value"], 0.0))
    return np.where(applies & (native_tw != ""), value, 0.0)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
