"""Test helper: the plan-folder parts other commands write (auxiliary_plan.csv from
``cunjing plan``, diff.csv from ``cunjing whatif``, rotation.csv from ``cunjing rotate``), made
from a bundle's current postings (plan_auxiliaries.csv) and a hand-made change, in the
contract's columns, so the reports can be tested before those commands exist."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cunjing.optimizer.input.instance import Instance
from cunjing.optimizer.output.files import write_csv


def auxiliary_plan(inst: Instance) -> pd.DataFrame:
    """auxiliary_plan.csv with the bundle's current posting of each village."""
    posted = inst.plan_auxiliaries["auxiliary_id"]
    vil = inst.villages
    aux = inst.auxiliaries.reindex(posted.reindex(vil.index).fillna("").to_numpy())
    home_tw = aux["home_township_id"].fillna("").to_numpy()
    same = home_tw == vil["township_id"].to_numpy()
    relation = [
        "same_township" if s else "neighbour_township" if h else ""
        for s, h in zip(same, home_tw, strict=True)
    ]
    return pd.DataFrame(
        {
            "village_id": vil.index.to_numpy(),
            "village_name": vil["name"].to_numpy(),
            "township_id": vil["township_id"].to_numpy(),
            "auxiliary_id": posted.reindex(vil.index).fillna("").to_numpy(),
            "auxiliary_name": aux["name"].fillna("").to_numpy(),
            "home_village_id": aux["home_village_id"].fillna("").to_numpy(),
            "relation": relation,
            "score": [10.0 if s else 5.0 for s in same],
            "reasons": [
                "AUX-FAMILIAR:same_township;AUX-FAMILIAR:incumbent"
                if s
                else "AUX-FAMILIAR:incumbent"
                for s in same
            ],
        }
    )


def diff_table(plan: pd.DataFrame, inst: Instance, n: int = 3) -> pd.DataFrame:
    """diff.csv: the first ``n`` villages' officer swapped with the next village's officer."""
    rows = []
    for i in range(n):
        a, b = plan.iloc[2 * i], plan.iloc[2 * i + 1]
        rows.append(
            {
                "village_id": a["village_id"],
                "role": "officer",
                "before": b["officer_id"],
                "after": a["officer_id"],
                "reason": "OFF-CONTINUITY",
            }
        )
    return pd.DataFrame(rows)


def rotation_table(aux: pd.DataFrame, periods: int = 3) -> pd.DataFrame:
    """rotation.csv: each period, villages of every other township swap auxiliaries pairwise."""
    frames = []
    current = aux[["village_id", "township_id", "auxiliary_id"]].copy()
    townships = sorted(current["township_id"].unique())
    for p in range(1, periods + 1):
        moved = pd.Series(False, index=current.index)
        if p > 1:
            for t in townships[(p % 2) :: 2]:
                idx = current.index[current["township_id"] == t]
                for i, j in zip(idx[0::2], idx[1::2], strict=False):
                    ai, aj = current.at[i, "auxiliary_id"], current.at[j, "auxiliary_id"]
                    current.at[i, "auxiliary_id"], current.at[j, "auxiliary_id"] = aj, ai
                    moved[i] = moved[j] = True
        frames.append(
            pd.DataFrame(
                {
                    "period": p,
                    "village_id": current["village_id"],
                    "auxiliary_id": current["auxiliary_id"],
                    "moved": moved.to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def add_parts(folder: Path, inst: Instance, diff: bool = False, rotation: bool = False) -> None:
    """Write auxiliary_plan.csv (and diff.csv, rotation.csv) into a plan folder."""
    aux = auxiliary_plan(inst)
    write_csv(aux, folder / "auxiliary_plan.csv")
    if diff:
        plan = pd.read_csv(folder / "officer_plan.csv", dtype=str, keep_default_na=False)
        write_csv(diff_table(plan, inst), folder / "diff.csv")
    if rotation:
        write_csv(rotation_table(aux), folder / "rotation.csv")
