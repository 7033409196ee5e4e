"""One :class:`LinearModel`, two solvers (``solve/cpsat.py``, ``solve/highs.py``), one answer.

Rules write their rows once into a ``LinearModel`` and the engine and the benchmarks hand it to
CP-SAT or HiGHS; both must read the same model. Small random integer programs (equality and
inequality rows, one-sided rows, repeated entries, bounds, fixed variables, a hint) are solved by
both and by trying every point of the box, with the rows summed here from the triplets given.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from properties import property_settings

from cunjing.optimizer.solve.cpsat import solve_cpsat
from cunjing.optimizer.solve.highs import solve_highs
from cunjing.optimizer.solve.linear_model import INF, LinearModel


class Program:
    """A random integer program, as given to the model and kept here for enumeration."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        self.model = m = LinearModel()
        n1 = int(rng.integers(1, 4))
        n2 = int(rng.integers(1, 3))
        lo = rng.integers(-3, 2, n1 + n2)
        hi = lo + rng.integers(0, 4, n1 + n2)
        binary = rng.random(n1 + n2) < 0.3  # CP-SAT makes these Boolean variables
        lo[binary], hi[binary] = 0, 1
        cost = rng.integers(-5, 6, n1 + n2)
        m.add_vars("a", lo[:n1], hi[:n1], cost[:n1])
        m.add_vars("b", lo[n1:], hi[n1:], cost[n1:])
        n = n1 + n2
        self.lo, self.hi, self.cost = lo.copy(), hi.copy(), cost
        for i in rng.choice(n, int(rng.integers(0, 3)), replace=False).tolist():
            m.fixed[i] = int(rng.integers(lo[i], hi[i] + 1))
            self.lo[i] = self.hi[i] = m.fixed[i]
        self.rows: list[tuple[dict[int, int], int, int]] = []  # (coefficients, lower, upper)
        for group, count in (
            ("equal", int(rng.integers(0, 3))),
            ("within", int(rng.integers(1, 4))),
        ):
            rr, cc, vv, rlo, rhi = [], [], [], [], []
            for r in range(count):
                k = int(rng.integers(1, n + 2))  # one entry may repeat: the model sums them
                cols = rng.integers(0, n, k)
                coef = rng.choice([-3, -2, -1, 1, 2, 3], k)
                point = rng.integers(self.lo, self.hi + 1)  # keeps some rows satisfiable
                level = int(coef @ point[cols]) + int(rng.integers(-1, 2))
                if group == "equal":
                    low = high = level
                else:
                    side = rng.integers(0, 3)
                    low = -INF if side == 0 else level - int(rng.integers(0, 3))
                    high = INF if side == 1 else level + int(rng.integers(0, 3))
                rr += [r] * k
                cc += cols.tolist()
                vv += coef.tolist()
                rlo.append(low)
                rhi.append(high)
                row: dict[int, int] = {}
                for c, v in zip(cols.tolist(), coef.tolist(), strict=True):
                    row[c] = row.get(c, 0) + v
                self.rows.append((row, low, high))
            m.add_rows(
                group, np.array(rr), np.array(cc), np.array(vv), np.array(rlo), np.array(rhi)
            )
        self.hint = rng.integers(self.lo, self.hi + 1)

    def feasible(self, x) -> bool:
        x = np.asarray(x)
        inside = np.all((x >= self.lo) & (x <= self.hi))
        return bool(inside) and all(
            low <= sum(v * int(x[c]) for c, v in row.items()) <= high
            for row, low, high in self.rows
        )

    def best(self) -> tuple[int | None, np.ndarray | None]:
        """The optimum and a point reaching it, trying every point of the box."""
        best, arg = None, None
        for x in itertools.product(
            *(range(a, b + 1) for a, b in zip(self.lo, self.hi, strict=True))
        ):
            if self.feasible(x):
                value = int(self.cost @ np.array(x))
                if best is None or value > best:
                    best, arg = value, np.array(x)
        return best, arg


def solve_both(model: LinearModel, hint=None):
    return (
        solve_cpsat(model, time_limit=10, seed=0, workers=1, hint=hint),
        solve_highs(model, time_limit=10, hint=hint),
    )


@property_settings(40)
@given(seed=st.integers(0, 2**32 - 1), feasible_hint=st.booleans())
def test_cpsat_and_highs_find_the_optimum_of_every_point_of_the_box(seed, feasible_hint):
    program = Program(seed)
    optimum, arg = program.best()
    hint = arg if feasible_hint and arg is not None else program.hint
    for res in solve_both(program.model, hint):
        if optimum is None:
            assert res.status == "INFEASIBLE", res.backend
            assert res.x is None
            continue
        assert res.status == "OPTIMAL", res.backend
        assert round(res.objective) == optimum, res.backend
        assert program.feasible(res.x), res.backend
        assert program.model.value(res.x) == optimum
        assert all(res.x[i] == v for i, v in program.model.fixed.items())
        assert len(program.model.violated_rows(res.x)) == 0


def _infeasible_by_rows() -> LinearModel:
    m = LinearModel()
    m.add_vars("x", 0, 1, [1, 1, 1])
    # x0 + x1 + x2 = 2 and x0 + x1 >= 2 and x2 >= 1 (as -x2 <= -1): 3 > 2
    m.add_rows("sum", [0, 0, 0], [0, 1, 2], [1, 1, 1], [2], [2])
    m.add_rows("pair", [0, 0, 1], [0, 1, 2], [1, 1, -1], [2, -INF], [INF, -1])
    return m


def _infeasible_by_fixing() -> LinearModel:
    m = LinearModel()
    m.add_vars("x", -2, 3, [2, -1])
    m.add_rows("tie", [0, 0], [0, 1], [1, 1], [1], [1])  # x0 + x1 = 1
    m.fixed.update({0: 3, 1: 3})
    return m


@pytest.mark.parametrize("build", [_infeasible_by_rows, _infeasible_by_fixing])
def test_both_solvers_report_an_infeasible_model(build):
    model = build()
    for res in solve_both(model, hint=np.ones(model.n_vars, np.int64)):
        assert res.status == "INFEASIBLE", res.backend
        assert res.x is None
