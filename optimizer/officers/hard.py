"""The county engine for hard and short-handed counties: never a false shortage, near the best.

``solve_hard`` runs, within one time limit, each stage from the plan the last one left:

1. start: the greedy plan and Martello & Toth's MTHG; the better (coverage first) goes on;
2. full cover: the repair search (``repair.cover``) puts every village an officer can take on
   some officer; if it cannot, CP-SAT looks for a full cover with no objective at all, which
   either finds one, proves there is none, or runs out of time (and says so);
3. bound: the LP's duals over every pair, then subgradient steps (``lagrangian``) — a bound
   0.05-0.16 % above gapd's optima where the LP is 0.14-0.69 % — and each pair's bound;
4. better plans: strategic oscillation (``oscillation``, compiled); with 8-12 villages an
   officer, column generation and diving (``diving``; a long dive cut short is completed by
   the oscillation); with few villages an officer, a branch-and-bound over each officer's
   near-best columns (``columns``); then HiGHS on the model
   of the pairs whose Lagrangian bound can still beat the plan (reduced-cost fixing), started
   from it, and first on the kernel of the best-bounded pairs when too many are left (and when
   too many are left still, on the kernel with bucket after bucket of the next best-bounded if
   the kernel found a better plan: Angelelli, Mansini & Speranza's kernel search);
5. short-handed counties: HiGHS on the model that covers as many villages as it can, from the
   repair's plan, and a counting certificate for the villages left (``shortage``), or the plain
   statement that nothing is proven.

Every stage is recorded (what it did, how long, the plan's score after it): a plan is never
presented without the stage that made it. Each stage's share of the time limit is a work
budget (steps, nodes, HiGHS's checks, CP-SAT's deterministic time: ``budget.WorkClock``), so the
same input, seed and time limit give the same plan on any load; the clock is only a far guard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ..i18n import _
from ..solve.cpsat import solve_cpsat
from ..solve.highs import solve_highs
from ..solve.status import Status
from ..solve.stop import StopSearch
from .budget import WorkClock, step_size
from .columns import add_plan, branch_and_bound, enumerate_columns
from .core import Core, make_core
from .diving import Pool, collector, dive
from .greedy import solve_greedy
from .lagrangian import improve_multipliers, problem_pair_bounds
from .model import OfficerProblem, build_model, completion
from .mthg import solve_mthg
from .repair import SearchResult, cover
from .shortage import diagnosis, pins_break

# Where columns pay (30 s of branch-and-bound, measured on gapd): 5 villages an officer, 20
# officers (d20100) 0.19 % where HiGHS on the model is 1 % away; 10 and 10 (d10100) 0.05 %
# against 0.2-0.5 %. Not with 10 villages and 20 officers (d20200: no plan found), 20 and 10
# (d10200: 11.9 %), 20 and 5 (d05100: 1.5 %), nor with 80 officers (400 villages: the
# enumeration takes 10 s in Python and its pool cannot beat the first plan)
COLUMNS_UP_TO = 6.0  # villages an officer, with at most COLUMNS_OFFICERS officers
COLUMNS_OFFICERS = 40
COLUMNS_SMALL = (10.0, 10)  # or at most 10 villages an officer with at most 10 officers
# HiGHS's root node over tens of thousands of pairs does not end in its share: a C800x80 tight
# county's last stage over 51,521 pairs (64 a village) left the plan as it was in 34.5 s, where
# HiGHS over the 1,600 pairs of the best Lagrangian bounds first (the kernel, as in Angelelli,
# Mansini & Speranza's kernel search) took it from 1.99 % to 0.11 % above the bound. So with
# more than KERNEL_WHEN pairs a village left, the kernel (KERNEL times as many pairs as villages,
# the best-bounded over the whole county, and the plan's own) gets
# KERNEL_SHARE of what is left. Not below: on gapd (10-20 pairs a village) a kernel first
# helped two instances and set back two (d10100 0.30 -> 0.58 %)
KERNEL_WHEN = 30.0
KERNEL = 2.0
KERNEL_SHARE = 0.5
# When more than KERNEL_WHEN pairs a village can still beat the kernel's plan, the last stage
# over all of them did not end its root node either (D400x80: 32,000 pairs, 62 s to its guard,
# the plan unchanged; D1600x40 and D800x80: 64,000, none better), so what is left goes to the
# kernel search's buckets instead: the next KERNEL x villages best-bounded pairs with the kernel,
# BUCKETS of them at most. The engine at 60 s, seeds 0-2: E400x80 0.15 -> 0.11 % from the
# bound; the type-D counties' plans the same, and their runs 47-64 s instead of 81-171 s
BUCKETS = 4
# the oscillation's share: compiled, its steps are 2-10x cheaper than numpy's were and weigh
# every move and ejection chain, so it earns more than the 6 % it had (d20200 at 60 s: 1,860
# steps then, 14,778 now with chains of three)
OSCILLATION_SHARE = 0.2
# Column generation and diving (``diving``) where it pays: 8-12 villages an officer, 10-40
# officers, with DIVE_SHARE of the time limit (the LP support and the oscillation get less: the
# dives' plans are the ones that count there). The engine at 60 s, seeds 0-2 (gap to the best
# known, mean): d20200 0.55 -> 0.31 % with the dives, 0.21 % with their restarts; d10100 0.18 ->
# 0.08 %. Dives alone, 25-40 s from the pipeline's plan: d20200 12,250-12,280 where the
# oscillation and HiGHS leave 12,292-12,297. Not at 20 villages an officer (d10200: 0.18 ->
# 0.24 % with dives, HiGHS's last stage does better), nor at 5 (d20100: 6,206 where the column
# search finds 6,197), nor at 20-40 with 5 officers (d05100: 6,363 where 6,359; d05200's root
# 38 s)
DIVE_PER_OFFICER = (8.0, 12.0)
DIVE_OFFICERS = (10, 40)
# and at up to 6 villages an officer with 41-80 officers, where no column search runs, since the
# master is re-solved by the primal simplex after new columns and a step fixes 5 % of the open
# villages (``diving``): the engine at 60 s, seeds 0-2, D400x80 0.81 -> 0.28 % above its bound,
# E400x80 0.11 -> 0.04 %, C400x80 the same plans; with the steps by the interior point method
# (``diving.INTERIOR_OFFICERS``) D400x80 0.25 % (0.24-0.26), E400x80 0.035 %. Not at 10 an
# officer with 80 (D800x80: HiGHS's dual simplex after a step's fixings took 5-8 s a step, then
# minutes; by the interior point a dive ends, at 0.09 % above the bound, but in 58 s: at 60 s
# it did not end in its budget and the plan stayed 48,812)
DIVE_WIDE_PER_OFFICER = 6.0
DIVE_WIDE_OFFICERS = (41, 80)
# From DIVE_LONG_LIMIT seconds also up to DIVE_LONG_PER_OFFICER villages an officer (41-80
# officers), where a dive needs about a minute of its own (D800x80: 58 s after a 6 s root), when
# the plan after the oscillation is still more than DIVE_LONG_GAP (the target) above the bound,
# and with DIVE_LONG_ROOT of the time limit at most for the root's column generation: D800x80's
# ends in 10 pricing rounds (5.2 s of the budget's work), C800x80 tight's (2.4 % above its bound
# there) had not in 120 rounds and 107 s, where the kernel's HiGHS then takes its plan from
# 15,243 to 14,962 in 4 s. The engine at 120 s, seeds 0-2: D800x80 48,812 / 48,808 / 48,799
# (0.43 % above its bound) -> 48,681 / 48,714 / 48,799 (0.28 %); C800x80 tight 14,961 on every
# seed either way (0.10 %; 55 s with the root given up after 17 s, 41 s without the window)
DIVE_LONG_LIMIT = 120.0
DIVE_LONG_PER_OFFICER = 12.0
DIVE_LONG_GAP = 0.003
DIVE_LONG_ROOT = 0.1
# A long dive keeps DIVE_LONG_COMPLETION of the time limit back until one gives a plan; a dive
# cut by the budget then becomes a plan: its fixed pairs, each open village on its largest pair
# in its last LP, completed by the oscillation in that reserve. D800x80 at 120 s, seeds 0-5:
# 48,681 / 48,714 / 48,799 / 48,635 / 48,646 / 48,811 (0.25 % above the bound on average, 0.44 %
# the worst: two dives cut late left the oscillation's plan) -> 48,681 / 48,675 / 48,715 /
# 48,684 / 48,707 / 48,723 (0.21 %, 0.26 % the worst; two dives that had ended in the reserve's
# 5 % are now cut and completed, 49 and 61 points worse)
DIVE_LONG_COMPLETION = 0.05
DIVE_SHARE = 0.75
DIVE_OSCILLATION = 0.1  # the oscillation's share where the dives follow it


@dataclass
class Stage:
    name: str  # the stage's id (``STAGE_WORDS``)
    seconds: float
    objective: float | None  # the plan's model objective after the stage (hundredths)
    note: str = ""  # what the stage did or why it stopped, in the planner's language

    def said(self) -> str:
        """The stage in one line of the planner's language: name, what happened, how long."""
        return _("{stage}: {note} ({seconds:.1f} s)").format(
            stage=stage_word(self.name), note=self.note, seconds=self.seconds
        )


def stage_word(name: str) -> str:
    words = {
        "pins": _("pinned pairs"),
        "greedy": _("greedy plan"),
        "mthg": _("MTHG construction"),
        "repair": _("repair search (ejection chains)"),
        "cp-sat feasibility": _("CP-SAT full-cover search"),
        "cp-sat": _("CP-SAT over every pair"),
        "highs largest cover": _("HiGHS largest-cover search"),
        "lp": _("LP relaxation"),
        "lp support": _("HiGHS over the LP's pairs"),
        "lagrangian": _("Lagrangian bound"),
        "oscillation": _("strategic oscillation"),
        "columns": _("column search"),
        "dive": _("column generation and diving"),
        "dive completion": _("a dive cut short, completed by strategic oscillation"),
        "kernel": _("HiGHS over the pairs of the best Lagrangian bounds"),
        "bucket": _("HiGHS over the kernel and the next best-bounded pairs"),
        "highs": _("HiGHS over the pairs that can still improve the plan"),
    }
    return words.get(name, name)


def why_stopped(stopped: str) -> str:
    """A search's reason to stop (``repair.SearchResult.stopped``), in the planner's words."""
    words = {
        "covered": _("every village covered"),
        "iterations": _("its step budget used up"),
        "time": _("the time guard fired: this machine is far slower than measured"),
        "no move": _("no move left"),
        "local optimum": _("no better move"),
    }
    return words.get(stopped, stopped)


@dataclass
class HardResult:
    pairs: np.ndarray  # chosen pairs (problem indices), pinned ones included
    status: Status  # OPTIMAL / FEASIBLE / PARTIAL / INFEASIBLE
    objective: int  # the model's objective (hundredths; uncovered villages at the penalty)
    bound: float  # an upper bound on every plan (hundredths; inf when none is proven)
    covered: int
    villages: int
    seconds: float
    stages: list[Stage] = field(default_factory=list)
    diagnostics: list[dict] = field(default_factory=list)

    @property
    def gap(self) -> float:
        if not np.isfinite(self.bound):
            return float("inf")
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))


def restrict(problem: OfficerProblem, keep: np.ndarray) -> OfficerProblem:
    """The problem over some of its pairs (sorted problem indices); limits stay as they are."""
    keep = np.sort(np.asarray(keep, dtype=np.int64))
    return replace(
        problem,
        pairs=problem.pairs.iloc[keep].reset_index(drop=True),
        pair_officer=problem.pair_officer[keep],
        pair_village=problem.pair_village[keep],
        score=problem.score[keep],
        workload=problem.workload[keep],
        pinned=problem.pinned[keep],
    )


def cover_by_cpsat(
    problem: OfficerProblem,
    *,
    time_limit: float,
    seed: int = 0,
    dtime: float | None = None,
    stop: StopSearch | None = None,
) -> tuple[np.ndarray | None, str, float]:
    """A full cover by CP-SAT with no objective (the first plan that covers every village
    ends the search): (chosen pairs, status, deterministic time spent), status INFEASIBLE when
    none exists."""
    model = build_model(replace(problem, cover_all=True))
    model.cost = [np.zeros_like(c) for c in model.cost]
    params = {"max_deterministic_time": float(dtime)} if dtime else None
    res = solve_cpsat(model, time_limit=time_limit, seed=seed, stop=stop, params=params)
    spent = float(res.stats["deterministic_time"])
    if res.x is None:
        return None, res.status, spent
    return np.flatnonzero(res.x[: problem.n_pairs] > 0), res.status, spent


def _uncovered(core: Core, choice: np.ndarray) -> np.ndarray:
    return np.flatnonzero(choice < 0)


def _key(core: Core, choice: np.ndarray) -> tuple[int, int]:
    return int((choice >= 0).sum()), core.objective(choice)


def solve_hard(
    problem: OfficerProblem,
    time_limit: float = 60.0,
    seed: int = 0,
    *,
    stop: StopSearch | None = None,
    effort: float = 1.0,
    columns: bool | None = None,
) -> HardResult:
    """The best plan this pipeline finds in the work of ``time_limit`` seconds (see the module
    docstring). ``effort`` scales the work budgets; ``columns`` forces the column stage on
    or off (default: by villages an officer)."""
    t0 = time.perf_counter()
    clock = WorkClock(time_limit, effort)
    stages: list[Stage] = []
    stopped = stopper(clock, stop)
    core = make_core(problem)
    record = recorder(core, stages)
    if not core.pins_fit:
        # no plan keeps the pinned pairs: the planner must unpin some first
        p = problem
        pins = np.flatnonzero(p.pinned)
        load = np.bincount(p.pair_officer[pins], weights=p.workload[pins], minlength=core.n_o)
        cnt = np.bincount(p.pair_officer[pins], minlength=core.n_o)
        over = np.flatnonzero((load > p.days) | (cnt > p.limit))
        ids = p.officers.index[over].tolist()
        diag = {"rule": "OFF-LOAD", "message": pins_break(len(ids)), "ids": ids}
        stages.append(
            Stage("pins", time.perf_counter() - t0, None, _("the pinned pairs break the rules"))
        )
        return HardResult(
            pins,
            Status.INFEASIBLE,
            0,
            float("nan"),
            0,
            len(p.villages),
            time.perf_counter() - t0,
            stages,
            [diag],
        )
    # 1. start
    t = time.perf_counter()
    greedy = core.from_pairs(np.flatnonzero(solve_greedy(problem).x))
    record(
        "greedy",
        t,
        greedy,
        _("{covered} of {villages} villages covered").format(
            covered=int((greedy >= 0).sum()), villages=core.n_v
        ),
    )
    t = time.perf_counter()
    mt = solve_mthg(core)
    record(
        "mthg",
        t,
        mt.choice,
        _("{covered} of {villages} villages covered").format(
            covered=int((mt.choice >= 0).sum()), villages=core.n_v
        ),
    )
    inc = max((greedy, mt.choice), key=lambda c: _key(core, c))
    reachable = core.reachable
    # 2. full cover
    solver_infeasible = False
    if ((inc < 0) & reachable).any() and not stopped():
        t = time.perf_counter()
        rc = cover(
            core,
            inc,
            seed=seed,
            max_iterations=min(
                int(20_000 * effort), clock.units("repair", 0.2 * time_limit, core.n_v)
            ),
            time_limit=clock.guard(),
        )
        clock.charge("repair", rc.iterations, core.n_v)
        record(
            "repair",
            t,
            rc.choice,
            _("stopped after {steps} steps ({why}); {left} villages left uncovered").format(
                steps=rc.iterations, why=why_stopped(rc.stopped), left=rc.uncovered
            ),
        )
        if rc.uncovered == 0 or _key(core, rc.choice) > _key(core, inc):
            inc = rc.choice
        if rc.uncovered and not stopped():
            t = time.perf_counter()
            guard = clock.guard()
            found, status, spent = cover_by_cpsat(
                problem,
                time_limit=guard,
                seed=seed,
                dtime=min(30.0 * effort, clock.amount("cp-sat", 0.3 * time_limit)),
                stop=stop,
            )
            clock.charge("cp-sat", spent, 0)
            if found is not None:
                inc = core.from_pairs(found)
                note = _("found a plan that covers every village")
            elif status == Status.INFEASIBLE:
                solver_infeasible = True
                note = _("proven: no plan covers every village")
            else:
                note = _("stopped at its share of the work without a full cover (nothing proven)")
            record(
                "cp-sat feasibility", t, inc, _guard_said(note, time.perf_counter() - t >= guard)
            )
    full = not ((inc < 0) & reachable).any()
    bound = np.inf
    if full and core.n_pairs and not stopped():
        inc, bound = optimise(
            problem, core, inc, seed, time_limit, clock, stopped, record, stop, effort, columns
        )
    solver_proven = False
    if not full and not stopped():
        # 5. as many villages as can be covered, then the best score
        t = time.perf_counter()
        model = build_model(replace(problem, cover_all=False))
        hint = completion(problem, model, core.to_pairs(inc))
        # HiGHS from the repair's plan: on counties cut below their need it covered 394 of 400
        # and 793 of 800 villages in 20 s where CP-SAT from the same plan kept 389 and 789; a
        # twentieth of the time is kept for the certificate's LP
        share = clock.left() - 0.05 * time_limit
        res = solve_highs(
            model,
            time_limit=clock.guard(),
            seed=seed,
            hint=hint,
            stop=stop,
            max_checks=clock.units("highs", share, problem.n_pairs),
        )
        clock.charge("highs", res.stats.get("checks", 0), problem.n_pairs)
        if res.x is not None:
            got = core.from_pairs(np.flatnonzero(res.x[: problem.n_pairs] > 0))
            if _key(core, got) > _key(core, inc):
                inc = got
            solver_proven = res.status == Status.OPTIMAL and core.objective(inc) >= res.objective
            bound = res.bound
        record(
            "highs largest cover",
            t,
            inc,
            _guarded(
                res,
                (
                    _("proven: no plan covers more villages")
                    if solver_proven
                    else _("stopped: its work used up; {left} villages left uncovered").format(
                        left=int(((inc < 0) & reachable).sum())
                    )
                ),
            ),
        )
    objective = core.objective(inc)
    unc = _uncovered(core, inc)
    if len(unc):
        status = Status.PARTIAL
    elif np.isfinite(bound) and bound <= objective + 0.5:
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
    # the LP's set of the certificate: at most what is left, or a twentieth of the time limit
    diags = diagnosis(
        core,
        unc,
        coverage_optimal=solver_proven,
        cover_impossible=solver_infeasible,
        time_limit=clock.guard(),
    )
    return HardResult(
        core.to_pairs(inc),
        status,
        int(objective),
        float(bound),
        int(len(problem.villages) - len(unc)),
        len(problem.villages),
        time.perf_counter() - t0,
        stages,
        diags,
    )


def stopper(clock: WorkClock, stop: StopSearch | None) -> Callable[[], bool]:
    """Whether the stages must end: Ctrl-C, the work used up, or the far guard fired."""
    return lambda: (
        bool(stop is not None and stop.requested) or clock.left() <= 0 or clock.guard_fired()
    )


def recorder(core: Core, stages: list[Stage]) -> Callable[..., None]:
    """``record(name, t0, choice, note)``: a stage said with its seconds and the plan's score."""

    def record(name: str, t: float, choice: np.ndarray | None, note: str = "") -> None:
        obj = None if choice is None else float(core.objective(choice))
        stages.append(Stage(name, time.perf_counter() - t, obj, note))

    return record


def _size(core: Core, unit: str) -> int:
    return step_size(unit, core.n_o, core.n_v, core.n_pairs, int(core.days.max(initial=0)))


def _guarded(res, note: str) -> str:
    """A HiGHS stage's note, with the guard's firing when it did."""
    return _guard_said(note, bool(res.stats.get("time_limit_hit")))


def _guard_said(note: str, fired: bool) -> str:
    """A stage's note, with the wall-clock guard's firing when it did (the plan may then differ
    from run to run)."""
    return _("{note}; the time guard fired").format(note=note) if fired else note


def optimise(
    problem: OfficerProblem,
    core: Core,
    inc: np.ndarray,
    seed: int,
    time_limit: float,
    clock: WorkClock,
    stopped: Callable[[], bool],
    record: Callable[..., None],
    stop: StopSearch | None,
    effort: float = 1.0,
    columns: bool | None = None,
) -> tuple[np.ndarray, float]:
    """Stages 3 and 4 on a plan that covers every reachable village: (plan, bound). Each
    stage's share is of ``time_limit``, charged to ``clock`` (which may have spent some already:
    the small county's CP-SAT); ``stopped()`` ends the stages, ``record(name, t0, choice,
    note)`` says each."""
    t = time.perf_counter()
    lp_problem = replace(problem, cover_all=bool(core.reachable.all()))
    model = build_model(lp_problem)
    lp = solve_highs(model, relax=True, time_limit=clock.guard(), presolve=False)
    if lp.x is None:
        record("lp", t, inc, _("no LP solution ({status})").format(status=lp.status))
        return inc, np.inf
    y = lp.stats["duals"][model.row_groups["cover"]][core.village_ids]
    record("lp", t, inc, _("at most {points:.2f} points").format(points=lp.objective / 100))
    # the LP's own pairs: a basic LP plan splits at most a few villages per binding officer
    # row, so the model over its support (and the plan's pairs) is small and holds plans close
    # to the LP (type D, 1,600 villages: 0.25 % from the LP bound in 20 s, where HiGHS on the
    # whole model did not improve the first plan in 44 s)
    per_officer = core.n_v / max(core.n_o, 1)
    wide = DIVE_WIDE_OFFICERS[0] <= core.n_o <= DIVE_WIDE_OFFICERS[1]
    use_dive = (
        DIVE_PER_OFFICER[0] <= per_officer <= DIVE_PER_OFFICER[1]
        and DIVE_OFFICERS[0] <= core.n_o <= DIVE_OFFICERS[1]
    ) or (per_officer <= DIVE_WIDE_PER_OFFICER and wide)
    # a long run's window: it dives if the plan is still far from the bound after the
    # oscillation, and gives the stages before it the dives' shares either way
    long_window = (
        not use_dive
        and wide
        and time_limit >= DIVE_LONG_LIMIT
        and per_officer <= DIVE_LONG_PER_OFFICER
    )
    dive_shares = use_dive or long_window
    if not stopped():
        t = time.perf_counter()
        support = np.flatnonzero(lp.x[: problem.n_pairs] > 1e-6)
        # (where the dives run, their plans are the ones that count: the stages before get less)
        share = 0.25 if core.n_v > 8 * core.n_o and not dive_shares else 0.1
        inc, _bound, res = _highs_over(problem, core, inc, support, clock, share * time_limit, stop)
        record("lp support", t, inc, _guarded(res, _("{n} pairs").format(n=len(support))))
    t = time.perf_counter()
    z = core.objective(inc)
    cells = _size(core, "lagrangian")
    pool = Pool()
    mult = improve_multipliers(
        core,
        y,
        z,
        iterations=min(int(300 * effort), clock.units("lagrangian", 0.08 * time_limit, cells)),
        time_limit=clock.guard(),
        on_relaxation=collector(core, pool) if dive_shares else None,
    )
    clock.charge("lagrangian", mult.iterations, cells)
    bound = min(mult.bound, lp.objective)
    record(
        "lagrangian",
        t,
        inc,
        _("at most {points:.2f} points after {steps} steps").format(
            points=mult.bound / 100, steps=mult.iterations
        ),
    )
    if bound <= z + 0.5 or stopped():
        return inc, bound
    use_columns = (
        columns
        if columns is not None
        else (per_officer <= COLUMNS_UP_TO and core.n_o <= COLUMNS_OFFICERS)
        or (per_officer <= COLUMNS_SMALL[0] and core.n_o <= COLUMNS_SMALL[1])
    )
    t = time.perf_counter()
    osc_share = DIVE_OSCILLATION if dive_shares else OSCILLATION_SHARE
    osc = _oscillation(core, inc, seed, osc_share * time_limit, clock, effort)
    if core.objective(osc.choice) > core.objective(inc):
        inc = osc.choice
    record(
        "oscillation",
        t,
        inc,
        _("{steps} steps ({why})").format(steps=osc.iterations, why=why_stopped(osc.stopped)),
    )
    long_dive = long_window and bound - core.objective(inc) > DIVE_LONG_GAP * abs(bound)
    if (use_dive or long_dive) and not stopped():
        t = time.perf_counter()
        pool.add_plan(core, inc)
        share = clock.amount("dive", DIVE_SHARE * time_limit)
        root = clock.amount("dive", DIVE_LONG_ROOT * time_limit) if long_dive else None
        completion = DIVE_LONG_COMPLETION * time_limit if long_dive else 0.0
        reserve = clock.amount("dive", completion) if completion else 0.0
        dv = dive(
            core, pool, max_seconds=share, guard=clock.guard(), root_seconds=root, reserve=reserve
        )
        clock.charge("dive", dv.spent, 0)
        if dv.choice is not None and core.objective(dv.choice) > core.objective(inc):
            inc = dv.choice
        bound = min(bound, dv.bound)
        note = _("{dives} dives, {rounds} pricing rounds, {columns} columns at the root").format(
            dives=dv.dives, rounds=dv.iterations, columns=dv.columns
        )
        if not np.isfinite(dv.bound):
            note = _(
                "no dive: the root's column generation did not end in its share "
                "({rounds} pricing rounds)"
            ).format(rounds=dv.iterations)
        record("dive", t, inc, _guard_said(note, dv.guarded))
        if completion and dv.rounded is not None and not stopped():
            # a dive cut short: its fixed pairs and rounded LP, completed by the oscillation
            t = time.perf_counter()
            osc = _oscillation(core, dv.rounded, seed, completion, clock, effort)
            if core.fits(osc.choice) and _key(core, osc.choice) > _key(core, inc):
                inc = osc.choice
            record(
                "dive completion",
                t,
                inc,
                _("{steps} steps from the plan the dive left when its share ran out").format(
                    steps=osc.iterations
                ),
            )
        if bound <= core.objective(inc) + 0.5 or stopped():
            return inc, bound
    if use_columns and not stopped():
        t = time.perf_counter()
        z = core.objective(inc)
        # about 20,000 columns in all keep the master's LP quick enough for a search
        per = int(np.clip(20_000 / max(core.n_o, 1), 100, 1000))
        cols = enumerate_columns(
            core,
            mult.y,
            per_officer=per,
            max_deficit=bound - z,
            time_limit=clock.guard(),
            max_steps=clock.units("enumeration", 0.1 * time_limit, core.n_pairs),
        )
        clock.charge("enumeration", cols.steps, core.n_pairs)
        add_plan(cols, core, inc)
        bb = branch_and_bound(
            core,
            cols,
            inc,
            max_work=clock.amount("columns", 0.5 * time_limit),
            time_limit=clock.guard(),
        )
        clock.charge("columns", bb.work, 0)
        if bb.choice is not None and core.objective(bb.choice) > core.objective(inc):
            inc = bb.choice
        exact = bool(cols.complete.all())
        if exact and bb.finished:
            bound = min(bound, max(bb.bound, core.objective(inc)))
        elif exact:
            bound = min(bound, max(bb.bound, z))
        record(
            "columns",
            t,
            inc,
            (
                _("{columns} columns, {nodes} nodes; every better plan is among them")
                if exact
                else _("{columns} columns, {nodes} nodes")
            ).format(columns=len(cols), nodes=bb.nodes),
        )
    if bound <= core.objective(inc) + 0.5 or stopped():
        return inc, bound
    # reduced-cost fixing, then HiGHS from the plan over the pairs that can still beat it
    t = time.perf_counter()
    z = core.objective(inc)
    pb = problem_pair_bounds(core, mult.y)[1]
    keep = np.flatnonzero(pb >= z + 1)
    if len(keep) > KERNEL_WHEN * core.n_v and not stopped():
        # too many pairs left for HiGHS's root node in the time: first the kernel, the pairs
        # of the best Lagrangian bounds
        t = time.perf_counter()
        size = int(KERNEL * core.n_v)
        top = _best_bounded(keep, pb, size)
        inc, _b, res = _highs_over(
            problem, core, inc, top, clock, KERNEL_SHARE * clock.left(), stop
        )
        record("kernel", t, inc, _guarded(res, _("{n} pairs").format(n=len(top))))
        t = time.perf_counter()
        improved = core.objective(inc) > z
        z = core.objective(inc)
        keep = np.flatnonzero(pb >= z + 1)
        if len(keep) > KERNEL_WHEN * core.n_v:
            # still too many for one root node: the kernel search's buckets instead, when the
            # kernel's own search could better the plan (on the type-D counties it never did,
            # nor did any bucket after it: HiGHS over 1,200-3,200 of their pairs is as hard)
            if improved:
                inc = _buckets(problem, core, inc, pb, top, size, clock, stopped, record, stop)
            else:
                record("bucket", t, inc, _("not searched: the kernel found no better plan"))
            return inc, bound
    inc, sub_bound, res = _highs_over(problem, core, inc, keep, clock, clock.left(), stop)
    if np.isfinite(sub_bound):
        # a plan using a pair left out scores at most z; one within, at most HiGHS's bound
        bound = min(bound, max(sub_bound, z))
    record(
        "highs",
        t,
        inc,
        _guarded(
            res,
            _("{n} of {pairs} pairs can beat the plan").format(n=len(keep), pairs=problem.n_pairs),
        ),
    )
    return inc, bound


def _oscillation(
    core: Core, start: np.ndarray, seed: int, seconds: float, clock: WorkClock, effort: float
) -> SearchResult:
    """The oscillation from ``start`` for the work of ``seconds`` (100,000 steps times
    ``effort`` at most), charged to ``clock``."""
    # compiled (numba): imported here, so that a county that never needs it does not pay for it
    from .oscillation import oscillate

    moves = _size(core, "oscillation")
    osc = oscillate(
        core,
        start,
        seed=seed,
        max_iterations=min(int(100_000 * effort), clock.units("oscillation", seconds, moves)),
        time_limit=clock.guard(),
    )
    clock.charge("oscillation", osc.iterations, moves)
    return osc


def _best_bounded(pairs: np.ndarray, pb: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` of ``pairs`` with the best Lagrangian pair bounds ``pb`` (ties by position): the
    kernel, and each bucket of what is left."""
    return pairs[np.argsort(-pb[pairs], kind="stable")[:n]]


def _buckets(problem, core, inc, pb, kernel, size, clock, stopped, record, stop):
    """The kernel search's buckets: HiGHS over the kernel and the next ``size`` best-bounded
    pairs that can still beat the plan, bucket after bucket, each for an equal part of what is
    left (at most ``BUCKETS``); the plan's own pairs are in every search, so a bucket's pairs
    the plan takes join the kernel. The better plan found."""
    seen = np.sort(kernel)
    for i in range(BUCKETS):
        if stopped():
            break
        t = time.perf_counter()
        z = core.objective(inc)
        rest = np.setdiff1d(np.flatnonzero(pb >= z + 1), seen, assume_unique=True)
        if not len(rest):
            break
        bucket = _best_bounded(rest, pb, size)
        seen = np.union1d(seen, bucket)
        inc, _b, res = _highs_over(
            problem, core, inc, np.union1d(kernel, bucket), clock, clock.left() / (BUCKETS - i),
            stop,
        )  # fmt: skip
        record(
            "bucket",
            t,
            inc,
            _guarded(
                res,
                _("the kernel and {n} more pairs, bucket {i} of {k}").format(
                    n=len(bucket), i=i + 1, k=BUCKETS
                ),
            ),
        )
    return inc


def _highs_over(problem, core, inc, pairs, clock, share, stop):
    """HiGHS from the plan over some pairs (and the plan's), for the work of ``share`` seconds:
    (better plan or the same, bound over those pairs, HiGHS's result)."""
    keep = np.union1d(pairs, core.to_pairs(inc))
    sub = restrict(problem, keep)
    model = build_model(replace(sub, cover_all=bool(core.reachable.all())))
    hint = completion(sub, model, np.searchsorted(keep, core.to_pairs(inc)))
    res = solve_highs(
        model,
        time_limit=clock.stage_guard(share),
        hint=hint,
        stop=stop,
        presolve=False,
        max_checks=clock.units("highs", share, sub.n_pairs),
    )
    clock.charge("highs", res.stats.get("checks", 0), sub.n_pairs)
    if res.x is None:
        return inc, float("inf"), res
    got = core.from_pairs(keep[np.flatnonzero(res.x[: sub.n_pairs] > 0)])
    if core.fits(got) and core.objective(got) > core.objective(inc):
        inc = got
    return inc, (res.bound if np.isfinite(res.bound) else float("inf")), res
