"""AUX-TOWNSHIP (hard, §二(二) 原则上从本乡镇或相邻乡镇产生): the auxiliary comes from the village's own township or a neighbouring township.

"原则上" (in principle): the bureau may name exceptions, one auxiliary for one village, with a
reason (``auxiliary_exceptions.csv``). Such a pair keeps to the rule as an exception: its
relation is ``exception``, and the plan, the workbook and the checks carry the reason. An
exception does not reach across the county line unless ``across_counties`` is on (counties
place their own auxiliaries), and AUX-NOT-HOME has none (the seed says 不得).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Param, Rule, Violation

RULE = Rule(
    id="AUX-TOWNSHIP",
    clause="§二(二) 原则上从本乡镇或相邻乡镇产生",
    kind="hard",
    subject="auxiliary",
    summary=N_("the auxiliary comes from the village's own township or a neighbouring township"),
    statement=N_(
        "the auxiliary comes from the village's own township or, where allowed "
        "({allow_neighbours}), a neighbouring one; across county lines: {across_counties}; "
        "the exceptions the bureau names (auxiliary_exceptions.csv) are allowed with their reason"
    ),
    params={
        "allow_neighbours": Param(
            True,
            "a neighbouring township's auxiliaries may serve (false: own township only)",
            seed=True,
        ),
        "across_counties": Param(
            False,
            "a neighbouring township across a county line counts as a neighbour (counties plan "
            "their own auxiliaries, so off by default)",
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

SAME, NEIGHBOUR, EXCEPTION = "same_township", "neighbour_township", "exception"
OTHER = "other_township"  # any other township of the county, with the rule switched off


def exceptions(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """Per pair: the reason the bureau gave for it in auxiliary_exceptions.csv ("" = none)."""
    table = inst.auxiliary_exceptions
    if table.empty or pairs.empty:
        return np.full(len(pairs), "", dtype=object)
    given = table.drop_duplicates(["auxiliary_id", "village_id"], keep="last").set_index(
        ["auxiliary_id", "village_id"]
    )["reason"]
    key = pd.MultiIndex.from_arrays(
        [pairs["auxiliary_id"].to_numpy(object), pairs["village_id"].to_numpy(object)]
    )
    return given.reindex(key).fillna("").astype(str).to_numpy(object)


def relation(pairs: pd.DataFrame, inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: ``same_township``, ``neighbour_township``, ``exception`` (named in
    auxiliary_exceptions.csv) or "" (none of these), and why a pair breaks the rule ("" when it
    holds, or when the rule is switched off). Townships are the auxiliary's home township
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
    adjacent = _adjacent(inst, home_t, vil_t)
    same = home_t == vil_t
    across = bool(p["across_counties"])
    rel = np.where(same, SAME, np.where(adjacent, NEIGHBOUR, "")).astype(object)
    why = np.full(len(pairs), "", dtype=object)
    why[~same & ~adjacent] = _(
        "the auxiliary's home township is neither the village's nor a neighbour"
    )
    if not p["allow_neighbours"]:
        why[adjacent & ~same] = _("a neighbouring township's auxiliary (allow_neighbours is off)")
    elif not across:
        why[adjacent & ~same & (home_c != vil_c)] = _(
            "the neighbouring township lies across the county line (across_counties is off)"
        )
    named = exceptions(pairs, inst) != ""
    if not inst.policy.rule(RULE.id).enabled:
        rel[rel == ""] = OTHER
    rel[named & (why != "")] = EXCEPTION
    why[named] = ""
    if not across:
        other = aux_c != vil_c
        why[other] = _("the auxiliary belongs to another county (across_counties is off)")
    if not inst.policy.rule(RULE.id).enabled:
        why[:] = ""  # switched off: any township of the county
        if not across:
            why[aux_c != vil_c] = _("the auxiliary belongs to another county")
    return rel, why


def _adjacent(inst: Instance, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of township ids: are they neighbours in the adjacency graph? As integer codes
    of the graph's townships (a MultiIndex of the pairs cost a sort of its levels per call)."""
    graph = inst.adjacency
    if not len(a) or not graph.number_of_edges():
        return np.zeros(len(a), dtype=bool)
    towns = pd.Index(list(graph.nodes))
    n = len(towns)
    ends = np.array(list(graph.edges()), dtype=object)
    u, v = towns.get_indexer(ends[:, 0]), towns.get_indexer(ends[:, 1])
    edges = np.concatenate([u * n + v, v * n + u])
    ia, ib = towns.get_indexer(a), towns.get_indexer(b)
    return (ia >= 0) & (ib >= 0) & np.isin(ia * n + ib, edges)


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
                    prefix
                    + _(
                        "village {village} ({township}): auxiliary {auxiliary} {name} may not "
                        "serve it ({why})"
                    ).format(
                        village=v,
                        township=inst.townships.at[vt, "name"],
                        auxiliary=a,
                        name=inst.auxiliaries.at[a, "name"],
                        why=w,
                    ),
                    (v, a),
                )
            )
    return out
