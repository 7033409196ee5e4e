"""Backends for a :class:`LinearModel`: CP-SAT (the engine) and HiGHS (peer and LP duals).

Both read the same assembled arrays, so a benchmark compares solvers on one formulation.
"""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .linear_model import LinearModel

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


@dataclass
class SolveResult:
    x: np.ndarray | None
    status: str
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


class StopSearch:
    """A flag a signal handler sets to stop a running search (Ctrl-C keeps the best plan)."""

    def __init__(self) -> None:
        self.solver = None
        self.requested = False

    def __call__(self) -> None:
        self.requested = True
        solver = self.solver
        if solver is not None:
            if hasattr(solver, "stop_search"):
                solver.stop_search()
            else:
                solver.cancelSolve()


def _interruptible(run):
    """Run a native solver call in a thread while the main thread waits in Python, so that a
    Ctrl-C handler (which only runs in the main thread, between bytecodes) can stop it."""
    import threading

    box: dict = {}

    def target():
        try:
            box["value"] = run()
        except BaseException as e:  # handed back to the caller below
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)
    if "error" in box:
        raise box["error"]
    return box.get("value")


@contextmanager
def on_interrupt(stop: StopSearch):
    """Ctrl-C stops the search (the best plan found so far is kept and marked); a second Ctrl-C
    stops at once and writes nothing."""

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop()

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def cpsat_parameters(time_limit: float, seed: int, workers: int) -> dict:
    """CP-SAT settings for these assignment models.

    One worker is deterministic for a seed, and on the sample county's candidate model it
    proved optimality in 3.4 s against 7-8 s for two default workers (which also returned
    different optimal plans on repeated runs). More workers run the interleaved portfolio, the
    deterministic one. Measured and rejected: linearization level 2 without probing, and a
    greedy plan as a hint (it pins the search near a poor plan).
    """
    params = {
        "max_time_in_seconds": float(time_limit),
        "num_workers": int(workers),
        "random_seed": int(seed),
    }
    if workers > 1:
        params["interleave_search"] = True
    return params


def solve_cpsat(
    model: LinearModel,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 1,
    hint: np.ndarray | None = None,
    stop: StopSearch | None = None,
    params: dict | None = None,
) -> SolveResult:
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    cp = cp_model.CpModel()
    lb, ub = model.bounds()
    xs = [
        cp.new_int_var(int(a), int(b), "") if (a, b) != (0, 1) else cp.new_bool_var("")
        for a, b in zip(lb.tolist(), ub.tolist(), strict=True)
    ]
    a = model.matrix()
    rlo, rhi = model.row_bounds()
    indptr, indices, data = a.indptr, a.indices, a.data
    for r in range(a.shape[0]):
        cols = indices[indptr[r] : indptr[r + 1]]
        coef = data[indptr[r] : indptr[r + 1]]
        expr = cp_model.LinearExpr.weighted_sum([xs[c] for c in cols], coef.tolist())
        cp.add_linear_constraint(expr, int(rlo[r]), int(rhi[r]))
    cost = model.objective()
    nz = np.flatnonzero(cost)
    cp.maximize(cp_model.LinearExpr.weighted_sum([xs[i] for i in nz], cost[nz].tolist()))
    if hint is not None:
        for v, h in zip(xs, np.asarray(hint, dtype=np.int64).tolist(), strict=True):
            cp.add_hint(v, h)
    build = time.perf_counter() - t0
    solver = cp_model.CpSolver()
    for k, v in {**cpsat_parameters(time_limit, seed, workers), **(params or {})}.items():
        if isinstance(v, list):
            getattr(solver.parameters, k).extend(v)
        else:
            setattr(solver.parameters, k, v)
    if stop is not None:
        # our Ctrl-C handler stops the search (CP-SAT's own would swallow the signal)
        solver.parameters.catch_sigint_signal = False
        stop.solver = solver
        if stop.requested:
            solver.parameters.max_time_in_seconds = 0.0
    t1 = time.perf_counter()
    code = _interruptible(lambda: solver.solve(cp)) if stop is not None else solver.solve(cp)
    seconds = time.perf_counter() - t1
    if stop is not None:
        stop.solver = None
    status = {
        cp_model.OPTIMAL: OPTIMAL,
        cp_model.FEASIBLE: FEASIBLE,
        cp_model.INFEASIBLE: INFEASIBLE,
    }.get(code, UNKNOWN)
    if status in (OPTIMAL, FEASIBLE):
        x = np.array([solver.value(v) for v in xs], dtype=np.int64)
        obj, bound = solver.objective_value, solver.best_objective_bound
    else:
        x, obj, bound = None, float("nan"), float("nan")
    return SolveResult(
        x,
        status,
        obj,
        bound,
        seconds,
        "cp-sat",
        {
            "build_seconds": build,
            "branches": solver.num_branches,
            "conflicts": solver.num_conflicts,
            "stopped": bool(stop is not None and stop.requested),
        },
    )


def solve_highs(
    model: LinearModel,
    time_limit: float = 60.0,
    relax: bool = False,
    threads: int = 1,
    seed: int = 0,
    hint: np.ndarray | None = None,
    stop: StopSearch | None = None,
    presolve: bool = True,
) -> SolveResult:
    """HiGHS on the same model: the MIP (a peer in benchmarks) or its LP relaxation (with the
    row duals in ``stats['duals']``, used to prove the candidate pruning lossless).

    ``presolve=False``: for the LP over every pair (0.11 s against 0.51 s on the sample county)
    and for the engine's proof stage, a model of close competitors started from a near-optimal
    plan, where HiGHS's MIP presolve costs far more than it saves (2-4x slower on 400-village
    counties; measured in the notes of issue 3)."""
    from .highs_mip import pass_model, quiet_highs, read_result

    t0 = time.perf_counter()
    h = quiet_highs()
    h.setOptionValue("time_limit", float(time_limit))
    # objectives are integers (hundredths): optimal means a gap below one unit, not HiGHS's
    # default relative 0.01 %
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.99)
    # HiGHS fixes its thread pool at the first run of a process; setting "threads" later
    # makes run() fail, so the pool is left at its default (HiGHS's MIP search is serial).
    _ = threads
    h.setOptionValue("random_seed", int(seed))
    if not presolve:
        h.setOptionValue("presolve", "off")
    pass_model(h, model, relax=relax, start=hint)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    if stop is not None:
        stop.solver = h  # cancelSolve() stops HiGHS like stop_search() stops CP-SAT
        _interruptible(h.run)
        stop.solver = None
    else:
        h.run()
    seconds = time.perf_counter() - t1
    status, x, obj, bound = read_result(h, relax)
    stats: dict = {"build_seconds": build}
    if relax and x is not None:
        sol = h.getSolution()
        stats["duals"] = np.asarray(sol.row_dual)  # of the maximisation
        stats["reduced_costs"] = np.asarray(sol.col_dual)
    return SolveResult(x, status, obj, bound, seconds, "highs-lp" if relax else "highs", stats)
