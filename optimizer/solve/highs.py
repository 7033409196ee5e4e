"""HiGHS on a :class:`LinearModel`: a MIP peer, the LP relaxation with its duals, and the proof
stages that start from a plan found elsewhere (a MIP start HiGHS keeps as its first incumbent).
"""

from __future__ import annotations

import os
import time

import numpy as np
from scipy.sparse import csc_matrix

from .linear_model import LinearModel
from .result import SolveResult
from .status import Status
from .stop import StopSearch, run_stoppable


def quiet_highs():
    """A Highs object, without the banner HiGHS prints on the first one of a process."""
    import highspy

    try:
        fd = os.dup(1)
    except OSError:  # no stdout to silence
        h = highspy.Highs()
    else:
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(fd, 1)
            os.close(fd)
    h.setOptionValue("output_flag", False)
    return h


def pass_model(
    h,
    model: LinearModel,
    *,
    relax: bool,
    start: np.ndarray | None = None,
    columns: np.ndarray | None = None,
    matrix: csc_matrix | None = None,
) -> None:
    """Give HiGHS the model as a maximisation (integer columns unless ``relax``), with ``start``
    as a MIP start (HiGHS prunes against it from the first node). ``columns``: only these of
    the model's variables (an LP priced column by column, ``lp_columns``); ``matrix``: the
    model's matrix column-wise, when the caller has built it already."""
    import highspy

    lb, ub = model.bounds()
    a = model.matrix().tocsc() if matrix is None else matrix
    cost = model.objective()
    if columns is not None:
        a, cost, lb, ub = a[:, columns], cost[columns], lb[columns], ub[columns]
    rlo, rhi = model.row_bounds()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = model.n_rows
    lp.col_cost_ = cost.astype(float)
    lp.col_lower_ = lb.astype(float)
    lp.col_upper_ = ub.astype(float)
    lp.row_lower_ = np.where(rlo <= -(2**39), -inf, rlo).astype(float)
    lp.row_upper_ = np.where(rhi >= 2**39, inf, rhi).astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cost)
    h.passModel(lp)
    if start is not None and not relax:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=float))
        sol.value_valid = True
        h.setSolution(sol)


def read_result(h, relax: bool) -> tuple[Status, np.ndarray | None, float, float]:
    """Status, solution (rounded for a MIP), objective and bound after a run."""
    import highspy

    ms = h.getModelStatus()
    info = h.getInfo()
    has = info.primal_solution_status == 2  # a feasible point is available
    if ms == highspy.HighsModelStatus.kOptimal:
        status = Status.OPTIMAL
    elif ms == highspy.HighsModelStatus.kInfeasible:
        status = Status.INFEASIBLE
    else:
        status = Status.FEASIBLE if has else Status.UNKNOWN
    if not has:
        return status, None, float("nan"), float("nan")
    x = np.asarray(h.getSolution().col_value)
    if not relax:
        x = np.round(x).astype(np.int64)
    obj = float(info.objective_function_value)
    return status, x, obj, obj if relax else float(info.mip_dual_bound)


def run_with_threads(h) -> None:
    """``h.run()`` with its own ``threads`` option.

    HiGHS keeps one thread scheduler per process, sized by the first run; a later run asking
    for another number of threads fails outright ("the scheduler has already been
    initialized"). So the scheduler is reset before the run (for this one's threads) and after
    it (for whoever runs HiGHS next).
    """
    import highspy

    highspy.Highs.resetThreadScheduler(True)
    try:
        h.run()
    finally:
        highspy.Highs.resetThreadScheduler(True)


def solve_highs(
    model: LinearModel,
    time_limit: float = 60.0,
    *,
    seed: int = 0,
    relax: bool = False,
    hint: np.ndarray | None = None,
    stop: StopSearch | None = None,
    presolve: bool = True,
    threads: int | None = None,
    rel_gap: float | None = 0.0,
    abs_gap: float | None = 0.99,
    stop_at: float | None = None,
    options: dict | None = None,
    max_checks: int | None = None,
) -> SolveResult:
    """Maximise the model with HiGHS, or its LP relaxation (``relax``: the row duals in
    ``stats['duals']``, which price the villages for the Lagrangian bound).

    ``hint``: a MIP start. Objectives are integers (hundredths), so by default optimal means a
    gap below one unit, not HiGHS's relative 0.01 % (``rel_gap``/``abs_gap`` None: HiGHS's own).
    ``presolve=False``: for the LP over every pair (0.11 s against 0.51 s on the sample county)
    and for the engine's proof stage, a model of close competitors started from a near-optimal
    plan, where HiGHS's MIP presolve costs far more than it saves (2-4x slower on 400-village
    counties). ``threads``: None leaves HiGHS's pool as it is (its MIP search is serial);
    a number resets the pool around this run. ``stop_at``: stop as soon as a solution of at
    least that value is found (a bound proven elsewhere says it is close enough).
    ``max_checks``: a MIP's work budget, in HiGHS's calls of its interrupt callback (made at
    fixed points of its serial search, so the same run stops at the same point on any machine,
    where a time limit stops wherever the clock says; ``stats['checks']`` counts them).
    """
    import highspy

    t0 = time.perf_counter()
    h = quiet_highs()
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if rel_gap is not None:
        h.setOptionValue("mip_rel_gap", float(rel_gap))
    if abs_gap is not None:
        h.setOptionValue("mip_abs_gap", float(abs_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    if not presolve:
        h.setOptionValue("presolve", "off")
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    pass_model(h, model, relax=relax, start=hint)
    checks = [0]
    if (stop_at is not None or max_checks is not None) and not relax:

        def enough(e) -> None:
            checks[0] += 1
            if stop_at is not None and e.data_out.mip_primal_bound >= stop_at:
                e.interrupt()
            if max_checks is not None and checks[0] >= max_checks:
                e.interrupt()

        h.cbMipInterrupt.subscribe(enough)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    run = (lambda: run_with_threads(h)) if threads is not None else h.run
    run_stoppable(run, stop, h.cancelSolve)
    seconds = time.perf_counter() - t1
    status, x, obj, bound = read_result(h, relax)
    stats: dict = {"build_seconds": build}
    if not relax:
        # branch-and-bound nodes: the work unit of a deterministic budget (mip_max_nodes)
        stats["nodes"] = int(h.getInfo().mip_node_count)
        stats["time_limit_hit"] = h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        stats["checks"] = checks[0]
    if relax and x is not None:
        sol = h.getSolution()
        stats["duals"] = np.asarray(sol.row_dual)  # of the maximisation
        stats["reduced_costs"] = np.asarray(sol.col_dual)
    return SolveResult(x, status, obj, bound, seconds, "highs-lp" if relax else "highs", stats)
