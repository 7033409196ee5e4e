"""The solver-independent judge: every enabled hard rule of a plan's subject, by the rule
modules' own ``check`` (never the solver's word). ``cunjing check`` runs it on hand-made plans,
every command on its own plans before writing them, the tests on every plan the engine makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..optimizer.i18n import _
from .base import Assignment, Violation, VisitCalendar
from .registry import judged_rules

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

# the rule subjects that judge each kind of plan
SUBJECTS = {"officer": ("officer",), "auxiliary": ("auxiliary", "rotation"), "visit": ("visit",)}


def violations(inst: Instance, plan: Assignment | VisitCalendar) -> list[Violation]:
    """Every violation of every hard rule the policy has switched on (and of the soft rules
    the bureau made hard)."""
    out: list[Violation] = []
    for rule in judged_rules(inst.policy, *SUBJECTS[plan.subject]):
        out += rule.check(inst, plan)
    return out


def judged(inst: Instance, subject: str) -> list[str]:
    """The ids of the rules :func:`violations` judges a plan of ``subject`` by."""
    return [r.RULE.id for r in judged_rules(inst.policy, *SUBJECTS[subject])]


def officer_violations(inst: Instance, plan: pd.DataFrame) -> list[Violation]:
    """An officer plan (``village_id``, ``officer_id``; "" = no officer)."""
    return violations(inst, Assignment.officers(plan))


def auxiliary_violations(inst: Instance, plan: pd.DataFrame) -> list[Violation]:
    """An annual auxiliary plan (``village_id``, ``auxiliary_id``; "" = none)."""
    return violations(inst, Assignment.auxiliaries(plan))


def rotation_violations(inst: Instance, rotation: pd.DataFrame) -> list[Violation]:
    """A rotation (``period``, ``village_id``, ``auxiliary_id``, optionally ``moved``): every
    period's placement rules, tenure and returns over the periods with the service before the
    plan, and the exchange limits per period."""
    rot = rotation.copy()
    try:
        rot["period"] = pd.to_numeric(rot["period"], errors="raise").astype(int)
    except (ValueError, TypeError):
        return [Violation("AUX-COVER", _("the rotation's period column must hold whole numbers"))]
    out: list[Violation] = []
    periods = sorted(rot["period"].unique().tolist())
    if periods and periods != list(range(1, max(periods) + 1)):
        out.append(
            Violation(
                "AUX-COVER",
                _("the rotation's periods must run 1, 2, … without a gap; found {periods}").format(
                    periods=", ".join(map(str, periods))
                ),
            )
        )
    return out + violations(inst, Assignment.auxiliaries(rot, rotation=True))


def calendar_violations(inst: Instance, calendar: VisitCalendar) -> list[Violation]:
    """A month's visit calendar (VISIT-DAYS)."""
    return violations(inst, calendar)
