"""The officer plan by enumeration: every assignment of a tiny bundle tried, the best kept
(the engine's tests and the reliability tests compare against it)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from cunjing.constraints import off_life
from cunjing.optimizer.officers.model import officers_in_scope
from cunjing.optimizer.officers.pairs import build_pairs


def brute_force(inst):
    """Best (covered villages, objective) over every assignment, by enumeration."""
    table = build_pairs(inst)
    officers = officers_in_scope(inst).sort_index()
    villages = sorted(inst.villages.index)
    score = {
        (o, v): s
        for o, v, s, ok in zip(
            table["officer_id"], table["village_id"], table["score"], table["eligible"], strict=True
        )
        if ok
    }
    work = dict(
        zip(
            zip(table["officer_id"], table["village_id"], strict=True),
            table["workload_days"],
            strict=True,
        )
    )
    share = dict(
        zip(officers.index, off_life.fair_share(inst, officers, len(villages)), strict=True)
    )
    extra = inst.policy.weight("OFF-LIFE") * inst.policy.rule("OFF-LIFE")["per_extra_village"]
    best = (-1, -np.inf)
    for choice in itertools.product([None, *officers.index], repeat=len(villages)):
        days: dict[str, float] = {}
        count: dict[str, int] = {}
        total, ok = 0.0, True
        for v, o in zip(villages, choice, strict=True):
            if o is None:
                continue
            if (o, v) not in score:
                ok = False
                break
            days[o] = days.get(o, 0) + round(work[(o, v)] * 100)
            count[o] = count.get(o, 0) + 1
            total += score[(o, v)]
        if not ok:
            continue
        if any(days[o] > round(officers.at[o, "available_days"] * 100) for o in days):
            continue
        mx = officers["max_villages"]
        if any(pd.notna(mx[o]) and count[o] > mx[o] for o in count):
            continue
        total -= extra * sum(max(0, count[o] - share[o]) for o in count)
        covered = sum(o is not None for o in choice)
        if (covered, round(total, 2)) > (best[0], round(best[1], 2)):
            best = (covered, total)
    return best
