"""A solver-neutral integer linear model: integer variables, sparse rows, a linear objective.

Rules add their rows here (``add_to_model``); backends (CP-SAT, HiGHS) translate the same model,
so a benchmark compares solvers on exactly one formulation. All coefficients are integers
(scores and days in hundredths), which CP-SAT needs and which makes the checker's sums exact.

    maximise   c·x
    subject to row_lb <= A x <= row_ub,   lb <= x <= ub,   x integer
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix


@dataclass
class LinearModel:
    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    cost: list[np.ndarray] = field(default_factory=list)
    var_groups: dict[str, slice] = field(default_factory=dict)
    _rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    row_lb: list[np.ndarray] = field(default_factory=list)
    row_ub: list[np.ndarray] = field(default_factory=list)
    row_groups: dict[str, slice] = field(default_factory=dict)
    n_vars: int = 0
    n_rows: int = 0
    fixed: dict[int, int] = field(default_factory=dict)  # pinned variables
    hint: dict[int, int] = field(default_factory=dict)  # warm start

    def add_vars(self, name: str, lb, ub, cost) -> slice:
        lb, ub, cost = (np.asarray(a, dtype=np.int64) for a in np.broadcast_arrays(lb, ub, cost))
        s = slice(self.n_vars, self.n_vars + len(lb))
        self.lb.append(lb.ravel())
        self.ub.append(ub.ravel())
        self.cost.append(cost.ravel())
        self.var_groups[name] = s
        self.n_vars += len(lb)
        return s

    def add_rows(
        self,
        name: str,
        row: np.ndarray,
        col: np.ndarray,
        coef: np.ndarray,
        lb: np.ndarray,
        ub: np.ndarray,
    ) -> slice:
        """Rows given as triplets (row index within this group, variable, coefficient)."""
        lb = np.asarray(lb, dtype=np.int64)
        ub = np.asarray(ub, dtype=np.int64)
        s = slice(self.n_rows, self.n_rows + len(lb))
        self._rows.append(
            (
                np.asarray(row, np.int64) + self.n_rows,
                np.asarray(col, np.int64),
                np.asarray(coef, np.int64),
            )
        )
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        self.row_groups[name] = s
        self.n_rows += len(lb)
        return s

    # assembled arrays ------------------------------------------------------------------------
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lb, ub = np.concatenate(self.lb), np.concatenate(self.ub)
        for i, v in self.fixed.items():
            lb[i] = ub[i] = v
        return lb, ub

    def objective(self) -> np.ndarray:
        return np.concatenate(self.cost)

    def matrix(self) -> csr_matrix:
        if not self._rows:
            return csr_matrix((0, self.n_vars), dtype=np.int64)
        r = np.concatenate([x[0] for x in self._rows])
        c = np.concatenate([x[1] for x in self._rows])
        v = np.concatenate([x[2] for x in self._rows])
        return coo_matrix((v, (r, c)), shape=(self.n_rows, self.n_vars)).tocsr()

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.row_lb:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(self.row_lb), np.concatenate(self.row_ub)

    def value(self, x: np.ndarray) -> int:
        return int(self.objective() @ np.asarray(x, dtype=np.int64))

    def violated_rows(self, x: np.ndarray) -> np.ndarray:
        ax = self.matrix() @ np.asarray(x, dtype=np.int64)
        lo, hi = self.row_bounds()
        return np.flatnonzero((ax < lo) | (ax > hi))


INF = 2**40  # "no bound" for rows; far above any sum of hundredths of days or points
