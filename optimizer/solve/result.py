"""What a backend returns for a :class:`LinearModel`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .status import Status


@dataclass
class SolveResult:
    x: np.ndarray | None
    status: Status
    objective: float  # in the model's units (hundredths)
    bound: float
    seconds: float
    backend: str
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.x is None:
            return float("inf")
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))
