"""What every rule module declares, and the two shapes a rule takes.

A rule module (``constraints/off_pref.py`` …) holds ``RULE``, a :class:`Rule` (its id, clause,
kind, default weight and parameters), and the functions that give the rule effect:

- a soft rule is a :class:`SoftPairRule`: ``match`` (how well each candidate pair satisfies it),
  ``points`` (what that is worth) and ``label`` (how a plan's ``reasons`` column names it);
- a hard rule is a :class:`HardRule`: ``check(inst, plan)`` judges any finished plan without a
  solver; the plan is an :class:`Assignment` (officers, auxiliaries, or a rotation's periods)
  or a :class:`VisitCalendar`, by the rule's subject. Hard rules that the engine's models
  enforce also have ``add_to_model``.

``validate.violations`` runs every enabled hard rule of a plan's subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

# Points and days are counted in hundredths: the solvers' integers, and the checks' exact sums.
SCALE = 100


@dataclass(frozen=True)
class Param:
    """A policy parameter with its documented default."""

    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def type(self) -> type:
        return type(self.default)


@dataclass(frozen=True)
class Rule:
    id: str  # POLICY.md id, e.g. "OFF-PREF"
    clause: str  # the policy's own clause, e.g. "§二(一) 尊重民警个人意愿"
    kind: str  # "hard", "soft" or "record"
    subject: str  # "officer", "auxiliary", "rotation" or "visit"
    summary: str  # one line, English
    summary_zh: str  # one line, Chinese, for the workbook and reports
    weight: float = 0.0  # default weight of a soft rule, in points per matched pair
    params: dict[str, Param] = field(default_factory=dict)
    # a soft rule whose points are a cost (travel), not a match: it is no reason for a pair,
    # and its "matches" are not counted
    cost: bool = False

    @property
    def hard(self) -> bool:
        return self.kind == "hard"


@dataclass(frozen=True)
class Violation:
    """A hard rule that a plan breaks, in the planner's terms."""

    rule: str
    message: str
    ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "ids": list(self.ids)}


def _ids(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip()


@dataclass(frozen=True)
class Assignment:
    """A plan as the hard rules judge it: who serves which village, period by period.

    ``rows``: ``village_id`` and ``officer_id`` or ``auxiliary_id`` ("" = nobody), and for a
    rotation ``period`` (1, 2, …) and optionally ``moved``. An annual plan is one period.
    """

    subject: str  # "officer" or "auxiliary"
    rows: pd.DataFrame
    rotation: bool = False  # the periods of a rotation (tenure and exchange over periods)

    @classmethod
    def officers(cls, plan: pd.DataFrame) -> Assignment:
        rows = plan[["village_id", "officer_id"]].assign(
            village_id=lambda d: _ids(d["village_id"]), officer_id=lambda d: _ids(d["officer_id"])
        )
        return cls("officer", rows.assign(period=1))

    @classmethod
    def auxiliaries(cls, plan: pd.DataFrame, rotation: bool = False) -> Assignment:
        """An annual plan (one period) or, with ``rotation``, rows with whole ``period``s."""
        rows = plan.assign(
            village_id=_ids(plan["village_id"]), auxiliary_id=_ids(plan["auxiliary_id"])
        )
        if not rotation:
            rows = rows.assign(period=1)
        return cls("auxiliary", rows, rotation)

    @property
    def person(self) -> str:
        return "officer_id" if self.subject == "officer" else "auxiliary_id"

    def periods(self) -> Iterator[tuple[int, pd.DataFrame, str]]:
        """Each period's rows with the prefix its messages carry ("" for an annual plan)."""
        for p in sorted(self.rows["period"].unique().tolist()):
            one = self.rows[self.rows["period"] == p]
            yield int(p), one, (f"period {p}: " if self.rotation else "")


@dataclass(frozen=True)
class VisitCalendar:
    """A month's visits (``officer_id``, ``date``, ``village_id`` rows) for an officer plan."""

    plan: pd.DataFrame  # village_id, officer_id
    calendar: pd.DataFrame
    month: str | None = None  # YYYY-MM; None: the month of the calendar's dates
    unavailable: pd.DataFrame | None = None  # days off beyond the bundle's unavailable.csv
    subject: str = "visit"


class SoftPairRule(Protocol):
    """A soft rule: scores candidate pairs (columns ``officer_id``/``auxiliary_id``,
    ``village_id`` and what the pair table holds)."""

    RULE: Rule

    def match(self, pairs: pd.DataFrame, inst: Instance) -> np.ndarray: ...

    def points(self, pairs: pd.DataFrame, inst: Instance) -> np.ndarray: ...

    def label(self, pairs: pd.DataFrame, inst: Instance) -> np.ndarray: ...


class HardRule(Protocol):
    """A hard rule: judges any plan of its subject, without a solver."""

    RULE: Rule

    def check(self, inst: Instance, plan: Any) -> list[Violation]: ...


def weighted_points(rule: Rule, match: np.ndarray, inst: Instance) -> np.ndarray:
    """The points of a soft rule whose worth is its weight per full match."""
    return inst.policy.weight(rule.id) * np.asarray(match, dtype=float)


def id_labels(rule: Rule, n: int) -> np.ndarray:
    """A soft rule named by its id alone in a plan's ``reasons``."""
    return np.full(n, rule.id, dtype=object)


class OfficerModelData(Protocol):
    """What the officer rules read to add their rows (``officers.model.OfficerProblem``)."""

    villages: pd.Index
    officers: pd.DataFrame
    pair_officer: np.ndarray
    pair_village: np.ndarray
    workload: np.ndarray
    days: np.ndarray
    limit: np.ndarray
    share: np.ndarray
    extra_village_cost: int
    uncovered_penalty: int
    cover_all: bool
