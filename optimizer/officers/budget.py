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

# the wall-clock guard, as a multiple of the time limit: far enough for a loaded machine and a
# HiGHS root node 2-3x its aimed time (the law below is that rough)
GUARD = 10.0
REFERENCE = 2_000  # pairs (villages for the repair searches) of the rates below

# units a second at REFERENCE pairs (villages for the repair and the oscillation) on one idle
# core, measured on the 20 s pipeline of d20100 (2,000 pairs, 100 villages), D400x80 (32,000
# pairs) and C400x40 cut-local (14,560 pairs); each within 2x of its rate on the others
RATES = {
    "repair": 850.0,  # cover steps: 4,256 a second with 400 villages
    "oscillation": 100.0,  # steps: 1,990 a second with 100 villages, 520 with 400
    "lagrangian": 300.0,  # subgradient steps: 264 a second on d20100, 27 on D400x80
    # column search steps: 500,000-630,000 a second on d20100 from the MTHG plan, 1.2 million
    # in the pipeline (from the oscillation's plan: fewer columns to the step)
    "enumeration": 1_000_000.0,
    "columns": 125.0,  # branch-and-bound nodes (LPs): 1,430 in 11.5 s on d20100
    "highs": 24.0,  # HiGHS's interrupt checks while it branches (see HIGHS_ROOT)
    "cp-sat": 1.0,  # CP-SAT deterministic seconds
}
# sizes are not scaled for these (CP-SAT's deterministic time already counts its work)
UNSCALED = {"cp-sat"}
# HiGHS's interrupt checks come thick at the start of its root node and ever thinner (its cut
# rounds grow): from a plan, C200x20 cut-local (3,640 pairs) made 43 in 5.2 s, C400x40
# cut-local (14,960) 16 in 1.3 s and 49 in 15.3 s, D400x80 (32,000) 7 in 1.7 s and 23 in
# 33.9 s: checks = k * s**0.45, k = 20.5, 14.3 and 5, fitted as 33 * (2,000 / pairs)**0.6
# (within 0.4-1.6x of the seconds aimed at); where it branches they come at a steady rate
# (d20100's 2,000 pairs: 100 in 4.2 s, 236 in 10.9 s, 24 a second), the lesser of the two laws
HIGHS_ROOT = (33.0, 0.6, 0.45)  # k at REFERENCE pairs, its size exponent, the time exponent


def _highs_root_k(size: int) -> float:
    k, size_exp, _q = HIGHS_ROOT
    return k * (REFERENCE / max(int(size), REFERENCE)) ** size_exp


@dataclass
class WorkClock:
    """The search's budget in work units, charged as the stages spend them."""

    time_limit: float
    effort: float = 1.0
    spent: float = 0.0  # seconds of the time limit charged, from units (deterministic)
    t0: float = field(default_factory=time.perf_counter)

    def rate(self, unit: str, size: int) -> float:
        r = RATES[unit] * self.effort
        return r if unit in UNSCALED else r * REFERENCE / max(int(size), 1)

    def _units(self, unit: str, seconds: float, size: int) -> float:
        if unit != "highs":
            return self.rate(unit, size) * seconds
        q = HIGHS_ROOT[2]
        root = self.effort * _highs_root_k(size) * max(seconds, 0.0) ** q
        return min(RATES[unit] * self.effort * seconds, root)

    def _seconds(self, unit: str, used: float, size: int) -> float:
        if unit != "highs":
            return used / self.rate(unit, size)
        q = HIGHS_ROOT[2]
        root = (used / (self.effort * _highs_root_k(size))) ** (1 / q)
        return max(used / (RATES[unit] * self.effort), root)

    def left(self) -> float:
        """Seconds of the time limit not yet charged."""
        return max(0.0, self.time_limit - self.spent)

    def units(self, unit: str, share: float, size: int, *, floor: int = 1) -> int:
        """The units of ``share`` seconds (at most what is left)."""
        return max(floor, int(self._units(unit, min(share, self.left()), size)))

    def amount(self, unit: str, share: float) -> float:
        """CP-SAT's deterministic seconds for ``share`` seconds (at most what is left)."""
        return max(0.1, self.rate(unit, 0) * min(share, self.left()))

    def charge(self, unit: str, used: float, size: int) -> None:
        self.spent += self._seconds(unit, used, size)

    def guard(self) -> float:
        """A stage's wall-clock guard: what is left of ``GUARD`` times the time limit (a work
        budget, not the clock, is what ends a stage on any machine the rates allow)."""
        return max(0.1, GUARD * self.time_limit - (time.perf_counter() - self.t0))

    def guard_fired(self) -> bool:
        return time.perf_counter() - self.t0 > GUARD * self.time_limit
