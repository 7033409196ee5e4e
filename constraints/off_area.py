"""OFF-AREA (soft, or hard at the bureau's choice; §二 在重点村建立警务室，由责任区民警入驻, §三(三)): a key village's liaison officer is its responsibility-area officer (责任区民警).

A station's responsibility-area officers answer for the villages of their area
(``responsibility_areas.csv``; when the bundle has none, a station officer's area is the villages
of his base township). A key village (重点村) has a police office staffed by its area officer, so
the plan prefers him as its liaison officer (``weight`` points); with ``hard = true`` a key
village that has an area officer may be held by one of them only (other officers are not
eligible, and ``cunjing check`` reports a plan that gives it to someone else).

The same table names each resident auxiliary's supervising officer (§三(二), §三(三):
驻村辅警在责任区民警的指导和监督下开展驻村工作): :func:`supervisors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Param, Rule, Violation, id_labels, weighted_points

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

RULE = Rule(
    id="OFF-AREA",
    clause="§二 重点村…由责任区民警入驻, §三(三)",
    kind="soft",
    subject="officer",
    summary=N_("a key village's liaison officer is its responsibility-area officer (责任区民警)"),
    statement=N_(
        "a key village's liaison officer is its responsibility-area officer (责任区民警); "
        "made hard by the bureau: {hard}"
    ),
    weight=80.0,
    params={
        "hard": Param(
            False,
            "a key village with a responsibility-area officer may be held by one of them only "
            "(the seed: 由责任区民警入驻)",
        ),
    },
)


def made_hard(policy) -> bool:
    """Whether the bureau made the rule hard (and it is switched on)."""
    r = policy.rule(RULE.id)
    return bool(r.enabled and r["hard"])


def _area_key(inst: Instance) -> pd.MultiIndex:
    a = inst.responsibility_areas
    return pd.MultiIndex.from_arrays(
        [a["officer_id"].to_numpy(object), a["village_id"].to_numpy(object)]
    )


def in_area(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """Per pair: the officer is a responsibility-area officer of the village."""
    if pairs.empty or inst.responsibility_areas.empty:
        return np.zeros(len(pairs), dtype=bool)
    asked = pd.MultiIndex.from_arrays(
        [pairs["officer_id"].to_numpy(object), pairs["village_id"].to_numpy(object)]
    )
    return asked.isin(_area_key(inst))


def _key(inst: Instance, village_ids) -> np.ndarray:
    kind = inst.villages["kind"].reindex(np.asarray(village_ids, dtype=object))
    return kind.to_numpy(object) == "key"


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for a key village's own responsibility-area officer."""
    return (_key(inst, pairs["village_id"]) & in_area(pairs, inst)).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))


def why_not(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """With ``hard``: "" for a pair that may serve, else why not (a key village that has
    responsibility-area officers, and an officer who is not one of them)."""
    out = np.full(len(pairs), "", dtype=object)
    if not made_hard(inst.policy) or pairs.empty:
        return out
    covered = set(inst.responsibility_areas["village_id"])
    vid = pairs["village_id"].to_numpy(object)
    has_area = np.isin(vid, list(covered)) if covered else np.zeros(len(pairs), dtype=bool)
    bad = _key(inst, vid) & has_area & ~in_area(pairs, inst)
    out[bad] = _("a key village is held by its responsibility-area officer (OFF-AREA is hard)")
    return out


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """With ``hard``: every key village that has area officers is held by one of them."""
    if not made_hard(inst.policy):
        return []
    given = plan.rows[plan.rows["officer_id"] != ""]
    given = given[given["village_id"].isin(inst.villages.index)]
    why = why_not(given, inst)
    areas = inst.responsibility_areas.groupby("village_id")["officer_id"].agg(", ".join)
    return [
        Violation(
            RULE.id,
            _(
                "key village {village} {name} is held by officer {officer}, not by its "
                "responsibility-area officer ({area})"
            ).format(village=v, name=inst.villages.at[v, "name"], officer=o, area=areas.get(v, "")),
            (v, o),
        )
        for v, o, w in zip(given["village_id"], given["officer_id"], why, strict=True)
        if w
    ]


def supervisors(inst: Instance, officer_plan: pd.DataFrame, village_ids) -> pd.Series:
    """Each village's supervising officer for its resident auxiliary (§三(三)): its
    responsibility-area officer; of several, the village's liaison officer when he is one, else
    the first by id; "" where the village has none."""
    vids = pd.Index(np.asarray(village_ids, dtype=object))
    areas = inst.responsibility_areas
    if areas.empty:
        return pd.Series("", index=vids, dtype=object)
    held = officer_plan.set_index("village_id")["officer_id"] if len(officer_plan) else None
    first = areas.sort_values(["village_id", "officer_id"]).groupby("village_id")["officer_id"]
    out = first.first().reindex(vids).fillna("").astype(object)
    if held is not None:
        own = areas.merge(
            pd.DataFrame({"village_id": held.index, "officer_id": held.to_numpy(object)}),
            on=["village_id", "officer_id"],
        ).set_index("village_id")["officer_id"]
        own = own[~own.index.duplicated()]
        hit = vids.isin(own.index)
        out[hit] = own.reindex(vids[hit]).to_numpy(object)
    return out
