"""AUX-EXCHANGE (hard, the bureau's setting; design card): at most a share of all auxiliaries, and a count per township, move in one period.

The seed asks only that auxiliaries rotate (§二(二) 定期交流); how many may change in one period
is the bureau's own limit (the design card's), so the sheets present it as a bureau setting, not
as a clause.

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
count is a floor and a large township may exchange the share of its villages. For the same
reason the shares default to ``auto``: 1.2 / T (T = AUX-TENURE's periods), a fifth above the
1 / T a tenure of T periods needs in the long run; 0.4 for the default 3-year tenure, 0.6 for a
2-year one (a fixed 0.4 with a 2-year tenure is a contradiction the counting proof shows).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Param, Rule, Violation

RULE = Rule(
    id="AUX-EXCHANGE",
    clause=N_("bureau setting (design card); the seed says only 定期交流 (§二(二))"),
    kind="hard",
    subject="rotation",
    source="bureau",
    summary=N_("at most a share of all auxiliaries, and a count per township, move in one period"),
    statement=N_(
        "the bureau's exchange limits (not a clause of the seed): in one period at most "
        "{share} of a county's auxiliaries change village, and in one township at most "
        "{per_township} or {township_share} of its villages"
    ),
    params={
        "share": Param(
            "auto",
            "most villages, as a share of all auxiliaries, that change auxiliary in one period; "
            "auto: 1.2 / AUX-TENURE.periods (0.4 for 3 years)",
            minimum=0,
            maximum=1,
        ),
        "per_township": Param(
            8,
            "most villages of one township that change auxiliary in one period",
            minimum=0,
            maximum=10_000,
        ),
        "township_share": Param(
            "auto",
            "a township may instead change this share of its villages in one period, where "
            "that is more than per_township (large townships need it to meet AUX-TENURE); "
            "auto: as share",
            minimum=0,
            maximum=1,
        ),
        "spread": Param(
            1.0,
            "points per exchange in a county's or a township's busiest period: spreads the "
            "exchanges evenly (weighed after as few moves as possible and AUX-FAMILIAR)",
            minimum=0,
            maximum=1_000,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def shares(policy) -> tuple[float, float]:
    """(share, township_share) in force: ``auto`` is 1.2 / AUX-TENURE's periods (at most 1)."""
    p = policy.rule(RULE.id)
    auto = min(1.0, round(1.2 / int(policy.rule("AUX-TENURE")["periods"]), 4))
    share = auto if p["share"] == "auto" else float(p["share"])
    township = auto if p["township_share"] == "auto" else float(p["township_share"])
    return share, township


def values_in_force(policy) -> dict:
    """The rule's parameters with the shares ``auto`` stands for (for its statement)."""
    share, township = shares(policy)
    return {**policy.rule(RULE.id).params, "share": share, "township_share": township}


def county_caps(inst: Instance, periods: int) -> pd.DataFrame:
    """Per county and period: auxiliaries in service and the most exchanges allowed."""
    rec = inst.service
    share, _township = shares(inst.policy)
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
    by_share = np.ceil(shares(inst.policy)[1] * n.to_numpy(float) - 1e-9).astype(int)
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
    """A rotation's exchanges within the limits; an annual plan is the rotation's period 1
    (its changes from the incumbents are that period's exchanges)."""
    return check_rotation(inst, plan.rows)


def check_rotation(inst: Instance, rotation: pd.DataFrame) -> list[Violation]:
    """Exchanges per period within the county's share and each township's count; the
    ``moved`` column (when given) says truly whether the village changed auxiliary."""
    out: list[Violation] = []
    per_c, per_t = move_counts(inst, rotation)
    share = shares(inst.policy)[0]
    for row in per_c[per_c["exchanges"] > per_c["cap"]].itertuples():
        out.append(
            Violation(
                RULE.id,
                _(
                    "period {period}: {n} villages of county {county} change auxiliary, more "
                    "than {share:g} × {in_service} auxiliaries = {cap}"
                ).format(
                    period=row.period,
                    n=row.exchanges,
                    county=row.county_id,
                    share=share,
                    in_service=row.in_service,
                    cap=row.cap,
                ),
                (str(row.county_id),),
            )
        )
    for row in per_t[per_t["exchanges"] > per_t["limit"]].itertuples():
        name = inst.townships["name"].get(row.township_id, "")
        out.append(
            Violation(
                RULE.id,
                _(
                    "period {period}: {n} villages of township {township} {name} change "
                    "auxiliary, more than the {limit} allowed"
                ).format(
                    period=row.period,
                    n=row.exchanges,
                    township=row.township_id,
                    name=name,
                    limit=row.limit,
                ),
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
                    (
                        _(
                            "period {period}: village {village} is marked moved={said} but its "
                            "auxiliary changed"
                        )
                        if ch.at[i, "moved"]
                        else _(
                            "period {period}: village {village} is marked moved={said} but its "
                            "auxiliary did not change"
                        )
                    ).format(
                        period=ch.at[i, "period"], village=ch.at[i, "village_id"], said=said[i]
                    ),
                    (ch.at[i, "village_id"],),
                )
            )
    return out


def _as_bool(x) -> bool | None:
    if isinstance(x, bool | np.bool_):
        return bool(x)
    return None  # the readers give yes/no as booleans; anything else says nothing
