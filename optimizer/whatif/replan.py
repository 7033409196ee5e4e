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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..input.bundle import derive_officers
from ..input.instance import Instance
from ..input.problems import BundleError, ProblemLog
from ..input.tables import normalise_text
from ..officers.engine import diagnose_uncovered
from ..officers.model import SCALE, build_model, completion, make_problem, officers_in_scope
from ..officers.pairs import SOFT_RULES, build_pairs
from ..solve.solvers import INFEASIBLE, solve_cpsat

KINDS = {
    "transfer": "transfer",
    "调离": "transfer",
    "退休": "transfer",
    "清退": "transfer",
    "set_days": "set_days",
    "调整天数": "set_days",
    "set_key_village": "set_key_village",
    "设为重点村": "set_key_village",
    "add_officer": "add_officer",
    "新增民警": "add_officer",
    "remove_auxiliary": "remove_auxiliary",
    "辅警离岗": "remove_auxiliary",
    "add_auxiliary": "add_auxiliary",
    "新增辅警": "add_auxiliary",
}


@dataclass(frozen=True)
class Change:
    kind: str  # transfer, set_days, set_key_village, add_officer
    target: str  # officer id, village id, or the CSV of new officers
    value: str = ""
    where: str = "command line"


@dataclass
class Effects:
    """What the changes do to the incumbent plan, with the reason of each in words."""

    orphaned: dict[str, str] = field(default_factory=dict)  # village -> why it lost its officer
    touched: dict[str, str] = field(default_factory=dict)  # village -> why it is re-planned
    new_officers: list[str] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    aux_orphaned: dict[str, str] = field(default_factory=dict)  # village -> why it lost its aux
    new_auxiliaries: list[str] = field(default_factory=list)


def changes_from_args(args) -> list[Change]:
    out = [Change("transfer", normalise_text(o)) for o in args.transfer or []]
    for spec in args.set_days or []:
        if "=" not in spec:
            raise BundleError.single("--set-days", f"'{spec}' is not OFFICER_ID=DAYS")
        o, d = spec.split("=", 1)
        out.append(Change("set_days", normalise_text(o), normalise_text(d)))
    out += [Change("set_key_village", normalise_text(v)) for v in args.set_key_village or []]
    out += [Change("add_officer", str(p)) for p in args.add_officer or []]
    out += [Change("remove_auxiliary", normalise_text(a)) for a in args.remove_auxiliary or []]
    out += [Change("add_auxiliary", str(p)) for p in args.add_auxiliary or []]
    if args.changes:
        out += read_changes_file(Path(args.changes))
    return out


def read_changes_file(path: Path) -> list[Change]:
    """``change,id,value`` rows (Chinese ``变更,编号,值`` too); add_officer names a CSV beside
    the changes file (never outside its folder)."""
    from ..input.tables import decode

    label = path.name
    if not path.is_file():
        raise BundleError.single(str(path), "no such file")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(decode(path.read_bytes(), label))))
    if not rows:
        raise BundleError.single(label, "the file is empty: expected change,id,value")
    head = [normalise_text(h).lower() for h in rows[0]]
    names = {"change": ("change", "变更"), "id": ("id", "编号"), "value": ("value", "值")}
    col = {}
    for key, aliases in names.items():
        hit = [i for i, h in enumerate(head) if h in aliases]
        if hit:
            col[key] = hit[0]
    log = ProblemLog()
    for key in ("change", "id"):
        if key not in col:
            log.error(label, 1, key, f"required column '{key}' is missing")
    log.raise_if_errors()
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = {k: normalise_text(row[i]) if i < len(row) else "" for k, i in col.items()}
        kind = KINDS.get(cell["change"].lower(), KINDS.get(cell["change"]))
        if kind is None:
            log.error(
                label,
                n,
                "change",
                f"unknown change '{cell['change']}' (one of transfer, "
                "set_days, set_key_village, add_officer)",
            )
            continue
        target = cell["id"]
        if kind in ("add_officer", "add_auxiliary"):
            f = (path.parent / target).resolve()
            if not f.is_relative_to(path.parent.resolve()):
                log.error(label, n, "id", "the officers file must lie beside the changes file")
                continue
            target = str(f)
        out.append(Change(kind, target, cell.get("value", ""), f"{label}:{n}"))
    log.raise_if_errors()
    return out


def _where(change: Change) -> tuple[str, int, str]:
    if change.where == "command line":
        return f"--{change.kind.replace('_', '-')}", 0, ""
    file, row = change.where.rsplit(":", 1)
    return file, int(row), "id"


def apply_changes(
    inst: Instance,
    incumbent: pd.DataFrame,
    changes: list[Change],
    incumbent_aux: pd.DataFrame | None = None,
) -> tuple[Instance, Effects]:
    """The bundle after the changes, and what they do to the incumbent plan."""
    off, vil, aux = inst.officers.copy(), inst.villages.copy(), inst.auxiliaries.copy()
    posted = (
        incumbent_aux[incumbent_aux["auxiliary_id"] != ""].set_index("auxiliary_id")["village_id"]
        if incumbent_aux is not None
        else pd.Series(dtype=object)
    )
    eff = Effects()
    log = ProblemLog()
    held = incumbent[incumbent["officer_id"] != ""].groupby("officer_id")["village_id"].agg(list)
    for c in changes:
        file, row, column = _where(c)
        if c.kind in ("transfer", "set_days") and c.target not in off.index:
            log.error(file, row, column, f"unknown officer '{c.target}'")
            continue
        if c.kind == "transfer":
            name = off.at[c.target, "name"]
            off.at[c.target, "status"] = "leaving"
            text = f"officer {c.target} {name} transferred"
            eff.described.append(text)
            for v in held.get(c.target, []):
                eff.orphaned[v] = text
        elif c.kind == "set_days":
            try:
                days = float(c.value)
            except ValueError:
                log.error(file, row, "value" if row else "", f"'{c.value}' is not a number of days")
                continue
            if days < 0:
                log.error(file, row, "value" if row else "", "days cannot be negative")
                continue
            name = off.at[c.target, "name"]
            text = (
                f"officer {c.target} {name}'s days set from "
                f"{off.at[c.target, 'available_days']:g} to {days:g}"
            )
            off.at[c.target, "available_days"] = days
            eff.described.append(text)
            for v in held.get(c.target, []):
                eff.touched[v] = text
        elif c.kind == "set_key_village":
            if c.target not in vil.index:
                log.error(file, row, column, f"unknown village '{c.target}'")
                continue
            vil.at[c.target, "kind"] = "key"
            text = f"village {c.target} {vil.at[c.target, 'name']} became a key village"
            eff.described.append(text)
            eff.touched[c.target] = text
        elif c.kind == "add_officer":
            new = _read_new_officers(Path(c.target), inst, off, log)
            if new is not None:
                off = pd.concat([off, new])
                eff.new_officers += new.index.tolist()
                eff.described.append(
                    f"{len(new)} new officer(s): "
                    + ", ".join(f"{o} {n}" for o, n in new["name"].items())
                )
        elif c.kind == "remove_auxiliary":
            if c.target not in aux.index:
                log.error(file, row, column, f"unknown auxiliary '{c.target}'")
                continue
            aux.at[c.target, "status"] = "leaving"
            text = f"auxiliary {c.target} {aux.at[c.target, 'name']} left"
            eff.described.append(text)
            if c.target in posted.index:
                eff.aux_orphaned[posted[c.target]] = text
        elif c.kind == "add_auxiliary":
            new = _read_new_auxiliaries(Path(c.target), inst, aux, log)
            if new is not None:
                aux = pd.concat([aux, new])
                eff.new_auxiliaries += new.index.tolist()
                eff.described.append(
                    f"{len(new)} new auxiliar(ies): "
                    + ", ".join(f"{a} {n}" for a, n in new["name"].items())
                )
    log.raise_if_errors()
    return replace(inst, officers=off, villages=vil, auxiliaries=aux), eff


def _read_new_auxiliaries(
    path: Path, inst: Instance, aux: pd.DataFrame, log: ProblemLog
) -> pd.DataFrame | None:
    from ..input.bundle import derive_auxiliaries
    from ..input.parse import parse_table
    from ..input.schema import TABLES
    from ..input.tables import read_csv_table

    if not path.is_file():
        log.error(str(path), 0, "", "no such file")
        return None
    raw = read_csv_table(path, TABLES["auxiliaries"], log)
    if raw is None:
        return None
    frame = parse_table(raw, log)
    counties = set(inst.townships["county_id"])
    for r, a, c, home in zip(
        frame["_row"],
        frame["auxiliary_id"],
        frame["county_id"],
        frame["home_village_id"],
        strict=True,
    ):
        if a in aux.index:
            log.error(path.name, r, "auxiliary_id", f"auxiliary '{a}' is already in the bundle")
        if c not in counties:
            log.error(path.name, r, "county_id", f"unknown county '{c}'")
        if home not in inst.villages.index:
            log.error(path.name, r, "home_village_id", f"unknown home village '{home}'")
    if log.errors:
        return None
    frame = frame.set_index("auxiliary_id", drop=False)
    frame.index.name = None
    return derive_auxiliaries(frame, inst.villages)


def replan_auxiliaries(
    inst: Instance,
    county: str,
    incumbent_aux: pd.DataFrame,
    eff: Effects,
    *,
    time_limit: float,
    seed: int,
    workers: int,
):
    """Place the county's auxiliaries again (an exact min-cost flow: the whole county costs
    milliseconds), the incumbent plan earning AUX-FAMILIAR's incumbent points, so a village
    changes auxiliary only where a rule forces it or the gain beats those points."""
    from ..auxiliaries.placement import plan_county_auxiliaries

    pa = incumbent_aux[incumbent_aux["auxiliary_id"] != ""]
    pinned = pa["pinned"] if "pinned" in pa else pd.Series("false", index=pa.index)
    pa = pd.DataFrame(
        {
            "village_id": pa["village_id"].to_numpy(),
            "auxiliary_id": pa["auxiliary_id"].to_numpy(),
            "pinned": pinned.astype(str).str.lower().isin(["true", "1"]).to_numpy(),
        },
        index=pa["village_id"].to_numpy(),
    )
    sub = replace(inst, plan_auxiliaries=pa)
    sub = sub.county(county) if len(sub.counties) > 1 else sub
    res = plan_county_auxiliaries(sub, county, time_limit=time_limit, seed=seed, workers=workers)
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
            why = "no auxiliary may serve it"
        elif a in eff.new_auxiliaries:
            why = f"new auxiliary {a}"
        elif not b:
            why = "had no resident auxiliary"
        else:
            why = "passed on to fill a changed village, or a clearly better fit"
        rows.append({"village_id": v, "role": "auxiliary", "before": b, "after": a, "reason": why})
    diff = pd.DataFrame(rows, columns=["village_id", "role", "before", "after", "reason"])
    return res, diff


def _read_new_officers(
    path: Path, inst: Instance, off: pd.DataFrame, log: ProblemLog
) -> pd.DataFrame | None:
    from ..input.parse import parse_table
    from ..input.schema import TABLES
    from ..input.tables import read_csv_table

    if not path.is_file():
        log.error(str(path), 0, "", "no such file")
        return None
    raw = read_csv_table(path, TABLES["officers"], log)
    if raw is None:
        return None
    frame = parse_table(raw, log)
    for r, o, c in zip(frame["_row"], frame["officer_id"], frame["county_id"], strict=True):
        if o in off.index:
            log.error(path.name, r, "officer_id", f"officer '{o}' is already in the bundle")
        if c not in set(inst.townships["county_id"]):
            log.error(path.name, r, "county_id", f"unknown county '{c}'")
    if log.errors:
        return None
    frame = frame.set_index("officer_id", drop=False)
    frame.index.name = None
    return derive_officers(frame, inst.townships, inst.policy, inst.crs, log, path.name)


@dataclass
class WhatIfResult:
    plan: pd.DataFrame  # the new plan: village_id, officer_id, pinned (all villages)
    status: str
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


def replan_officers(
    inst: Instance,
    county: str,
    incumbent: pd.DataFrame,
    eff: Effects,
    *,
    max_changes: int | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 1,
) -> WhatIfResult:
    """Re-plan the neighbourhood of the changes in one county; the rest of the plan stays."""
    t0 = time.perf_counter()
    in_county = set(inst.villages.index[inst.villages["county_id"] == county])
    inc = incumbent[incumbent["village_id"].isin(in_county)].copy()
    inc["pinned"] = inc["pinned"].astype(bool)
    inc_of = inc.set_index("village_id")["officer_id"]
    officers = officers_in_scope(inst)
    officers = officers[officers["county_id"] == county].sort_index()
    k = int(inst.policy.get("solver", "candidate_neighbours"))
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
        orphaned.setdefault(v, f"officer {o} may no longer cover it ({why})")
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
    pairs = pairs.assign(_pos=np.arange(len(pairs)))
    build = time.perf_counter() - t0
    c = inst.policy.weight("OFF-CONTINUITY") or inst.policy.rule("OFF-CONTINUITY").weight
    inc_of = inc.set_index("village_id")["officer_id"]
    is_inc = pairs["officer_id"].to_numpy() == pairs["village_id"].map(inc_of).to_numpy()
    forced = len(set(orphaned) & free)
    diagnostics: list[dict] = []
    solve_seconds = 0.0
    res = None
    problem = None
    for cover_all in (True, False):
        t = time.perf_counter()
        problem = make_problem(
            inst,
            county,
            pairs,
            np.arange(len(pairs)),
            cover_all=cover_all,
            villages=pd.Index(sorted(free)),
            held=(held_days.astype(np.int64), held_count.astype(np.int64)),
        )
        bonus = np.round(c * SCALE) * is_inc[problem.pairs["_pos"].to_numpy()]
        problem.score = problem.score + bonus.astype(np.int64)
        model = build_model(problem)
        stays = np.flatnonzero(is_inc[problem.pairs["_pos"].to_numpy()])
        if max_changes is not None:
            may_keep = len(stays)
            need = may_keep + forced - max_changes
            if need > may_keep:
                diagnostics.append(
                    {
                        "rule": "OFF-CONTINUITY",
                        "message": (
                            f"the changes force {forced} village(s) to change officer; --max-changes "
                            f"{max_changes} allows fewer"
                        ),
                        "ids": sorted(set(orphaned) & free),
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
        hint = completion(problem, model, stays)
        build += time.perf_counter() - t
        res = solve_cpsat(model, time_limit=time_limit, seed=seed, workers=workers, hint=hint)
        solve_seconds += res.seconds + res.stats.get("build_seconds", 0.0)
        if res.x is not None or res.status != INFEASIBLE:
            break
    assert problem is not None and res is not None
    chosen = (
        problem.pairs.iloc[np.flatnonzero(res.x[: problem.n_pairs])]
        if res.x is not None
        else problem.pairs.iloc[:0]
    )
    new = pd.concat(
        [
            kept[["village_id", "officer_id", "pinned"]],
            chosen[["village_id", "officer_id"]].assign(pinned=False),
        ]
    )
    new = pd.DataFrame({"village_id": sorted(in_county)}).merge(new, on="village_id", how="left")
    new["officer_id"] = new["officer_id"].fillna("")
    new["pinned"] = new["pinned"].fillna(False).astype(bool)
    new.loc[new["village_id"].isin(pinned), "pinned"] = True
    status = res.status if res.x is not None else INFEASIBLE
    if (new["officer_id"] == "").any():
        status = "PARTIAL"
        full = build_pairs(inst, pairs[["officer_id", "village_id"]])
        plan_pairs = new.merge(
            build_pairs(inst, new.loc[new["officer_id"] != "", ["officer_id", "village_id"]])[
                ["officer_id", "village_id", "workload_days"]
            ],
            on=["officer_id", "village_id"],
            how="left",
        )
        diagnostics += diagnose_uncovered(inst, problem, plan_pairs, full[full["eligible"]], full)
    scored = (
        pd.concat([incumbent_pairs, pairs], ignore_index=True)
        .drop_duplicates(["officer_id", "village_id"])
        .set_index(["officer_id", "village_id"])["score"]
    )
    changed = diff_officers(inc, new, orphaned, eff, c, scored)
    return WhatIfResult(
        new, status, changed, len(free), len(pairs), build, solve_seconds, diagnostics
    )


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
            why = "no officer can take it"
        elif a[v] in eff.new_officers:
            why = f"new officer {a[v]}: better fit ({gain:+.2f} points)"
        elif gain > c:
            why = f"better fit ({gain:+.2f} points, more than the continuity weight {c:g})"
        else:
            why = "passed on to free capacity for a changed village"
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
    return {
        "before": pb,
        "after": pa,
        "change": {r: round(pa[r] - pb[r], 2) for r in pb},
        "score_before": round(float(tb["score"].sum()), 2),
        "score_after": round(float(ta["score"].sum()), 2),
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
