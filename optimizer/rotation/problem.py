"""The rotation of one county's resident auxiliaries over P periods, as *stints*.

A stint is one auxiliary in one village for a run of consecutive periods ``first..last``. A
rotation is a set of stints: every village-period covered by one (AUX-COVER), no auxiliary in
two at once (AUX-FULLTIME). Working with stints instead of per-period assignments is what makes
the model both exact and strong:

- AUX-TENURE's limit is a property of a single stint (its length, plus the periods completed
  in an open posting for the stint that goes on from the plan start), so only stints within the
  limit are generated; no rows at all.
- A stint's start is a change of auxiliary (a move) and its end is an exchange when its
  auxiliary stays in service: moves and AUX-EXCHANGE's counts are sums of stint variables.
  Per-period assignment variables need "stayed" products whose LP relaxation is void (half of
  each of two auxiliaries every period never moves anyone); over stints the relaxation of one
  village is an interval cover, which is integral.
- Returns to a village (AUX-TENURE ``no_return_periods``) and the rule that two stints of one
  auxiliary in one village are not back to back (else they would be one stint over the limit)
  are rows over the few stints of one pair, added only where two such stints exist.

Stints are generated for every pair that AUX-TOWNSHIP and AUX-NOT-HOME allow, every first period
and every length within the limit, while the auxiliary is in service (hires and leavers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...constraints import aux_exchange, aux_not_home, aux_tenure, aux_township
from ...constraints.base import SCALE
from ..auxiliaries.pairs import build_pairs
from ..input.instance import Instance
from ..input.service import ServiceRecord


@dataclass
class RotationProblem:
    county: str
    periods: int
    villages: pd.Index
    auxiliaries: pd.Index  # every auxiliary of the county (leaving ones never in service)
    townships: pd.Index
    village_township: np.ndarray  # township index per village
    in_service: np.ndarray  # (auxiliaries, periods + 2) bool; column p = period p
    incumbent: np.ndarray  # auxiliary index per village at the plan start, -1 none
    pairs: pd.DataFrame  # pairs AUX-TOWNSHIP and AUX-NOT-HOME allow (with points)
    pair_aux: np.ndarray
    pair_village: np.ndarray
    pair_points: np.ndarray  # hundredths per period served
    # the stint pool
    s_pair: np.ndarray
    s_first: np.ndarray
    s_last: np.ndarray
    s_new: np.ndarray  # the stint starts with a change of auxiliary
    s_goes_on: np.ndarray  # the incumbent going on from the plan start
    s_exchange: np.ndarray  # period whose exchange count its end adds to (0: none)
    s_score: np.ndarray  # hundredths
    # limits
    tenure: int
    gap: int  # periods between two stints of one pair: max(no_return_periods, 1)
    cap: np.ndarray  # per period (index 1..P), most exchanges in the county
    per_township: np.ndarray  # most exchanges per period, per township
    spread_weight: int  # hundredths per exchange in the busiest period
    incumbent_exchange: np.ndarray  # bool per village: its incumbent is in service in period 1
    record: ServiceRecord
    exchange_on: bool

    s_aux: np.ndarray = None  # auxiliary index per stint (filled in by __post_init__)
    s_village: np.ndarray = None  # village index per stint

    def __post_init__(self) -> None:
        self.s_aux = self.pair_aux[self.s_pair]
        self.s_village = self.pair_village[self.s_pair]

    @property
    def n_stints(self) -> int:
        return len(self.s_pair)


def make_rotation_problem(
    inst: Instance, county: str, periods: int, start: pd.Series | None = None
) -> RotationProblem:
    """The stint pool of ``county`` over ``periods`` periods. ``start`` (auxiliary id per
    village id, "" for none): period 1 is that placement, pinned (the annual plan); the stints
    covering period 1 are then its pairs' only."""
    rec = inst.service
    villages = inst.villages.index[inst.villages["county_id"] == county].sort_values()
    auxiliaries = inst.auxiliaries.index[inst.auxiliaries["county_id"] == county].sort_values()
    townships = pd.Index(sorted(inst.villages.loc[villages, "township_id"].unique()))
    tenure_on = inst.policy.rule("AUX-TENURE").enabled
    t_lim, r_lim, _ = aux_tenure.limits(inst)
    if not tenure_on:
        t_lim, r_lim = periods, 0
    serve = np.zeros((len(auxiliaries), periods + 2), dtype=bool)
    for p in range(1, periods + 1):
        serve[:, p] = rec.in_service(auxiliaries, p)
    inc = rec.incumbent.reindex(villages)
    incumbent = auxiliaries.get_indexer(inc.fillna("").to_numpy(object))

    # pairs: the period-independent rules (AUX-TOWNSHIP, AUX-NOT-HOME), asked themselves (the
    # table's "rule" names one failing rule only: AUX-COVER would hide the home village of an
    # auxiliary hired after period 1); AUX-FAMILIAR points without the incumbent bonus (a
    # rotation counts moves first)
    table = build_pairs(inst, villages, auxiliaries, with_incumbent=False)
    static = (aux_not_home.why_not(table, inst) == "") & (aux_township.why_not(table, inst) == "")
    pairs = table[static].reset_index(drop=True)
    pa = auxiliaries.get_indexer(pairs["auxiliary_id"])
    pv = villages.get_indexer(pairs["village_id"])
    pts = np.round(pairs["score"].to_numpy(float) * SCALE).astype(np.int64)
    keep = serve[pa, 1 : periods + 1].any(axis=1)
    pairs, pa, pv, pts = pairs[keep].reset_index(drop=True), pa[keep], pv[keep], pts[keep]

    open_m = rec.pair_open_months(
        pairs["auxiliary_id"].to_numpy(object), pairs["village_id"].to_numpy(object)
    )
    last_end = rec.pair_last_end(
        pairs["auxiliary_id"].to_numpy(object), pairs["village_id"].to_numpy(object)
    )
    is_inc = incumbent[pv] == pa
    goes_on = (open_m >= 0) | is_inc  # a stint from period 1 continues the current posting
    left = aux_tenure.periods_left(inst, open_m) if tenure_on else np.full(len(pairs), periods)
    # the last month before the plan the auxiliary served the village, for returns
    before = np.where(open_m >= 0, rec.start - 1, last_end)
    back = aux_tenure.first_return_month(inst, before) if tenure_on else before + 1

    cols = {k: [] for k in ("pair", "first", "last", "new", "goes_on")}
    idx = np.arange(len(pairs))
    for first in range(1, periods + 1):
        starts_month = rec.period_first_month(first)
        if first == 1:
            limit = np.where(goes_on, left, t_lim)
            ok_start = goes_on | (back <= starts_month)
        else:
            limit = np.full(len(pairs), t_lim)
            ok_start = back <= starts_month
        run = np.ones(len(pairs), dtype=bool)
        for last in range(first, min(periods, first + t_lim - 1) + 1):
            run &= serve[pa, last]
            ok = ok_start & run & (last - first + 1 <= limit)
            sel = idx[ok]
            cols["pair"].append(sel)
            cols["first"].append(np.full(len(sel), first))
            cols["last"].append(np.full(len(sel), last))
            cont = goes_on[sel] & (first == 1)
            cols["goes_on"].append(cont & is_inc[sel])
            cols["new"].append(~(cont & is_inc[sel]))
    s_pair = np.concatenate(cols["pair"]).astype(np.int64)
    s_first = np.concatenate(cols["first"]).astype(np.int64)
    s_last = np.concatenate(cols["last"]).astype(np.int64)
    s_new = np.concatenate(cols["new"]).astype(bool)
    s_goes_on = np.concatenate(cols["goes_on"]).astype(bool)
    if start is not None:
        first_of = pinned_auxiliary(start, villages, auxiliaries)
        keep = (s_first > 1) | (first_of[pv[s_pair]] == pa[s_pair])
        s_pair, s_first, s_last, s_new, s_goes_on = (
            a[keep] for a in (s_pair, s_first, s_last, s_new, s_goes_on)
        )
    order = np.lexsort((s_last, s_first, s_pair))
    s_pair, s_first, s_last, s_new, s_goes_on = (
        a[order] for a in (s_pair, s_first, s_last, s_new, s_goes_on)
    )
    nxt = s_last + 1
    s_exchange = np.where(
        (s_last < periods) & serve[pa[s_pair], np.minimum(nxt, periods + 1)], nxt, 0
    )
    s_score = pts[s_pair] * (s_last - s_first + 1)

    exch = inst.policy.rule("AUX-EXCHANGE")
    exchange_on = exch.enabled
    caps = aux_exchange.county_caps(inst, periods)
    caps = caps[caps["county_id"] == county].set_index("period")["cap"]
    cap = np.zeros(periods + 1, dtype=np.int64)
    cap[1:] = caps.reindex(range(1, periods + 1)).fillna(0).to_numpy(np.int64)
    if not exchange_on:
        cap[1:] = len(villages)
    inc_ok = np.zeros(len(villages), dtype=bool)
    has = incumbent >= 0
    inc_ok[has] = serve[incumbent[has], 1]
    return RotationProblem(
        county=county,
        periods=periods,
        villages=villages,
        auxiliaries=auxiliaries,
        townships=townships,
        village_township=townships.get_indexer(inst.villages.loc[villages, "township_id"]),
        in_service=serve,
        incumbent=incumbent,
        pairs=pairs,
        pair_aux=pa,
        pair_village=pv,
        pair_points=pts,
        s_pair=s_pair,
        s_first=s_first,
        s_last=s_last,
        s_new=s_new,
        s_goes_on=s_goes_on,
        s_exchange=s_exchange,
        s_score=s_score,
        tenure=t_lim,
        gap=max(r_lim, 1),
        cap=cap,
        per_township=(
            aux_exchange.township_limits(inst).reindex(townships).to_numpy(np.int64)
            if exchange_on
            else np.full(len(townships), len(villages), dtype=np.int64)
        ),
        spread_weight=round(float(exch["spread"]) * SCALE) if exchange_on else 0,
        incumbent_exchange=inc_ok,
        record=rec,
        exchange_on=exchange_on,
    )


def pinned_auxiliary(start: pd.Series, villages: pd.Index, auxiliaries: pd.Index) -> np.ndarray:
    """Per village of the county: the index of its auxiliary in ``start`` (-1: none)."""
    ids = start.reindex(villages).fillna("").astype(str).to_numpy(object)
    return auxiliaries.get_indexer(ids)
