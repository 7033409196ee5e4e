"""AUX-NOT-HOME (hard, §二(二) 不得在本村产生): never in the auxiliary's own home village."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Rule, Violation

RULE = Rule(
    id="AUX-NOT-HOME",
    clause="§二(二) 不得在本村产生",
    kind="hard",
    subject="auxiliary",
    summary=N_("never in the auxiliary's own home village"),
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def why_not(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    home = inst.auxiliaries["home_village_id"].reindex(pairs["auxiliary_id"].to_numpy(object))
    at_home = home.to_numpy(object) == pairs["village_id"].to_numpy(object)
    why = np.where(at_home, _("the village is the auxiliary's home village"), "").astype(object)
    if not inst.policy.rule(RULE.id).enabled:
        why[:] = ""  # switched off: the home village is a village like any other
    return why


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """In every period of the plan: ``check_period``."""
    return [v for p, rows, prefix in plan.periods() for v in check_period(inst, rows, p, prefix)]


def check_period(
    inst: Instance, plan: pd.DataFrame, period: int = 1, prefix: str = ""
) -> list[Violation]:
    """No auxiliary serves the village he comes from (不得在本村产生)."""
    given = plan[plan["auxiliary_id"].isin(inst.auxiliaries.index)]
    bad = given[why_not(given, inst) != ""]
    return [
        Violation(
            RULE.id,
            prefix
            + _(
                "village {village}: auxiliary {auxiliary} {name} comes from this village and "
                "may not serve in it"
            ).format(village=v, auxiliary=a, name=inst.auxiliaries.at[a, "name"]),
            (v, a),
        )
        for v, a in zip(bad["village_id"], bad["auxiliary_id"], strict=True)
    ]
