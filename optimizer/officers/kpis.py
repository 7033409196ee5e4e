"""What a planner reads off an officer plan: rule matches (of how many possible), wishes granted,
blocking pairs, loads. Computed from the plan and the pair table alone, so they judge any plan,
the engine's or a hand-made one, the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...constraints import off_life, off_pref
from ...constraints.registry import RULES
from ..input.instance import Instance
from .model import officers_in_scope
from .pairs import SOFT_RULES, build_pairs


def _max_matching(pairs: pd.DataFrame, capacity: pd.Series) -> int:
    """Most villages the given pairs can cover at once (officer capacity, one per village)."""
    if pairs.empty:
        return 0
    from ortools.graph.python import max_flow

    off = pd.Index(pairs["officer_id"].unique())
    vil = pd.Index(pairs["village_id"].unique())
    n_o, n_v = len(off), len(vil)
    src, snk = n_o + n_v, n_o + n_v + 1
    f = max_flow.SimpleMaxFlow()
    cap = capacity.reindex(off).fillna(0).to_numpy(np.int64)
    tails = np.concatenate(
        [np.full(n_o, src), off.get_indexer(pairs["officer_id"]), n_o + np.arange(n_v)]
    )
    heads = np.concatenate(
        [np.arange(n_o), n_o + vil.get_indexer(pairs["village_id"]), np.full(n_v, snk)]
    )
    caps = np.concatenate([cap, np.ones(len(pairs), np.int64), np.ones(n_v, np.int64)])
    f.add_arcs_with_capacity(tails, heads, caps)
    f.solve(src, snk)
    return int(f.optimal_flow())


def rule_matches(
    inst: Instance, chosen: pd.DataFrame, eligible: pd.DataFrame, capacity: pd.Series
) -> dict:
    """Per soft rule: pairs of the plan that meet it, and the most any plan could have (a max
    matching over the pairs that meet it, each officer up to his village limit).

    A plan judged under other settings than it was made with (a policy edited since, a plan
    edited by hand) may hold pairs the limits in force rule out: they count as possible too,
    with each officer's limit at least what the plan gives him, so "matched of possible" never
    shows more matched than possible; the hard rules' checks report what such a plan breaks."""
    out = {}
    for rid in SOFT_RULES:
        if RULES[rid].cost or not inst.policy.rule(rid).enabled:
            continue
        col = f"m:{rid}"
        mine = chosen.loc[chosen[col] > 0] if len(chosen) else chosen
        matched = len(mine)
        ok = eligible.loc[eligible[col] > 0, ["officer_id", "village_id"]]
        both = pd.concat([ok, mine[["officer_id", "village_id"]]]).drop_duplicates()
        held = mine.groupby("officer_id").size() if len(mine) else pd.Series(dtype=int)
        cap = pd.concat([capacity, held], axis=1).max(axis=1).fillna(0).astype(np.int64)
        possible = _max_matching(both, cap)
        out[rid] = {
            "matched": matched,
            "possible": possible,
            "points": round(float(chosen[f"p:{rid}"].sum()), 2) if len(chosen) else 0.0,
            "summary": RULES[rid].summary,
        }
    return out


def rank_profile(inst: Instance, chosen: pd.DataFrame) -> dict:
    """Officers with wishes, by the best rank they got: {"1": n, "2": n, …, "none": n}."""
    wishers = inst.officers.index[inst.officers["preferences"].map(len) > 0]
    wishers = wishers[inst.officers.loc[wishers, "status"] != "leaving"]
    if chosen.empty:
        return {"none": len(wishers)}
    rank, _ = off_pref.wishes(chosen, inst)
    got = pd.Series(np.where(rank > 0, rank, 10**6), index=chosen["officer_id"].to_numpy())
    best = got.groupby(level=0).min().reindex(wishers).fillna(10**6).astype(int)
    counts = best.value_counts().sort_index()
    profile = {str(r): int(n) for r, n in counts.items() if r < 10**6}
    profile["none"] = int(counts.get(10**6, 0))
    return profile


def blocking_pairs(
    inst: Instance, chosen: pd.DataFrame, eligible: pd.DataFrame, limit: int = 20
) -> dict:
    """Officer–village pairs that would both rather have each other than what they got.

    By preference: the officer wished for the village above every village he holds, and the
    village's score with him beats its score with its own officer. By fit score: the pair's score
    beats the village's current pair and the officer's worst pair (or he holds none).
    """
    if chosen.empty or eligible.empty:
        return {"by_preference": 0, "by_score": 0, "examples": []}
    cur_score = chosen.set_index("village_id")["score"]
    cur_officer = chosen.set_index("village_id")["officer_id"]
    e = eligible[eligible["officer_id"] != eligible["village_id"].map(cur_officer)]
    village_gain = e["score"].to_numpy() > e["village_id"].map(cur_score).fillna(-np.inf).to_numpy()
    rank_e, _ = off_pref.wishes(e, inst)
    rank_c, _ = off_pref.wishes(chosen, inst)
    held_best = (
        pd.Series(np.where(rank_c > 0, rank_c, 10**6), index=chosen["officer_id"].to_numpy())
        .groupby(level=0)
        .min()
    )
    held = e["officer_id"].map(held_best).fillna(10**6).to_numpy()
    by_pref = village_gain & (rank_e > 0) & (rank_e < held)
    worst = chosen.groupby("officer_id")["score"].min()
    officer_gain = e["score"].to_numpy() > e["officer_id"].map(worst).fillna(-np.inf).to_numpy()
    by_score = village_gain & officer_gain
    ex = e.loc[by_pref | by_score, ["officer_id", "village_id", "score"]].head(limit)
    examples = [
        {
            "officer_id": o,
            "village_id": v,
            "score": float(s),
            "current_officer": cur_officer.get(v, ""),
            "current_score": float(cur_score.get(v, np.nan)),
        }
        for o, v, s in ex.itertuples(index=False)
    ]
    return {
        "by_preference": int(by_pref.sum()),
        "by_score": int(by_score.sum()),
        "examples": examples,
    }


def county_part(
    inst: Instance, chosen: pd.DataFrame, eligible: pd.DataFrame, capacity: pd.Series
) -> dict:
    """The KPIs that need every eligible pair, for one county (counties own their officers, so
    these add up over counties): a county worker computes them beside its plan, from the pair
    table it already built, and the parent merges them (``merge_parts``)."""
    return {
        "rules": rule_matches(inst, chosen, eligible, capacity),
        "blocking_pairs": blocking_pairs(inst, chosen, eligible),
    }


def merge_parts(parts: list[dict], limit: int = 20) -> dict:
    """Counties' ``county_part`` results added up."""
    rules: dict[str, dict] = {}
    blocking = {"by_preference": 0, "by_score": 0, "examples": []}
    for part in parts:
        for rid, r in part["rules"].items():
            acc = rules.setdefault(
                rid, {"matched": 0, "possible": 0, "points": 0.0, "summary": r["summary"]}
            )
            acc["matched"] += r["matched"]
            acc["possible"] += r["possible"]
            acc["points"] = round(acc["points"] + r["points"], 2)
        b = part["blocking_pairs"]
        blocking["by_preference"] += b["by_preference"]
        blocking["by_score"] += b["by_score"]
        blocking["examples"] += b["examples"][: max(0, limit - len(blocking["examples"]))]
    return {"rules": rules, "blocking_pairs": blocking}


def loads(inst: Instance, chosen: pd.DataFrame, officers: pd.DataFrame) -> pd.DataFrame:
    """Each officer who may hold villages: villages, days used, days available."""
    g = chosen.groupby("officer_id").agg(
        villages=("village_id", "size"), days_used=("workload_days", "sum")
    )
    out = pd.DataFrame(index=officers.index)
    out["villages"] = g["villages"].reindex(out.index).fillna(0).astype(int)
    out["days_used"] = g["days_used"].reindex(out.index).fillna(0.0).round(2)
    out["available_days"] = officers["available_days"].astype(float)
    out["utilisation"] = np.where(
        out["available_days"] > 0, out["days_used"] / out["available_days"], 0.0
    )
    return out


def load_summary(load: pd.DataFrame) -> dict:
    held = load[load["villages"] > 0]

    def stats(s: pd.Series) -> dict:
        if s.empty:
            return {"min": 0, "median": 0, "max": 0}
        return {
            "min": round(float(s.min()), 2),
            "median": round(float(s.median()), 2),
            "max": round(float(s.max()), 2),
        }

    return {
        "officers_with_villages": len(held),
        "officers_without": int((load["villages"] == 0).sum()),
        "villages_per_officer": stats(held["villages"]),
        "days_used": stats(held["days_used"]),
        "utilisation": stats(held["utilisation"]),
        "villages_histogram": {
            str(k): int(v) for k, v in load["villages"].value_counts().sort_index().items()
        },
    }


def plan_score(inst: Instance, pairs: pd.DataFrame | None = None, plan=None) -> dict:
    """得分, the one score ``plan``, ``check`` and ``whatif`` print: the points of the plan's pairs
    (``pairs``: their rows of the pair table; else built from ``plan``'s village_id, officer_id)
    less the load-balance deduction of OFF-LIFE, county by county (what the officer model
    maximises)."""
    if pairs is None:
        chosen = plan.loc[plan["officer_id"] != "", ["officer_id", "village_id"]]
        pairs = build_pairs(inst, chosen)
    scope = officers_in_scope(inst)
    score = float(pairs["score"].sum())
    penalty = 0.0
    for county in inst.counties:
        in_county = scope[scope["county_id"] == county]
        n_v = int((inst.villages["county_id"] == county).sum())
        counts = pairs.loc[pairs["county_id"] == county].groupby("officer_id").size()
        penalty += off_life.balance_penalty(inst, counts, in_county, n_v)
    return {
        "objective": round(score - penalty, 2),
        "score": round(score, 2),
        "balance_penalty": round(penalty, 2),
    }
