"""The auxiliary × village pair table: one row a pair, one column a rule.

Only pairs whose townships are the same or neighbours are built (AUX-TOWNSHIP rules out every
other pair, so there is nothing to explain about them); each row says which hard rule, if any,
rules it out (``why_not``, ``rule``), and its AUX-FAMILIAR points. Placement, rotation,
explanations and the Hall diagnosis all read this table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...constraints import aux_cover, aux_familiar, aux_not_home, aux_tenure, aux_township
from ..input.instance import Instance


def near_pairs(inst: Instance, village_ids: pd.Index, auxiliary_ids: pd.Index) -> pd.DataFrame:
    """Every (auxiliary, village) of the scope whose home township is the village's township or
    one adjacent to it (any county: the rule itself says which may serve), and the exceptions
    of auxiliary_exceptions.csv; every pair of the scope when AUX-TOWNSHIP is switched off."""
    vil = inst.villages.loc[village_ids, ["township_id"]]
    aux = inst.auxiliaries.loc[auxiliary_ids, ["home_township_id"]]
    tws = sorted(set(vil["township_id"]))
    if inst.policy.rule("AUX-TOWNSHIP").enabled:
        near = [(t, t) for t in tws] + [
            (t, u) for t in tws if t in inst.adjacency for u in inst.adjacency.neighbors(t)
        ]
    else:
        near = [(t, u) for t in tws for u in sorted(set(aux["home_township_id"].dropna()))]
    exc = inst.auxiliary_exceptions
    exc = exc[exc["village_id"].isin(vil.index) & exc["auxiliary_id"].isin(aux.index)]
    near += list(
        zip(
            vil["township_id"].reindex(exc["village_id"]).to_numpy(object),
            aux["home_township_id"].reindex(exc["auxiliary_id"]).to_numpy(object),
            strict=True,
        )
    )
    link = pd.DataFrame(list(dict.fromkeys(near)), columns=["township_id", "home_township_id"])
    pairs = (
        pd.DataFrame({"village_id": vil.index.to_numpy(object), "township_id": vil["township_id"]})
        .merge(link, on="township_id")
        .merge(
            pd.DataFrame(
                {
                    "auxiliary_id": aux.index.to_numpy(object),
                    "home_township_id": aux["home_township_id"].to_numpy(object),
                }
            ),
            on="home_township_id",
        )
    )
    pairs = pairs.sort_values(["village_id", "auxiliary_id"], kind="stable")
    return pairs[["auxiliary_id", "village_id"]].reset_index(drop=True)


def pair_km(inst: Instance, pairs: pd.DataFrame) -> np.ndarray:
    """Travel km from the auxiliary's home village to the village, per pair."""
    if pairs.empty:
        return np.zeros(0)
    # hashed, not sorted (a county's pairs' ids several times faster)
    ia, ua = pd.factorize(pairs["auxiliary_id"].astype(str))
    iv, uv = pd.factorize(pairs["village_id"].astype(str))
    km = inst.auxiliary_village_km(list(ua), list(uv)).to_numpy()
    return np.round(km[ia, iv], 2)


def describe_pairs(
    inst: Instance, pairs: pd.DataFrame, period: int = 1, with_incumbent: bool = True
) -> pd.DataFrame:
    """The table for given (auxiliary_id, village_id) rows: ``county_id``, ``township_id``,
    ``relation``, ``km``, ``why_not`` and ``rule`` (the hard rule ruling the pair out, "" when
    it may serve in ``period``), ``eligible``, ``incumbent``, ``pinned``, the AUX-FAMILIAR parts
    ``p:…`` and ``score`` (their sum, in hundredths exactly)."""
    df = pairs[["auxiliary_id", "village_id"]].reset_index(drop=True).copy()
    vid = df["village_id"].to_numpy(object)
    vil = inst.villages.reindex(vid)
    df["county_id"] = vil["county_id"].to_numpy(object)
    df["township_id"] = vil["township_id"].to_numpy(object)
    df["relation"], town_why = aux_township.relation(df, inst)
    df["exception"] = np.where(
        df["relation"] == aux_township.EXCEPTION, aux_township.exceptions(df, inst), ""
    )
    df["km"] = pair_km(inst, df)
    # each hard rule's reason, in the order tried: a later rule's reason wins (the most basic
    # one); AUX-TOWNSHIP's is the second half of the relation computed above
    reasons = {
        "AUX-TENURE": aux_tenure.why_not(df, inst, period),
        "AUX-NOT-HOME": aux_not_home.why_not(df, inst),
        "AUX-TOWNSHIP": town_why,
        "AUX-COVER": aux_cover.why_not(df, inst, period),
    }
    why = np.full(len(df), "", dtype=object)
    rule = np.full(len(df), "", dtype=object)
    for rid, w in reasons.items():
        hit = w != ""
        why[hit], rule[hit] = w[hit], rid
    df["why_not"], df["rule"] = why, rule
    df["eligible"] = why == ""
    df["incumbent"] = aux_familiar.incumbent(df, inst)
    pa = inst.plan_auxiliaries
    pinned = pa.loc[pa["pinned"], "auxiliary_id"]
    df["pinned"] = pinned.reindex(vid).to_numpy(object) == df["auxiliary_id"].to_numpy(object)
    parts = aux_familiar.parts(df, inst, with_incumbent)
    for c in parts.columns:
        df[c] = parts[c].to_numpy()
    df["score"] = np.round(parts.sum(axis=1).to_numpy(float), 2)
    return df


def build_pairs(
    inst: Instance,
    village_ids: pd.Index | None = None,
    auxiliary_ids: pd.Index | None = None,
    period: int = 1,
    with_incumbent: bool = True,
) -> pd.DataFrame:
    """The pair table of a scope (default: the whole instance)."""
    v = inst.villages.index if village_ids is None else pd.Index(village_ids)
    a = inst.auxiliaries.index if auxiliary_ids is None else pd.Index(auxiliary_ids)
    return describe_pairs(inst, near_pairs(inst, v, a), period, with_incumbent)


def reasons(inst: Instance, pairs: pd.DataFrame, with_incumbent: bool = True) -> np.ndarray:
    """The rules each pair satisfies, ``;``-separated."""
    return aux_familiar.label(pairs, inst, with_incumbent)
