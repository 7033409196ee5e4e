"""Hand-made and generated bundles for the auxiliary tests.

RING: county C1 with townships T1–T2–T3 in a row (T1 and T3 are not neighbours) and county C2
with T4, which borders T1 across the county line. Villages V1, V2 (T1), V3, V4 (T2), V5 (T3),
V6, V7 (T4); auxiliaries A1…A9 with homes spread so every rule can hold or break. The plan
starts 2027-01 (policy.toml), periods are years.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.instance import Instance

from conftest import write_bundle

RING = {
    "townships": [
        {"township_id": "T1", "name": "甲镇", "county_id": "C1", "lon": "117.00", "lat": "33.60"},
        {"township_id": "T2", "name": "乙镇", "county_id": "C1", "lon": "117.10", "lat": "33.60"},
        {"township_id": "T3", "name": "丙镇", "county_id": "C1", "lon": "117.20", "lat": "33.60"},
        {"township_id": "T4", "name": "丁镇", "county_id": "C2", "lon": "117.00", "lat": "33.70"},
    ],
    "villages": [
        {"village_id": v, "name": f"{v}村", "township_id": t, "lon": lon, "lat": "33.60"}
        for v, t, lon in (
            ("V1", "T1", "116.99"),
            ("V2", "T1", "117.01"),
            ("V3", "T2", "117.09"),
            ("V4", "T2", "117.11"),
            ("V5", "T3", "117.20"),
            ("V6", "T4", "117.00"),
            ("V7", "T4", "117.01"),
        )
    ],
    "officers": [
        {"officer_id": "100001", "name": "张伟", "category": "station", "county_id": "C1"},
    ],
    "auxiliaries": [
        {"auxiliary_id": a, "name": f"辅警{a}", "county_id": c, "home_village_id": h, **extra}
        for a, c, h, extra in (
            ("A1", "C1", "V1", {}),
            ("A2", "C1", "V3", {}),
            ("A3", "C1", "V5", {}),
            ("A4", "C2", "V7", {}),
            ("A5", "C1", "V2", {"status": "leaving"}),
            ("A6", "C1", "V4", {"hired": "2027-06"}),
            ("A7", "C1", "V2", {"recommended_village_ids": "V1"}),
            ("A8", "C1", "V4", {"leaves": "2028-07"}),
            ("A9", "C2", "V6", {}),
        )
    ],
    "township_neighbours": [
        {"township_id": "T1", "neighbour_id": "T2"},
        {"township_id": "T2", "neighbour_id": "T3"},
        {"township_id": "T1", "neighbour_id": "T4"},
    ],
    "aux_history": [
        # at the plan start (2027-01): A1 in V2 for 19 months, A2 in V4 for 43 months, A3 left
        # V3 in 2026-03, A7 left V3 long ago
        {"auxiliary_id": "A1", "village_id": "V2", "start": "2025-06", "end": ""},
        {"auxiliary_id": "A2", "village_id": "V4", "start": "2023-06", "end": ""},
        {"auxiliary_id": "A3", "village_id": "V3", "start": "2024-01", "end": "2026-03"},
        {"auxiliary_id": "A7", "village_id": "V3", "start": "2019-01", "end": "2021-12"},
    ],
    "plan_auxiliaries": [
        {"village_id": "V2", "auxiliary_id": "A1"},
        {"village_id": "V4", "auxiliary_id": "A2"},
    ],
}


def ring(tmp_path: Path, policy: str = "", name: str = "ring", **overrides) -> Instance:
    """RING as a loaded instance (tables replaced by ``overrides``; ``policy`` as policy.toml)."""
    folder = write_bundle(tmp_path / name, copy.deepcopy(RING), **overrides)
    text = '[plan]\nstart_month = "2027-01"\n' + policy
    (folder / "policy.toml").write_text(text, encoding="utf-8")
    return load_bundle(folder)


def plan(*pairs: tuple[str, str]):
    return pd.DataFrame(pairs, columns=["village_id", "auxiliary_id"])


def generated(tmp_path: Path, villages: int, seed: int, policy: str = "") -> Path:
    """A generated bundle (written once per test)."""
    from cunjing.data.generator import generate_bundle

    folder = tmp_path / f"gen{villages}-{seed}"
    generate_bundle(folder, villages=villages, seed=seed)
    if policy:
        (folder / "policy.toml").write_text(policy, encoding="utf-8")
    return folder


def short_bundle(tmp_path: Path, seed: int, share: float) -> Instance:
    """A generated bundle with a random share of auxiliaries leaving: shortages somewhere."""
    folder = generated(tmp_path, 60, seed=seed)
    aux = pd.read_csv(folder / "auxiliaries.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    aux.loc[rng.random(len(aux)) < share, "status"] = "leaving"
    aux.to_csv(folder / "auxiliaries.csv", index=False)
    return load_bundle(folder)
