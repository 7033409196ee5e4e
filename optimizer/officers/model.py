"""The liaison-officer model of one county: a generalized assignment problem with side rules.

    maximise   Σ s_p x_p − M Σ u_v − b Σ e_o
    subject to Σ_{p∋v} x_p + u_v = 1                    every village        (OFF-COVER)
               Σ_{p∋o} w_p x_p ≤ D_o                    every officer, days  (OFF-LOAD)
               Σ_{p∋o} x_p ≤ K_o                        every officer, count (OFF-LOAD)
               Σ_{p∋o} x_p − e_o ≤ f_o                  fair share           (OFF-LIFE)
               x_p = 1 for pinned pairs
               x, u ∈ {0,1}, e ∈ ℤ≥0

over candidate pairs p = (officer o, village v) with score s_p (the soft rules' points), workload
w_p (visit days plus travel), D_o the officer's days, K_o his maximum, f_o his fair share by days,
b the points per village beyond it and M a penalty that makes covering a village worth more than
anything else, so a plan covers as many villages as it can. All numbers in hundredths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...constraints import off_cover, off_life, off_load
from ...constraints.base import SCALE
from ..input.instance import Instance
from ..solve.linear_model import LinearModel


@dataclass
class OfficerProblem:
    county: str
    officers: pd.DataFrame  # officers who may hold villages, in model order
    villages: pd.Index  # villages to cover, in model order
    pairs: pd.DataFrame  # candidate pairs (a subset of the eligible pair table)
    pair_officer: np.ndarray  # officer index of each pair
    pair_village: np.ndarray  # village index of each pair
    score: np.ndarray  # hundredths of points
    workload: np.ndarray  # hundredths of days
    days: np.ndarray  # hundredths of days, per officer
    max_villages: np.ndarray  # per officer, -1 = no limit (as given)
    limit: np.ndarray  # per officer: most villages he can hold (his maximum, and his days)
    share: np.ndarray  # fair share of villages, per officer
    extra_village_cost: int  # hundredths of points per village beyond the fair share
    uncovered_penalty: int
    pinned: np.ndarray  # bool per pair
    cover_all: bool  # every village must be covered (known feasible): no uncovered variables

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)


def officers_in_scope(inst: Instance) -> pd.DataFrame:
    off = inst.officers
    return off[(off["status"] != "leaving") & (off["available_days"] > 0)]


def implied_limits(
    officers: pd.DataFrame, eligible: pd.DataFrame, days: np.ndarray | None = None
) -> np.ndarray:
    """Most villages each officer can hold: his maximum, and the number of his cheapest eligible
    villages that fit his days. Valid for every plan; it tightens the LP a lot, because with 2-5
    villages an officer a fractional plan would otherwise squeeze in part of one more."""
    if days is None:
        days = np.round(officers["available_days"].to_numpy(float) * SCALE).astype(np.int64)
    mx = officers["max_villages"].astype("Float64").fillna(-1).to_numpy(float).astype(np.int64)
    po = officers.index.get_indexer(eligible["officer_id"])
    wl = np.round(eligible["workload_days"].to_numpy(float) * SCALE).astype(np.int64)
    ok = po >= 0
    if not ok.any():
        return np.zeros(len(officers), dtype=np.int64)
    order = np.lexsort((wl[ok], po[ok]))
    o_sorted, w_sorted = po[ok][order], wl[ok][order]
    start = np.searchsorted(o_sorted, np.arange(len(officers)))
    csum = np.cumsum(w_sorted)
    before = np.where(start > 0, csum[np.maximum(start - 1, 0)], 0)
    used = csum - before[o_sorted]
    fits = np.bincount(o_sorted[used <= days[o_sorted]], minlength=len(officers))
    return np.where(mx >= 0, np.minimum(mx, fits), fits).astype(np.int64)


def county_capacity(inst: Instance, county: str, eligible: pd.DataFrame) -> pd.Series:
    """``implied_limits`` of the county's officers who may hold villages, by officer id (sorted)."""
    officers = officers_in_scope(inst)
    officers = officers[officers["county_id"] == county].sort_index()
    return pd.Series(implied_limits(officers, eligible), index=officers.index)


def make_problem(
    inst: Instance,
    county: str,
    eligible: pd.DataFrame,
    candidates: np.ndarray,
    cover_all: bool = False,
    limits: np.ndarray | None = None,
    villages: pd.Index | None = None,
    held: tuple[np.ndarray, np.ndarray] | None = None,
) -> OfficerProblem:
    """The problem over the chosen candidate rows of a county's eligible pair table.

    ``villages`` (default: all of the county) are the villages to plan; ``held`` gives, per
    officer, the days (hundredths) and villages he keeps outside the model (a what-if re-plans a
    neighbourhood while the rest of the plan stays fixed and uses its officers' room).
    """
    officers = officers_in_scope(inst)
    officers = officers[officers["county_id"] == county].sort_index()
    in_county = inst.villages.index[inst.villages["county_id"] == county]
    villages = (in_county if villages is None else pd.Index(villages)).sort_values()
    pairs = eligible.iloc[np.sort(candidates)].reset_index(drop=True)
    po = officers.index.get_indexer(pairs["officer_id"])
    pv = villages.get_indexer(pairs["village_id"])
    score = np.round(pairs["score"].to_numpy(float) * SCALE).astype(np.int64)
    workload = np.round(pairs["workload_days"].to_numpy(float) * SCALE).astype(np.int64)
    days = np.round(officers["available_days"].to_numpy(float) * SCALE).astype(np.int64)
    mx = officers["max_villages"].astype("Float64").fillna(-1).to_numpy(float).astype(np.int64)
    share = off_life.fair_share(inst, officers, len(in_county))
    if held is not None:
        days = days - held[0]
        share = share - held[1]
        if limits is None:
            # what is left of his maximum, and of his days for the cheapest of these villages
            mx_left = np.where(mx >= 0, np.maximum(mx - held[1], 0), -1)
            limits = implied_limits(officers.assign(max_villages=mx_left), eligible, days)
    if limits is None:
        limits = implied_limits(officers, eligible)
    life = inst.policy.rule("OFF-LIFE")
    extra = round(inst.policy.weight("OFF-LIFE") * life["per_extra_village"] * SCALE)
    # Covering one more village must beat any score the freed capacity could buy elsewhere:
    # the spread of scores over all pairs, plus the balance cost, bounds that gain.
    spread = int(np.abs(score).max(initial=0)) * 2 + extra + 1
    penalty = spread * (len(villages) + 1)
    return OfficerProblem(
        county=county,
        officers=officers,
        villages=villages,
        pairs=pairs,
        pair_officer=po,
        pair_village=pv,
        score=score,
        workload=workload,
        days=days,
        max_villages=mx,
        limit=limits,
        share=share,
        extra_village_cost=extra,
        uncovered_penalty=penalty,
        pinned=pairs["pinned"].to_numpy(bool),
        cover_all=cover_all,
    )


def build_model(problem: OfficerProblem) -> LinearModel:
    """The integer model: pair variables first, then each rule's own variables and rows."""
    m = LinearModel()
    m.add_vars("x", 0, 1, problem.score)
    off_cover.add_to_model(m, problem)
    off_load.add_to_model(m, problem)
    off_life.add_to_model(m, problem)
    for i in np.flatnonzero(problem.pinned):
        m.fixed[int(i)] = 1
    return m


def completion(problem: OfficerProblem, model: LinearModel, chosen: np.ndarray) -> np.ndarray:
    """The full variable vector for a set of chosen pairs (uncovered and excess filled in)."""
    x = np.zeros(model.n_vars, dtype=np.int64)
    x[chosen] = 1
    covered = np.bincount(problem.pair_village[chosen], minlength=len(problem.villages))
    if "uncovered" in model.var_groups:
        x[model.var_groups["uncovered"]] = (covered == 0).astype(np.int64)
    if "extra" in model.var_groups:
        e = model.var_groups["extra"]
        count = np.bincount(problem.pair_officer[chosen], minlength=len(problem.officers))
        x[e] = np.maximum(count - problem.share, 0)
    return x
