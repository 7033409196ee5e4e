"""Test helpers: plan folders as ``cunjing plan`` writes them (officer_plan.csv, summary.json),
and instance variants."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def write_plan_folder(
    folder: Path, inst, bundle: Path | None, plan: pd.DataFrame | None = None
) -> Path:
    """A plan folder for ``plan`` (village_id, officer_id; default: the bundle's incumbent plan)
    made for ``bundle`` (None: the embedded sample)."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = inst.plan_officers if plan is None else plan
    v = plan["village_id"].astype(str)
    o = plan["officer_id"].fillna("").astype(str)
    vil, off = inst.villages, inst.officers
    pd.DataFrame(
        {
            "village_id": v.to_numpy(),
            "village_name": v.map(vil["name"]).to_numpy(),
            "township_id": v.map(vil["township_id"]).to_numpy(),
            "officer_id": o.to_numpy(),
            "officer_name": o.map(off["name"]).fillna("").to_numpy(),
            "category": o.map(off["category"]).fillna("").to_numpy(),
            "workload_days": 2.0,
            "score": 0.0,
            "reasons": "",
        }
    ).to_csv(folder / "officer_plan.csv", index=False, encoding="utf-8-sig")
    summary = {
        "status": "FEASIBLE",
        "input": None if bundle is None else str(Path(bundle).resolve()),
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def variant(inst, policy: str = "", **tables):
    """The instance with another policy.toml text and/or other optional tables (rows as dicts):
    cheaper than writing and loading a bundle for each case."""
    from dataclasses import replace

    from cunjing.optimizer.input.policy import parse_policy
    from cunjing.optimizer.input.schema import TABLES

    frames = {
        name: pd.DataFrame(
            [{c.name: r.get(c.name, "") for c in TABLES[name].columns} for r in rows],
            columns=[c.name for c in TABLES[name].columns],
        )
        for name, rows in tables.items()
    }
    return replace(inst, policy=parse_policy(policy) if policy else inst.policy, **frames)
