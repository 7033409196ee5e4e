"""Why a village got its officer: the pair's points by rule, and the next officers with what
each would gain or lose (``cunjing explain``); the pairs a plan keeps for that."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..input.plan_files import read_candidates, read_plan_folder
from ..input.problems import BundleError
from ..solve.status import Status

EXPLAIN_NEXT = 3  # explain shows the next three officers of a village


def explainable(eligible: pd.DataFrame, plan: pd.DataFrame, k: int = EXPLAIN_NEXT + 1):
    """The pairs ``explain`` shows: per village its plan's pair and the k best-scoring others of
    all its eligible pairs (not only the final model's: the proof keeps just the pairs that
    could beat the plan, often none but the village's own)."""
    chosen = plan.loc[plan["officer_id"] != "", ["village_id", "officer_id"]]
    held = eligible[["village_id", "officer_id"]].merge(chosen, how="left", indicator=True)
    keep = held["_merge"].to_numpy() == "both"
    best = (
        eligible.assign(_row=np.arange(len(eligible)))
        .sort_values(["village_id", "score", "officer_id"], ascending=[True, False, True])
        .groupby("village_id", sort=False)
        .head(k)["_row"]
        .to_numpy()
    )
    keep[best] = True
    return eligible[keep].sort_values(["village_id", "officer_id"], kind="stable")


def explain_village(
    plan: pd.DataFrame, cand: pd.DataFrame, summary: dict, village: str
) -> list[str]:
    """Why a village got its officer: the pair's points by rule, and the next three officers
    with what each would gain or lose, and whether he has room."""
    row = plan[plan["village_id"] == village]
    if row.empty:
        raise BundleError.single("officer_plan.csv", f"village '{village}' is not in the plan")
    r = row.iloc[0]
    rules = [c[2:] for c in cand.columns if c.startswith("p:")]
    mine = cand[(cand["village_id"] == village) & (cand["officer_id"] == r["officer_id"])]
    held = (
        plan[plan["officer_id"] != ""]
        .groupby("officer_id")
        .agg(n=("village_id", "size"), days=("workload_days", "sum"))
    )
    lines = [f"village {village} {r['village_name']} ({r['township_name']})"]
    if not r["officer_id"]:
        lines.append("  has no officer in this plan; see summary.json diagnostics")
    else:
        lines.append(
            f"  officer {r['officer_id']} {r['officer_name']} ({r['category']}), score "
            f"{r['score']:.2f}, {r['workload_days']:.2f} days a month, {r['km']:.1f} km "
            f"from his base; reasons: {r['reasons'] or 'none beyond distance'}"
        )
        if len(mine):
            lines.append("  points by rule: " + _points(mine.iloc[0], rules))
    others = cand[(cand["village_id"] == village) & (cand["officer_id"] != r["officer_id"])]
    others = others.sort_values(["score", "officer_id"], ascending=[False, True]).head(EXPLAIN_NEXT)
    names = dict(zip(plan["officer_id"], plan["officer_name"], strict=True))
    if others.empty:
        lines.append("  no other officer was a candidate for this village")
    base = mine.iloc[0] if len(mine) else None
    for i, (_, o) in enumerate(others.iterrows(), start=1):
        diff = o["score"] - (base["score"] if base is not None else 0.0)
        n = int(held["n"].get(o["officer_id"], 0))
        d = float(held["days"].get(o["officer_id"], 0.0))
        changes = []
        for rid in rules:
            delta = o[f"p:{rid}"] - (base[f"p:{rid}"] if base is not None else 0.0)
            if abs(delta) >= 0.005:
                changes.append(f"{rid} {delta:+.2f}")
        who = names.get(o["officer_id"], "")
        lines.append(
            f"  {i}. officer {o['officer_id']} {who}: score {o['score']:.2f} "
            f"({diff:+.2f}: {', '.join(changes) or 'no rule differs'}); needs "
            f"{o['workload_days']:.2f} days; he holds {n} village(s), {d:.2f} days"
        )
    lines.append(
        f"  plan status {summary['status']}: no exchange of officers can raise the total score"
        if summary["status"] == Status.OPTIMAL
        else f"  plan status {summary['status']}"
    )
    return lines


def _points(row: pd.Series, rules: list[str]) -> str:
    parts = [f"{rid} {row[f'p:{rid}']:+.2f}" for rid in rules if abs(row[f"p:{rid}"]) >= 0.005]
    if abs(row.get("extra", 0.0)) >= 0.005:
        parts.append(f"pairs.csv {row['extra']:+.2f}")
    return ", ".join(parts) or "0"


def explain(folder, village: str) -> list[str]:
    """``explain_village`` for a plan folder that ``cunjing plan`` wrote."""
    plan = read_plan_folder(folder)
    if plan.officers is None:
        raise BundleError.single(str(folder), "not a plan folder (no officer_plan.csv)")
    return explain_village(plan.officers, read_candidates(folder), plan.summary, village)
