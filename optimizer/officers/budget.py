"""Work budgets of the hard-county pipeline: the same input, seed and time limit give the same
plan on an idle machine and on a loaded one.

Each stage's share of the time limit becomes a number of work units: the repair's, the
oscillation's and the subgradient's steps, the column enumeration's search steps, the column
branch-and-bound's and HiGHS's nodes, CP-SAT's deterministic seconds. Units are charged to a
*work clock* (units spent / units a second), which decides the later stages' budgets, so no
budget depends on the wall clock. The wall clock is only a guard, ``GUARD`` times the time limit
over the whole search; a guard that fires (a machine far slower than the one measured, or a
HiGHS root node far longer than its share) makes the run depend on the machine again, and the
stage's line says so.

The rates were measured on one idle core (benchmarks/bench_hard_counties.py instances, 20 s):
units a second at a model of ``n`` pairs (``n`` villages for the repair and oscillation steps)
are ``rate * REFERENCE / n``, the work of a unit growing with the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# the wall-clock guard, as a multiple of the time limit
GUARD = 4.0
REFERENCE = 2_000  # pairs (villages for the repair searches) of the rates below

# units a second at REFERENCE pairs (villages for the repair and the oscillation) on one idle
# core, measured on the 20 s pipeline of d20100 (2,000 pairs, 100 villages), D400x80 (32,000
# pairs) and C400x40 cut-local (14,560 pairs); each within 2x of its rate on the others
RATES = {
    "repair": 850.0,  # cover steps: 4,256 a second with 400 villages
    "oscillation": 100.0,  # steps: 1,990 a second with 100 villages, 520 with 400
    "lagrangian": 300.0,  # subgradient steps: 264 a second on d20100, 27 on D400x80
    "enumeration": 550_000.0,  # column search steps: 500,000-630,000 a second on d20100
    "columns": 125.0,  # branch-and-bound nodes (LPs): 1,430 in 11.5 s on d20100
    # HiGHS's interrupt checks from a plan: 24 a second on d20100, 0.68 on D400x80 (32,000
    # pairs), 3.2 on C400x40 cut-local (14,960), so by size^1.15; no more on smaller models
    # (17 a second over D400x80's 862 LP pairs)
    "highs": 24.0,
    "cp-sat": 1.0,  # CP-SAT deterministic seconds
}
# sizes are not scaled for these (CP-SAT's deterministic time already counts its work)
UNSCALED = {"cp-sat"}
# nor below REFERENCE for these (HiGHS checks no more often on a smaller model)
AT_LEAST_REFERENCE = {"highs"}
EXPONENT = {"highs": 1.15}  # a unit's work grows as size**EXPONENT (default 1)


@dataclass
class WorkClock:
    """The search's budget in work units, charged as the stages spend them."""

    time_limit: float
    effort: float = 1.0
    spent: float = 0.0  # seconds of the time limit charged, from units (deterministic)
    t0: float = field(default_factory=time.perf_counter)

    def rate(self, unit: str, size: int) -> float:
        r = RATES[unit] * self.effort
        if unit in UNSCALED:
            return r
        floor = REFERENCE if unit in AT_LEAST_REFERENCE else 1
        return r * (REFERENCE / max(int(size), floor)) ** EXPONENT.get(unit, 1.0)

    def left(self) -> float:
        """Seconds of the time limit not yet charged."""
        return max(0.0, self.time_limit - self.spent)

    def units(self, unit: str, share: float, size: int, *, floor: int = 1) -> int:
        """The units of ``share`` seconds (at most what is left)."""
        return max(floor, int(self.rate(unit, size) * min(share, self.left())))

    def amount(self, unit: str, share: float) -> float:
        """CP-SAT's deterministic seconds for ``share`` seconds (at most what is left)."""
        return max(0.1, self.rate(unit, 0) * min(share, self.left()))

    def charge(self, unit: str, used: float, size: int) -> None:
        self.spent += used / self.rate(unit, size)

    def guard(self) -> float:
        """A stage's wall-clock guard: what is left of ``GUARD`` times the time limit (a work
        budget, not the clock, is what ends a stage on any machine the rates allow)."""
        return max(0.1, GUARD * self.time_limit - (time.perf_counter() - self.t0))

    def guard_fired(self) -> bool:
        return time.perf_counter() - self.t0 > GUARD * self.time_limit
