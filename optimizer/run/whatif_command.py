"""``cunjing whatif``: one re-plan after changes, or a sweep over every officer's transfer."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from ..auxiliaries.check import check_auxiliary_plan
from ..input.bundle import load_bundle
from ..input.instance import Instance
from ..input.problems import BundleError
from ..output.publish import check_target, publish, write_csv, write_json
from ..reports.write import write_reports
from ..whatif.replan import (
    Change,
    apply_changes,
    changes_from_args,
    load_changes,
    replan_auxiliaries,
    replan_officers,
    rule_changes,
)
from .annual import (
    auxiliary_plan_table,
    bundle_reference,
    officer_kpis,
    officer_plan_table,
    versions,
)
from .check import check_officer_plan, read_plan


def read_incumbent(plan_dir: Path, inst: Instance) -> pd.DataFrame:
    """The incumbent officer plan (village_id, officer_id, pinned) of a plan folder."""
    plan = read_plan(plan_dir, "officer")
    if plan is None:
        raise BundleError.single(
            str(plan_dir), "no officer plan here (officer_plan.csv or plan.xlsx)"
        )
    plan = plan[plan["village_id"] != ""].drop(columns="_row")
    csv = Path(plan_dir) / "officer_plan.csv" if Path(plan_dir).is_dir() else Path(plan_dir)
    pinned = pd.Series(False, index=plan.index)
    if csv.suffix == ".csv" and csv.exists():
        raw = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "pinned" in raw:
            pinned = raw["pinned"].str.lower().isin(["true", "1", "yes", "是"]).to_numpy()
    plan["pinned"] = pinned
    po = inst.plan_officers
    given = po.loc[po["pinned"], "officer_id"]
    plan.loc[plan["village_id"].map(given).eq(plan["officer_id"]).to_numpy(), "pinned"] = True
    unknown = plan.loc[~plan["village_id"].isin(inst.villages.index), "village_id"]
    if len(unknown):
        raise BundleError.single(
            str(plan_dir),
            f"the plan names village '{unknown.iloc[0]}', "
            "which is not in the bundle: plan and bundle do not belong "
            "together",
        )
    return plan.reset_index(drop=True)


def run_whatif(
    inst: Instance,
    incumbent: pd.DataFrame,
    changes: list[Change],
    *,
    max_changes: int | None,
    time_limit: float,
    seed: int,
    workers: int,
    incumbent_aux: pd.DataFrame | None = None,
) -> dict:
    t0 = time.perf_counter()
    new_inst, eff = apply_changes(inst, incumbent, changes, incumbent_aux)
    touched_counties = set(
        new_inst.villages.loc[list(set(eff.orphaned) | set(eff.touched)), "county_id"]
    )
    touched_counties |= set(new_inst.officers.loc[eff.new_officers, "county_id"])
    parts, results = [], {}
    for county in new_inst.counties:
        inc = incumbent[
            incumbent["village_id"].isin(
                new_inst.villages.index[new_inst.villages["county_id"] == county]
            )
        ]
        if county not in touched_counties:
            parts.append(inc)
            continue
        sub = new_inst.county(county) if len(new_inst.counties) > 1 else new_inst
        r = replan_officers(
            sub,
            county,
            inc,
            eff,
            max_changes=max_changes,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
        )
        results[county] = r
        parts.append(r.plan)
    new_plan = pd.concat(parts, ignore_index=True)
    aux_results, aux_diffs = {}, []
    if incumbent_aux is not None and (eff.aux_orphaned or eff.new_auxiliaries):
        aux_counties = set(new_inst.villages.loc[list(eff.aux_orphaned), "county_id"])
        aux_counties |= set(new_inst.auxiliaries.loc[eff.new_auxiliaries, "county_id"])
        for county in sorted(aux_counties):
            res, d = replan_auxiliaries(
                new_inst,
                county,
                incumbent_aux,
                eff,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
            )
            aux_results[county] = res
            aux_diffs.append(d)
    resolve = time.perf_counter() - t0
    changed = pd.concat(
        [
            pd.DataFrame(columns=["village_id", "role", "before", "after", "reason"]),
            *[r.changed for r in results.values()],
            *aux_diffs,
        ],
        ignore_index=True,
    )
    statuses = [r.status for r in [*results.values(), *aux_results.values()]] or ["OPTIMAL"]
    return {
        "instance": new_inst,
        "effects": eff,
        "plan": new_plan,
        "diff": changed,
        "results": results,
        "aux_results": aux_results,
        "resolve_seconds": resolve,
        "status": "PARTIAL"
        if "PARTIAL" in statuses
        else (
            "INFEASIBLE"
            if "INFEASIBLE" in statuses
            else "OPTIMAL"
            if all(s == "OPTIMAL" for s in statuses)
            else "FEASIBLE"
        ),
    }


def plan_rows(inst: Instance, plan: pd.DataFrame) -> pd.DataFrame:
    """A plan (village_id, officer_id, pinned) with its pair columns, for officer_plan.csv."""
    from ..officers.pairs import build_pairs

    held = plan[plan["officer_id"] != ""]
    pairs = build_pairs(inst, held[["officer_id", "village_id"]])
    pairs["pinned"] = held["pinned"].to_numpy()
    return plan[["village_id"]].merge(pairs, on="village_id", how="left").fillna({"officer_id": ""})


def cmd_whatif(args) -> int:
    t0 = time.perf_counter()
    check_target(Path(args.out), [p for p in (args.bundle, args.plan) if p])
    inst = load_bundle(args.bundle)
    incumbent = read_incumbent(Path(args.plan), inst)
    aux_csv = Path(args.plan) / "auxiliary_plan.csv"
    incumbent_aux = (
        pd.read_csv(aux_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if Path(args.plan).is_dir() and aux_csv.exists()
        else None
    )
    solver = inst.policy.sections["solver"]
    time_limit = args.time_limit if args.time_limit is not None else solver["time_limit"]
    seed = args.seed if args.seed is not None else solver["seed"]
    workers = args.workers if args.workers is not None else solver["workers"]
    if args.sweep:
        return _sweep(args, inst, incumbent, time_limit, seed, workers, t0)
    changes = changes_from_args(args)
    if not changes:
        raise BundleError.single(
            "whatif",
            "no change given (--transfer, --set-days, --set-key-village, --add-officer, "
            "--remove-auxiliary, --add-auxiliary or --changes)",
        )
    out = run_whatif(
        inst,
        incumbent,
        changes,
        max_changes=args.max_changes,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        incumbent_aux=incumbent_aux,
    )
    if (out["effects"].aux_orphaned or out["effects"].new_auxiliaries) and incumbent_aux is None:
        raise BundleError.single(str(args.plan), "the plan has no auxiliary_plan.csv to change")
    new_inst, new_plan, diff = out["instance"], out["plan"], out["diff"]
    checks = check_officer_plan(new_inst, new_plan[["village_id", "officer_id"]])
    aux_table = None
    if incumbent_aux is not None:
        # counties re-placed take their new rows; the others keep the incumbent's, unchanged
        redone = [r.plan for r in out["aux_results"].values()]
        kept = incumbent_aux[
            ~incumbent_aux["village_id"].isin([v for p in redone for v in p["village_id"]])
        ]
        aux_table = pd.concat(
            [
                kept,
                auxiliary_plan_table(list(out["aux_results"].values())).astype(
                    {"kept": object, "pinned": object}
                ),
            ],
            ignore_index=True,
        ).sort_values("village_id", kind="stable")
        checks += check_auxiliary_plan(new_inst, aux_table[["village_id", "auxiliary_id"]])
    table = officer_plan_table(new_inst, plan_rows(new_inst, new_plan))
    rules = rule_changes(inst, incumbent, new_inst, new_plan)
    loads = load_changes(new_inst, incumbent, new_plan)
    diagnostics = [d for r in out["results"].values() for d in r.diagnostics]
    diagnostics += [d for r in out["aux_results"].values() for d in r.diagnostics]
    diagnostics += [v.as_dict() for v in checks]
    status = out["status"] if not checks else "PARTIAL"
    summary = {
        "status": status,
        "whatif": {
            "changes": out["effects"].described,
            "villages_changed": int((diff["role"] == "officer").sum()),
            "forced": int(
                (
                    (diff["role"] == "officer")
                    & diff["village_id"].isin(list(out["effects"].orphaned))
                ).sum()
            ),
            "auxiliary_changes": int((diff["role"] == "auxiliary").sum()),
            "max_changes": args.max_changes,
            "neighbourhood": {
                c: {"villages": r.free_villages, "pairs": r.free_pairs}
                for c, r in out["results"].items()
            },
            "score_by_rule": rules,
            "load_changes": loads,
            "resolve_seconds": round(out["resolve_seconds"], 3),
            "build_seconds": round(sum(r.build_seconds for r in out["results"].values()), 3),
            "solve_seconds": round(sum(r.solve_seconds for r in out["results"].values()), 3),
        },
        "seed": seed,
        "workers": workers,
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "incumbent": str(Path(args.plan).resolve()),
        "kpis": {
            "villages": len(new_inst.villages),
            "covered_by_officer": int((table["officer_id"] != "").sum()),
            "officer": officer_kpis(new_inst, new_plan),
        },
        "diagnostics": diagnostics,
    }
    lines = whatif_lines(summary)

    def write(tmp: Path) -> None:
        write_csv(table, tmp / "officer_plan.csv")
        if aux_table is not None:
            write_csv(aux_table, tmp / "auxiliary_plan.csv")
        write_csv(diff, tmp / "diff.csv")
        summary["wall_seconds"] = round(time.perf_counter() - t0, 3)
        write_json(summary, tmp / "summary.json")
        (tmp / "whatif.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_reports(tmp, new_inst)  # last: the reports read the files above

    publish(Path(args.out), write, inputs=[p for p in (args.bundle, args.plan) if p])
    for line in lines:
        print(line)
    print(
        f"wrote {args.out} in {time.perf_counter() - t0:.2f} s "
        f"(re-plan {out['resolve_seconds']:.2f} s)"
    )
    return 0 if status in ("OPTIMAL", "FEASIBLE") else 1


def whatif_lines(summary: dict) -> list[str]:
    w = summary["whatif"]
    lines = [
        f"what-if: {'; '.join(w['changes'])}",
        f"status {summary['status']}: {w['villages_changed']} village(s) change officer "
        f"({w['forced']} forced by the change), {w['auxiliary_changes']} change auxiliary",
    ]
    rules = w["score_by_rule"]
    by_rule = ", ".join(f"{r} {d:+g}" for r, d in rules["change"].items() if abs(d) >= 0.005)
    lines.append(
        f"score {rules['score_before']:g} -> {rules['score_after']:g}; by rule: "
        f"{by_rule or 'no change'}"
    )

    more = [x for x in w["load_changes"] if x["villages_after"] > x["villages_before"]]
    if more:
        lines.append(
            "more load: "
            + ", ".join(
                f"{x['officer_id']} {x['name']} {x['villages_before']}->{x['villages_after']} villages "
                f"({x['days_before']:g}->{x['days_after']:g} days)"
                for x in more[:10]
            )
        )
    for d in summary["diagnostics"][:10]:
        lines.append(f"  {d['rule']}: {d['message']}")
    return lines


# The sweep: every officer's transfer, evaluated in worker processes that load the bundle once.
_STATE: dict = {}


def _init(bundle, plan_dir, time_limit, seed) -> None:
    inst = load_bundle(bundle)
    _STATE.update(
        inst=inst, incumbent=read_incumbent(Path(plan_dir), inst), time_limit=time_limit, seed=seed
    )


def _one_transfer(officer: str) -> dict:
    inst, inc = _STATE["inst"], _STATE["incumbent"]
    t = time.perf_counter()
    out = run_whatif(
        inst,
        inc,
        [Change("transfer", officer)],
        max_changes=None,
        time_limit=_STATE["time_limit"],
        seed=_STATE["seed"],
        workers=1,
    )
    rules = rule_changes(inst, inc, out["instance"], out["plan"])
    diff = out["diff"]
    return {
        "officer_id": officer,
        "name": inst.officers.at[officer, "name"],
        "category": inst.officers.at[officer, "category"],
        "villages_held": int((inc["officer_id"] == officer).sum()),
        "forced_changes": int(diff["village_id"].isin(list(out["effects"].orphaned)).sum()),
        "villages_changed": len(diff),
        "uncovered": int((out["plan"]["officer_id"] == "").sum()),
        "lost_score": round(rules["score_before"] - rules["score_after"], 2),
        "status": out["status"],
        "seconds": round(time.perf_counter() - t, 3),
    }


def _sweep(args, inst, incumbent, time_limit, seed, workers, t0) -> int:
    if args.sweep != "transfer":
        raise BundleError.single("--sweep", f"unknown sweep '{args.sweep}' (known: transfer)")
    officers = sorted(
        set(incumbent.loc[incumbent["officer_id"] != "", "officer_id"])
        & set(inst.officers.index[inst.officers["status"] != "leaving"])
    )
    jobs = args.jobs or 2
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init, initargs=(args.bundle, args.plan, time_limit, seed)
    ) as ex:
        rows = list(ex.map(_one_transfer, officers, chunksize=4))
    table = (
        pd.DataFrame(rows)
        .sort_values(
            ["uncovered", "lost_score", "forced_changes", "officer_id"],
            ascending=[False, False, False, True],
        )
        .reset_index(drop=True)
    )
    table.insert(0, "rank", range(1, len(table) + 1))
    wall = time.perf_counter() - t0
    summary = {
        "sweep": "transfer",
        "officers": len(table),
        "wall_seconds": round(wall, 2),
        "jobs": jobs,
        "seed": seed,
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "versions": versions(),
        "worst": table.head(10).to_dict("records"),
    }

    def write(tmp: Path) -> None:
        write_csv(table, tmp / "sweep.csv")
        write_json(summary, tmp / "summary.json")

    publish(Path(args.out), write, inputs=[p for p in (args.bundle, args.plan) if p])
    print(
        f"transfer sweep: {len(table)} officers in {wall:.1f} s with {jobs} processes; "
        "the transfers that would hurt the plan most:"
    )
    for r in table.head(10).itertuples():
        print(
            f"  {r.rank:3d}. {r.officer_id} {r.name} ({r.category}): {r.villages_held} "
            f"village(s), score -{r.lost_score:g}, {r.villages_changed} change(s)"
            + (f", {r.uncovered} left without officer" if r.uncovered else "")
        )
    print(f"wrote {args.out}")
    return 0
