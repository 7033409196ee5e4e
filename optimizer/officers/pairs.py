"""The officer × village pair table: one row a pair, one column a rule.

The model, the explanations, the checker and the reports all read this table, so "why did
officer X get village Y" is a row, not a re-computation. Built vectorised per county (officers
serve their own county's villages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...constraints.registry import RULES, module
from ..input.instance import Instance

SOFT_RULES = [r.id for r in RULES.values() if r.subject == "officer" and r.kind == "soft"]


def travel_days(inst: Instance, km: np.ndarray) -> np.ndarray:
    """OFF-LOAD's monthly days for a pair: the visit days plus one round trip per visit day."""
    p = inst.policy.rule("OFF-LOAD")
    trips = p["visit_days_per_month"] * 2.0 * np.nan_to_num(km) / p["travel_speed_kmh"]
    return p["visit_days_per_month"] + trips / p["hours_per_day"]


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


def _km(inst: Instance, officer_ids: np.ndarray, village_ids: np.ndarray) -> np.ndarray:
    """Distance of each given pair, from one matrix per county block (never all × all)."""
    out = np.full(len(officer_ids), np.nan)
    county = inst.officers["county_id"].reindex(officer_ids).to_numpy(object)
    for c in pd.unique(county):
        sel = np.flatnonzero(county == c)
        uo, io = np.unique(officer_ids[sel], return_inverse=True)
        uv, iv = np.unique(village_ids[sel], return_inverse=True)
        km = inst.officer_village_km(uo, uv)
        out[sel] = km.to_numpy()[io, iv]
    return out


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
    df["km"] = np.round(_km(inst, oid, vid), 2) if len(df) else np.zeros(0)
    df["workload_days"] = np.round(travel_days(inst, df["km"].to_numpy(float)), 2)
    over = inst.pairs.set_index(["officer_id", "village_id"])
    over = over[~over.index.duplicated(keep="last")]
    key = pd.MultiIndex.from_arrays([oid, vid])
    given = over.reindex(key)
    wl = given["workload_days"].to_numpy(float)
    df["workload_days"] = np.where(np.isnan(wl), df["workload_days"], np.round(wl, 2))
    df["extra"] = np.round(given["score"].fillna(0.0).to_numpy(float), 2)
    forbidden = given["forbidden"].fillna(False).to_numpy(bool)
    # OFF-COVER decides who may cover a village at all
    from ...constraints import off_cover

    df["why_not"] = off_cover.why_not(df, inst, forbidden)
    df["eligible"] = df["why_not"] == ""
    inc = inst.plan_officers
    pinned = inc.loc[inc["pinned"], "officer_id"]
    df["pinned"] = pinned.reindex(vid).to_numpy(object) == oid
    total = df["extra"].to_numpy(float).copy()
    for rid in SOFT_RULES:
        mod = module(rid)
        m = mod.match(df, inst)
        pts = mod.points(df, inst) if hasattr(mod, "points") else inst.policy.weight(rid) * m
        pts = np.round(np.asarray(pts, dtype=float), 2)
        df[f"m:{rid}"] = m
        df[f"p:{rid}"] = pts
        total += pts
    df["score"] = np.round(total, 2)
    return df


def reasons(inst: Instance, pairs: pd.DataFrame) -> np.ndarray:
    """The rules each pair satisfies, ``;``-separated (``OFF-ORIGIN;OFF-PREF:1``)."""
    parts = []
    for rid in SOFT_RULES:
        if not inst.policy.rule(rid).enabled:
            continue
        mod = module(rid)
        if rid == "OFF-LIFE":
            continue  # travel is a cost, not a reason; the km stand in the plan
        m = pairs[f"m:{rid}"].to_numpy(float) > 0
        lab = mod.label(pairs, inst) if hasattr(mod, "label") else np.full(len(pairs), rid)
        parts.append(np.where(m, lab, ""))
    if not parts:
        return np.full(len(pairs), "", dtype=object)
    stacked = np.stack(parts, axis=1)
    return np.array([";".join(x for x in row if x) for row in stacked], dtype=object)
