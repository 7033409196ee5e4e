"""``cunjing plan``, ``cunjing check`` and ``cunjing explain``: what the planner runs."""

from __future__ import annotations

import contextlib
import json
import resource
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import pandas as pd

from ..auxiliaries.check import check_auxiliary_plan, check_rotation_plan
from ..auxiliaries.placement import plan_county_auxiliaries
from ..input.bundle import load_bundle
from ..input.instance import Instance
from ..input.problems import BundleError
from ..officers.engine import EXPLAIN_NEXT
from ..output.publish import check_target, publish, write_csv, write_json
from ..reports.write import write_reports
from ..solve.solvers import FEASIBLE, OPTIMAL, StopSearch
from .annual import (
    PlanOptions,
    across_counties,
    assemble,
    officer_kpis,
    place_auxiliaries,
    plan_county,
)
from .check import check_officer_plan, read_plan
from .executor import CountyStore, default_jobs, solve_counties
from .helper import HelperProcess, helper_wanted

CANDIDATES_FILE = "officer_candidates.csv.gz"


def options_from(args, inst: Instance) -> PlanOptions:
    solver = inst.policy.sections["solver"]
    return PlanOptions(
        time_limit=args.time_limit if args.time_limit is not None else solver["time_limit"],
        seed=args.seed if args.seed is not None else solver["seed"],
        workers=args.workers if args.workers is not None else solver["workers"],
    )


def run_plan(
    inst: Instance,
    options: PlanOptions,
    stop: StopSearch | None = None,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    store: CountyStore | None = None,
    progress: bool = True,
    helper: HelperProcess | None = None,
):
    """Plan every county (through the executor) and merge the results. ``helper`` places the
    counties' auxiliaries meanwhile (else each county places its own after its officers)."""
    t0 = time.perf_counter()
    inline = jobs <= 1 and not scheduler
    across = across_counties(inst)
    placing = (
        helper is not None
        and not across
        and helper.ask("auxiliaries", inst.fingerprint, (list(inst.counties), options))
    )
    if placing:
        options = replace(options, auxiliaries=False)
    task = partial(plan_county, options=options, stop=stop if inline else None)
    settings = {
        "time_limit": options.time_limit,
        "seed": options.seed,
        "workers": options.workers,
        "backend": options.backend,
    }
    results = solve_counties(
        inst,
        task,
        settings,
        jobs=jobs,
        scheduler=scheduler,
        store=store,
        progress=progress,
        stop=stop,
        stopped_task=partial(plan_county, options=options, stop=stop),
    )
    plans = pd.concat([r.officers.plan for r in results], ignore_index=True)
    if not across:
        placed = (helper.answer() if placing else None) or {}
        for r in results:  # a county's own placement, if the helper did not (or a resumed run)
            if r.auxiliaries is None:
                r.auxiliaries = (
                    placed.get(r.county) or place_auxiliaries(inst, [r.county], options)[r.county]
                )
    auxiliaries = None
    if across:  # one placement over every county (AUX-TOWNSHIP across_counties)
        auxiliaries = [
            plan_county_auxiliaries(
                inst,
                None,
                time_limit=options.time_limit,
                seed=options.seed,
                workers=options.workers,
            )
        ]
    aux_parts = auxiliaries or [r.auxiliaries for r in results if r.auxiliaries is not None]
    aux_plan = pd.concat([a.plan for a in aux_parts], ignore_index=True) if aux_parts else None
    # the solver-independent judges: every hard rule, by the rule modules
    checks = check_officer_plan(inst, plans[["village_id", "officer_id"]])
    if aux_plan is not None:
        checks += check_auxiliary_plan(inst, aux_plan[["village_id", "auxiliary_id"]])
    table, aux_table, summary = assemble(
        inst, results, options, time.perf_counter() - t0, checks, auxiliaries
    )
    summary["interrupted"] = bool(stop is not None and stop.requested)
    summary["peak_memory_mb"] = {
        "this_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_worker": max((r.extra.get("peak_mb") or 0 for r in results), default=0),
    }
    candidates = pd.concat(
        [r.officers.pairs for r in results if r.officers.pairs is not None], ignore_index=True
    )
    return table, aux_table, summary, candidates


def cmd_plan(args) -> int:
    check_target(args.out, [args.bundle] if args.bundle else [])
    stop = getattr(args, "stop", None) or StopSearch()  # main() set Ctrl-C on it
    inst = load_bundle(args.bundle)
    options = options_from(args, inst)
    store = CountyStore(args.out)
    jobs = default_jobs(inst, args.jobs)
    with contextlib.ExitStack() as stack:
        helper = None
        if getattr(args, "helper", False) and helper_wanted(jobs, args.scheduler):
            helper = stack.enter_context(HelperProcess(args.bundle))
        backup, summary = _plan_and_write(args, inst, options, store, stop, jobs, helper)
    store.clear()
    for line in summary_lines(summary):
        print(line)
    print(f"wrote {args.out}" + (f" (the previous plan is kept as {backup})" if backup else ""))
    return 0 if summary["status"] in (OPTIMAL, FEASIBLE) else 1


def _plan_and_write(args, inst, options, store, stop, jobs, helper):
    table, aux_table, summary, candidates = run_plan(
        inst, options, stop, jobs=jobs, scheduler=args.scheduler, store=store, helper=helper
    )
    keep = [
        "officer_id",
        "village_id",
        "km",
        "workload_days",
        "score",
        "extra",
        *[c for c in candidates.columns if c.startswith(("m:", "p:"))],
    ]

    def write(tmp: Path) -> None:
        write_csv(table, tmp / "officer_plan.csv")
        write_csv(aux_table, tmp / "auxiliary_plan.csv")
        candidates[keep].sort_values(["village_id", "officer_id"], kind="stable").to_csv(
            tmp / CANDIDATES_FILE,
            index=False,
            float_format="%.4f",
            compression={"method": "gzip", "compresslevel": 1, "mtime": 0},
        )
        write_json(summary, tmp / "summary.json")
        write_reports(tmp, inst, helper=helper)  # last: the reports read the files above

    return publish(args.out, write, inputs=[args.bundle] if args.bundle else []), summary


def summary_lines(summary: dict) -> list[str]:
    k = summary["kpis"]
    off = k["officer"]
    gap = summary["gap"]
    lines = [
        f"status {summary['status']}{' (interrupted: best plan so far)' if summary.get('interrupted') else ''}: "
        f"{k['covered_by_officer']} of {k['villages']} villages have a liaison officer, "
        f"{k['covered_by_auxiliary']} a resident auxiliary; score {summary['objective']:g}, "
        + (
            f"bound {summary['best_bound']:g}, gap {gap:.4%}"
            if gap is not None
            else "no bound proven"
        ),
        f"time {summary['wall_seconds']:.2f} s (model {summary['build_seconds']:.2f} s, "
        f"solver {summary['solve_seconds']:.2f} s), seed {summary['seed']}, "
        f"workers {summary['workers']}",
    ]
    rules = ", ".join(f"{rid} {r['matched']}/{r['possible']}" for rid, r in off["rules"].items())
    lines.append(f"rules met (of possible): {rules}")
    prof = off["preference_rank_profile"]
    lines.append(
        "wishes granted: "
        + ", ".join((f"{r}. choice {n}" if r != "none" else f"none {n}") for r, n in prof.items())
    )
    load = off["load"]
    lines.append(
        f"load: {load['villages_per_officer']['min']}-"
        f"{load['villages_per_officer']['max']} villages per officer (median "
        f"{load['villages_per_officer']['median']}), days used {load['days_used']['min']}"
        f"-{load['days_used']['max']}; blocking pairs: "
        f"{off['blocking_pairs']['by_preference']} by wish, "
        f"{off['blocking_pairs']['by_score']} by score"
    )
    a = k["auxiliary"]
    lines.append(
        f"auxiliaries: {a['same_township']} from the own township, "
        f"{a['neighbour_township']} from a neighbouring one; {a['incumbents_kept']} of "
        f"{a['incumbents']} incumbents stay ({a['incumbents_must_leave']} must leave by "
        f"the rules); home to village km median {a['km']['median']}"
    )
    for d in summary["diagnostics"][:10]:
        lines.append(f"  {d['rule']}: {d['message']}")
    if len(summary["diagnostics"]) > 10:
        lines.append(f"  … {len(summary['diagnostics']) - 10} more in summary.json")
    return lines


def cmd_check(args) -> int:
    inst = load_bundle(args.bundle)
    plan = read_plan(args.plan, "officer", optional=True)
    aux = read_plan(args.plan, "auxiliary", optional=True)
    rotation = Path(args.plan) / "rotation.csv" if Path(args.plan).is_dir() else None
    if plan is None and aux is None and not (rotation and rotation.exists()):
        raise BundleError.single(
            str(args.plan),
            "no plan here (officer_plan.csv, auxiliary_plan.csv, rotation.csv or plan.xlsx)",
        )
    violations = []
    if plan is not None:
        plan = plan[plan["village_id"] != ""]
        violations += check_officer_plan(inst, plan)
        kpis = officer_kpis(inst, plan[plan["village_id"].isin(inst.villages.index)])
        print(
            f"officer plan {args.plan}: {len(plan)} rows; objective {kpis['objective']:g} "
            f"(pair scores {kpis['score']:g}, load-balance penalty {kpis['balance_penalty']:g})"
        )
        rules = ", ".join(
            f"{rid} {r['matched']}/{r['possible']}" for rid, r in kpis["rules"].items()
        )
        print(f"rules met (of possible): {rules}")
    if aux is not None:
        aux = aux[aux["village_id"] != ""]
        found = check_auxiliary_plan(inst, aux[["village_id", "auxiliary_id"]])
        print(
            f"auxiliary plan: {int((aux['auxiliary_id'] != '').sum())} of {len(aux)} villages "
            f"with a resident auxiliary; {len(found)} violation(s)"
        )
        violations += found
    if rotation is not None and rotation.exists():
        rot = pd.read_csv(rotation, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        found = check_rotation_plan(inst, rot)
        print(f"rotation: {rot['period'].nunique()} period(s); {len(found)} violation(s)")
        violations += found
    if not violations:
        print("every hard rule holds")
        return 0
    print(f"{len(violations)} violation(s):")
    for v in violations:
        print(f"  {v.rule}: {v.message}")
    return 1


def cmd_explain(args) -> int:
    folder = Path(args.plan)
    plan_file = folder / "officer_plan.csv"
    if not plan_file.exists():
        raise BundleError.single(str(folder), "not a plan folder (no officer_plan.csv)")
    plan = pd.read_csv(
        plan_file,
        dtype={"village_id": str, "officer_id": str, "township_id": str},
        keep_default_na=False,
    )
    cand = pd.read_csv(folder / CANDIDATES_FILE, dtype={"village_id": str, "officer_id": str})
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for line in explain_village(plan, cand, summary, args.village):
        print(line)
    return 0


def explain_village(
    plan: pd.DataFrame, cand: pd.DataFrame, summary: dict, village: str
) -> list[str]:
    """Why a village got its officer: the pair's points by rule, and the next three officers
    with what each would gain or lose, and whether he has room."""
    row = plan[plan["village_id"] == village]
    if row.empty:
        raise BundleError.single("officer_plan.csv", f"village '{village}' is not in the plan")
    r = row.iloc[0]
    rules = [c[2:] for c in cand.columns if c.startswith("p:")]
    mine = cand[(cand["village_id"] == village) & (cand["officer_id"] == r["officer_id"])]
    held = (
        plan[plan["officer_id"] != ""]
        .groupby("officer_id")
        .agg(n=("village_id", "size"), days=("workload_days", "sum"))
    )
    lines = [f"village {village} {r['village_name']} ({r['township_name']})"]
    if not r["officer_id"]:
        lines.append("  has no officer in this plan; see summary.json diagnostics")
    else:
        lines.append(
            f"  officer {r['officer_id']} {r['officer_name']} ({r['category']}), score "
            f"{r['score']:.2f}, {r['workload_days']:.2f} days a month, {r['km']:.1f} km "
            f"from his base; reasons: {r['reasons'] or 'none beyond distance'}"
        )
        if len(mine):
            lines.append("  points by rule: " + _points(mine.iloc[0], rules))
    others = cand[(cand["village_id"] == village) & (cand["officer_id"] != r["officer_id"])]
    others = others.sort_values(["score", "officer_id"], ascending=[False, True]).head(EXPLAIN_NEXT)
    names = dict(zip(plan["officer_id"], plan["officer_name"], strict=True))
    if others.empty:
        lines.append("  no other officer was a candidate for this village")
    base = mine.iloc[0] if len(mine) else None
    for i, (_, o) in enumerate(others.iterrows(), start=1):
        diff = o["score"] - (base["score"] if base is not None else 0.0)
        n = int(held["n"].get(o["officer_id"], 0))
        d = float(held["days"].get(o["officer_id"], 0.0))
        changes = []
        for rid in rules:
            delta = o[f"p:{rid}"] - (base[f"p:{rid}"] if base is not None else 0.0)
            if abs(delta) >= 0.005:
                changes.append(f"{rid} {delta:+.2f}")
        who = names.get(o["officer_id"], "")
        lines.append(
            f"  {i}. officer {o['officer_id']} {who}: score {o['score']:.2f} "
            f"({diff:+.2f}: {', '.join(changes) or 'no rule differs'}); needs "
            f"{o['workload_days']:.2f} days; he holds {n} village(s), {d:.2f} days"
        )
    lines.append(
        f"  plan status {summary['status']}: no exchange of officers can raise the total score"
        if summary["status"] == OPTIMAL
        else f"  plan status {summary['status']}"
    )
    return lines


def _points(row: pd.Series, rules: list[str]) -> str:
    parts = [f"{rid} {row[f'p:{rid}']:+.2f}" for rid in rules if abs(row[f"p:{rid}"]) >= 0.005]
    if abs(row.get("extra", 0.0)) >= 0.005:
        parts.append(f"pairs.csv {row['extra']:+.2f}")
    return ", ".join(parts) or "0"
