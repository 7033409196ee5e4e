"""The officer × village pair table: one row a pair, one column a rule.

The model, the explanations, the checker and the reports all read this table, so "why did
officer X get village Y" is a row, not a re-computation. Built vectorised per county (officers
serve their own county's villages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...constraints import off_area, off_cover, off_load
from ...constraints.registry import soft_rules
from ..input.instance import Instance

SOFT = soft_rules("officer")
SOFT_RULES = [m.RULE.id for m in SOFT]


def all_pairs(inst: Instance) -> pd.DataFrame:
    """Every officer of a county with every village of the same county."""
    blocks = []
    for county in inst.counties:
        o = inst.officers.index[inst.officers["county_id"] == county].to_numpy(object)
        v = inst.villages.index[inst.villages["county_id"] == county].to_numpy(object)
        if len(o) and len(v):
            blocks.append(
                pd.DataFrame({"officer_id": np.repeat(o, len(v)), "village_id": np.tile(v, len(o))})
            )
    if not blocks:
        return pd.DataFrame(
            {"officer_id": pd.Series(dtype=object), "village_id": pd.Series(dtype=object)}
        )
    return pd.concat(blocks, ignore_index=True)


def build_pairs(inst: Instance, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pair table for the given (officer_id, village_id) rows, or for all county pairs.

    Columns: ids, ``county_id``, ``township_id``, ``category``, ``km``, ``workload_days``,
    ``eligible`` and ``why_not`` (OFF-COVER's who-may-cover), ``pinned``, and for each soft rule
    ``m:<ID>`` (how well the pair meets it) and ``p:<ID>`` (its points); ``extra`` (pairs.csv
    score) and ``score``, the sum of points. Points and days are rounded to 0.01, the unit the
    solver works in, so that the solver and the checker add up the same numbers.
    """
    base = all_pairs(inst) if pairs is None else pairs[["officer_id", "village_id"]]
    base = base.reset_index(drop=True)
    oid = base["officer_id"].to_numpy(object)
    vid = base["village_id"].to_numpy(object)
    off = inst.officers.reindex(oid)
    vil = inst.villages.reindex(vid)
    df = pd.DataFrame(
        {
            "officer_id": oid,
            "village_id": vid,
            "county_id": vil["county_id"].to_numpy(object),
            "township_id": vil["township_id"].to_numpy(object),
            "category": off["category"].to_numpy(object),
        }
    )
    given = inst.pair_overrides(oid, vid)
    df["km"], df["workload_days"] = off_load.pair_days(inst, oid, vid, given)
    df["extra"] = np.round(given["score"].fillna(0.0).to_numpy(float), 2)
    # OFF-COVER decides who may cover a village at all
    df["why_not"] = off_cover.why_not(df, inst, given["forbidden"].fillna(False).to_numpy(bool))
    # OFF-AREA, when the bureau made it hard, keeps key villages to their area officers
    area = off_area.why_not(df, inst)
    df["why_not"] = np.where(df["why_not"] == "", area, df["why_not"])
    df["eligible"] = df["why_not"] == ""
    inc = inst.plan_officers
    pinned = inc.loc[inc["pinned"], "officer_id"]
    df["pinned"] = pinned.reindex(vid).to_numpy(object) == oid
    total = df["extra"].to_numpy(float).copy()
    for mod in SOFT:
        rid = mod.RULE.id
        m = mod.match(df, inst)
        pts = np.round(np.asarray(mod.points(df, inst, m), dtype=float), 2)
        df[f"m:{rid}"] = m
        df[f"p:{rid}"] = pts
        total += pts
    df["score"] = np.round(total, 2)
    return df


def reasons(inst: Instance, pairs: pd.DataFrame) -> np.ndarray:
    """The rules each pair satisfies, ``;``-separated (``OFF-ORIGIN;OFF-PREF:1``)."""
    parts = []
    for mod in SOFT:
        rid = mod.RULE.id
        if mod.RULE.cost or not inst.policy.rule(rid).enabled:
            continue  # travel is a cost, not a reason; the km stand in the plan
        m = pairs[f"m:{rid}"].to_numpy(float) > 0
        parts.append(np.where(m, mod.label(pairs, inst), ""))
    if not parts:
        return np.full(len(pairs), "", dtype=object)
    stacked = np.stack(parts, axis=1)
    return np.array([";".join(x for x in row if x) for row in stacked], dtype=object)
