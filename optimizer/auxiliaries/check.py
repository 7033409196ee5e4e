"""Judging any auxiliary plan or rotation by the AUX rules, without a solver.

``cunjing check`` calls these on hand-made plans as well as the engine's; the tests call them on
every plan the engine makes. Each rule module's own ``check`` / ``check_rotation`` does the work.
"""

from __future__ import annotations

import pandas as pd

from ...constraints import (
    aux_cover,
    aux_exchange,
    aux_fulltime,
    aux_not_home,
    aux_tenure,
    aux_township,
)
from ...constraints.base import Violation
from ..input.instance import Instance

# the rules every single period must meet
PERIOD_RULES = (aux_cover, aux_fulltime, aux_township, aux_not_home)


def _frame(plan: pd.DataFrame) -> pd.DataFrame:
    out = plan.copy()
    for c in ("village_id", "auxiliary_id"):
        out[c] = out[c].fillna("").astype(str).str.strip()
    return out


def check_auxiliary_plan(inst: Instance, aux_plan: pd.DataFrame) -> list[Violation]:
    """Violations of the annual plan's auxiliaries (columns ``village_id``, ``auxiliary_id``;
    an empty auxiliary is a village without one). Rules off in the policy are not judged."""
    plan = _frame(aux_plan)
    out: list[Violation] = []
    for mod in (*PERIOD_RULES, aux_tenure):
        if inst.policy.rule(mod.RULE.id).enabled:
            out += mod.check(inst, plan, 1)
    return out


def check_rotation_plan(inst: Instance, rotation: pd.DataFrame) -> list[Violation]:
    """Violations of a rotation (columns ``period``, ``village_id``, ``auxiliary_id``, and
    optionally ``moved``): every period's placement rules, tenure and returns over the periods
    with the service before the plan, and the exchange limits per period."""
    rot = _frame(rotation)
    out: list[Violation] = []
    try:
        rot["period"] = pd.to_numeric(rot["period"], errors="raise").astype(int)
    except (ValueError, TypeError):
        return [Violation("AUX-COVER", "the rotation's period column must hold whole numbers")]
    periods = sorted(rot["period"].unique().tolist())
    if periods and periods != list(range(1, max(periods) + 1)):
        out.append(
            Violation(
                "AUX-COVER",
                f"the rotation's periods must run 1, 2, … without a gap; found {periods}",
            )
        )
    for p in periods:
        one = rot[rot["period"] == p]
        for mod in PERIOD_RULES:
            if inst.policy.rule(mod.RULE.id).enabled:
                out += mod.check(inst, one, p, prefix=f"period {p}: ")
    if inst.policy.rule("AUX-TENURE").enabled:
        out += aux_tenure.check_rotation(inst, rot)
    if inst.policy.rule("AUX-EXCHANGE").enabled:
        out += aux_exchange.check_rotation(inst, rot)
    return out
