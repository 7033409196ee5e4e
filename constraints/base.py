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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

# The kinds of rule, as the sheets name them.
KINDS = (N_("hard"), N_("soft"), N_("record"))

# Points and days are counted in hundredths: the solvers' integers, and the checks' exact sums.
SCALE = 100


# Officer categories (警种) as the bundle spells them once read (``input.schema`` maps the
# Chinese names onto these); a policy list of categories may name only these.
CATEGORIES = (
    N_("traffic"),
    N_("criminal"),
    N_("domestic_security"),
    N_("public_security"),
    N_("station"),
    N_("organ"),
)
# Road classes a policy may name as traffic routes (geo.gpkg's ``roads.class``; ids, shown as
# they are).
ROAD_CLASSES = ("expressway", "national", "provincial", "county", "township", "village")


@dataclass(frozen=True)
class Param:
    """A policy parameter with its documented default and its range.

    Every number has a finite ``minimum`` and ``maximum`` (``policy.toml`` is checked against
    them at load); a string may be limited to ``choices``; a list of strings to ``items``.
    ``seed`` says whether the policy text states the default (``True``) or the bureau chose it
    (the README's "what is the seed's and what is the bureau's").
    """

    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # the values a list of strings may hold
    seed: bool = False

    @property
    def type(self) -> type:
        return type(self.default)


@dataclass(frozen=True)
class Rule:
    id: str  # POLICY.md id, e.g. "OFF-PREF"
    clause: str  # the policy's own clause, e.g. "§二(一) 尊重民警个人意愿"
    kind: str  # "hard", "soft" or "record" (N_-marked below for the sheets)
    subject: str  # "officer", "auxiliary", "rotation", "visit" or "public"
    summary: str  # one line, English (translated by the catalogue: ``summary_zh``)
    weight: float = 0.0  # default weight of a soft rule, in points per matched pair
    params: dict[str, Param] = field(default_factory=dict)
    # a soft rule whose points are a cost (travel), not a match: it is no reason for a pair,
    # and its "matches" are not counted
    cost: bool = False
    # the rule as the 规则说明 sheet states it, with ``{param}`` fields filled by the values in
    # force (English, translated by the catalogue); empty: the summary
    statement: str = ""
    # why a hard rule cannot be switched off ("" = it can): ``enabled = false`` is refused at load
    required: str = ""
    # "seed": the policy text's clause; "bureau": the bureau's own setting (design card)
    source: str = "seed"

    @property
    def hard(self) -> bool:
        return self.kind == "hard"

    @property
    def summary_zh(self) -> str:
        """The summary in the current language (Chinese unless asked otherwise)."""
        return _(self.summary)

    def text(self, values: Mapping[str, Any]) -> str:
        """The rule as stated with the values in force (``values``: its parameters)."""
        if not self.statement:
            return self.summary_zh
        shown = {k: _shown(v) for k, v in values.items()}
        return _(self.statement).format(**shown)


def _shown(value: Any) -> Any:
    """A parameter as a sentence shows it: lists joined, choices in words, numbers as given."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, tuple | list):
        return "、".join(_(str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _(value) if value else value
    return value


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
            yield int(p), one, (_("period {period}: ").format(period=p) if self.rotation else "")


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
