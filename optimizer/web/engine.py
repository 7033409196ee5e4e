"""The one door into the engine. Every call the workbench makes into ``cunjing.optimizer`` is
here, so that the switch to the package's façade (``load_bundle``, ``plan``, ``replan``,
``check``, ``write_reports``) happens in this file alone. These functions run in the worker
processes (``workers.py``), never in the web server's event loop.
"""

from __future__ import annotations

import contextlib
import io
from argparse import Namespace
from pathlib import Path

# What the warm worker imports before its first task (the solver stack takes ~1 s).
WARM_MODULES = (
    "cunjing.optimizer.bundle",
    "cunjing.optimizer.plan_command",
    "cunjing.optimizer.whatif_command",
    "cunjing.optimizer.reports",
    "cunjing.optimizer.report_tables",
)


class InputProblems(Exception):
    """The bundle (or a change) is not usable: every problem as file, row, column, message."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _problems(error) -> list[dict]:
    return [
        {
            "file": str(p.file),
            "row": int(p.row),  # numpy integers from the readers: JSON wants Python's
            "column": str(p.column),
            "message": str(p.message),
            "severity": str(p.severity),
        }
        for p in sorted(error.problems, key=lambda p: (p.severity != "error", p.file, p.row))
    ]


@contextlib.contextmanager
def _engine_errors():
    from cunjing.optimizer.outputs import OutputError
    from cunjing.optimizer.problems import BundleError

    try:
        yield
    except BundleError as e:
        raise InputProblems(_problems(e)) from None
    except OutputError as e:
        raise InputProblems(
            [{"file": "", "row": 0, "column": "", "message": str(e), "severity": "error"}]
        ) from None


# A warm worker keeps the bundles it loaded last (an Instance is immutable): the page of a plan
# and the what-ifs on it load the same bundle again and again.
_LOADED: dict[tuple[str, int], object] = {}
KEEP_LOADED = 2


def load_bundle(bundle: Path):
    from cunjing.optimizer.bundle import load_bundle as load

    bundle = Path(bundle).resolve()
    files = [bundle] if bundle.is_file() else sorted(bundle.iterdir())
    key = (str(bundle), max((f.stat().st_mtime_ns for f in files), default=0))
    if key in _LOADED:
        return _LOADED[key]
    with _engine_errors():
        inst = load(bundle)
    _LOADED[key] = inst
    while len(_LOADED) > KEEP_LOADED:
        _LOADED.pop(next(iter(_LOADED)))
    return inst


def validate(bundle: Path) -> dict:
    """A bundle's counts and warnings, or ``InputProblems`` with every problem found."""
    inst = load_bundle(bundle)
    return {
        "counts": {
            "townships": len(inst.townships),
            "villages": len(inst.villages),
            "officers": len(inst.officers),
            "auxiliaries": len(inst.auxiliaries),
        },
        "counties": dict(inst.county_names),
        "warnings": [
            {
                "file": str(w.file),
                "row": int(w.row),
                "column": str(w.column),
                "message": str(w.message),
            }
            for w in inst.warnings
        ],
        "fingerprint": inst.fingerprint,
    }


def _quiet(run, args: Namespace) -> int:
    """A command function with its terminal lines kept from the server's log."""
    with contextlib.redirect_stdout(io.StringIO()), _engine_errors():
        return run(args)


def plan(bundle: Path, out: Path, *, time_limit: float | None = None) -> dict:
    """The annual plan of a bundle into the plan folder ``out`` (every file of ``cunjing plan``)."""
    from cunjing.optimizer.plan_command import cmd_plan

    args = Namespace(
        bundle=bundle,
        out=out,
        time_limit=time_limit,
        seed=None,
        workers=None,
        jobs=1,
        scheduler=None,
        helper=False,
    )
    _quiet(cmd_plan, args)
    return read_summary(out)


def replan(
    bundle: Path,
    plan_dir: Path,
    out: Path,
    *,
    transfer: list[str] | None = None,
    set_days: dict[str, float] | None = None,
    remove_auxiliary: list[str] | None = None,
    time_limit: float | None = None,
) -> dict:
    """The what-if: officers leave (or their days change), auxiliaries leave; their villages are
    re-planned moving as few others as can be; the new plan folder (with ``diff.csv``) into
    ``out``."""
    from cunjing.optimizer.whatif_command import cmd_whatif

    args = Namespace(
        bundle=bundle,
        plan=plan_dir,
        out=out,
        transfer=transfer or None,
        set_days=[f"{o}={d:g}" for o, d in (set_days or {}).items()] or None,
        set_key_village=None,
        add_officer=None,
        remove_auxiliary=remove_auxiliary or None,
        add_auxiliary=None,
        changes=None,
        max_changes=None,
        sweep=None,
        jobs=None,
        time_limit=time_limit,
        seed=None,
        workers=None,
    )
    _quiet(cmd_whatif, args)
    return read_summary(out)


def sweep(bundle: Path, plan_dir: Path, out: Path, *, jobs: int = 1) -> list[dict]:
    """Every officer's transfer evaluated and ranked by the harm it would do (``sweep.csv``)."""
    import pandas as pd

    from cunjing.optimizer.whatif_command import cmd_whatif

    args = Namespace(
        bundle=bundle, plan=plan_dir, out=out, transfer=None, set_days=None,
        set_key_village=None, add_officer=None, remove_auxiliary=None, add_auxiliary=None,
        changes=None, max_changes=None, sweep="transfer", jobs=jobs, time_limit=None,
        seed=None, workers=None,
    )  # fmt: skip
    _quiet(cmd_whatif, args)
    table = pd.read_csv(out / "sweep.csv", dtype={"officer_id": str}, keep_default_na=False)
    return table.to_dict("records")


def read_summary(folder: Path) -> dict:
    import json

    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def plan_tables(bundle: Path, plan_dir: Path) -> dict:
    """The tables a plan's page shows, as the report modules make them (Chinese words)."""
    from cunjing.optimizer import report_tables
    from cunjing.optimizer.report_folder import read_plan_folder

    inst = load_bundle(bundle)
    folder = read_plan_folder(plan_dir)
    return {
        "instance": inst,
        "officer_rows": report_tables.officer_rows(folder, inst),
        "auxiliary_rows": report_tables.auxiliary_rows(folder, inst),
        "officer_loads": report_tables.officer_loads(folder, inst),
        "rules": report_tables.rule_rows(folder, inst),
        "summary": folder.summary,
        "diff": folder.diff,
    }


def alternatives(bundle: Path, plan_dir: Path, village: str, limit: int = 8) -> dict:
    """换人: the officers who could take ``village`` instead, best pair score first, each with
    the points the plan gains or loses by the swap alone (pair score and load balance, as the
    plan's objective counts them) and the hard rules the swapped plan would break."""
    import pandas as pd

    from cunjing.constraints import off_life
    from cunjing.optimizer.check import check_officer_plan
    from cunjing.optimizer.officer_model import officers_in_scope
    from cunjing.optimizer.officer_pairs import build_pairs
    from cunjing.optimizer.whatif_command import read_incumbent

    inst = load_bundle(bundle)
    with _engine_errors():
        plan = read_incumbent(plan_dir, inst)
    if village not in inst.villages.index:
        raise InputProblems(
            [
                {
                    "file": "",
                    "row": 0,
                    "column": "village_id",
                    "message": village,
                    "severity": "error",
                }
            ]
        )
    county = inst.villages.at[village, "county_id"]
    scope = officers_in_scope(inst)
    in_county = scope[scope["county_id"] == county]
    current = plan.loc[plan["village_id"] == village, "officer_id"].iloc[0]
    pairs = build_pairs(
        inst, pd.DataFrame({"officer_id": in_county.index, "village_id": village})
    ).set_index("officer_id")
    held = plan[plan["officer_id"] != ""]
    counts = (
        held[held["village_id"].map(inst.villages["county_id"]) == county]
        .groupby("officer_id")
        .size()
    )
    n_v = int((inst.villages["county_id"] == county).sum())
    # the objective's load-balance part, by the rule's own function (plan.officer_kpis adds
    # the pair scores to it; the whole KPIs take 1.7 s a plan, too slow for a list of swaps)
    penalty = off_life.balance_penalty(inst, counts, in_county, n_v)
    days = (
        build_pairs(inst, held[["officer_id", "village_id"]])
        .groupby("officer_id")["workload_days"]
        .sum()
    )
    base = float(pairs.at[current, "score"]) if current in pairs.index else 0.0
    ranked = pairs[(pairs["eligible"]) & (pairs.index != current)].sort_values(
        ["score"], ascending=False, kind="stable"
    )
    out = []
    for officer, pair in ranked.head(limit).iterrows():
        moved = counts.copy()
        if current:
            moved[current] = moved.get(current, 0) - 1
        moved[officer] = moved.get(officer, 0) + 1
        change = float(pair["score"]) - base
        change -= off_life.balance_penalty(inst, moved, in_county, n_v) - penalty
        swapped = plan[["village_id", "officer_id"]].copy()
        swapped.loc[swapped["village_id"] == village, "officer_id"] = officer
        breaks = [
            {"rule": v.rule, "message": v.message}
            for v in check_officer_plan(inst, swapped)
            if officer in v.ids or village in v.ids or not v.ids
        ]
        o = inst.officers.loc[officer]
        out.append(
            {
                "officer_id": officer,
                "name": str(o["name"]),
                "category": str(o["category"]),
                "unit": str(o.get("unit", "")),
                "score": round(float(pair["score"]), 2),
                "change": round(change, 2),
                "days_after": round(
                    float(days.get(officer, 0.0)) + float(pair["workload_days"]), 2
                ),
                "available_days": round(float(o["available_days"]), 2),
                "villages_after": int(counts.get(officer, 0)) + 1,
                "breaks": breaks,
            }
        )
    return {
        "village_id": village,
        "village": str(inst.villages.at[village, "name"]),
        "current": current,
        "current_name": str(inst.officers.at[current, "name"]) if current else "",
        "alternatives": out,
    }


def edit_plan(
    bundle: Path,
    plan_dir: Path,
    out: Path,
    *,
    assign: dict[str, str] | None = None,
    pins: dict[str, bool] | None = None,
    reason: str = "",
    reports: bool = True,
) -> dict:
    """A plan folder like ``plan_dir`` with villages given to other officers (换人, each such
    pair pinned) or pinned/unpinned (锁定); ``diff.csv`` lists the changes; the hard rules are
    checked and the reports written again. A hand-made swap is no longer proven the best, so a
    changed plan's status is FEASIBLE (PARTIAL if a hard rule breaks)."""
    import json
    import shutil

    import pandas as pd

    from cunjing.optimizer.check import check_officer_plan
    from cunjing.optimizer.outputs import write_csv, write_json
    from cunjing.optimizer.plan import officer_kpis, officer_plan_table
    from cunjing.optimizer.reports import write_reports
    from cunjing.optimizer.whatif_command import plan_rows, read_incumbent

    inst = load_bundle(bundle)
    with _engine_errors():
        plan = read_incumbent(plan_dir, inst)
    assign, pins = assign or {}, pins or {}
    before = plan.set_index("village_id")["officer_id"].to_dict()
    for village, officer in assign.items():
        plan.loc[plan["village_id"] == village, ["officer_id", "pinned"]] = [officer, True]
    for village, pinned in pins.items():
        plan.loc[plan["village_id"] == village, "pinned"] = bool(pinned)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("auxiliary_plan.csv", "officer_candidates.csv.gz"):
        if (plan_dir / name).exists():
            shutil.copyfile(plan_dir / name, out / name)
    table = officer_plan_table(inst, plan_rows(inst, plan))
    checks = check_officer_plan(inst, plan[["village_id", "officer_id"]])
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    summary.pop("whatif", None)
    summary["kpis"]["officer"] = officer_kpis(inst, plan)
    summary["kpis"]["covered_by_officer"] = int((table["officer_id"] != "").sum())
    summary["diagnostics"] = [v.as_dict() for v in checks]
    if checks:
        summary["status"] = "PARTIAL"
    elif assign:
        summary["status"] = "FEASIBLE"
    summary["edit"] = {"assign": assign, "pins": pins, "reason": reason}
    diff = pd.DataFrame(
        [
            {
                "village_id": v,
                "role": "officer",
                "before": before.get(v, ""),
                "after": o,
                "reason": reason,
            }
            for v, o in assign.items()
            if before.get(v, "") != o
        ],
        columns=["village_id", "role", "before", "after", "reason"],
    )
    with _engine_errors():
        write_csv(table, out / "officer_plan.csv")
        write_csv(diff, out / "diff.csv")
        write_json(summary, out / "summary.json")
        if reports:
            write_reports(out, inst)
    return summary


def swap(
    bundle: Path,
    plan_dir: Path,
    out: Path,
    village: str,
    officer: str,
    reason: str,
    knock_on: str = "",
) -> dict:
    """换人: ``officer`` takes ``village`` (pinned). When that breaks his days or his maximum,
    his other villages are re-planned by the what-if engine (as if his days were set again:
    his villages are its neighbourhood, the pinned pair stays), moving as few others as can be.
    ``diff.csv`` lists the chosen swap first, then the knock-on moves (with ``knock_on`` as
    their reason)."""
    import shutil

    import pandas as pd

    from cunjing.optimizer.outputs import write_csv

    edited = out.with_name(out.name + "-swap")
    summary = edit_plan(
        bundle, plan_dir, edited, assign={village: officer}, reason=reason, reports=False
    )
    if not summary["diagnostics"]:
        shutil.rmtree(edited)
        return edit_plan(bundle, plan_dir, out, assign={village: officer}, reason=reason)
    try:
        days = float(load_bundle(bundle).officers.at[officer, "available_days"])
        summary = replan(bundle, edited, out, set_days={officer: days})
        first = pd.read_csv(edited / "diff.csv", dtype=str, keep_default_na=False)
        rest = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
        rest.loc[rest["role"] == "officer", "reason"] = knock_on
        write_csv(pd.concat([first, rest], ignore_index=True), out / "diff.csv")
    finally:
        shutil.rmtree(edited, ignore_errors=True)
    return summary
