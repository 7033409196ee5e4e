"""OR-Library GAP instances as cunjing bundles (officers = agents, villages = jobs).

Each instance becomes a one-county bundle whose ``pairs.csv`` carries every agent–job pair:
``workload_days`` = the resource, ``score`` = minus the cost (the engine maximises). Every soft
rule is switched off in its ``policy.toml``, so the engine solves exactly the GAP:
minimise Σ cost subject to each job on one agent and each agent's capacity.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GAP_DIR = Path(__file__).resolve().parent / "gap"


@dataclass(frozen=True)
class GapInstance:
    name: str
    cost: np.ndarray  # agents x jobs
    resource: np.ndarray  # agents x jobs
    capacity: np.ndarray  # agents
    optimum: int  # of the minimisation
    status: str  # "optimal" or "best_known"


def read_gap_file(path: Path) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    nums = np.array(path.read_text().split(), dtype=np.int64)
    pos, out = 1, []
    for _ in range(int(nums[0])):
        m, n = int(nums[pos]), int(nums[pos + 1])
        pos += 2
        cost = nums[pos : pos + m * n].reshape(m, n)
        pos += m * n
        res = nums[pos : pos + m * n].reshape(m, n)
        pos += m * n
        cap = nums[pos : pos + m]
        pos += m
        out.append((cost, res, cap))
    return out


def instances(names: set[str] | None = None) -> list[GapInstance]:
    files: dict[str, list] = {}
    out = []
    with open(GAP_DIR / "optima.csv", newline="") as f:
        for row in csv.DictReader(f):
            if names and row["instance"] not in names and row["file"] not in names:
                continue
            probs = files.setdefault(row["file"], read_gap_file(GAP_DIR / row["file"]))
            cost, res, cap = probs[int(row["problem"]) - 1]
            out.append(
                GapInstance(
                    row["instance"], cost, res, cap, int(row["min_best_known"]), row["min_status"]
                )
            )
    return out


def write_bundle(inst: GapInstance, folder: Path) -> Path:
    """The instance as a bundle folder."""
    from cunjing.constraints.registry import RULES

    folder.mkdir(parents=True, exist_ok=True)
    m, n = inst.cost.shape
    (folder / "townships.csv").write_text(
        "township_id,name,county_id\nT1,GAP,C1\n", encoding="utf-8"
    )
    rows = "".join(f"J{j:03d},job {j},T1\n" for j in range(n))
    (folder / "villages.csv").write_text("village_id,name,township_id\n" + rows, encoding="utf-8")
    # resources and capacities in hundredths of a day (the model's own unit), so a capacity
    # of up to 3,100 fits the 31 days a month allows; the problem is exactly the same
    rows = "".join(
        f"A{i:02d},agent {i},organ,C1,T1,{inst.capacity[i] / 100:.2f}\n" for i in range(m)
    )
    (folder / "officers.csv").write_text(
        "officer_id,name,category,county_id,base_township_id,available_days\n" + rows,
        encoding="utf-8",
    )
    (folder / "auxiliaries.csv").write_text(
        "auxiliary_id,name,county_id,home_village_id\n", encoding="utf-8"
    )
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    lines = [
        f"A{a:02d},J{b:03d},{r / 100:.2f},{-c}\n"
        for a, b, r, c in zip(
            i.ravel(), j.ravel(), inst.resource.ravel(), inst.cost.ravel(), strict=True
        )
    ]
    (folder / "pairs.csv").write_text(
        "officer_id,village_id,workload_days,score\n" + "".join(lines), encoding="utf-8"
    )
    soft = [rid for rid, r in RULES.items() if r.kind == "soft"]
    (folder / "policy.toml").write_text(
        "".join(f"[rules.{rid}]\nenabled = false\n" for rid in soft), encoding="utf-8"
    )
    return folder
