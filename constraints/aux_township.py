"""AUX-TOWNSHIP (hard, §二(二) 原则上从本乡镇或相邻乡镇产生): the auxiliary comes from the village's own township or a neighbouring township."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .base import Assignment, Param, Rule, Violation

RULE = Rule(
    id="AUX-TOWNSHIP",
    clause="§二(二) 原则上从本乡镇或相邻乡镇产生",
    kind="hard",
    subject="auxiliary",
    summary="the auxiliary comes from the village's own township or a neighbouring township",
    summary_zh="驻村辅警原则上从本乡镇或相邻乡镇产生",
    params={
        "allow_neighbours": Param(
            True, "a neighbouring township's auxiliaries may serve (false: own township only)"
        ),
        "across_counties": Param(
            False,
            "a neighbouring township across a county line counts as a neighbour (counties plan their own auxiliaries, so off by default)",
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

SAME, NEIGHBOUR = "same_township", "neighbour_township"


def relation(pairs: pd.DataFrame, inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: ``same_township``, ``neighbour_township`` or "" (neither), and why a pair
    breaks the rule ("" when it holds). Townships are the auxiliary's home township
    (户籍村's township) and the village's township; neighbours by the adjacency graph."""
    p = inst.policy.rule(RULE.id)
    aux = inst.auxiliaries.reindex(pairs["auxiliary_id"].to_numpy(object))
    vil = inst.villages.reindex(pairs["village_id"].to_numpy(object))
    home_t = aux["home_township_id"].to_numpy(object)
    vil_t = vil["township_id"].to_numpy(object)
    tw_county = inst.townships["county_id"]
    home_c = tw_county.reindex(home_t).to_numpy(object)
    vil_c = vil["county_id"].to_numpy(object)
    aux_c = aux["county_id"].to_numpy(object)
    both_ways = [*inst.adjacency.edges(), *((b, a) for a, b in inst.adjacency.edges())]
    adjacent = (
        pd.MultiIndex.from_arrays([home_t, vil_t]).isin(pd.MultiIndex.from_tuples(both_ways))
        if both_ways and len(pairs)
        else np.zeros(len(pairs), dtype=bool)
    )
    same = home_t == vil_t
    across = bool(p["across_counties"])
    rel = np.where(same, SAME, np.where(adjacent, NEIGHBOUR, "")).astype(object)
    why = np.full(len(pairs), "", dtype=object)
    why[~same & ~adjacent] = (
        "the auxiliary's home township is neither the village's nor a neighbour"
    )
    if not p["allow_neighbours"]:
        why[adjacent & ~same] = "a neighbouring township's auxiliary (allow_neighbours is off)"
    elif not across:
        why[adjacent & ~same & (home_c != vil_c)] = (
            "the neighbouring township lies across the county line (across_counties is off)"
        )
    if not across:
        other = aux_c != vil_c
        why[other] = "the auxiliary belongs to another county (across_counties is off)"
    return rel, why


def why_not(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return relation(pairs, inst)[1]


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """In every period of the plan: ``check_period``."""
    return [v for p, rows, prefix in plan.periods() for v in check_period(inst, rows, p, prefix)]


def check_period(
    inst: Instance, plan: pd.DataFrame, period: int = 1, prefix: str = ""
) -> list[Violation]:
    """Every auxiliary serves his own township or, where allowed, a neighbouring one."""
    given = plan[
        plan["auxiliary_id"].isin(inst.auxiliaries.index)
        & plan["village_id"].isin(inst.villages.index)
    ]
    why = why_not(given, inst)
    out = []
    for v, a, w in zip(given["village_id"], given["auxiliary_id"], why, strict=True):
        if w:
            vt = inst.villages.at[v, "township_id"]
            out.append(
                Violation(
                    RULE.id,
                    f"{prefix}village {v} ({inst.townships.at[vt, 'name']}): auxiliary {a} "
                    f"{inst.auxiliaries.at[a, 'name']} may not serve it ({w})",
                    (v, a),
                )
            )
    return out
