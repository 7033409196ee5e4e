"""Planning the liaison officers of one county: candidates, model, solve, proof.

Candidate pairs are sparse (spopt's ``KNearestPMedian`` idea, with "nearest" measured by what
a pair can add to a plan): the LP over every eligible pair prices the villages, a Lagrangian bound
(``bound``) then bounds the best plan through each pair, and HiGHS finds the best plan over each
village's few best-bounded officers (with the LP's pairs, the greedy plan and every pinned pair).
A left-out pair whose bound cannot beat that plan is in no better plan; the model is widened by
exactly the others and solved again (HiGHS, from the plan found). So when the search ends, the
pruning provably cost nothing, and the result says so with the numbers.

When no officer's days can bind, the model is a transportation problem and is solved exactly as a
min-cost flow instead.

When the greedy plan leaves villages without an officer (a short-handed or tight county), that is
never taken for a shortage: a small county looks for a full cover by MTHG and the repair search
(``find_cover``) and goes on from it as any other; a large one, or one where none was found, goes
to the hard-county pipeline (``hard``): a repair search and CP-SAT aimed at a full cover first,
then the Lagrangian bound and the searches for better plans, or, when no full cover is found, the
plan that covers most with a counting proof or the plain words that nothing is proven. Every
stage is said, with what it did and how long it took (``OfficerResult.notes``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ...constraints.base import SCALE
from ..i18n import _
from ..input.instance import Instance
from ..solve.cpsat import solve_cpsat
from ..solve.highs import solve_highs
from ..solve.linear_model import LinearModel
from ..solve.lp_columns import best_per_group, central_duals, solve_lp_by_columns
from ..solve.options import SolveOptions
from ..solve.result import SolveResult
from ..solve.status import Status
from ..solve.stop import StopSearch
from .bound import PairBound, lagrangian_pair_bounds
from .budget import GUARD, WorkClock
from .core import make_core
from .diagnosis import diagnose_uncovered
from .explain import explainable
from .flow import days_never_bind, solve_flow
from .greedy import solve_greedy
from .hard import Stage, optimise, recorder, solve_hard, stopper, why_stopped
from .kpis import county_part
from .model import OfficerProblem, build_model, completion, county_capacity, make_problem
from .mthg import solve_mthg
from .pairs import build_pairs
from .repair import cover
from .shortage import diagnosis

# CP-SAT's share of a small county's search: a fifth of the time limit and at most 4.5 s,
# given to it in deterministic seconds (``budget.RATES``: the same plan on every run; 2 of them
# at the default limits, as before); a plan it has not proven by then goes on to the hard
# pipeline's later stages. A fixed 2 deterministic seconds took 4-5.6 s whatever the limit
# (`--time-limit 5` on gapd d10100 ran 9.5 s)
SMALL_CPSAT_SHARE = 0.2
SMALL_CPSAT_SECONDS = 4.5
# the LP over every pair starts from each village's 10 best-scoring pairs (2-4 rounds of pricing;
# from 5 as fast, with a round more)
PRICE_FROM = 10
# the proof of a large county asks for central duals (``lp_columns.central_duals``) when the
# simplex's vertex leaves more than this many pairs a village that could beat the plan: on the
# province benchmark's counties above it (18 of 38) their proofs took 27.1 s with the vertex's
# prices and 14.1 s with central ones, the whole officer searches 41.2 against 32.1 s; below it
# the 0.26 s the interior-point LP costs is more than the proof gains
CENTRAL_ABOVE = 25.0
# HiGHS over a large county's candidates: its root reduced-cost heuristic (a sub-MIP over the
# root LP's best reduced costs) off. These models end at the root node; the heuristic was a
# third of their time and the RINS sub-MIP finds the same plans without it (8 province counties:
# 4.01 s against 2.57 s, the same objectives; the proof's MIP gains nothing from it)
CANDIDATE_HIGHS = {"mip_heuristic_run_root_reduced_cost": False}


@dataclass
class OfficerResult:
    county: str
    plan: pd.DataFrame  # one row per village: the chosen pair's columns, officer "" if uncovered
    status: Status
    objective: float  # points (uncovered villages at -uncovered_penalty each)
    best_bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    backend: str
    pruning: dict
    diagnostics: list[dict] = field(default_factory=list)
    pairs: pd.DataFrame | None = None  # each village's pair and best others (``explainable``)
    uncovered_penalty: float = 0.0
    kpi_part: dict | None = None  # kpis.county_part, computed where the pair table is
    notes: list[str] = field(default_factory=list)  # the search's stages and fallbacks, said


def chosen_rows(problem: OfficerProblem, res: SolveResult) -> np.ndarray:
    """Rows of the eligible pair table (``_pos``) that the solution takes."""
    return problem.pairs["_pos"].to_numpy()[np.flatnonzero(res.x[: problem.n_pairs])]


def plan_county_officers(
    inst: Instance,
    county: str,
    options: SolveOptions | None = None,
    stop: StopSearch | None = None,
) -> OfficerResult:
    """The officer plan of one county (``inst`` may hold more counties; only this one is used).

    ``options.backend``: "auto" (the engine: flow when exact, else CP-SAT, over pruned
    candidates with the proof when the county is large), "cp-sat-full" / "highs" (that solver on
    the model over all eligible pairs), "flow", "greedy".
    """
    search = CountySearch(
        inst, county, options or SolveOptions.from_settings(inst.policy.sections["solver"]), stop
    )
    backend = search.options.backend
    if backend in ("flow", "greedy"):
        return search.direct(backend)
    if backend in ("highs", "cp-sat-full"):
        return search.exact_over_all("cp-sat" if backend == "cp-sat-full" else "highs")
    if search.reachable and days_never_bind(search.full):
        return search.direct(
            "flow",
            "no officer's days can bind: solved exactly as a min-cost flow over all eligible pairs",
        )
    small = len(search.eligible) <= search.options.prune_above_pairs
    if not search.covers and not (small and search.reachable and search.find_cover()):
        # the greedy plan leaves villages uncovered and so did MTHG and the repair search (or
        # the county is large): never take that for a shortage
        return search.hard()
    if len(search.eligible) <= search.options.prune_above_pairs:
        return search.exact_over_all("cp-sat", portfolio=True)
    return search.pruned()


class CountySearch:
    """One county's search. Its stages share the county's pair table, the greedy plan, the
    clock and the time spent building models; each stage ends in :meth:`done`."""

    def __init__(
        self, inst: Instance, county: str, options: SolveOptions, stop: StopSearch | None
    ) -> None:
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + options.time_limit
        self.county, self.options, self.stop = county, options, stop
        self.inst = sub = inst.county(county) if len(inst.counties) > 1 else inst
        self.table = build_pairs(sub)
        eligible = self.table[self.table["eligible"]].reset_index(drop=True)
        self.every = np.arange(len(eligible))
        self.eligible = eligible.assign(_pos=self.every)
        self.capacity = county_capacity(sub, county, self.eligible)
        self.limits = self.capacity.to_numpy()
        villages = sub.villages.index[sub.villages["county_id"] == county]
        self.reachable = bool(villages.isin(self.eligible["village_id"]).all())
        self.full = make_problem(sub, county, self.eligible, self.every, limits=self.limits)
        t = time.perf_counter()
        self.greedy_pairs = np.flatnonzero(solve_greedy(self.full).x)
        self.greedy_seconds = time.perf_counter() - t
        covered = len(np.unique(self.full.pair_village[self.greedy_pairs]))
        self.covers = self.reachable and covered == len(villages)
        self.build = time.perf_counter() - self.t0
        self.info: dict = {
            "eligible_pairs": len(self.eligible),
            "all_pairs": len(self.table),
            "rounds": [],
        }
        self.notes: list[str] = []
        self.proofs: list[dict] | None = None  # the hard pipeline's diagnosis of a partial plan
        self.lp_model: LinearModel | None = None  # the LP over every pair (``_price_pairs``)

    def left(self) -> float:
        return max(0.1, self.deadline - time.perf_counter())

    def solve(
        self,
        rows: np.ndarray,
        how: str,
        limit: float,
        cover_all: bool,
        hint_rows: np.ndarray | None = None,
        presolve: bool = True,
        params: dict | None = None,
        checks: int | None = None,
    ) -> tuple[OfficerProblem, LinearModel, SolveResult]:
        """The model over ``rows`` of the eligible pairs, solved by ``how`` (HiGHS: ``checks`` a
        work budget, see ``solve_highs``; ``params`` the solver's own options)."""
        t = time.perf_counter()
        problem = make_problem(
            self.inst, self.county, self.eligible, rows, cover_all=cover_all, limits=self.limits
        )
        model = build_model(problem)
        self.build += time.perf_counter() - t
        hint = None
        if hint_rows is not None:
            taken = np.flatnonzero(problem.pairs["_pos"].isin(hint_rows).to_numpy())
            hint = completion(problem, model, taken)
        o = self.options
        if how == "highs":
            res = solve_highs(
                model,
                limit,
                seed=o.seed,
                hint=hint,
                stop=self.stop,
                presolve=presolve,
                max_checks=checks,
                options=params,
            )
        elif how == "cp-sat":
            res = solve_cpsat(
                model, limit, o.seed, o.workers, hint=hint, stop=self.stop, params=params
            )
        else:
            res = solve_flow(problem) if how == "flow" else solve_greedy(problem)
            x = completion(problem, model, np.flatnonzero(res.x))
            res.x, res.objective = x, float(model.value(x))
            if how == "flow":
                res.bound = res.objective
        return problem, model, res

    def done(
        self,
        problem: OfficerProblem,
        res: SolveResult,
        candidates: int,
        lossless: bool,
        how: str,
    ) -> OfficerResult:
        if res.x is None and res.status != Status.INFEASIBLE:
            # stopped (time, Ctrl-C) before any plan: the greedy plan is the best one known
            problem, _model, res = self.solve(self.every, "greedy", 0, cover_all=False)
            res.status, res.bound = Status.FEASIBLE, float("nan")
            how += "; the search stopped before it found a plan: this is the greedy plan"
            self.notes.append(
                _(
                    "The search stopped after {seconds:.1f} s before it found a plan: this is "
                    "the greedy plan, not the engine's answer"
                ).format(seconds=time.perf_counter() - self.t0)
            )
        self.info.update(candidate_pairs=candidates, lossless=lossless, how=how)
        result = officer_result(
            self.inst,
            self.county,
            problem,
            res,
            self.table,
            self.eligible,
            self.info,
            self.build,
            time.perf_counter() - self.t0 - self.build,
            self.proofs,
        )
        result.notes = list(self.notes)
        chosen = result.plan[result.plan["officer_id"] != ""]
        result.kpi_part = county_part(self.inst, chosen, self.eligible, self.capacity)
        return result

    def direct(self, how: str, why: str = "all eligible pairs are in the model") -> OfficerResult:
        """The flow (exact when days cannot bind) or the greedy plan, over every pair."""
        problem, _model, res = self.solve(self.every, how, 0, cover_all=self.covers)
        return self.done(problem, res, len(self.eligible), True, why)

    def find_cover(self) -> bool:
        """MTHG, then the repair search (ejection chains), for a plan that covers every village
        when the greedy plan does not: the start of the small county's search (CP-SAT then
        HiGHS), which is closer to the best known on gapd than the pipeline's later stages
        (d10100 0.16 % against 0.54 %, 60 s). Each stage is said; when no cover is found, just
        that (the pipeline then runs these stages again from the start, and says them)."""
        core = make_core(self.full)
        if not core.pins_fit:
            return False
        t0, said = time.perf_counter(), len(self.notes)
        greedy = core.from_pairs(self.greedy_pairs)
        self._said("greedy", time.perf_counter() - self.greedy_seconds, core, greedy)
        t = time.perf_counter()
        mt = solve_mthg(core)
        choice = mt.choice
        self._said("mthg", t, core, choice)
        if (choice < 0).any():
            t = time.perf_counter()
            rc = cover(
                core,
                choice,
                seed=self.options.seed,
                # steps for a fifth of the time limit end it (the same on any machine); the
                # clock is only a far guard
                max_iterations=min(
                    20_000,
                    WorkClock(self.options.time_limit).units(
                        "repair", 0.2 * self.options.time_limit, core.n_v
                    ),
                ),
                time_limit=GUARD * self.options.time_limit,
            )
            choice = rc.choice
            note = _("stopped after {steps} steps ({why}); {left} villages left uncovered")
            self.notes.append(
                Stage(
                    "repair",
                    time.perf_counter() - t,
                    None,
                    note.format(
                        steps=rc.iterations, why=why_stopped(rc.stopped), left=rc.uncovered
                    ),
                ).said()
            )
        if (choice < 0).any():
            del self.notes[said:]
            self.notes.append(
                _(
                    "MTHG and the repair search left {left} villages uncovered after {seconds:.1f}"
                    " s: the hard-county pipeline goes on"
                ).format(left=int((choice < 0).sum()), seconds=time.perf_counter() - t0)
            )
            return False
        self.greedy_pairs = core.to_pairs(choice)
        self.covers = True
        return True

    def _said(self, name: str, t: float, core, choice: np.ndarray) -> None:
        note = _("{covered} of {villages} villages covered").format(
            covered=int((choice >= 0).sum()), villages=core.n_v
        )
        self.notes.append(Stage(name, time.perf_counter() - t, None, note).said())

    def hard(self) -> OfficerResult:
        """A county whose greedy plan leaves villages uncovered: the hard-county pipeline over
        every eligible pair, for the time left (``hard.solve_hard``)."""
        problem = self.full
        # the whole time limit as the pipeline's work, not the seconds left on the clock: the
        # plan must not depend on how long the pair table took to build on a loaded machine
        hr = solve_hard(
            problem, time_limit=self.options.time_limit, seed=self.options.seed, stop=self.stop
        )
        model = build_model(problem)
        self.notes += [s.said() for s in hr.stages]
        self.info["stages"] = [
            {"stage": s.name, "seconds": round(s.seconds, 3), "note": s.note} for s in hr.stages
        ]
        self.proofs = hr.diagnostics
        if hr.status == Status.INFEASIBLE:
            x, objective = None, float("nan")
        else:
            x = completion(problem, model, hr.pairs)
            objective = float(model.value(x))
        res = SolveResult(x, hr.status, objective, hr.bound, hr.seconds, "hard-county pipeline")
        return self.done(
            problem,
            res,
            len(self.eligible),
            True,
            "the hard-county pipeline over all eligible pairs",
        )

    def exact_over_all(self, how: str, portfolio: bool = False) -> OfficerResult:
        """Every eligible pair in the model: cover every village if that can be done, else as
        many as can be (the slower model with uncovered villages at a penalty).

        ``portfolio``: CP-SAT for a deterministic time, then, when it has not proven its plan,
        the hard pipeline's later stages from that plan for the work of the time left
        (``budget.WorkClock``; ``hard.optimise``: reduced-cost fixing, oscillation, columns,
        HiGHS). The hard OR-Library GAP instances: CP-SAT alone 0.08 % short on c20200 and
        2.2 % on d20100 in 60 s; HiGHS proves c20200 in 8 s."""
        left = self.left
        if not self.reachable:
            problem, _model, res = self.solve(self.every, how, left(), cover_all=False)
        elif portfolio and how == "cp-sat":
            problem, res = self._portfolio()
        else:
            problem, _model, res = self.solve(self.every, how, left(), cover_all=True)
            if res.x is None and not res.stats.get("stopped"):
                # no full cover (proven, or none found in time): the plan that covers most
                extra = (
                    left()
                    if res.status == Status.INFEASIBLE
                    else max(1.0, 0.1 * self.options.time_limit)
                )
                problem, _model, res = self.solve(
                    self.every, how, extra, cover_all=False, hint_rows=self.greedy_pairs
                )
        return self.done(
            problem, res, len(self.eligible), True, "all eligible pairs are in the model"
        )

    def _portfolio(self) -> tuple[OfficerProblem, SolveResult]:
        # the later stages' shares are work budgets (the time limit less CP-SAT's deterministic
        # time), the clock only a far guard: the same plan on an idle or a loaded machine
        clock = WorkClock(self.options.time_limit)
        clock.t0 = self.t0
        problem, model, res = self.solve(
            self.every,
            "cp-sat",
            clock.guard(),
            cover_all=True,
            params={
                "max_deterministic_time": clock.amount(
                    "cp-sat", min(SMALL_CPSAT_SECONDS, SMALL_CPSAT_SHARE * self.options.time_limit)
                )
            },
        )
        if res.x is None and res.status != Status.INFEASIBLE and not res.stats.get("stopped"):
            # CP-SAT found no plan in its share: the later stages from the full cover known
            # (the greedy plan's, or MTHG's and the repair's), said as such
            self.notes.append(
                _(
                    "CP-SAT found no plan in {seconds:.1f} s; the search goes on from the full "
                    "cover already found"
                ).format(seconds=res.seconds)
            )
            clock.charge("cp-sat", res.stats["deterministic_time"], 0)
            return problem, self._optimise(problem, model, res, clock, self.greedy_pairs)
        clock.charge("cp-sat", res.stats["deterministic_time"], 0)
        if res.status == Status.FEASIBLE and not res.stats.get("stopped") and clock.left() > 1.0:
            note = _("a plan of {points:.2f} points, not proven the best in its share of the work")
            self.notes.append(
                Stage(
                    "cp-sat", res.seconds, res.objective, note.format(points=res.objective / SCALE)
                ).said()
            )
            res = self._optimise(problem, model, res, clock)
        return problem, res

    def _optimise(
        self,
        problem: OfficerProblem,
        model: LinearModel,
        res: SolveResult,
        clock: WorkClock,
        start: np.ndarray | None = None,
    ) -> SolveResult:
        """CP-SAT's plan (or ``start``, the pairs of a full cover, when it found none) not
        proven: the hard pipeline's later stages from it for the work left (LP support,
        Lagrangian bound, oscillation, columns where they pay, HiGHS over the pairs that can
        still beat the plan). On gapd d20100 HiGHS alone from CP-SAT's plan stopped 1.8 % from
        the best known after 14 s of a 60 s limit (its budget law ends early where it
        branches); these stages reach 0.2 %."""
        core = make_core(problem)
        inc = core.from_pairs(chosen_rows(problem, res) if res.x is not None else start)
        stages: list[Stage] = []
        inc, bound = optimise(
            problem,
            core,
            inc,
            self.options.seed,
            self.options.time_limit,
            clock,
            stopper(clock, self.stop),
            recorder(core, stages),
            self.stop,
        )
        self.notes += [s.said() for s in stages]
        self.info["stages"] = [
            {"stage": s.name, "seconds": round(s.seconds, 3), "note": s.note} for s in stages
        ]
        x = completion(problem, model, core.to_pairs(inc))  # CP-SAT's model: the same problem
        objective = float(model.value(x))
        if res.x is not None and objective < res.objective:
            return res  # the stages keep the best plan they are given: CP-SAT's is the floor
        bounds = [b for b in (res.bound, bound) if np.isfinite(b)]
        best = min(bounds) if bounds else float("nan")
        status = Status.OPTIMAL if bounds and best <= objective + 0.5 else Status.FEASIBLE
        seconds = time.perf_counter() - self.t0 - self.build
        return SolveResult(x, status, objective, best, seconds, "cp-sat then pipeline", res.stats)

    def pruned(self) -> OfficerResult:
        """A large county with a known full cover: candidates by the Lagrangian bound, HiGHS
        over them, then the proof that the pairs left out cannot improve the plan.

        HiGHS without presolve from the greedy plan, not CP-SAT, over the candidates: the same
        plan in every county measured, 4.1 s against 9.7 s over a generated city's 8 counties
        of 400 villages (0.3-0.7 s a county against 0.4-3.2 s) and 0.9 s against 1.7 s on the
        sample county."""
        pb, lp = self._price_pairs()
        start = self._candidates(pb.pair_bound, lp)
        problem, _model, res = self.solve(
            start,
            "highs",
            self.left() * 0.4,
            cover_all=True,
            hint_rows=self.greedy_pairs,
            presolve=False,
            params=CANDIDATE_HIGHS,
        )
        res.backend = "highs over candidates"
        self.info["rounds"].append(
            {"pairs": len(start), "status": res.status, "objective": res.objective / SCALE}
        )
        if res.x is None or res.stats.get("stopped"):
            return self.done(
                problem,
                res,
                len(start),
                False,
                "not proven: the search stopped before the pruning check",
            )
        return self._prove(problem, res, start, pb, lp)

    def _price_pairs(self):
        """The LP over every eligible pair first: its duals price every pair, and one knapsack
        per officer then bounds the best plan through each pair (a Lagrangian relaxation, far
        tighter than the LP over candidates alone)."""
        t = time.perf_counter()
        full_model = build_model(replace(self.full, cover_all=True))
        # priced in column by column from each village's best-scoring pairs and the greedy
        # cover (0.06-0.08 s against 0.22-0.25 s for the whole LP at once on 400-village
        # counties); without presolve (0.11 s against 0.51 s on the sample county's whole LP);
        # any optimal duals give a valid bound
        n = len(self.eligible)
        first = np.concatenate(
            [
                best_per_group(self.full.pair_village, self.full.score, PRICE_FROM),
                self.greedy_pairs,
                np.arange(n, full_model.n_vars),
            ]
        )
        lp = solve_lp_by_columns(full_model, first, self.left(), stop=self.stop)
        self.lp_model = full_model  # the proof may ask for central duals of the same LP
        pb = self._pair_bounds(lp.stats["duals"][full_model.row_groups["cover"]])
        self.build += time.perf_counter() - t
        return pb, lp

    def _pair_bounds(self, y: np.ndarray) -> PairBound:
        full = self.full
        return lagrangian_pair_bounds(
            y,
            full.pair_officer,
            full.pair_village,
            full.score,
            full.workload,
            full.days,
            self.limits,
            full.share,
            full.extra_village_cost,
        )

    def _centred(
        self, pb: PairBound, lp: SolveResult, z: float, before: int
    ) -> tuple[PairBound, dict]:
        """The pair bounds at central duals when they leave fewer pairs that could beat ``z``
        than the ``before`` of ``pb`` (any duals bound every plan: the lower L is kept)."""
        t = time.perf_counter()
        model = self.lp_model
        y = central_duals(model, lp.stats["column_ids"], self.left(), stop=self.stop)
        said = {"central_duals": y is not None}
        if y is not None:
            pc = self._pair_bounds(y[model.row_groups["cover"]])
            after = int((pc.pair_bound > z + 0.5).sum())
            said.update(vertex_could_improve=before, central_could_improve=after)
            if after < before:
                pb = PairBound(min(pb.bound, pc.bound), pc.pair_bound)
        self.build += time.perf_counter() - t
        return pb, said

    def _candidates(self, pair_bound: np.ndarray, lp: SolveResult) -> np.ndarray:
        """Per village the k officers with the best bound through it (the pairs most likely in
        an optimal plan), the LP's own pairs and the greedy plan (a full cover, so the model is
        feasible). Measured against the earlier 12 nearest + 12 best-scoring + 12 by bound
        (9,000 pairs): CP-SAT reaches the same or a near-optimal plan 2-5x sooner, and the proof
        makes up the rest (sample county 2.4 s -> 1.2 s, city 25 s -> 13 s)."""
        by_bound = best_per_group(
            self.full.pair_village, pair_bound, self.options.candidate_by_bound
        )
        lp_pairs = np.flatnonzero(lp.x[: len(self.eligible)] > 1e-6)
        pinned = np.flatnonzero(self.eligible["pinned"].to_numpy(bool))
        return np.unique(np.concatenate([by_bound, lp_pairs, self.greedy_pairs, pinned]))

    def _prove(self, problem, res, start, pb, lp) -> OfficerResult:
        """A left-out pair whose bound cannot beat the plan found is in no better plan."""
        z = res.objective
        chosen = chosen_rows(problem, res)
        pinned = np.flatnonzero(self.eligible["pinned"].to_numpy(bool))
        promising = int((pb.pair_bound > z + 0.5).sum())
        if promising > CENTRAL_ABOVE * len(self.full.villages) and "column_ids" in lp.stats:
            pb, said = self._centred(pb, lp, z, promising)
            self.info["rounds"][-1].update(said)
        survive = np.union1d(np.flatnonzero(pb.pair_bound > z + 0.5), chosen)
        survive = np.union1d(survive, pinned)
        outside = np.setdiff1d(survive, start)
        self.info["rounds"][-1].update(
            lp_bound=lp.objective / SCALE,
            lagrangian_bound=pb.bound / SCALE,
            could_improve=len(survive),
            outside=len(outside),
        )
        n = len(self.eligible)
        if not len(outside) and res.status == Status.OPTIMAL:
            return self.done(
                problem,
                res,
                len(start),
                True,
                f"the {n - len(start)} left-out pairs each have a Lagrangian "
                "bound below the plan's score",
            )
        # The widened model holds just the pairs that compete closely: a hard core. There
        # HiGHS's cuts prove optimality several times faster than CP-SAT (sample county 2.6 s
        # against 13 s; 22,000 pairs 5-11 s against 25-60 s), started from CP-SAT's plan (a MIP
        # start; as a CP-SAT hint the same plan slowed CP-SAT down), and without HiGHS's MIP
        # presolve (2-4x faster here: 29,000 pairs 5.4 s against 22 s).
        how = self.options.proof_backend
        hint_rows = chosen if how == "highs" else None
        problem2, _model2, res2 = self.solve(
            survive, how, self.left(), cover_all=True, hint_rows=hint_rows, presolve=False
        )
        self.info["rounds"].append(
            {
                "pairs": len(survive),
                "status": res2.status,
                "backend": how,
                "objective": res2.objective / SCALE,
            }
        )
        if res2.x is None or res2.objective < z:
            problem2, res2 = problem, res  # keep the first plan (the wider search found no better)
        else:
            res2.backend = f"{res.backend} then {res2.backend}"
        # L bounds every plan over all pairs, and so does the widened model's bound: keep the
        # lower
        res2.bound = min(res2.bound, pb.bound) if np.isfinite(res2.bound) else pb.bound
        if res2.status != Status.OPTIMAL and res2.bound <= res2.objective + 0.5:
            res2.status = Status.OPTIMAL
        return self.done(
            problem2,
            res2,
            len(survive),
            True,
            f"widened by the {len(outside)} left-out pairs whose Lagrangian bound could "
            f"beat the first plan; the other {n - len(survive)} cannot",
        )


def officer_result(
    inst: Instance,
    county: str,
    problem: OfficerProblem,
    res: SolveResult,
    table: pd.DataFrame,
    eligible: pd.DataFrame,
    info: dict,
    build: float,
    solve_seconds: float,
    proofs: list[dict] | None = None,
) -> OfficerResult:
    """The county's plan (one row a village), status, objective and bound in points, and the
    diagnosis of every village left uncovered: first what is proven (a counting certificate,
    the solver's proof) or the plain words that nothing is (``proofs``, else
    ``shortage.diagnosis`` of the plan), then each village's officers."""
    villages = problem.villages
    if res.x is None:
        plan = pd.DataFrame({"village_id": villages, "officer_id": ""})
        status = Status.INFEASIBLE if res.status == Status.INFEASIBLE else Status.UNKNOWN
        obj, bound = np.nan, np.nan
    else:
        chosen = problem.pairs.iloc[np.flatnonzero(res.x[: problem.n_pairs] > 0)]
        plan = pd.DataFrame({"village_id": villages}).merge(chosen, on="village_id", how="left")
        plan["officer_id"] = plan["officer_id"].fillna("")
        uncovered = int((plan["officer_id"] == "").sum())
        status = res.status if res.status.holds else Status.FEASIBLE
        if res.backend == "greedy":
            status = Status.FEASIBLE
        if uncovered:
            status = Status.PARTIAL
        obj = res.objective / SCALE
        bound = res.bound / SCALE if np.isfinite(res.bound) else np.nan
    gap = (
        (abs(bound - obj) / max(1.0, abs(obj)))
        if np.isfinite(bound) and np.isfinite(obj)
        else float("nan")
    )
    diagnostics = []
    if status in (Status.PARTIAL, Status.INFEASIBLE):
        if proofs is None and res.x is not None:
            proofs = shortage_proofs(problem, res)
        diagnostics = diagnose_uncovered(inst, problem, plan, eligible, table, proofs)
    plan = plan.drop(columns=["_pos"], errors="ignore")
    return OfficerResult(
        county,
        plan,
        status,
        obj,
        bound,
        gap,
        build,
        solve_seconds,
        res.backend,
        info,
        diagnostics,
        explainable(eligible, plan).drop(columns=["_pos"], errors="ignore"),
        problem.uncovered_penalty / SCALE,
    )


def shortage_proofs(problem: OfficerProblem, res: SolveResult) -> list[dict]:
    """What the plan of ``res`` proves about its uncovered villages (``shortage.diagnosis``): a
    counting certificate, the solver's proof that no plan covers more, or that nothing is."""
    core = make_core(problem)
    if not core.pins_fit:
        return []
    choice = core.from_pairs(np.flatnonzero(res.x[: problem.n_pairs] > 0))
    return diagnosis(
        core, np.flatnonzero(choice < 0), coverage_optimal=res.status == Status.OPTIMAL
    )
