"""The plan's KPIs (``officers/kpis.py``) against their definitions, counted one pair at a time
on tiny bundles, for plans the engine would make and for plans edited by hand (pairs the rules
rule out, officers over their limits)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from cunjing.constraints import off_pref
from cunjing.constraints.registry import RULES
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.kpis import blocking_pairs, rule_matches
from cunjing.optimizer.officers.model import county_capacity
from cunjing.optimizer.officers.pairs import SOFT_RULES, build_pairs

from conftest import TINY, write_bundle


def tiny(rng, folder):
    data = copy.deepcopy(TINY)
    for o in data["officers"]:
        o["available_days"] = str(rng.choice([2.5, 4.5, 7, 9]))
        o["max_villages"] = str(rng.choice(["", "1", "2", "3"]))
        places = ["V1", "V2", "V3", "V4", "V5", "V6", "T1", "T2"]
        o["preferences"] = ";".join(rng.choice(places, size=rng.integers(0, 4), replace=False))
    return load_bundle(write_bundle(folder, data))


def hand_plan(rng, table: pd.DataFrame) -> pd.DataFrame:
    """Each village to a random officer (any pair, eligible or not) or to none."""
    rows = []
    for _v, options in table.groupby("village_id"):
        pick = rng.integers(-1, len(options))
        if pick >= 0:
            rows.append(options.iloc[pick])
    return pd.DataFrame(rows).reset_index(drop=True) if rows else table.iloc[:0]


def most_covered(pairs: set[tuple[str, str]], cap: dict[str, int]) -> int:
    """The most villages ``pairs`` cover at once, officer o at most cap[o] times: every
    choice tried."""
    villages = sorted({v for _o, v in pairs})
    best = 0

    def go(i: int, used: dict[str, int], got: int) -> None:
        nonlocal best
        best = max(best, got)
        if i == len(villages) or got + len(villages) - i <= best:
            return
        for o in sorted({o for o, v in pairs if v == villages[i]}):
            if used.get(o, 0) < cap.get(o, 0):
                used[o] = used.get(o, 0) + 1
                go(i + 1, used, got + 1)
                used[o] -= 1
        go(i + 1, used, got)

    go(0, {}, 0)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_rule_matches_count_matched_and_possible_pairs(tmp_path, seed):
    rng = np.random.default_rng(seed)
    inst = tiny(rng, tmp_path / "b")
    table = build_pairs(inst)
    eligible = table[table["eligible"]].reset_index(drop=True)
    capacity = county_capacity(inst, "C1", eligible)
    chosen = hand_plan(rng, table)
    got = rule_matches(inst, chosen, eligible, capacity)
    rules = [r for r in SOFT_RULES if not RULES[r].cost and inst.policy.rule(r).enabled]
    assert sorted(got) == sorted(rules) and rules
    for rid in rules:
        col = f"m:{rid}"
        mine = chosen[chosen[col] > 0] if len(chosen) else chosen
        meets = {
            (o, v)
            for o, v, m in eligible[["officer_id", "village_id", col]].itertuples(index=False)
            if m > 0
        }
        meets |= set(zip(mine["officer_id"], mine["village_id"], strict=True))
        held = mine["officer_id"].value_counts().to_dict() if len(mine) else {}
        cap = {o: max(int(capacity.get(o, 0)), held.get(o, 0)) for o in {o for o, _v in meets}}
        assert got[rid]["matched"] == len(mine)
        assert got[rid]["possible"] == most_covered(meets, cap), rid
        assert got[rid]["matched"] <= got[rid]["possible"]
        points = round(float(chosen[f"p:{rid}"].sum()), 2) if len(chosen) else 0.0
        assert got[rid]["points"] == points


@pytest.mark.parametrize("seed", range(6))
def test_blocking_pairs_are_the_pairs_that_would_rather_have_each_other(tmp_path, seed):
    rng = np.random.default_rng(100 + seed)
    inst = tiny(rng, tmp_path / "b")
    table = build_pairs(inst)
    eligible = table[table["eligible"]].reset_index(drop=True)
    chosen = hand_plan(rng, eligible)
    if chosen.empty:
        assert blocking_pairs(inst, chosen, eligible)["by_score"] == 0
        return
    rank = dict(
        zip(
            zip(eligible["officer_id"], eligible["village_id"], strict=True),
            off_pref.wishes(eligible, inst)[0],
            strict=True,
        )
    )
    pairs_now = zip(chosen["officer_id"], chosen["score"], strict=True)
    current = dict(zip(chosen["village_id"], pairs_now, strict=True))
    held_rank: dict[str, int] = {}
    worst: dict[str, float] = {}
    for o, v, s in chosen[["officer_id", "village_id", "score"]].itertuples(index=False):
        r = rank.get((o, v), 0) or 10**6
        held_rank[o] = min(held_rank.get(o, 10**6), r)
        worst[o] = min(worst.get(o, np.inf), s)
    by_pref = by_score = 0
    examples = []
    for o, v, s in eligible[["officer_id", "village_id", "score"]].itertuples(index=False):
        if current.get(v, ("",))[0] == o:
            continue
        village_gains = s > current.get(v, ("", -np.inf))[1]
        wished = 0 < rank[(o, v)] < held_rank.get(o, 10**6)
        officer_gains = s > worst.get(o, -np.inf)
        by_pref += village_gains and wished
        by_score += village_gains and officer_gains
        if village_gains and (wished or officer_gains):
            examples.append((o, v))
    got = blocking_pairs(inst, chosen, eligible)
    assert (got["by_preference"], got["by_score"]) == (by_pref, by_score)
    assert [(e["officer_id"], e["village_id"]) for e in got["examples"]] == examples[:20]
