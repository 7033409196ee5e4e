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
    """The instance as a bundle folder (``cunjing.data.hard_counties.write_gap_bundle``)."""
    from cunjing.data.hard_counties import write_gap_bundle

    return write_gap_bundle(folder, inst.cost, inst.resource, inst.capacity)
