"""What every rule module declares: its id, clause, kind, default weight and parameters.

A rule module (``constraints/off_pref.py`` …) holds ``RULE``, a :class:`Rule`, and the functions
that give the rule effect: ``match`` (soft rules: how well each candidate pair satisfies it, 0..1),
``add_to_model`` (hard rules: rows of the linear model) and ``check`` (any finished plan, no solver).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
