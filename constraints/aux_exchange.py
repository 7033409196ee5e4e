"""AUX-EXCHANGE (hard, §二(二) 定期交流; design card): at most a share of all auxiliaries, and a count per township, move in one period.

A village *changes* in period ``p`` when its auxiliary differs from the one of period ``p - 1``
(period 0: the auxiliary at the plan start). A change counts as an exchange (交流) when the
previous auxiliary is still in service in ``p``: filling a village whose auxiliary left the
service (or that had none) strips nobody of a familiar face, and no plan could avoid it. The
limits hold per county (counties own their auxiliaries): at most ``floor(share × auxiliaries in
service in the period)`` exchanges, and in any one township at most ``per_township`` or, where
that is more, ``ceil(township_share × its villages)``.

Why a share per township too: with a tenure of T periods every village changes auxiliary at
least once every T periods, so a township of n villages needs n / T exchanges a period in the
long run. A fixed count of 8 contradicts a 3-period tenure in every township of more than 24
villages (the sample's 杨庄镇 has 28, generated cities have townships of 40 and more), so the
count is a floor and a large township may exchange the share of its villages.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .base import Assignment, Param, Rule, Violation

RULE = Rule(
    id="AUX-EXCHANGE",
    clause="§二(二) 定期交流; design card",
    kind="hard",
    subject="rotation",
    summary="at most a share of all auxiliaries, and a count per township, move in one period",
    summary_zh="每期交流人数不超过辅警总数的一定比例，每个乡镇不超过一定人数",
    params={
        "share": Param(
            0.4,
            "most villages, as a share of all auxiliaries, that change auxiliary in one period",
            minimum=0,
            maximum=1,
        ),
        "per_township": Param(
            8, "most villages of one township that change auxiliary in one period", minimum=0
        ),
        "township_share": Param(
            0.4,
            "a township may instead change this share of its villages in one period, where "
            "that is more than per_township (large townships need it to meet AUX-TENURE)",
            minimum=0,
            maximum=1,
        ),
        "spread": Param(
            1.0,
            "points per exchange in a county's or a township's busiest period: spreads the "
            "exchanges evenly (weighed after as few moves as possible and AUX-FAMILIAR)",
            minimum=0,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def county_caps(inst: Instance, periods: int) -> pd.DataFrame:
    """Per county and period: auxiliaries in service and the most exchanges allowed."""
    rec = inst.service
    share = float(inst.policy.rule(RULE.id)["share"])
    rows = []
    aux = inst.auxiliaries
    for p in range(1, periods + 1):
        ok = rec.in_service(aux.index, p)
        for c in inst.counties:
            n = int((ok & (aux["county_id"] == c).to_numpy()).sum())
            # floor, with a hair of slack so 0.4 × 440 is 176 and not 175
            rows.append(
                {"county_id": c, "period": p, "in_service": n, "cap": math.floor(share * n + 1e-9)}
            )
    return pd.DataFrame(rows, columns=["county_id", "period", "in_service", "cap"])


def township_limits(inst: Instance) -> pd.Series:
    """Per township: the most exchanges allowed in one period."""
    p = inst.policy.rule(RULE.id)
    n = inst.villages.groupby("township_id").size().reindex(inst.townships.index).fillna(0)
    by_share = np.ceil(float(p["township_share"]) * n.to_numpy(float) - 1e-9).astype(int)
    return pd.Series(np.maximum(int(p["per_township"]), by_share), index=n.index)


def changes(inst: Instance, rotation: pd.DataFrame) -> pd.DataFrame:
    """One row per village and period: previous and current auxiliary, ``moved`` (changed) and
    ``exchange`` (changed while the previous one is still in service)."""
    rec = inst.service
    r = rotation[["period", "village_id", "auxiliary_id"]].copy()
    r["auxiliary_id"] = r["auxiliary_id"].fillna("").astype(str)
    r = r.sort_values(["village_id", "period"], kind="stable").reset_index(drop=True)
    v = r["village_id"].to_numpy(object)
    p = r["period"].to_numpy(np.int64)
    cur = r["auxiliary_id"].to_numpy(object)
    prev = np.empty(len(r), dtype=object)
    prev[1:] = cur[:-1]
    follows = np.zeros(len(r), dtype=bool)
    follows[1:] = (v[1:] == v[:-1]) & (p[1:] == p[:-1] + 1)
    inc = rec.incumbent.reindex(v).fillna("").to_numpy(object)
    prev = np.where(follows, prev, np.where(p == 1, inc, ""))
    prev = np.array(["" if x is None else x for x in prev], dtype=object)
    moved = cur != prev
    still = np.zeros(len(r), dtype=bool)
    for q in np.unique(p):
        sel = p == q
        still[sel] = rec.in_service(prev[sel], int(q))
    r["previous_id"] = prev
    r["moved"] = moved
    r["exchange"] = moved & (prev != "") & still
    r["township_id"] = inst.villages["township_id"].reindex(v).to_numpy(object)
    r["county_id"] = inst.villages["county_id"].reindex(v).to_numpy(object)
    return r


def move_counts(inst: Instance, rotation: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exchanges per county and period against the cap, and per township and period against
    its limit (:func:`township_limits`)."""
    ch = changes(inst, rotation)
    periods = int(ch["period"].max()) if len(ch) else 0
    caps = county_caps(inst, periods)
    per_c = (
        ch.groupby(["county_id", "period"])
        .agg(moved=("moved", "sum"), exchanges=("exchange", "sum"))
        .reset_index()
    )
    per_c = caps.merge(per_c, on=["county_id", "period"], how="left").fillna(
        {"moved": 0, "exchanges": 0}
    )
    per_c[["moved", "exchanges"]] = per_c[["moved", "exchanges"]].astype(int)
    per_t = (
        ch.groupby(["township_id", "period"])
        .agg(moved=("moved", "sum"), exchanges=("exchange", "sum"))
        .reset_index()
    )
    per_t["limit"] = (
        township_limits(inst).reindex(per_t["township_id"]).fillna(0).astype(int).to_numpy()
    )
    return per_c, per_t


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """A rotation's exchanges within the limits (an annual plan is one period: no exchange)."""
    return check_rotation(inst, plan.rows) if plan.rotation else []


def check_rotation(inst: Instance, rotation: pd.DataFrame) -> list[Violation]:
    """Exchanges per period within the county's share and each township's count; the
    ``moved`` column (when given) says truly whether the village changed auxiliary."""
    out: list[Violation] = []
    per_c, per_t = move_counts(inst, rotation)
    share = inst.policy.rule(RULE.id)["share"]
    for row in per_c[per_c["exchanges"] > per_c["cap"]].itertuples():
        out.append(
            Violation(
                RULE.id,
                f"period {row.period}: {row.exchanges} villages of county {row.county_id} "
                f"change auxiliary, more than {share:g} × {row.in_service} auxiliaries = "
                f"{row.cap}",
                (str(row.county_id),),
            )
        )
    for row in per_t[per_t["exchanges"] > per_t["limit"]].itertuples():
        name = inst.townships["name"].get(row.township_id, "")
        out.append(
            Violation(
                RULE.id,
                f"period {row.period}: {row.exchanges} villages of township {row.township_id} "
                f"{name} change auxiliary, more than the {row.limit} allowed",
                (str(row.township_id),),
            )
        )
    if "moved" in rotation.columns:
        ch = changes(inst, rotation)
        given = rotation.set_index(["village_id", "period"])["moved"]
        given = given.reindex(pd.MultiIndex.from_arrays([ch["village_id"], ch["period"]]))
        said = given.map(_as_bool).to_numpy(object)
        wrong = np.flatnonzero((said != None) & (said != ch["moved"].to_numpy()))  # noqa: E711
        for i in wrong[:20]:
            out.append(
                Violation(
                    RULE.id,
                    f"period {ch.at[i, 'period']}: village {ch.at[i, 'village_id']} is marked "
                    f"moved={said[i]} but its auxiliary "
                    + ("changed" if ch.at[i, "moved"] else "did not change"),
                    (ch.at[i, "village_id"],),
                )
            )
    return out


def _as_bool(x) -> bool | None:
    if isinstance(x, bool | np.bool_):
        return bool(x)
    return None  # the readers give yes/no as booleans; anything else says nothing
