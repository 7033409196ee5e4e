"""Work budgets of the hard-county pipeline: the same input, seed and time limit give the same
plan on an idle machine and on a loaded one.

Each stage's share of the time limit becomes a number of work units: the repair's, the
oscillation's and the subgradient's steps, the column enumeration's search steps, the column
branch-and-bound's LP work, HiGHS's interrupt checks, CP-SAT's deterministic seconds. Units are
charged to a *work clock* (units spent / units a second), which decides the later stages'
budgets, so no budget depends on the wall clock. The wall clock is only a guard, ``GUARD`` times the time limit
over the whole search; a guard that fires (a machine far slower than the one measured, or a
HiGHS root node far longer than its share) makes the run depend on the machine again, and the
stage's line says so.

The rates were measured on one idle core (benchmarks/bench_hard_counties.py instances): units a
second at a model of ``n`` pairs (``n`` villages for the repair) are ``rate * REFERENCE / n``,
the work of a unit growing with the model; the subgradient's and the oscillation's steps follow
their own laws (``LAWS``, ``step_size``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# the wall-clock guard, as a multiple of the time limit: far enough for a loaded machine and a
# HiGHS root node 2-3x its aimed time (the law below is that rough)
GUARD = 10.0
# a HiGHS stage's own guard: this many times its share, and this many seconds more (small time
# limits keep a wide margin: a machine twice as slow never fires it on the tests' counties)
STAGE_GUARD = 3.0
STAGE_FLOOR = 5.0
REFERENCE = 2_000  # pairs (villages for the repair searches) of the rates below

# units a second at REFERENCE pairs (villages for the repair) on one idle core, measured on the
# 20 s pipeline of d20100 (2,000 pairs, 100 villages), D400x80 (32,000 pairs) and C400x40
# cut-local (14,560 pairs); each within 2x of its rate on the others
RATES = {
    "repair": 850.0,  # cover steps: 4,256 a second with 400 villages
    # column search steps: 500,000-630,000 a second on d20100 from the MTHG plan, 1.2 million
    # in the pipeline (from the oscillation's plan: fewer columns to the step)
    "enumeration": 1_000_000.0,
    # the column branch-and-bound's LP work (``columns.work_of``: millions of simplex
    # iterations times columns and rows): 14-24 a second on all six gapd instances, where its
    # nodes ran 1.7-96 a second
    "columns": 16.0,
    "highs": 24.0,  # HiGHS's interrupt checks while it branches (see HIGHS_ROOT)
    # CP-SAT deterministic seconds, one thread: 0.36-0.5 a second on gapd d10100's model and
    # 0.35-0.9 on a D400x80 / D1600x40 cover model (counted as 1 a second before: a 5 s limit
    # ran 9.5 s)
    "cp-sat": 0.45,
    # the dives count their own work in an idle core's seconds (``diving.ROUND``, ``LP_RATE``)
    "dive": 1.0,
}
# steps whose work grows with a size of their own (``step_size``): seconds a step = fixed +
# per-cell x size, measured on an idle core on the six gapd instances and D400x80 (within
# 1.3x of each): a subgradient step solves every officer's knapsack, a table of pairs x days
# cells (d*100: 10 ms, d*200: 18-30 ms, D400x80: 76 ms); a (compiled) oscillation step weighs
# every shift and every village's best entries (officers x villages, twice), the swaps and
# ejection chains of ``swap_sample`` villages against every village (twice that) and, up to
# FULL_SWAPS villages, every village's best tail for chains of three (villages squared):
# 0.6-1.7 ms on d20200, 7 ms on D400x80 and C400x80, 10 ms on D800x80, 8.6 ms on D1600x40,
# 7-16 ns a cell (a slow spell; idle, 4-13 ns before the chains of three). Scaling both by
# pairs or villages alone, as before, was 2-6x off on the instances it was not fitted on
# (d10100: 7 s for a 1.2 s share)
LAWS = {
    "lagrangian": (0.004, 10.5e-9),
    "oscillation": (0.00002, 1.1e-8),
}
# sizes are not scaled for these (their units already count their work)
UNSCALED = {"cp-sat", "columns", "dive"}


# the oscillation weighs every swap up to FULL_SWAPS villages, above them the swaps of a sample
# of villages against every other, about SWAP_CELLS of them
FULL_SWAPS = 400
SWAP_CELLS = 250_000


def swap_sample(n_villages: int) -> int:
    """Villages whose swaps (and ejection chains) with every other village one oscillation step
    weighs: all of them on small counties, else about ``SWAP_CELLS`` swaps' worth."""
    if n_villages <= FULL_SWAPS:
        return n_villages
    return max(64, min(n_villages, SWAP_CELLS // n_villages))


def step_size(unit: str, n_officers: int, n_villages: int, n_pairs: int, days: int) -> int:
    """The size a step of a ``LAWS`` unit grows with: the knapsacks' cells for the subgradient,
    the moves weighed for the oscillation."""
    if unit == "lagrangian":
        return n_pairs * (days + 1)
    if unit == "oscillation":
        k = swap_sample(n_villages)
        # chains of three (every swap weighed): each village's best tail, villages x villages
        tails = n_villages * n_villages if k >= n_villages else 0
        return 2 * n_villages * (n_officers + k) + tails
    raise ValueError(f"no law of its own: {unit}")


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
        if unit in LAWS:
            fixed, per = LAWS[unit]
            return self.effort / (fixed + per * max(int(size), 0))
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
        """An unscaled unit's amount for ``share`` seconds (at most what is left): CP-SAT's
        deterministic seconds, the column search's LP work."""
        return max(0.1, self.rate(unit, 0) * min(share, self.left()))

    def charge(self, unit: str, used: float, size: int) -> None:
        self.spent += self._seconds(unit, used, size)

    def guard(self) -> float:
        """A stage's wall-clock guard: what is left of ``GUARD`` times the time limit (a work
        budget, not the clock, is what ends a stage on any machine the rates allow)."""
        return max(0.1, GUARD * self.time_limit - (time.perf_counter() - self.t0))

    def stage_guard(self, share: float) -> float:
        """The wall-clock guard of a HiGHS stage from a full cover (``hard._highs_over``):
        ``STAGE_GUARD`` times its share and ``STAGE_FLOOR`` seconds, within the search's guard.
        HiGHS's checks follow its work worst of all units (a long root node on a large model
        makes few): D400x80's last stage at a 60 s limit ran into the search's guard at 600 s
        (with this guard: 159 s whole on a loaded machine, the same plan, the guard said)."""
        share = min(max(share, 0.0), self.left())
        return min(self.guard(), STAGE_GUARD * share + STAGE_FLOOR)

    def guard_fired(self) -> bool:
        return time.perf_counter() - self.t0 > GUARD * self.time_limit
