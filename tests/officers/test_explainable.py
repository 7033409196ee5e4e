"""The pairs kept beside a plan for ``cunjing explain`` (``officers/explain.explainable``): each
village's own pair and its k best-scoring others, counted one village at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cunjing.optimizer.officers.explain import explainable


def by_hand(eligible: pd.DataFrame, plan: pd.DataFrame, k: int) -> list[tuple[str, str]]:
    own = {(v, o) for v, o in zip(plan["village_id"], plan["officer_id"], strict=True) if o}
    kept = set()
    for v, rows in eligible.groupby("village_id"):
        ranked = sorted(zip(-rows["score"], rows["officer_id"], strict=True))
        kept |= {(v, o) for _, o in ranked[:k]}
        kept |= {(v, o) for o in rows["officer_id"] if (v, o) in own}
    return sorted(kept)


@pytest.mark.parametrize("seed", range(6))
def test_keeps_each_villages_pair_and_its_best_others_in_id_order(seed):
    rng = np.random.default_rng(seed)
    officers = [f"A{i:02d}" for i in range(9)]
    villages = [f"V{j:02d}" for j in range(12)]
    pairs = [(o, v) for o in officers for v in villages if rng.random() < 0.7]
    eligible = pd.DataFrame(
        {
            "officer_id": [o for o, _ in pairs],
            "village_id": [v for _, v in pairs],
            # few distinct scores: ties are broken by the officer's id
            "score": rng.integers(0, 4, len(pairs)).astype(float),
        }
    ).sample(frac=1.0, random_state=seed)
    eligible.index = rng.permutation(len(eligible)) + 100
    holders = {
        v: (
            rng.choice(eligible.loc[eligible["village_id"] == v, "officer_id"].to_numpy())
            if rng.random() < 0.8 and (eligible["village_id"] == v).any()
            else ""
        )
        for v in villages
    }
    plan = pd.DataFrame({"village_id": villages, "officer_id": [holders[v] for v in villages]})
    k = int(rng.integers(1, 4))
    got = explainable(eligible, plan, k)
    assert list(zip(got["village_id"], got["officer_id"], strict=True)) == by_hand(
        eligible, plan, k
    )
    # the rows are the table's own (index and columns kept)
    pd.testing.assert_frame_equal(got, eligible.loc[got.index])


def test_an_empty_plan_keeps_the_best_pairs_only():
    eligible = pd.DataFrame(
        {"officer_id": ["A2", "A1", "A3"], "village_id": ["V1", "V1", "V1"], "score": [1.0] * 3}
    )
    plan = pd.DataFrame({"village_id": ["V1"], "officer_id": [""]})
    got = explainable(eligible, plan, 2)
    assert got["officer_id"].tolist() == ["A1", "A2"]
