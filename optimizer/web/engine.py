"""The one door into the engine: every call the workbench makes goes through the façade
``cunjing.optimizer`` from here. These functions run in the worker processes (``workers.py``),
never in the web server's event loop.

A warm worker keeps what it loaded: the bundles (an ``Instance`` per bundle version), the
incumbent plans of the versions it re-planned, and the re-plans it previewed. A transfer on a
version the worker has seen re-plans at once, in memory; the plan folder (workbook, GeoPackage,
map report, notice) is written only when the planner accepts the change.
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import cunjing.optimizer as engine

from ..i18n import _
from .plan_view import build_view

# What a warm worker imports before its first task (the solver stack takes ~1 s).
WARM = ("load_bundle", "plan", "replan", "plan_tables", "write_reports", "officer_options")


class InputProblems(Exception):
    """The bundle (or a change) is not usable: every problem as file, row, column, message."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _problem_rows(error) -> list[dict]:
    """The problems as the command line prints them: root causes first, each naming the person
    or village of its row."""
    return [
        {
            "file": str(p.file),
            "row": int(p.row),  # numpy integers from the readers: JSON wants Python's
            "column": str(p.column),
            "message": _("{who}: {message}").format(who=p.who, message=p.message)
            if p.who
            else str(p.message),
            "severity": str(p.severity),
            "root": bool(p.root),
        }
        for p in error.in_order()
    ]


@contextlib.contextmanager
def engine_errors() -> Iterator[None]:
    """The engine's refusals of bad input as ``InputProblems`` (shown as a table of problems)."""
    try:
        yield
    except engine.BundleError as e:
        raise InputProblems(_problem_rows(e)) from None
    except engine.OutputError as e:
        raise InputProblems(
            [{"file": "", "row": 0, "column": "", "message": str(e), "severity": "error"}]
        ) from None


def warm_up() -> None:
    """Import the engine's heavy modules now (the worker's first task then starts at once)."""
    for name in WARM:
        getattr(engine, name)


class Kept(OrderedDict):
    """The few most recently used of something a worker loaded."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make: Callable):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


# a bundle's files never change once kept (a new upload is a new version, in its own folder);
# the modification times still key it, so that a test replacing a file is not fooled
_BUNDLES = Kept(4)
_PLANS = Kept(8)
_PREVIEWS = Kept(8)


def _stamp(path: Path) -> tuple[str, int]:
    path = Path(path).resolve()
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    return str(path), max((f.stat().st_mtime_ns for f in files), default=0)


def load(bundle: Path):
    """The bundle's ``Instance``, loaded once per worker."""

    def make():
        with engine_errors():
            return engine.load_bundle(Path(bundle))

    return _BUNDLES.get_or_make(_stamp(bundle), make)


def incumbents(bundle: Path, plan_dir: Path):
    """A plan version's officer plan (with its pins) and auxiliary plan, read once per worker."""

    def make():
        inst = load(bundle)
        with engine_errors():
            folder = engine.read_plan_folder(Path(plan_dir))
            officers = engine.read_incumbent(Path(plan_dir), inst)
        return officers, folder.auxiliaries

    return _PLANS.get_or_make((_stamp(bundle), _stamp(plan_dir)), make)


# A version's bundle as the changes accepted on its way left it: an officer who transferred has
# left, an auxiliary who left is gone. The bundle on disk never changes (a data version is kept as
# uploaded), so a version's summary.json lists them with its own changes (``change_list``, which
# ``cunjing explain`` replays too), and every later re-plan, ranking, calendar, rotation or
# publication on it starts from them.
STANDING = ("transfer", "remove_auxiliary")
_VERSIONS = Kept(8)


def standing(plan_dir: Path) -> list[dict]:
    """The standing changes a plan version was made under (none for a plan made whole)."""
    path = Path(plan_dir) / "summary.json"  # the contract's name
    summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    listed = (summary.get("whatif") or {}).get("change_list") or []
    return [
        {"kind": c["kind"], "target": c["target"], "value": c.get("value", "")}
        for c in listed
        if c["kind"] in STANDING
    ]


def instance_of(bundle: Path, plan_dir: Path):
    """The bundle as the version stands: its standing changes applied (once per worker)."""
    changes = standing(plan_dir)
    if not changes:
        return load(bundle)

    def make():
        officers, auxiliaries = incumbents(bundle, plan_dir)
        with engine_errors():
            inst, _effects = engine.apply_changes(
                load(bundle), officers, changes_of(changes), auxiliaries
            )
        return inst

    return _VERSIONS.get_or_make((_stamp(bundle), _stamp(plan_dir)), make)


def validate(bundle: Path) -> dict:
    """A bundle's counts and warnings, or ``InputProblems`` with every problem found."""
    inst = load(bundle)
    return {
        "counts": {
            "townships": len(inst.townships),
            "villages": len(inst.villages),
            "officers": len(inst.officers),
            "auxiliaries": len(inst.auxiliaries),
        },
        "counties": {str(k): str(v) for k, v in dict(inst.county_names).items()},
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


def options_for(inst, time_limit: float | None = None):
    return engine.SolveOptions.from_settings(inst.policy.sections["solver"], time_limit=time_limit)


def plan(bundle: Path, out: Path, *, time_limit: float | None = None) -> dict:
    """The annual plan of a bundle, written whole into the plan folder ``out``; its view."""
    inst = load(bundle)
    with engine_errors():
        run = engine.plan(inst, options_for(inst, time_limit))
        run.write(Path(out))
    return build_view(inst, engine.plan_folder(run, out))


# What-ifs: a change is {"kind": …, "target": …, "value": …}; the kinds and what the engine's
# changes_from takes for each (a village=person pair, or a list of ids)
PAIRED = {"assign", "assign_auxiliary"}
KINDS = {
    "transfer",
    "remove_auxiliary",
    "assign",
    "lock",
    "unlock",
    "assign_auxiliary",
    "lock_auxiliary",
    "unlock_auxiliary",
}


def changes_of(changes: list[dict]) -> list:
    named: dict[str, list[str]] = {}
    for c in changes:
        kind = c["kind"]
        if kind not in KINDS:
            raise ValueError(f"unknown change {kind!r}")
        spec = f"{c['target']}={c['value']}" if kind in PAIRED else c["target"]
        named.setdefault(kind, []).append(spec)
    with engine_errors():
        return engine.changes_from(**named)


def _replanned(bundle: Path, plan_dir: Path, changes: list[dict], time_limit: float | None):
    inst = instance_of(bundle, plan_dir)
    officers, auxiliaries = incumbents(bundle, plan_dir)
    with engine_errors():
        return engine.replan(
            inst,
            officers,
            changes_of(changes),
            options_for(inst, time_limit),
            incumbent_aux=auxiliaries,
            incumbent_path=Path(plan_dir),
            kpis=False,  # the whole plan's KPIs when it is accepted and written
        )


def preview(
    bundle: Path, plan_dir: Path, changes: list[dict], key: str, time_limit: float | None = None
) -> dict:
    """The re-plan after ``changes``, in memory: its view (kept under ``key`` for the
    acceptance); nothing is written."""
    run = _replanned(bundle, plan_dir, changes, time_limit)
    _PREVIEWS[key] = run
    _PREVIEWS.move_to_end(key)
    while len(_PREVIEWS) > _PREVIEWS.size:
        _PREVIEWS.popitem(last=False)
    return whatif_view(run)


def whatif_view(run) -> dict:
    eff = run.effects
    direct = {
        "officer": set(eff.orphaned) | set(eff.assigned),
        "auxiliary": set(eff.aux_orphaned) | set(eff.aux_assigned),
    }
    return build_view(run.instance, engine.plan_folder(run), direct)


class ChangedMeanwhile(Exception):
    """Worked out again, the re-plan is not the one the planner saw (it never is, unless the
    bundle or the version changed on disk)."""


def assignment(view: dict) -> dict[str, list[str]]:
    return {v["id"]: [v["officer_id"], v["auxiliary_id"]] for v in view["villages"]}


def accept(
    bundle: Path,
    plan_dir: Path,
    changes: list[dict],
    key: str,
    out: Path,
    seen: dict[str, list[str]],
    time_limit: float | None = None,
) -> dict:
    """The previewed re-plan written as a plan folder into ``out`` (worked out again when this
    worker does not hold it: the engine is deterministic, and ``seen``, what the planner saw,
    must come out again)."""
    run = _PREVIEWS.pop(key, None)
    if run is None:
        run = _replanned(bundle, plan_dir, changes, time_limit)
    view = whatif_view(run)
    if assignment(view) != seen:
        raise ChangedMeanwhile()
    # the version's changes after those it stands on: its summary.json holds them all
    record = run.record["whatif"]
    earlier = standing(plan_dir)
    if earlier:
        record["change_list"] = [asdict(c) for c in changes_of(earlier)] + record["change_list"]
    with engine_errors():
        run.write(Path(out))
    return view


def options(bundle: Path, plan_dir: Path, village: str, role: str) -> dict:
    """换人 / 换辅警: who else could serve the village, ranked, with what each swap does."""
    inst = instance_of(bundle, plan_dir)
    officers, auxiliaries = incumbents(bundle, plan_dir)
    with engine_errors():
        if role == "officer":
            table = engine.officer_options(inst, officers, village)
            now = officers.set_index("village_id")["officer_id"].get(village, "")
            name = inst.officers.at[now, "name"] if now else ""
        else:
            if auxiliaries is None:
                raise InputProblems(
                    [{"file": "auxiliary_plan.csv", "row": 0, "column": "", "severity": "error",
                      "message": _("the plan has no auxiliary plan to change")}]
                )  # fmt: skip
            table = engine.auxiliary_options(inst, auxiliaries, village)
            now = auxiliaries.set_index("village_id")["auxiliary_id"].get(village, "")
            name = inst.auxiliaries.at[now, "name"] if now else ""
    return {
        "role": role,
        "village_id": village,
        "village": str(inst.villages.at[village, "name"]),
        "current": str(now),
        "current_name": str(name),
        "options": json.loads(table.to_json(orient="records", force_ascii=False)),
    }


def sweep(bundle: Path, plan_dir: Path, jobs: int = 1) -> list[dict]:
    """Every officer's transfer evaluated and ranked by the harm it would do."""
    inst = instance_of(bundle, plan_dir)
    officers, _ = incumbents(bundle, plan_dir)
    with engine_errors():
        run = engine.sweep_transfers(inst, officers, jobs=jobs)
    return json.loads(run.table.to_json(orient="records", force_ascii=False))


def rotation(bundle: Path, plan_dir: Path, periods: int, time_limit: float | None = None) -> dict:
    """The auxiliaries' rotation over ``periods`` years from the bundle's placement (as the
    version stands: those who left are gone): per village and per auxiliary, who serves where
    in each period."""
    inst = instance_of(bundle, plan_dir)
    with engine_errors():
        run = engine.rotate(inst, periods, options_for(inst, time_limit))
    rot = run.rotation
    villages = inst.villages
    aux_names = inst.auxiliaries["name"].to_dict()
    by_village: dict[str, dict] = {}
    by_auxiliary: dict[str, dict] = {}
    for r in rot.sort_values(["village_id", "period"]).itertuples(index=False):
        v = by_village.setdefault(
            r.village_id,
            {
                "id": r.village_id,
                "name": str(villages.at[r.village_id, "name"]),
                "township": str(
                    inst.townships.at[villages.at[r.village_id, "township_id"], "name"]
                ),
                "periods": {},
            },
        )
        v["periods"][int(r.period)] = {
            "id": r.auxiliary_id,
            "name": aux_names.get(r.auxiliary_id, ""),
            "moved": bool(r.moved),
        }
        if r.auxiliary_id:
            a = by_auxiliary.setdefault(
                r.auxiliary_id,
                {"id": r.auxiliary_id, "name": aux_names.get(r.auxiliary_id, ""), "periods": {}},
            )
            a["periods"][int(r.period)] = {
                "id": r.village_id,
                "name": v["name"],
                "moved": bool(r.moved),
            }
    return {
        "periods": list(range(1, periods + 1)),
        "status": str(run.status),
        "holds": bool(run.holds),
        "moves": int(rot["moved"].astype(bool).sum()) if len(rot) else 0,
        "villages": sorted(by_village.values(), key=lambda v: (v["township"], v["id"])),
        "auxiliaries": sorted(by_auxiliary.values(), key=lambda a: a["id"]),
        "diagnostics": [
            {"rule": d.get("rule", ""), "message": d.get("message", "")}
            for r in run.results
            for d in r.diagnostics
        ]
        + [{"rule": v["rule"], "message": v["message"]} for v in run.record["violations"]],
    }


def calendar(bundle: Path, plan_dir: Path, month: str, out: Path) -> dict:
    """Every officer's visit days in ``month`` (YYYY-MM), with .ics files, into ``out``."""
    inst = instance_of(bundle, plan_dir)
    officers, _ = incumbents(bundle, plan_dir)
    with engine_errors():
        run = engine.visit_calendar(inst, officers[["village_id", "officer_id"]], month)
        run.write(Path(out))
    cal, offs = run.result.calendar, run.result.officers
    return {
        "month": run.result.month,
        "status": str(run.status),
        "working_days": run.record["working_days"],
        "holidays": run.record["holidays"],
        "kpis": run.record["kpis"],
        "diagnostics": [
            {"rule": d.get("rule", ""), "message": d.get("message", "")}
            for d in run.record["diagnostics"]
        ],
        "officers": json.loads(offs.to_json(orient="records", force_ascii=False)),
        "visits": json.loads(cal.to_json(orient="records", force_ascii=False)),
    }


def months_of(period: str) -> tuple[list[tuple[int, int]], str | None]:
    """A month (YYYY-MM) or a quarter (2027Q1): its months, and the quarter's name."""
    text = period.strip().upper()
    if "Q" in text:
        return engine.parse_quarter(text), text
    return [engine.parse_month(text)], None


def compliance(bundle: Path, plan_dir: Path, logs: Path, period: str, out: Path) -> dict:
    """Work logs against the version's plan for a month (YYYY-MM, 月考评) or a quarter
    (2027Q1, 季考核): the scorecards and who to review, written into ``out``."""
    inst = instance_of(bundle, plan_dir)
    officers, auxiliaries = incumbents(bundle, plan_dir)
    try:
        months, quarter = months_of(period)
    except ValueError as e:
        raise InputProblems(
            [{"file": "", "row": 0, "column": "", "message": str(e), "severity": "error"}]
        ) from None
    with engine_errors():
        logs_table = engine.read_work_logs(Path(logs), inst)
        run = engine.compliance(
            inst,
            logs_table,
            months,
            officers[["village_id", "officer_id"]],
            None if auxiliaries is None else auxiliaries[["village_id", "auxiliary_id"]],
            quarter=quarter,
        )
        run.write(Path(out))
    frames = run.result.frames()
    return {
        "period": run.result.period,
        "holds": bool(run.holds),
        "summary": json.loads(json.dumps(run.record, default=str)),
        "tables": {
            name: json.loads(frame.to_json(orient="records", force_ascii=False))
            for name, frame in frames.items()
        },
    }


def publish(bundle: Path, plan_dir: Path, out: Path) -> list[str]:
    """The contact boards (public_notice.xlsx, 警民联系牌) written again from a version being
    published, into ``out``."""
    inst = instance_of(bundle, plan_dir)
    Path(out).mkdir(parents=True, exist_ok=True)
    with engine_errors():
        written = engine.write_reports(
            Path(plan_dir), inst, Path(out), only=("public_notice.xlsx",)
        )
    return [p.name for p in written]


def sample_folder() -> Path:
    """The embedded sample county's bundle folder (the workspace ``cunjing serve --sample``
    makes)."""
    return Path(engine.sample_path())
