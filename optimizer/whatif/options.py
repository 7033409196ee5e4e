"""换人 and 换辅警: who else could serve a village, ranked, each with what the swap alone does to
the plan: the points it gains or loses (the objective as the model counts it) and the hard rules
it would break. The planner picks one; ``replan`` with an ``assign`` change then makes it (and
re-plans the new officer's load when it must)."""

from __future__ import annotations

import pandas as pd

from ...constraints.validate import officer_violations
from ..auxiliaries.pairs import build_pairs as auxiliary_pairs
from ..i18n import _
from ..input.instance import Instance
from ..input.problems import BundleError
from ..officers.kpis import plan_objective
from ..officers.model import officers_in_scope
from ..officers.pairs import build_pairs

OPTIONS = 8  # the best few: a list a planner reads at a glance


def _village(inst: Instance, village: str) -> str:
    if village not in inst.villages.index:
        raise BundleError.single("village_id", _("unknown village '{id}'").format(id=village))
    return inst.villages.at[village, "county_id"]


def officer_options(
    inst: Instance, incumbent: pd.DataFrame, village: str, limit: int = OPTIONS
) -> pd.DataFrame:
    """The officers of the village's county who may take it instead of its officer in
    ``incumbent`` (village_id, officer_id), best pair score first: ``change`` is the plan's
    objective after the swap less before it; ``days_after``/``villages_after`` his load with
    it; ``breaks`` the hard rules the swapped plan breaks that name him or the village."""
    county = _village(inst, village)
    scope = officers_in_scope(inst)
    in_county = scope[scope["county_id"] == county]
    plan = incumbent[["village_id", "officer_id"]]
    current = plan.set_index("village_id")["officer_id"].get(village, "")
    held = plan[(plan["officer_id"] != "") & plan["village_id"].isin(inst.villages.index)]
    pairs = build_pairs(inst, held[held["village_id"].map(inst.villages["county_id"]) == county])
    score, penalty = plan_objective(inst, pairs, scope, [county])
    base = score - penalty
    asked = build_pairs(inst, pd.DataFrame({"officer_id": in_county.index, "village_id": village}))
    ranked = asked[asked["eligible"] & (asked["officer_id"] != current)].sort_values(
        ["score", "officer_id"], ascending=[False, True], kind="stable"
    )
    others = pairs[pairs["village_id"] != village]
    rows = []
    for pair in ranked.head(limit).itertuples(index=False):
        o = pair.officer_id
        swapped = pd.concat([others, asked[asked["officer_id"] == o]], ignore_index=True)
        score, penalty = plan_objective(inst, swapped, scope, [county])
        new_plan = plan.assign(
            officer_id=plan["officer_id"].where(plan["village_id"] != village, o)
        )
        breaks = [
            {"rule": v.rule, "message": v.message}
            for v in officer_violations(inst, new_plan)
            if o in v.ids or village in v.ids or not v.ids
        ]
        mine = swapped[swapped["officer_id"] == o]
        row = inst.officers.loc[o]
        rows.append(
            {
                "officer_id": o,
                "name": str(row["name"]),
                "category": str(row["category"]),
                "unit": str(row.get("unit", "") or ""),
                "score": round(float(pair.score), 2),
                "change": round(score - penalty - base, 2),
                "days_after": round(float(mine["workload_days"].sum()), 2),
                "available_days": round(float(row["available_days"]), 2),
                "villages_after": len(mine),
                "breaks": breaks,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "officer_id", "name", "category", "unit", "score", "change", "days_after",
            "available_days", "villages_after", "breaks",
        ],
    )  # fmt: skip


def auxiliary_options(
    inst: Instance, incumbent_aux: pd.DataFrame, village: str, limit: int = OPTIONS
) -> pd.DataFrame:
    """The auxiliaries from the village's or a neighbouring township who could live in it
    instead of its auxiliary in ``incumbent_aux`` (village_id, auxiliary_id): those who may
    first, best AUX-FAMILIAR points first. ``change``: the pair's points less the current
    one's; ``leaves`` the village he would leave (placed again); ``breaks`` the hard rule that
    rules the pair out, if any."""
    _village(inst, village)
    posted = incumbent_aux[incumbent_aux["auxiliary_id"] != ""]
    current = posted.set_index("village_id")["auxiliary_id"].get(village, "")
    where = posted.set_index("auxiliary_id")["village_id"]
    active = inst.auxiliaries.index[inst.auxiliaries.get("status", "active") != "leaving"]
    pairs = auxiliary_pairs(inst, pd.Index([village]), active)
    now = pairs.loc[pairs["auxiliary_id"] == current, "score"]
    base = float(now.iloc[0]) if len(now) else 0.0
    ranked = pairs[pairs["auxiliary_id"] != current].sort_values(
        ["eligible", "score", "auxiliary_id"], ascending=[False, False, True], kind="stable"
    )
    rows = []
    for pair in ranked.head(limit).itertuples(index=False):
        a = pair.auxiliary_id
        leaves = where.get(a, "")
        rows.append(
            {
                "auxiliary_id": a,
                "name": str(inst.auxiliaries.at[a, "name"]),
                "relation": str(pair.relation),
                "km": round(float(pair.km), 1),
                "score": round(float(pair.score), 2),
                "change": round(float(pair.score) - base, 2),
                "leaves": leaves,
                "leaves_name": str(inst.villages.at[leaves, "name"]) if leaves else "",
                "breaks": [{"rule": pair.rule, "message": pair.why_not}] if pair.rule else [],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "auxiliary_id", "name", "relation", "km", "score", "change", "leaves",
            "leaves_name", "breaks",
        ],
    )  # fmt: skip
