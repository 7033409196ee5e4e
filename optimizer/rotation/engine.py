"""Rotating the resident auxiliaries of a county over P periods (定期交流).

1. Count (``rotation_schedule.contradictions``): if tenure forces more exchanges in some window
   of periods than AUX-EXCHANGE allows, say so with the numbers and do not search.
2. Schedule (``rotation_schedule.solve_schedule``): the fewest moves any rotation can make, a
   proven lower bound, and a schedule that reaches it; staggered flows
   (``rotation_greedy.staggered``) fill it with auxiliaries: the first rotation.
3. Column generation over the stint model (``rotation_master``) with the moves held at the
   bound: the LP over every possible stint, a proven bound on AUX-FAMILIAR points (then spread).
4. Round the LP to a schedule (the schedule model weighted by the LP's stints) and assign
   auxiliaries to it exactly (a small HiGHS MIP over its stints).
5. HiGHS on every stint of every option the LP uses, warm-started with step 4, until within
   ``gap_target`` of the bound of step 3. In small counties the reduced costs of step 3 leave
   few stints that could beat the rotation; the MIP over those proves it optimal.
If the schedule's moves are out of reach (it does not see who serves: a county with no
auxiliary to spare), the stint LP gives a tighter moves bound and steps 3–5 run again with the
moves the rotation needs.

Objective: as few moves as the rules allow, then AUX-FAMILIAR points, then the busiest period of
the county and of each township as low as possible (``AUX-EXCHANGE.spread`` points each).
Measured on the sample county (400 villages, 5 periods, 2 shared cores): the LP of a naive
per-period assignment model bounds the moves at 109 (55 s), the schedule at 619 (0.4 s), which a
rotation reaches; CP-SAT and HiGHS on all 15,000 stints the LP found did not improve the
staggered start (5.2 % from the bound) in 60 s; the pipeline above ends 0.42 % from the bound in
about 20 s (benchmarks/bench_auxiliaries.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...constraints import aux_exchange
from ...constraints.base import SCALE
from ..auxiliaries.placement import county_scope, plan_county_auxiliaries
from ..i18n import _
from ..input.instance import Instance
from ..solve.cpsat import solve_cpsat
from ..solve.highs import solve_highs
from ..solve.lp_columns import best_per_group
from ..solve.options import SolveOptions
from ..solve.status import Status
from .greedy import period_greedy, staggered
from .master import (
    RowLayout,
    StintLP,
    exchanges_of,
    lp_weights,
    slack_values,
    weights,
)
from .problem import RotationProblem, make_rotation_problem
from .schedule import contradictions, solve_schedule

EXACT_LIMIT = 20_000  # stints the reduced-cost proof may hand to one MIP
BACKENDS = ("auto", "highs", "cp-sat", "staggered", "greedy")


@dataclass
class RotationResult:
    county: str
    periods: int
    rotation: pd.DataFrame  # period, village_id, auxiliary_id, moved
    status: str  # Status.OPTIMAL / Status.FEASIBLE / Status.PARTIAL / Status.INFEASIBLE
    objective: float  # points: AUX-FAMILIAR − spread − penalties (see module doc)
    best_bound: float
    gap: float
    moves: int
    moves_bound: int  # fewest moves any rotation can make (schedule or stint LP), -1: none
    build_seconds: float
    solve_seconds: float
    backend: str
    diagnostics: list[dict] = field(default_factory=list)
    kpis: dict = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)  # the search, step by step
    extra: dict = field(default_factory=dict)  # for the county executor (reused results)


def rotation_frame(problem: RotationProblem, stints: np.ndarray) -> pd.DataFrame:
    """One row per village and period, from a rotation given as stints."""
    per, n_v = problem.periods, len(problem.villages)
    who = np.full((n_v, per), -1, dtype=np.int64)
    sv, sa = problem.s_village[stints], problem.s_aux[stints]
    for s, (v, a) in enumerate(zip(sv.tolist(), sa.tolist(), strict=True)):
        who[v, problem.s_first[stints[s]] - 1 : problem.s_last[stints[s]]] = a
    aux_ids = np.append(problem.auxiliaries.to_numpy(object), "")
    frame = pd.DataFrame(
        {
            "period": np.tile(np.arange(1, per + 1), n_v),
            "village_id": np.repeat(problem.villages.to_numpy(object), per),
            "auxiliary_id": aux_ids[who.ravel()],
        }
    )
    prev = np.concatenate([problem.incumbent[:, None], who[:, :-1]], axis=1)
    frame["moved"] = (who != prev).ravel()
    return frame


def objective_of(problem: RotationProblem, stints: np.ndarray, max_moves: int) -> float:
    """The model's objective of a rotation (hundredths)."""
    w = weights(problem)
    sl = slack_values(problem, RowLayout(problem), stints, max_moves)
    n_vp = len(problem.villages) * problem.periods
    return float(
        problem.s_score[stints].sum()
        - w.uncovered * sl[:n_vp].sum()
        - w.excess_move * sl[n_vp]
        - w.spread * sl[n_vp + 1 :].sum()
    )


def rotate_county(
    inst: Instance,
    county: str,
    periods: int,
    options: SolveOptions | None = None,
    *,
    backend: str = "auto",
    gap_target: float = 0.005,
    start: pd.Series | None = None,
) -> RotationResult:
    """The rotation of one county's auxiliaries over ``periods`` periods from the plan start.

    Period 1 is the annual placement (``start``: auxiliary id per village id, "" for none;
    default: the county's ``plan_county_auxiliaries``, which keeps period 1's exchange limits
    and leaves the later periods room for them), so ``cunjing plan`` and ``cunjing rotate``
    give one answer for the first period.

    ``backend``: ``auto`` (the pipeline of the module doc), ``highs`` (HiGHS on every stint the
    LP found, no support restriction: the peer on the same model), ``cp-sat`` (CP-SAT there),
    ``staggered`` (step 2 alone) or ``greedy`` (one period at a time, no look-ahead).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
    o = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    time_limit, seed, workers = o.time_limit, o.seed, o.workers
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    sub = county_scope(inst, county)
    if start is None:
        placed = plan_county_auxiliaries(sub, county, o).plan
        start = placed.set_index("village_id")["auxiliary_id"]
    problem = make_rotation_problem(sub, county, periods, start)
    build = time.perf_counter() - t0
    diagnostics = contradictions(sub, problem)
    if diagnostics:
        return _empty(problem, diagnostics, build, time.perf_counter() - t0 - build)

    t1 = time.perf_counter()
    if backend == "greedy":
        stints = period_greedy(problem)
        return _finish(
            sub,
            problem,
            stints,
            Status.FEASIBLE,
            None,
            -1,
            build,
            time.perf_counter() - t1,
            "period-greedy",
            [],
        )
    if problem.n_stints == 0:  # no one may serve anywhere: nothing to search
        return _finish(
            sub,
            problem,
            np.zeros(0, dtype=np.int64),
            Status.FEASIBLE,
            None,
            0,
            build,
            time.perf_counter() - t1,
            "none",
            [],
        )
    sched = solve_schedule(problem, time_limit=max(1.0, deadline - time.perf_counter()), seed=seed)
    if sched.moves < 0:
        diag = {
            "rule": "AUX-EXCHANGE",
            "message": _(
                "county {county}: no schedule of changes meets AUX-TENURE and AUX-EXCHANGE "
                "together, though no single window of periods is over its limit by counting"
            ).format(
                county=_("{name} ({id})").format(
                    name=inst.county_names.get(county, county), id=county
                )
            ),
            "ids": [county],
        }
        return _empty(problem, [diag], build, time.perf_counter() - t1)
    heur = staggered(problem, sched)
    if backend == "staggered":
        return _finish(
            sub,
            problem,
            heur,
            Status.FEASIBLE,
            None,
            sched.moves,
            build,
            time.perf_counter() - t1,
            "staggered-flow",
            [],
        )

    rounds: list[dict] = []
    best = _Best(problem, sched.moves, heur)
    moves_bound = target = sched.moves
    search = _Search(problem, rounds, seed, workers, backend, gap_target)
    bound = search.run(target, best, t1 + 0.6 * (deadline - t1), deadline)
    if best.uncovered or best.moves > target:
        # the schedule's bound is out of reach (it does not see who serves): a bound from the
        # stint LP, and the search again with the moves the rotation needs
        moves_bound = max(moves_bound, _moves_bound(problem, target, rounds, deadline))
        if best.moves > target and time.perf_counter() < deadline:
            target = best.moves
            best.rebase(target)
            left = deadline - time.perf_counter()
            bound = search.run(target, best, time.perf_counter() + 0.6 * left, deadline)
    status = (
        Status.OPTIMAL
        if bound - best.value < 1.0 and best.moves == moves_bound
        else Status.FEASIBLE
    )
    return _finish(
        sub,
        problem,
        best.stints,
        status,
        bound,
        moves_bound,
        build,
        time.perf_counter() - t1,
        search.backend,
        rounds,
        target,
    )


class _Search:
    """Column generation, then the MIPs, for a given number of moves."""

    def __init__(self, problem, rounds, seed, workers, backend, gap_target):
        self.problem, self.rounds = problem, rounds
        self.seed, self.workers, self.kind, self.gap_target = seed, workers, backend, gap_target
        self.backend = ""

    def run(self, moves: int, best: _Best, lp_deadline: float, deadline: float) -> float:
        """Improve ``best`` among rotations of at most ``moves`` moves; the proven bound."""
        problem, rounds, seed = self.problem, self.rounds, self.seed
        lp = StintLP(problem, moves, weights(problem), lp_weights(problem))
        lp.add(_initial_stints(problem, best.stints))
        bound, x, rc = generate_columns(problem, lp, rounds, lp_deadline)
        if self.kind == "auto":
            # round the LP to a schedule and assign auxiliaries to it exactly (a small MIP)
            mass = _option_mass(problem, lp, x)
            rounded = solve_schedule(problem, seed=seed, mass=mass, max_moves=moves)
            if rounded.moves >= 0:
                alt = staggered(problem, rounded)
                best.offer(alt)
                keys = _keys(problem, alt)
                fixed = np.union1d(lp.cols[np.isin(_keys(problem, lp.cols), keys)], alt)
                res = _mip(problem, moves, fixed, best.stints, deadline, seed)
                best.offer(res.chosen)
                rounds.append(
                    {
                        "schedule_mip_columns": len(fixed),
                        "seconds": round(res.seconds, 3),
                        "status": res.status,
                        "points": round(best.value / SCALE, 2),
                    }
                )
            # then the MIP over every option the LP uses
            used = lp.cols[x > 1e-6]
            cols = np.union1d(lp.cols[_in_support(problem, lp.cols, used)], best.stints)
            enough = bound - self.gap_target * max(1.0, abs(bound))
            res = _mip(
                problem,
                moves,
                cols,
                best.stints,
                deadline,
                seed,
                enough,
                "highs",
                1,
                self.gap_target / 2,
            )
        else:
            cols = np.union1d(lp.cols, best.stints)
            solver = "cp-sat" if self.kind == "cp-sat" else "highs"
            res = _mip(
                problem, moves, cols, best.stints, deadline, seed, None, solver, self.workers
            )
        best.offer(res.chosen)
        rounds.append(
            {
                "mip_columns": len(cols),
                "mip_seconds": round(res.seconds, 3),
                "mip_status": res.status,
                "points": round(best.value / SCALE, 2),
            }
        )
        self.backend = f"{res.backend}+column-generation"
        if self.kind == "auto" and bound - best.value >= 1.0:
            bound = self._prove(moves, best, bound, rc, deadline)
        return bound

    def _prove(self, moves: int, best: _Best, bound: float, rc: np.ndarray, deadline: float):
        """Reduced-cost fixing: a stint whose reduced cost is below −(bound − best) is in no
        rotation better than the best (c·x ≤ bound + rc_k for any x using stint k). When the
        other stints are few, the MIP over them settles the question: its bound is global."""
        cand = np.flatnonzero(rc >= -(bound - best.value) - 0.5)
        if len(cand) > EXACT_LIMIT or time.perf_counter() >= deadline:
            return bound
        cols = np.union1d(cand, best.stints)
        res = _mip(self.problem, moves, cols, best.stints, deadline, self.seed)
        best.offer(res.chosen)
        self.rounds.append(
            {
                "exact_columns": len(cols),
                "seconds": round(res.seconds, 3),
                "status": res.status,
                "points": round(best.value / SCALE, 2),
            }
        )
        if res.status == Status.OPTIMAL and np.isfinite(res.bound):
            return max(best.value, min(bound, res.bound))
        return bound


def _moves_bound(problem: RotationProblem, moves: int, rounds: list[dict], deadline: float) -> int:
    """Fewest moves by the stint LP (points set aside), at least ``moves``."""
    import dataclasses

    bare = dataclasses.replace(problem, s_score=np.zeros_like(problem.s_score), spread_weight=0)
    w = lp_weights(bare)
    lp = StintLP(bare, moves, w, w)
    lp.add(_initial_stints(bare, np.zeros(0, dtype=np.int64)))
    log: list[dict] = []
    bound, _x, _rc = generate_columns(bare, lp, log, deadline)
    sol = np.asarray(lp.h.getSolution().col_value)[: lp.n_slack]
    n_vp = len(problem.villages) * problem.periods
    rounds.append(
        {"moves_lp_rounds": len(log), "moves_lp_excess": round(-bound / w.excess_move, 3)}
    )
    if sol[:n_vp].sum() > 1e-6:
        return moves  # the LP leaves someone uncovered: no clean bound on moves
    return moves + max(0, int(np.ceil(-bound / w.excess_move - 1e-6)))


class _Best:
    """The best rotation found so far, by the model's objective with ``target`` moves."""

    def __init__(self, problem: RotationProblem, target: int, stints: np.ndarray):
        self.problem, self.target = problem, target
        self.stints = stints
        self.value = objective_of(problem, stints, target)

    def offer(self, stints: np.ndarray | None) -> None:
        if stints is None:
            return
        v = objective_of(self.problem, stints, self.target)
        if v > self.value:
            self.stints, self.value = stints, v

    def rebase(self, target: int) -> None:
        self.target = target
        self.value = objective_of(self.problem, self.stints, target)

    @property
    def moves(self) -> int:
        return int(self.problem.s_new[self.stints].sum())

    @property
    def uncovered(self) -> int:
        p = self.problem
        return len(p.villages) * p.periods - int((p.s_last - p.s_first + 1)[self.stints].sum())


@dataclass
class _MipResult:
    chosen: np.ndarray | None
    seconds: float
    status: str
    backend: str
    bound: float = float("nan")


def _mip(
    problem,
    moves,
    cols,
    start,
    deadline,
    seed,
    stop_at=None,
    solver="highs",
    workers=1,
    rel_gap=None,
):
    """The integer stint model over ``cols``, warm-started with ``start``.

    When the start covers every village-period within the moves bound (the usual case), both
    are held there (no village uncovered, no move beyond the bound: already the best possible)
    and the MIP only improves points; else the lexicographic weights decide.
    """
    lp = StintLP(problem, moves, weights(problem), lp_weights(problem))
    lp.add(np.union1d(cols, start))
    model = lp.linear_model()
    hint = lp.full_vector(start)
    n_vp = len(problem.villages) * problem.periods
    if not hint[: n_vp + 1].any():
        for i in range(n_vp + 1):
            model.fixed[i] = 0
    left = max(1.0, deadline - time.perf_counter())
    if solver == "cp-sat":
        res = solve_cpsat(model, time_limit=left, seed=seed, workers=workers, hint=hint)
    else:
        res = solve_highs(
            model,
            left,
            threads=1,
            seed=seed,
            hint=hint,
            stop_at=stop_at,
            rel_gap=rel_gap,
            abs_gap=None,
            # measured on the sample's support MIP: without restarts HiGHS finds its good
            # solutions in a third of the time (it re-presolves three times otherwise)
            options={"mip_allow_restart": False},
        )
    chosen = None if res.x is None else np.sort(lp.cols[res.x[lp.n_slack :] > 0])
    return _MipResult(
        chosen,
        res.seconds + res.stats.get("build_seconds", 0.0),
        res.status,
        res.backend,
        res.bound,
    )


def generate_columns(problem: RotationProblem, lp: StintLP, rounds: list[dict], deadline: float):
    """Column generation to the LP optimum over the whole pool (or the deadline): the proven
    bound ``min over rounds of (LP + Σ max(0, rc))``, the last LP solution and the reduced
    costs of the pool under its duals."""
    bound = np.inf
    while True:
        t = time.perf_counter()
        obj, duals, x = lp.solve()
        if lp.separate(x):
            continue  # a return the LP allowed: cut it off and solve again
        rc = lp.reduced_costs(duals)
        rc[lp.in_lp] = np.minimum(rc[lp.in_lp], 0)
        lag = obj + np.maximum(rc, 0).sum()
        bound = min(bound, lag)
        add = _best_new(problem, rc)
        rounds.append(
            {
                "stints": int(lp.in_lp.sum()),
                "lp": round(obj / SCALE, 2),
                "bound": round(bound / SCALE, 2),
                "seconds": round(time.perf_counter() - t, 3),
            }
        )
        if (
            not len(add)
            or bound - obj <= 1e-7 * max(1.0, abs(obj))
            or time.perf_counter() > deadline
        ):
            return bound, x, rc
        lp.add(add)


def _keys(problem: RotationProblem, stints: np.ndarray) -> np.ndarray:
    """One integer per (village, first, last, goes_on, exchange): a stint's option."""
    p1 = problem.periods + 2
    return (
        ((problem.s_village[stints] * p1 + problem.s_first[stints]) * p1 + problem.s_last[stints])
        * 2
        + problem.s_goes_on[stints]
    ) * p1 + problem.s_exchange[stints]


def _in_support(problem: RotationProblem, stints: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Whether each stint's option is one the LP uses."""
    return np.isin(_keys(problem, stints), _keys(problem, used))


def _option_mass(problem: RotationProblem, lp: StintLP, x: np.ndarray) -> np.ndarray:
    """The LP's weight on each option of ``stint_options`` (the schedule's variables)."""
    from .schedule import stint_options

    opts = stint_options(problem)
    p1 = problem.periods + 2
    okeys = (
        (
            (opts["village"].to_numpy() * p1 + opts["first"].to_numpy()) * p1
            + opts["last"].to_numpy()
        )
        * 2
        + opts["goes_on"].to_numpy().astype(np.int64)
    ) * p1 + opts["exchange"].to_numpy()
    k = _keys(problem, lp.cols)
    mass = pd.Series(x, index=k).groupby(level=0).sum()
    return mass.reindex(okeys).fillna(0.0).to_numpy(float)


def _initial_stints(problem: RotationProblem, heur: np.ndarray, per_village: int = 1) -> np.ndarray:
    """The warm start's stints, every incumbent going on, and every stint of each village's
    best-scoring pairs."""
    best = np.zeros(len(problem.pair_points), dtype=bool)
    best[best_per_group(problem.pair_village, problem.pair_points, per_village)] = True
    return np.unique(
        np.concatenate([heur, np.flatnonzero(problem.s_goes_on | best[problem.s_pair])])
    )


def _best_new(
    problem: RotationProblem, rc: np.ndarray, per_village: int = 8, most: int = 8000
) -> np.ndarray:
    """Stints that would improve the LP: the best few of each village."""
    cand = np.flatnonzero(rc > 1e-6)
    if not len(cand):
        return cand
    pick = cand[best_per_group(problem.s_village[cand], rc[cand], per_village)]
    if len(pick) > most:
        pick = pick[np.argsort(-rc[pick], kind="stable")[:most]]
    return pick


def _empty(problem, diagnostics, build, seconds) -> RotationResult:
    return RotationResult(
        county=problem.county,
        periods=problem.periods,
        rotation=pd.DataFrame(columns=["period", "village_id", "auxiliary_id", "moved"]),
        status=Status.INFEASIBLE,
        objective=float("nan"),
        best_bound=float("nan"),
        gap=float("nan"),
        moves=-1,
        moves_bound=-1,
        build_seconds=build,
        solve_seconds=seconds,
        backend="counting",
        diagnostics=diagnostics,
        kpis={"villages": len(problem.villages), "periods": problem.periods},
    )


def _finish(
    inst, problem, stints, status, bound, moves_bound, build, seconds, backend, rounds, target=None
):
    rot = rotation_frame(problem, stints)
    moves = int(problem.s_new[stints].sum())
    # the moves the objective is held at (no penalty for a baseline's own moves)
    target = max(moves_bound, moves) if target is None else target
    value = objective_of(problem, stints, target) / SCALE
    b = bound / SCALE if bound is not None and np.isfinite(bound) else float("nan")
    gap = abs(b - value) / max(1.0, abs(value)) if np.isfinite(b) else float("nan")
    uncovered = int((rot["auxiliary_id"] == "").sum())
    diagnostics = []
    if uncovered:
        status = Status.PARTIAL
        diagnostics = uncovered_diagnostics(inst, problem, rot)
    per_c, per_t = aux_exchange.move_counts(inst, rot)
    kpis = rotation_kpis(problem, stints, rot, per_c, per_t)
    return RotationResult(
        county=problem.county,
        periods=problem.periods,
        rotation=rot,
        status=status,
        objective=value,
        best_bound=b,
        gap=gap,
        moves=moves,
        moves_bound=moves_bound,
        build_seconds=build,
        solve_seconds=seconds,
        backend=backend,
        diagnostics=diagnostics,
        kpis=kpis,
        rounds=rounds,
    )


def uncovered_diagnostics(inst: Instance, problem: RotationProblem, rot: pd.DataFrame) -> list:
    """Why village-periods stay without an auxiliary: per period, Hall's certificate over who is
    in service and allowed by AUX-TOWNSHIP and AUX-NOT-HOME (as for the annual plan); what it
    does not explain, AUX-TENURE and AUX-EXCHANGE over the periods do."""
    from ..auxiliaries.flow import solve_flow
    from ..auxiliaries.model import make_problem
    from ..auxiliaries.placement import diagnose_shortage

    out = []
    gaps = rot[rot["auxiliary_id"] == ""].groupby("period").size()
    for p, n in gaps.items():
        table = problem.pairs.copy()
        table["eligible"] = problem.in_service[problem.pair_aux, int(p)]
        table["rule"] = np.where(table["eligible"], "", "AUX-COVER")
        table["pinned"] = False
        ap = make_problem(problem.villages, problem.auxiliaries, table[table["eligible"]])
        x = solve_flow(ap).x
        found = diagnose_shortage(inst, ap, x, table)
        for d in found:
            d["message"] = _("period {p}: {message}").format(p=p, message=d["message"])
            d["period"] = int(p)
        out += found
        rest = int(n) - sum(d["short"] for d in found)
        if rest > 0:
            out.append(
                {
                    "rule": "AUX-TENURE",
                    "message": _(
                        "period {p}: {n} more village(s) stay without a resident auxiliary: "
                        "enough auxiliaries may serve there in this period alone, but not with "
                        "AUX-TENURE and AUX-EXCHANGE over the periods"
                    ).format(p=p, n=rest),
                    "ids": sorted(
                        rot.loc[(rot["period"] == p) & (rot["auxiliary_id"] == ""), "village_id"]
                    ),
                    "period": int(p),
                    "short": rest,
                }
            )
    return out


def rotation_kpis(problem, stints, rot, per_c, per_t) -> dict:
    county, town = exchanges_of(problem, stints)
    pts = problem.s_score[stints].sum() / SCALE
    return {
        "villages": len(problem.villages),
        "periods": problem.periods,
        "village_periods": len(rot),
        "uncovered_village_periods": int((rot["auxiliary_id"] == "").sum()),
        "moves": int(rot["moved"].sum()),
        "exchanges": int(per_c["exchanges"].sum()),
        "exchanges_per_period": [int(x) for x in county],
        "exchange_caps": [int(x) for x in problem.cap[1:]],
        "busiest_township_period": int(town.max(initial=0)),
        "township_limits": {
            t: int(n) for t, n in zip(problem.townships, problem.per_township, strict=True)
        },
        "familiar_points": float(round(pts, 2)),
        "stints": len(stints),
        "stint_pool": problem.n_stints,
        "pairs": len(problem.pairs),
    }
