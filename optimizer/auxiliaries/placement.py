"""Placing the resident auxiliaries (驻村辅警) of one county in the annual plan.

The hard rules decide which pairs are eligible; the placement is then an assignment problem
(``auxiliary_model``), solved exactly by min-cost flow (the default), or by CP-SAT, HiGHS or a
greedy baseline on the same model for comparison. When villages stay without an auxiliary, the
diagnosis is Hall's certificate (``auxiliary_flow.hall_sets``) in townships and names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ...constraints.base import SCALE
from ..i18n import _, ngettext
from ..input.instance import Instance
from ..input.schema import PLAN_FILE_COLUMNS
from ..solve.cpsat import solve_cpsat
from ..solve.highs import solve_highs
from ..solve.options import SolveOptions
from ..solve.result import SolveResult
from ..solve.status import Status
from .exchange import side_rows
from .flow import hall_sets, solve_flow, solve_greedy
from .limits import price
from .model import AuxiliaryProblem, build_model, completion, make_problem
from .pairs import build_pairs, reasons

BACKENDS = ("auto", "flow", "cp-sat", "highs", "greedy")
# the first guess of how far the optimum within AUX-EXCHANGE's limits lies below the priced
# bound, in hundredths (5 points: a limit's exchange moved costs a point or two of familiarity)
MARGIN = 500

# one row per village of a county: the contract's columns, km, each score part, kept, pinned
PLAN_COLUMNS = [
    *PLAN_FILE_COLUMNS["auxiliary_plan"],
    "km",
    "p:same_township",
    "p:km",
    "p:recommended",
    "p:incumbent",
    "kept",
    "pinned",
    "exception",
]
# auxiliary_plan.csv: the same without the score parts
FILE_COLUMNS = [c for c in PLAN_COLUMNS if not c.startswith("p:")]


@dataclass
class AuxiliaryResult:
    county: str
    plan: pd.DataFrame  # one row per village of the county (PLAN_COLUMNS)
    status: str  # Status.OPTIMAL / Status.FEASIBLE / Status.PARTIAL / Status.INFEASIBLE
    objective: float  # points; each uncovered village costs ``uncovered_penalty``
    best_bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    backend: str
    diagnostics: list[dict] = field(default_factory=list)
    kpis: dict = field(default_factory=dict)
    pairs: pd.DataFrame | None = None  # every near pair with why_not (for explanations)
    uncovered_penalty: float = 0.0


def county_scope(inst: Instance, county: str | None) -> Instance:
    """The instance a county plans on (``None``: every county as one problem, which
    AUX-TOWNSHIP ``across_counties`` needs)."""
    if county is None or len(inst.counties) == 1:
        return inst
    return inst.county(county)


def _pins(table: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Keep a pinned pair only when it is eligible and its auxiliary is pinned nowhere else."""
    diags = []
    pinned = table[table["pinned"]]
    for r in pinned[~pinned["eligible"]].itertuples():
        diags.append(
            {
                "rule": r.rule,
                "message": _(
                    "village {village}: the pinned auxiliary {auxiliary} may not serve it "
                    "({why}); the pin is ignored"
                ).format(village=r.village_id, auxiliary=r.auxiliary_id, why=r.why_not),
                "ids": [r.village_id, r.auxiliary_id],
            }
        )
    ok = pinned[pinned["eligible"]].sort_values("village_id")
    twice = ok[ok.duplicated("auxiliary_id", keep="first")]
    for r in twice.itertuples():
        diags.append(
            {
                "rule": "AUX-FULLTIME",
                "message": _(
                    "village {village}: auxiliary {auxiliary} is pinned to another village too; "
                    "this pin is ignored"
                ).format(village=r.village_id, auxiliary=r.auxiliary_id),
                "ids": [r.village_id, r.auxiliary_id],
            }
        )
    table = table.copy()
    table.loc[table.index.isin(twice.index) | ~table["eligible"], "pinned"] = False
    return table, diags


def plan_county_auxiliaries(
    inst: Instance,
    county: str | None,
    options: SolveOptions | None = None,
    *,
    backend: str = "auto",
    exchanges_from: Instance | None = None,
) -> AuxiliaryResult:
    """The resident auxiliary of every village of ``county`` (None: of every county, as one
    problem) for the plan's first period. ``backend``: "auto"/"flow" (exact), "greedy",
    "highs" or "cp-sat" (peers on the same model). ``exchanges_from``: the instance whose
    incumbents period 1's exchanges count from (default ``inst``: a what-if places again from
    the annual plan, yet its exchanges count from the plan start)."""
    o = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
    t0 = time.perf_counter()
    sub = county_scope(inst, county)
    villages = (
        sub.villages.index
        if county is None
        else sub.villages.index[sub.villages["county_id"] == county]
    )
    auxiliaries = sub.auxiliaries.index
    table = build_pairs(sub, villages, auxiliaries)
    table, diagnostics = _pins(table)
    record = sub if exchanges_from is None else county_scope(exchanges_from, county)
    problem = make_problem(
        villages, auxiliaries, table[table["eligible"]], partial(side_rows, record, villages)
    )
    model = build_model(problem)
    build = time.perf_counter() - t0
    if backend in ("auto", "flow"):
        res = solve_flow(problem)
        if problem.side is not None and len(problem.side.broken(res.x)):
            res = _within_limits(problem, model, res, o)
    elif backend == "greedy":
        res = solve_greedy(problem)
    elif backend == "highs":
        res = solve_highs(model, o.time_limit, seed=o.seed)
    else:
        hint = completion(problem, model, np.flatnonzero(solve_greedy(problem).x))
        res = solve_cpsat(model, o.time_limit, o.seed, o.workers, hint=hint)
    solve_seconds = res.seconds + res.stats.get("build_seconds", 0.0)
    return _result(sub, county, problem, model, res, table, build, solve_seconds, diagnostics)


def _within_limits(
    problem: AuxiliaryProblem, model, flow: SolveResult, o: SolveOptions
) -> SolveResult:
    """The placement with AUX-EXCHANGE's rows, when the flow's plan breaks one: the flow again
    with the rows priced (``limits``), optimal when a priced plan meets its bound L; else HiGHS
    on the model less the pairs in no plan worth ``L − margin``, started from the best priced
    plan. A plan of HiGHS worth that much is the optimum (every plan left out is worth less);
    otherwise the margin grows (x8) up to L less the best priced plan, where the fixing holds
    whatever HiGHS finds. Every model is held to cover as many villages as the flow does (it
    covers the most any plan can; the rows then cost points, never a village)."""
    t0 = time.perf_counter()
    priced = price(problem, flow.x)
    seconds = flow.seconds + time.perf_counter() - t0
    stats = {"flows": priced.flows + 1, "pairs": problem.n_pairs}
    if priced.proven:
        return SolveResult(
            priced.plan, Status.OPTIMAL, priced.value, priced.bound, seconds, "min-cost-flow",
            stats,
        )  # fmt: skip
    start = completion(problem, model, np.flatnonzero(priced.plan))
    u = model.var_groups["uncovered"]
    most = int(start[u].sum())
    model.add_rows(
        "cover_most",
        np.zeros(u.stop - u.start),
        np.arange(u.start, u.stop),
        np.ones(u.stop - u.start),
        [0],
        [most],
    )
    pinned = dict(model.fixed)
    widest = priced.bound - priced.value
    margin = min(MARGIN, widest)
    while True:
        cutoff = priced.bound - margin
        off, on = priced.fixings(problem, cutoff)
        model.fixed = {**pinned, **dict.fromkeys(off.tolist(), 0), **dict.fromkeys(on.tolist(), 1)}
        # no MIP start: with columns fixed, HiGHS 1.16 answered a valid start's columns with
        # another plan's objective (the model left is small enough to need none)
        res = solve_highs(model, o.time_limit, seed=o.seed, threads=1)
        if res.x is not None:  # the plan's own value, whatever HiGHS reports
            res.objective = float(model.value(np.round(res.x).astype(np.int64)))
        final = margin >= widest
        if res.x is not None and (final or res.objective >= cutoff):
            break
        if res.x is None and final:  # out of time before a plan: the best priced one
            model.fixed = pinned
            return SolveResult(
                priced.plan, Status.FEASIBLE, priced.value, priced.bound, seconds,
                "min-cost-flow", stats,
            )  # fmt: skip
        margin = min(8 * margin, widest)
    model.fixed = pinned
    if res.objective >= cutoff and res.status == Status.OPTIMAL:
        res.bound = res.objective  # what was fixed is worth less than this plan
    res.seconds += seconds
    stats.update(fixed=len(off) + len(on), margin=float(margin))
    res.stats.update(stats)
    return res


def _result(
    inst: Instance,
    county: str | None,
    problem: AuxiliaryProblem,
    model,
    res: SolveResult,
    table: pd.DataFrame,
    build: float,
    solve_seconds: float,
    diagnostics: list[dict],
) -> AuxiliaryResult:
    if res.x is None:
        chosen = problem.pairs.iloc[[]]
        status, obj, bound = Status.INFEASIBLE, float("nan"), float("nan")
        x = np.zeros(model.n_vars, dtype=np.int64)
    else:
        sel = np.flatnonzero(np.asarray(res.x[: problem.n_pairs]) > 0)
        x = completion(problem, model, sel)
        chosen = problem.pairs.iloc[sel]
        obj = model.value(x) / SCALE
        exact = res.backend == "min-cost-flow"
        bound = obj if exact else res.bound / SCALE
        status = Status.OPTIMAL if exact or res.status == Status.OPTIMAL else Status.FEASIBLE
    plan = plan_frame(inst, problem.villages, chosen)
    uncovered = int((plan["auxiliary_id"] == "").sum())
    if res.x is not None and uncovered:
        status = Status.PARTIAL
    if uncovered:
        diagnostics = diagnostics + diagnose_shortage(inst, problem, x, table)
    gap = (
        abs(bound - obj) / max(1.0, abs(obj))
        if np.isfinite(bound) and np.isfinite(obj)
        else float("nan")
    )
    return AuxiliaryResult(
        county=county or "",
        plan=plan,
        status=status,
        objective=obj,
        best_bound=bound,
        gap=gap,
        build_seconds=build,
        solve_seconds=solve_seconds,
        backend=res.backend,
        diagnostics=diagnostics,
        kpis=placement_kpis(inst, plan, table),
        pairs=table,
        uncovered_penalty=problem.uncovered_penalty / SCALE,
    )


def plan_frame(inst: Instance, villages: pd.Index, chosen: pd.DataFrame) -> pd.DataFrame:
    """One row per village with its chosen pair (empty auxiliary where uncovered)."""
    vil = inst.villages.loc[villages]
    plan = pd.DataFrame(
        {
            "village_id": villages.to_numpy(object),
            "village_name": vil["name"].to_numpy(object),
            "township_id": vil["township_id"].to_numpy(object),
        }
    )
    pick = chosen.drop(columns=["township_id"]).assign(reasons=reasons(inst, chosen))
    plan = plan.merge(pick, on="village_id", how="left")
    aux = inst.auxiliaries.reindex(plan["auxiliary_id"].fillna("").to_numpy(object))
    plan["auxiliary_id"] = plan["auxiliary_id"].fillna("")
    plan["auxiliary_name"] = aux["name"].fillna("").to_numpy(object)
    plan["home_village_id"] = aux["home_village_id"].fillna("").to_numpy(object)
    plan["relation"] = plan["relation"].fillna("")
    plan["reasons"] = plan["reasons"].fillna("")
    plan["kept"] = plan["incumbent"].fillna(False).astype(bool)
    plan["pinned"] = plan["pinned"].fillna(False).astype(bool)
    plan["exception"] = plan["exception"].fillna("").astype(object)
    for c in ("score", "km", "p:same_township", "p:km", "p:recommended", "p:incumbent"):
        plan[c] = plan[c].astype(float)
    return plan[PLAN_COLUMNS]


def placement_kpis(inst: Instance, plan: pd.DataFrame, table: pd.DataFrame) -> dict:
    got = plan[plan["auxiliary_id"] != ""]
    km = got["km"].to_numpy(float)
    inc = inst.plan_auxiliaries
    inc = inc[inc.index.isin(plan["village_id"])]
    inc_pairs = table.merge(
        pd.DataFrame({"village_id": inc.index, "auxiliary_id": inc["auxiliary_id"]}),
        on=["village_id", "auxiliary_id"],
    )
    must_leave = inc_pairs[~inc_pairs["eligible"]]
    return {
        "villages": len(plan),
        "covered": len(got),
        "uncovered": len(plan) - len(got),
        "same_township": int((got["relation"] == "same_township").sum()),
        "neighbour_township": int((got["relation"] == "neighbour_township").sum()),
        "km_min": float(km.min()) if len(km) else None,
        "km_median": float(np.median(km)) if len(km) else None,
        "km_max": float(km.max()) if len(km) else None,
        "recommended_honoured": int((got["p:recommended"] > 0).sum()),
        "incumbents": len(inc),
        "incumbents_kept": int(got["kept"].sum()),
        "incumbents_must_leave": len(must_leave),
        "incumbents_must_leave_by_rule": must_leave["rule"].value_counts().sort_index().to_dict(),
        "points": float(round(got["score"].sum(), 2)),
    }


def diagnose_shortage(
    inst: Instance, problem: AuxiliaryProblem, x: np.ndarray, table: pd.DataFrame
) -> list[dict]:
    """Hall's certificate per connected part: villages whose eligible auxiliaries are fewer."""
    out = []
    for vs, as_ in hall_sets(problem, x):
        v_ids = problem.villages[vs].tolist()
        a_ids = problem.auxiliaries[as_].tolist()
        short = len(v_ids) - len(a_ids)
        tw = inst.villages.loc[v_ids, "township_id"]
        counts = tw.value_counts().sort_index()
        tname = {t: inst.townships.at[t, "name"] for t in counts.index}
        ruled = table[table["village_id"].isin(v_ids) & ~table["eligible"]]
        ruled = ruled[~ruled["auxiliary_id"].isin(a_ids)].drop_duplicates("auxiliary_id")
        why = ruled["rule"].value_counts().sort_index()
        also = (
            _("; ruled out nearby: {rules}").format(
                rules=_(", ").join(_("{n} by {rule}").format(n=n, rule=r) for r, n in why.items())
            )
            if len(why)
            else ""
        )
        if problem.pinned.any():
            also += _("; auxiliaries pinned elsewhere are not counted")
        if len(v_ids) == 1 and not a_ids:
            v = v_ids[0]
            message = _("{name} ({id}, {township}) has no auxiliary who may serve it{also}").format(
                name=inst.villages.at[v, "name"], id=v, township=tname[tw[v]], also=also
            )
        else:
            where = _(", ").join(
                _("{name} ({id})").format(name=tname[t], id=t) for t in counts.index
            )
            vname = inst.villages["name"]
            if len(v_ids) <= 12:
                listed = _("; ").join(
                    _("{villages} in {township}").format(
                        villages=_(", ").join(
                            _("{name} ({id})").format(name=vname[v], id=v)
                            for v in tw.index[tw == t]
                        ),
                        township=tname[t],
                    )
                    for t in counts.index
                )
            else:
                listed = _(", ").join(
                    _("{n} in {township}").format(n=n, township=tname[t]) for t, n in counts.items()
                )
            who = _(", ").join(
                _("{name} ({id})").format(name=inst.auxiliaries.at[a, "name"], id=a) for a in a_ids
            ) or _("(none)")
            message = ngettext(
                "{townships}: {villages} villages ({listed}) that only {auxiliaries} auxiliary "
                "may serve ({who}): {short} village stays without a resident auxiliary{also}",
                "{townships}: {villages} villages ({listed}) that only {auxiliaries} auxiliaries "
                "may serve ({who}): {short} villages stay without a resident auxiliary{also}",
                short,
            ).format(
                townships=where,
                villages=len(v_ids),
                listed=listed,
                auxiliaries=len(a_ids),
                who=who,
                short=short,
                also=also,
            )
        out.append(
            {
                "rule": "AUX-COVER",
                "message": message,
                "ids": [*v_ids, *a_ids],
                "villages": v_ids,
                "auxiliaries": a_ids,
                "townships": counts.index.tolist(),
                "short": short,
            }
        )
    return out
