"""What-if runs: re-plan after a change, moving as little as possible (OFF-CONTINUITY).

When an officer transfers, retires or is removed (§二(一), §五(三)) his villages need a new officer
at once, and the rest of the plan should stay. So a what-if does not plan again from scratch: it
re-plans a *neighbourhood* of the change and keeps everything else fixed.

- level 0: the villages the change touches (orphaned, re-classified, the villages of an officer
  whose days changed, the villages a new officer is among the best candidates for);
- level 1: the villages of the officers who could take a level-0 village, so a chain of one hand-on
  (officer A takes the orphan and passes one of his villages to officer B) is possible.

Inside the neighbourhood, every kept pair of the incumbent plan earns the continuity weight
(OFF-CONTINUITY's, in points) on top of its score, so a village changes only where a hard rule
forces it or the gain beats that weight; pinned pairs never move; ``max_changes`` caps the count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...constraints.base import SCALE
from ..auxiliaries.placement import AuxiliaryResult, plan_county_auxiliaries
from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import is_true
from ..officers.diagnosis import diagnose_uncovered
from ..officers.kpis import plan_score
from ..officers.model import build_model, completion, make_problem, officers_in_scope
from ..officers.pairs import SOFT_RULES, build_pairs
from ..solve.cpsat import solve_cpsat
from ..solve.options import SolveOptions
from ..solve.status import Status
from .changes import Effects


@dataclass
class WhatIfResult:
    plan: pd.DataFrame  # the new plan: village_id, officer_id, pinned (all villages)
    status: Status
    changed: pd.DataFrame  # village_id, before, after, reason
    free_villages: int
    free_pairs: int
    build_seconds: float
    solve_seconds: float
    diagnostics: list[dict]


def _grid(officers: pd.Index, villages) -> pd.DataFrame:
    villages = np.array(sorted(villages), dtype=object)
    return pd.DataFrame(
        {
            "officer_id": np.repeat(officers.to_numpy(), len(villages)),
            "village_id": np.tile(villages, len(officers)),
        }
    )


def _candidates(table: pd.DataFrame, villages: set[str], inc_of: pd.Series, k: int) -> pd.DataFrame:
    """Per village the k nearest and k best eligible officers, and its incumbent."""
    t = table[table["eligible"] & table["village_id"].isin(villages)]
    near = t.sort_values(["village_id", "km", "officer_id"]).groupby("village_id").head(k)
    best = (
        t.sort_values(["village_id", "score", "officer_id"], ascending=[True, False, True])
        .groupby("village_id")
        .head(k)
    )
    inc = t[t["officer_id"].to_numpy() == t["village_id"].map(inc_of).to_numpy()]
    return pd.concat([near, best, inc]).drop_duplicates(["officer_id", "village_id"])


@dataclass
class Neighbourhood:
    """What a what-if re-plans in one county, and what stays: the free villages with their
    candidate pairs, and the rest of the incumbent plan with the room it takes."""

    incumbent: pd.DataFrame  # the county's incumbent rows: village_id, officer_id, pinned
    officers: pd.DataFrame  # the officers who may hold villages, in model order
    orphaned: dict[str, str]  # village -> why it lost its officer
    pinned: set[str]  # villages whose pinned officer stays
    free: set[str]  # villages re-planned
    pairs: pd.DataFrame  # candidate pairs of the free villages
    incumbent_pairs: pd.DataFrame  # the incumbent's pairs, with their pair columns
    kept: pd.DataFrame  # incumbent rows that stay as they are
    held_days: np.ndarray  # hundredths of days each officer keeps outside the neighbourhood
    held_count: np.ndarray  # villages each officer keeps outside it

    @property
    def forced(self) -> int:
        return len(set(self.orphaned) & self.free)


def neighbourhood(
    inst: Instance, county: str, incumbent: pd.DataFrame, eff: Effects, k: int
) -> Neighbourhood:
    """Levels 0 and 1 of the module doc, with ``k`` nearest and ``k`` best officers a village."""
    in_county = set(inst.villages.index[inst.villages["county_id"] == county])
    inc = incumbent[incumbent["village_id"].isin(in_county)].copy()
    inc["pinned"] = inc["pinned"].astype(bool)
    inc_of = inc.set_index("village_id")["officer_id"]
    officers = officers_in_scope(inst)
    officers = officers[officers["county_id"] == county].sort_index()
    orphaned = {v: r for v, r in eff.orphaned.items() if v in in_county}
    level0 = (set(orphaned) | set(eff.touched)) & in_county
    level0 |= set(inc.loc[inc["officer_id"] == "", "village_id"])  # never covered before
    # one pass over the pairs we already know we need: the incumbent's, the level-0 villages',
    # and the new officers' (build_pairs costs per call, not per pair)
    held = inc.loc[inc["officer_id"] != "", ["officer_id", "village_id"]]
    ask = [held, _grid(officers.index, level0)]
    new_off = pd.Index([o for o in eff.new_officers if o in officers.index])
    if len(new_off):
        ask.append(_grid(new_off, in_county))
    table = build_pairs(
        inst, pd.concat(ask, ignore_index=True).drop_duplicates(["officer_id", "village_id"])
    )
    key = table["officer_id"].to_numpy() == table["village_id"].map(inc_of).to_numpy()
    incumbent_pairs = table[key]
    # incumbent pairs that no longer may stand (a transferred officer, a forbidden pair) orphan
    for v, o, why in incumbent_pairs.loc[
        ~incumbent_pairs["eligible"], ["village_id", "officer_id", "why_not"]
    ].itertuples(index=False):
        orphaned.setdefault(
            v,
            _("{name} ({id}) may no longer cover it ({why})").format(
                name=inst.officers["name"].get(o, ""), id=o, why=why
            ),
        )
    extra0 = set(orphaned) - level0
    if len(new_off):
        t = table[table["officer_id"].isin(new_off) & table["eligible"]]
        extra0 |= (
            set(
                t.sort_values(["officer_id", "km", "village_id"])
                .groupby("officer_id")
                .head(k)["village_id"]
            )
            - level0
        )
    # pinned pairs never move (unless the change removed them: then they are orphans)
    pinned = set(inc.loc[inc["pinned"], "village_id"]) - set(orphaned)
    level0 = (level0 | extra0) - pinned
    extra0 -= pinned
    c0 = _candidates(table, level0 - extra0, inc_of, k)
    helpers = set(c0["officer_id"])
    level1 = set(inc.loc[inc["officer_id"].isin(helpers), "village_id"]) - level0 - pinned
    more = (
        build_pairs(inst, _grid(officers.index, level1 | extra0))
        if level1 | extra0
        else table.iloc[:0]
    )
    pairs = pd.concat([c0, _candidates(more, level1 | extra0, inc_of, k)], ignore_index=True)
    free = level0 | level1
    pairs = (
        pairs[pairs["village_id"].isin(free)]
        .drop_duplicates(["officer_id", "village_id"])
        .reset_index(drop=True)
    )
    fixed = incumbent_pairs[~incumbent_pairs["village_id"].isin(free | set(orphaned))]
    kept = inc[inc["village_id"].isin(fixed["village_id"])]
    fo = officers.index.get_indexer(fixed["officer_id"])
    ok = fo >= 0
    held_days = np.bincount(
        fo[ok],
        weights=np.round(fixed["workload_days"].to_numpy()[ok] * SCALE),
        minlength=len(officers),
    )
    held_count = np.bincount(fo[ok], minlength=len(officers))
    return Neighbourhood(
        inc,
        officers,
        orphaned,
        pinned,
        free,
        pairs.assign(_pos=np.arange(len(pairs))),
        incumbent_pairs,
        kept,
        held_days.astype(np.int64),
        held_count.astype(np.int64),
    )


def _solve_neighbourhood(
    inst: Instance,
    county: str,
    nb: Neighbourhood,
    continuity: float,
    options: SolveOptions,
    max_changes: int | None,
):
    """The free villages' model, each kept incumbent pair worth ``continuity`` more; at most
    ``max_changes`` changes. A full cover first; if none exists, as many as can be covered."""
    inc_of = nb.incumbent.set_index("village_id")["officer_id"]
    is_inc = nb.pairs["officer_id"].to_numpy() == nb.pairs["village_id"].map(inc_of).to_numpy()
    diagnostics: list[dict] = []
    build = solve_seconds = 0.0
    res = problem = None
    for cover_all in (True, False):
        t = time.perf_counter()
        problem = make_problem(
            inst,
            county,
            nb.pairs,
            np.arange(len(nb.pairs)),
            cover_all=cover_all,
            villages=pd.Index(sorted(nb.free)),
            held=(nb.held_days, nb.held_count),
        )
        bonus = np.round(continuity * SCALE) * is_inc[problem.pairs["_pos"].to_numpy()]
        problem.score = problem.score + bonus.astype(np.int64)
        model = build_model(problem)
        stays = np.flatnonzero(is_inc[problem.pairs["_pos"].to_numpy()])
        if max_changes is not None:
            diagnostics += _limit_changes(model, stays, nb, max_changes)
        hint = completion(problem, model, stays)
        build += time.perf_counter() - t
        res = solve_cpsat(model, options.time_limit, options.seed, options.workers, hint=hint)
        solve_seconds += res.seconds + res.stats.get("build_seconds", 0.0)
        if res.x is not None or res.status != Status.INFEASIBLE:
            break
    assert problem is not None and res is not None
    return problem, res, diagnostics, build, solve_seconds


def _limit_changes(model, stays: np.ndarray, nb: Neighbourhood, max_changes: int) -> list[dict]:
    """A row keeping at least all but ``max_changes`` of the incumbent's free villages."""
    may_keep = len(stays)
    need = may_keep + nb.forced - max_changes
    out = []
    if need > may_keep:
        out.append(
            {
                "rule": "OFF-CONTINUITY",
                "message": _(
                    "the changes force {n} village(s) to change officer; --max-changes {most} "
                    "allows fewer"
                ).format(n=nb.forced, most=max_changes),
                "ids": sorted(set(nb.orphaned) & nb.free),
            }
        )
        need = may_keep
    if need > 0:
        model.add_rows(
            "max_changes",
            np.zeros(len(stays), np.int64),
            stays,
            np.ones(len(stays), np.int64),
            np.array([need]),
            np.array([len(stays)]),
        )
    return out


def replan_officers(
    inst: Instance,
    county: str,
    incumbent: pd.DataFrame,
    eff: Effects,
    options: SolveOptions | None = None,
    *,
    max_changes: int | None = None,
) -> WhatIfResult:
    """Re-plan the neighbourhood of the changes in one county; the rest of the plan stays."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    t0 = time.perf_counter()
    nb = neighbourhood(inst, county, incumbent, eff, options.candidate_neighbours)
    build = time.perf_counter() - t0
    c = inst.policy.weight("OFF-CONTINUITY") or inst.policy.rule("OFF-CONTINUITY").weight
    problem, res, diagnostics, more_build, solve_seconds = _solve_neighbourhood(
        inst, county, nb, c, options, max_changes
    )
    build += more_build
    chosen = (
        problem.pairs.iloc[np.flatnonzero(res.x[: problem.n_pairs])]
        if res.x is not None
        else problem.pairs.iloc[:0]
    )
    in_county = sorted(inst.villages.index[inst.villages["county_id"] == county])
    new = pd.concat(
        [
            nb.kept[["village_id", "officer_id", "pinned"]],
            chosen[["village_id", "officer_id"]].assign(pinned=False),
        ]
    )
    new = pd.DataFrame({"village_id": in_county}).merge(new, on="village_id", how="left")
    new["officer_id"] = new["officer_id"].fillna("")
    new["pinned"] = new["pinned"].fillna(False).astype(bool)
    new.loc[new["village_id"].isin(nb.pinned), "pinned"] = True
    status = res.status if res.x is not None else Status.INFEASIBLE
    if (new["officer_id"] == "").any():
        status = Status.PARTIAL
        diagnostics += _diagnose(inst, problem, nb, new)
    scored = (
        pd.concat([nb.incumbent_pairs, nb.pairs], ignore_index=True)
        .drop_duplicates(["officer_id", "village_id"])
        .set_index(["officer_id", "village_id"])["score"]
    )
    changed = diff_officers(nb.incumbent, new, nb.orphaned, eff, c, scored)
    return WhatIfResult(
        new, status, changed, len(nb.free), len(nb.pairs), build, solve_seconds, diagnostics
    )


def _diagnose(inst: Instance, problem, nb: Neighbourhood, new: pd.DataFrame) -> list[dict]:
    """Why the villages of the new plan without an officer have none."""
    full = build_pairs(inst, nb.pairs[["officer_id", "village_id"]])
    plan_pairs = new.merge(
        build_pairs(inst, new.loc[new["officer_id"] != "", ["officer_id", "village_id"]])[
            ["officer_id", "village_id", "workload_days"]
        ],
        on=["officer_id", "village_id"],
        how="left",
    )
    return diagnose_uncovered(inst, problem, plan_pairs, full[full["eligible"]], full)


def diff_officers(
    before: pd.DataFrame,
    after: pd.DataFrame,
    orphaned: dict[str, str],
    eff: Effects,
    c: float,
    scores: pd.Series,
) -> pd.DataFrame:
    """Every village whose officer changed, with the reason in words."""
    b = before.set_index("village_id")["officer_id"]
    a = after.set_index("village_id")["officer_id"].reindex(b.index.union(after["village_id"]))
    b = b.reindex(a.index).fillna("")
    a = a.fillna("")
    rows = []
    for v in a.index[a != b]:
        gain = scores.get((a[v], v), np.nan) - scores.get((b[v], v), 0.0)
        if v in orphaned:
            why = orphaned[v]
        elif v in eff.touched:
            why = eff.touched[v]
        elif not a[v]:
            why = _("no officer can take it")
        elif a[v] in eff.new_officers:
            why = _("new officer {id}: a better fit ({gain:+.2f} points)").format(
                id=a[v], gain=gain
            )
        elif gain > c:
            why = _(
                "a better fit ({gain:+.2f} points, more than the {weight:g} points of keeping the "
                "officer)"
            ).format(gain=gain, weight=c)
        else:
            why = _("handed on, so that its officer can take a village the change freed")
        rows.append(
            {"village_id": v, "role": "officer", "before": b[v], "after": a[v], "reason": why}
        )
    return pd.DataFrame(rows, columns=["village_id", "role", "before", "after", "reason"])


def rule_changes(
    inst_before: Instance, before: pd.DataFrame, inst_after: Instance, after: pd.DataFrame
) -> dict:
    """Points per rule before and after (each plan scored on its own bundle)."""

    def points(inst, plan):
        p = plan[plan["officer_id"] != ""]
        t = build_pairs(inst, p[["officer_id", "village_id"]])
        return {rid: round(float(t[f"p:{rid}"].sum()), 2) for rid in SOFT_RULES}, t

    pb, tb = points(inst_before, before)
    pa, ta = points(inst_after, after)
    sb, sa = plan_score(inst_before, tb), plan_score(inst_after, ta)
    return {
        "before": pb,
        "after": pa,
        "change": {r: round(pa[r] - pb[r], 2) for r in pb},
        # 得分, as plan and check print it: the pairs' points less the load-balance deduction
        "score_before": sb["objective"],
        "score_after": sa["objective"],
        "balance_penalty_before": sb["balance_penalty"],
        "balance_penalty_after": sa["balance_penalty"],
    }


def load_changes(inst: Instance, before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    """Officers whose load changed: villages and days before and after."""

    def load(plan):
        p = plan[plan["officer_id"] != ""]
        t = build_pairs(inst, p[["officer_id", "village_id"]])
        return t.groupby("officer_id").agg(
            villages=("village_id", "size"), days=("workload_days", "sum")
        )

    lb, la = load(before), load(after)
    ids = lb.index.union(la.index)
    lb, la = lb.reindex(ids).fillna(0), la.reindex(ids).fillna(0)
    diff = la["villages"] - lb["villages"]
    out = []
    for o in ids[(diff != 0) | ((la["days"] - lb["days"]).abs() > 0.005)]:
        name = inst.officers.at[o, "name"] if o in inst.officers.index else ""
        out.append(
            {
                "officer_id": o,
                "name": name,
                "villages_before": int(lb.at[o, "villages"]),
                "villages_after": int(la.at[o, "villages"]),
                "days_before": round(float(lb.at[o, "days"]), 2),
                "days_after": round(float(la.at[o, "days"]), 2),
            }
        )
    return sorted(
        out, key=lambda r: (-(r["villages_after"] - r["villages_before"]), r["officer_id"])
    )


def replan_auxiliaries(
    inst: Instance,
    county: str,
    incumbent_aux: pd.DataFrame,
    eff: Effects,
    options: SolveOptions,
) -> tuple[AuxiliaryResult, pd.DataFrame]:
    """Place the county's auxiliaries again (an exact min-cost flow: the whole county costs
    milliseconds), the incumbent plan earning AUX-FAMILIAR's incumbent points, so a village
    changes auxiliary only where a rule forces it or the gain beats those points."""
    pa = incumbent_aux[incumbent_aux["auxiliary_id"] != ""]
    pinned = pa["pinned"] if "pinned" in pa else pd.Series("false", index=pa.index)
    pa = pd.DataFrame(
        {
            "village_id": pa["village_id"].to_numpy(),
            "auxiliary_id": pa["auxiliary_id"].to_numpy(),
            "pinned": is_true(pinned).to_numpy(),
        },
        index=pa["village_id"].to_numpy(),
    )
    sub = replace(inst, plan_auxiliaries=pa)
    sub = sub.county(county) if len(sub.counties) > 1 else sub
    res = plan_county_auxiliaries(sub, county, options, exchanges_from=inst)
    before = pa["auxiliary_id"]
    after = res.plan.set_index("village_id")["auxiliary_id"]
    rows = []
    for v in after.index:
        b, a = before.get(v, ""), after[v]
        if a == b:
            continue
        if v in eff.aux_orphaned:
            why = eff.aux_orphaned[v]
        elif not a:
            why = _("no auxiliary may serve it")
        elif a in eff.new_auxiliaries:
            why = _("new auxiliary {id}").format(id=a)
        elif not b:
            why = _("had no resident auxiliary")
        else:
            why = _("handed on to fill a changed village, or a clearly better fit")
        rows.append({"village_id": v, "role": "auxiliary", "before": b, "after": a, "reason": why})
    diff = pd.DataFrame(rows, columns=["village_id", "role", "before", "after", "reason"])
    return res, diff
