"""AUX-NOT-HOME (hard, §二(二) 不得在本村产生): never in the auxiliary's own home village."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .base import Assignment, Rule, Violation

RULE = Rule(
    id="AUX-NOT-HOME",
    clause="§二(二) 不得在本村产生",
    kind="hard",
    subject="auxiliary",
    summary="never in the auxiliary's own home village",
    summary_zh="驻村辅警不得在本村产生",
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def why_not(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    home = inst.auxiliaries["home_village_id"].reindex(pairs["auxiliary_id"].to_numpy(object))
    at_home = home.to_numpy(object) == pairs["village_id"].to_numpy(object)
    return np.where(at_home, "the village is the auxiliary's home village", "").astype(object)


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
            f"{prefix}village {v}: auxiliary {a} {inst.auxiliaries.at[a, 'name']} comes from "
            "this village and may not serve in it",
            (v, a),
        )
        for v, a in zip(bad["village_id"], bad["auxiliary_id"], strict=True)
    ]
