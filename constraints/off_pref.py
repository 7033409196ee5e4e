"""OFF-PREF (soft, §二(一) 尊重民警个人意愿): respect the officer's stated wishes (ranked villages or townships)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import Param, Rule, weighted_points

RULE = Rule(
    id="OFF-PREF",
    clause="§二(一) 尊重民警个人意愿",
    kind="soft",
    subject="officer",
    summary=N_("respect the officer's stated wishes (ranked villages or townships)"),
    statement=N_(
        "respect the officer's wishes: a first wish counts in full, each later wish "
        "{rank_decay} of the one before; a wished township counts {township_factor} for each of "
        "its villages"
    ),
    weight=100.0,
    params={
        "rank_decay": Param(
            0.75,
            "a wish of rank r counts rank_decay**(r-1) of a first wish",
            minimum=0,
            maximum=1,
        ),
        "township_factor": Param(
            0.8,
            "a township named as a wish counts this share for each of its villages",
            minimum=0,
            maximum=1,
        ),
    },
)


_TABLES: WeakKeyDictionary = WeakKeyDictionary()


def _wish_table(inst: Instance) -> pd.DataFrame:
    """(officer_id, place, rank) of every wish; made once per instance (what-ifs ask often)."""
    officers = inst.officers
    cached = _TABLES.get(inst)
    if cached is not None and cached[0] is officers:
        return cached[1]
    prefs = officers.loc[officers["preferences"].map(len) > 0, ["preferences"]]
    table = prefs["preferences"].explode().rename("place").to_frame()
    table["rank"] = table.groupby(level=0).cumcount() + 1
    table = table.rename_axis("officer_id").reset_index()
    _TABLES[inst] = (officers, table)
    return table


def wishes(pairs: pd.DataFrame, inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """For each pair: the rank (1 = first wish, 0 = not wished) at which its village or its
    township was wished for, and whether the village itself was named. A village named outright
    beats its township named at the same rank.
    """
    rank = np.zeros(len(pairs), dtype=np.int64)
    named = np.zeros(len(pairs), dtype=bool)
    table = _wish_table(inst)
    if table.empty or pairs.empty:
        return rank, named
    key = pd.DataFrame({"officer_id": pairs["officer_id"].to_numpy(), "pos": np.arange(len(pairs))})
    for col in ("village_id", "township_id"):
        key["place"] = pairs[col].to_numpy()
        best = key.merge(table, on=["officer_id", "place"]).groupby("pos")["rank"].min()
        pos, r = best.index.to_numpy(), best.to_numpy()
        take = (rank[pos] == 0) | (r < rank[pos])
        rank[pos[take]] = r[take]
        if col == "village_id":
            named[pos] = True
    return rank, named


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """rank_decay**(rank-1) for a wished village, times township_factor for a wished township."""
    p = inst.policy.rule(RULE.id)
    rank, named = wishes(pairs, inst)
    value = np.where(rank > 0, p["rank_decay"] ** np.maximum(rank - 1, 0), 0.0)
    return np.where(named, value, value * p["township_factor"])


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    rank, _ = wishes(pairs, inst)
    return np.where(rank > 0, np.char.add(f"{RULE.id}:", rank.astype(str)), "")


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)
