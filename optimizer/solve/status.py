"""How a search ended, in one vocabulary for every solver and every run.

Ordered from best to worst; a run of many parts (counties, roles) has its worst part's status.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Status(StrEnum):
    OPTIMAL = "OPTIMAL"  # proven best
    FEASIBLE = "FEASIBLE"  # every hard rule holds; not proven best
    PARTIAL = "PARTIAL"  # a plan that leaves something uncovered, with the reason
    INFEASIBLE = "INFEASIBLE"  # proven: no plan keeps every hard rule
    UNKNOWN = "UNKNOWN"  # stopped before any plan or proof

    @property
    def holds(self) -> bool:
        """Every hard rule holds (the commands exit 0)."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


ORDER = tuple(Status)


def worst(statuses: Iterable[str]) -> Status:
    """The worst of ``statuses`` (OPTIMAL when there are none)."""
    return max((Status(s) for s in statuses), key=ORDER.index, default=Status.OPTIMAL)
