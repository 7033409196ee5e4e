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


def _max_matching(officer: np.ndarray, village: np.ndarray, capacity: np.ndarray) -> int:
    """Most villages the pairs (``officer``, ``village``: codes) can cover at once, each officer
    up to ``capacity[officer]``, each village once."""
    if not len(officer):
        return 0
    from ortools.graph.python import max_flow

    n_o, n_v = len(capacity), int(village.max()) + 1
    src, snk = n_o + n_v, n_o + n_v + 1
    f = max_flow.SimpleMaxFlow()
    tails = np.concatenate([np.full(n_o, src), officer, n_o + np.arange(n_v)])
    heads = np.concatenate([np.arange(n_o), n_o + village, np.full(n_v, snk)])
    caps = np.concatenate(
        [capacity, np.ones(len(officer), np.int64), np.ones(n_v, np.int64)]
    ).astype(np.int64)
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
    rules = [rid for rid in SOFT_RULES if not RULES[rid].cost and inst.policy.rule(rid).enabled]
    if not rules:
        return {}
    # officers and villages as codes once, for every rule's matching (pandas per rule was most
    # of the KPIs' time)
    officers, (e_o, c_o) = _codes(eligible["officer_id"], chosen["officer_id"])
    villages, (e_v, c_v) = _codes(eligible["village_id"], chosen["village_id"])
    n_v = max(len(villages), 1)  # a pair as one number: officer * n_v + village
    base = capacity.reindex(officers).fillna(0).to_numpy().astype(np.int64)
    out = {}
    for rid in rules:
        col = f"m:{rid}"
        ok = eligible[col].to_numpy(float) > 0
        mine = chosen[col].to_numpy(float) > 0 if len(chosen) else np.zeros(0, bool)
        key = np.unique(np.concatenate([e_o[ok] * n_v + e_v[ok], c_o[mine] * n_v + c_v[mine]]))
        held = np.bincount(c_o[mine], minlength=len(officers))
        possible = _max_matching(key // n_v, key % n_v, np.maximum(base, held))
        out[rid] = {
            "matched": int(mine.sum()),
            "possible": possible,
            "points": round(float(chosen[f"p:{rid}"].sum()), 2) if len(chosen) else 0.0,
            "summary": RULES[rid].summary,
        }
    return out


def _codes(*columns: pd.Series) -> tuple[pd.Index, list[np.ndarray]]:
    """The distinct values of the columns, and each column as positions in them."""
    index = pd.Index(pd.unique(np.concatenate([c.to_numpy(object) for c in columns])))
    return index, [index.get_indexer(c.to_numpy(object)) for c in columns]


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
    # only a pair its village would gain by can block: the wishes of those alone (about 730 of
    # a generated county's 64,000 pairs)
    e = e[e["score"].to_numpy() > e["village_id"].map(cur_score).fillna(-np.inf).to_numpy()]
    rank_e, _ = off_pref.wishes(e, inst)
    rank_c, _ = off_pref.wishes(chosen, inst)
    held_best = (
        pd.Series(np.where(rank_c > 0, rank_c, 10**6), index=chosen["officer_id"].to_numpy())
        .groupby(level=0)
        .min()
    )
    held = e["officer_id"].map(held_best).fillna(10**6).to_numpy()
    by_pref = (rank_e > 0) & (rank_e < held)
    worst = chosen.groupby("officer_id")["score"].min()
    by_score = e["score"].to_numpy() > e["officer_id"].map(worst).fillna(-np.inf).to_numpy()
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


def plan_objective(
    inst: Instance, pairs: pd.DataFrame, scope: pd.DataFrame, counties: list[str] | None = None
) -> tuple[float, float]:
    """An officer plan's objective as the model counts it (of ``counties``, default all): the
    chosen pairs' scores (``build_pairs`` rows) and the load-balance penalty (OFF-LIFE) of each
    county's officers in ``scope``. The objective is the first less the second."""
    penalty = 0.0
    for county in inst.counties if counties is None else counties:
        in_county = scope[scope["county_id"] == county]
        n_v = int((inst.villages["county_id"] == county).sum())
        counts = pairs.loc[pairs["county_id"] == county].groupby("officer_id").size()
        penalty += off_life.balance_penalty(inst, counts, in_county, n_v)
    mine = pairs if counties is None else pairs[pairs["county_id"].isin(counties)]
    return float(mine["score"].sum()), penalty


def plan_score(inst: Instance, pairs: pd.DataFrame | None = None, plan=None) -> dict:
    """得分, the one score ``plan``, ``check`` and ``whatif`` print: the points of the plan's pairs
    (``pairs``: their rows of the pair table; else built from ``plan``'s village_id, officer_id)
    less the load-balance deduction of OFF-LIFE, county by county (what the officer model
    maximises)."""
    if pairs is None:
        chosen = plan.loc[plan["officer_id"] != "", ["officer_id", "village_id"]]
        pairs = build_pairs(inst, chosen)
    score, penalty = plan_objective(inst, pairs, officers_in_scope(inst))
    return {
        "objective": round(score - penalty, 2),
        "score": round(score, 2),
        "balance_penalty": round(penalty, 2),
    }
