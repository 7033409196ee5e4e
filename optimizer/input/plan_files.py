"""Reading what the commands write, and what planners edit: plan folders and plan files.

A plan folder holds what its run wrote: ``cunjing plan`` the officer and auxiliary plans and
``summary.json``; ``cunjing whatif`` the same and ``diff.csv``; ``cunjing rotate``
``rotation.csv`` and ``rotation_summary.json``. ``summary.json``'s ``input`` names the bundle the
plan was made for (null: the embedded sample).

- :func:`read_plan_folder`: every part a folder has, as the reports show them.
- :func:`read_assignment`: who serves which village, from a plan folder, its CSV, or the
  ``plan.xlsx`` a planner edited in Excel (Chinese headers, any encoding Excel saves), checked
  against a bundle when one is given (unknown villages and people, a village twice: located
  problems).
- :func:`read_incumbent`: the officer plan a what-if starts from, with its pinned villages.
- :func:`bundle_of`: the bundle a folder was made for.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..i18n import _
from .instance import Instance
from .limits import MAX_TABLE_BYTES, read_regular, too_big
from .parse import parse_table
from .problems import BundleError, ProblemLog
from .schema import (
    AUXILIARY_FILE,
    AUXILIARY_PLAN,
    BOOL,
    CANDIDATES_FILE,
    DIFF,
    DIFF_FILE,
    FLOAT,
    INT,
    OFFICER_FILE,
    OFFICER_PLAN,
    PLAN_FILE_COLUMNS,
    ROTATION_FILE,
    ROTATION_PLAN,
    ROTATION_SUMMARY_FILE,
    SUMMARY_FILE,
    TRUE_WORDS,
    WORKBOOK_FILE,
    Table,
)
from .tables import RawTable, read_csv_table, read_xlsx_sheet, restore_formula_text

# the sheets of plan.xlsx that hold the plans (reports.workbook writes them)
PLAN_SHEETS = {"officer": "包村民警安排", "auxiliary": "驻村辅警安排"}
ROLES = {"officer": (OFFICER_PLAN, OFFICER_FILE), "auxiliary": (AUXILIARY_PLAN, AUXILIARY_FILE)}
PERSON = {"officer": "officer_id", "auxiliary": "auxiliary_id"}
FOLDER_PARTS = {
    "officers": (OFFICER_FILE, OFFICER_PLAN),
    "auxiliaries": (AUXILIARY_FILE, AUXILIARY_PLAN),
    "rotation": (ROTATION_FILE, ROTATION_PLAN),
    "diff": (DIFF_FILE, DIFF),
}


@dataclass(frozen=True)
class PlanFolder:
    """The parts of one plan folder; a part the run did not write is None."""

    path: Path
    summary: dict
    officers: pd.DataFrame | None
    auxiliaries: pd.DataFrame | None
    rotation: pd.DataFrame | None
    rotation_summary: dict | None
    diff: pd.DataFrame | None
    # tables derived from the parts and a bundle, made once for all the reports (reports.tables)
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def kpis(self) -> dict:
        return self.summary.get("kpis", {}) if self.summary else {}

    def changed_villages(self) -> set[str]:
        """Villages whose officer or auxiliary a what-if changed (empty without diff.csv)."""
        if self.diff is None:
            return set()
        return set(self.diff["village_id"])


def is_true(values: pd.Series) -> pd.Series:
    """The schema's words for true (true, 1, yes, 是, …), case-insensitive."""
    return values.fillna("").astype(str).str.strip().str.lower().isin(TRUE_WORDS)


def read_part(path: Path, table: Table, typed: bool = True) -> pd.DataFrame | None:
    """A CSV the commands wrote, ids as text and (``typed``) numbers as numbers, yes/no as
    booleans; None when it is absent."""
    if not path.exists():
        return None
    data = read_regular(path, path.name, MAX_TABLE_BYTES)
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise BundleError.single(
            path.name, _("cannot read the table: {reason}").format(reason=e)
        ) from None
    for col in df.columns:
        df[col] = df[col].map(restore_formula_text)  # the writer's apostrophes off again
    if not typed:
        return df
    kinds = {c.name: c.kind for c in table.columns}
    for col in df.columns:
        if kinds.get(col) in (FLOAT, INT) or col.startswith("p:"):
            df[col] = pd.to_numeric(df[col].replace("", None), errors="coerce")
        elif kinds.get(col) == BOOL:
            df[col] = is_true(df[col])
    return df


def _read_json(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(read_regular(path, path.name, MAX_TABLE_BYTES).decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise BundleError.single(
            path.name, _("cannot read the JSON: {reason}").format(reason=e)
        ) from None


def read_plan_folder(folder: Path) -> PlanFolder:
    """The folder's parts; a BundleError when it holds no plan, rotation or diff at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleError.single(str(folder), _("no such plan folder"))
    parts = {name: read_part(folder / f, t) for name, (f, t) in FOLDER_PARTS.items()}
    if all(v is None for v in parts.values()):
        files = ", ".join(f for f, _ in FOLDER_PARTS.values())
        raise BundleError.single(
            str(folder), _("not a plan folder (none of {files})").format(files=files)
        )
    for name, df in parts.items():
        if df is None:
            continue
        file, table = FOLDER_PARTS[name]
        missing = [c for c in table.required_columns if c not in df.columns]
        if missing:
            raise BundleError.single(
                file,
                _("required column '{column}' is missing").format(column=missing[0]),
                1,
                missing[0],
            )
        kinds = {c.name: c.kind for c in table.columns}
        for col in PLAN_FILE_COLUMNS[table.name]:
            if col not in df.columns:
                kind = kinds[col]
                df[col] = float("nan") if kind in (FLOAT, INT) else False if kind == BOOL else ""
    return PlanFolder(
        path=folder,
        summary=_read_json(folder / SUMMARY_FILE) or {},
        rotation_summary=_read_json(folder / ROTATION_SUMMARY_FILE),
        **parts,
    )


def bundle_of(folder: Path) -> Path | None:
    """The bundle a plan folder was made for: ``input`` of its summary.json (or of
    rotation_summary.json); None for the embedded sample. A path relative to the folder (a
    hand-made folder may name its bundle so) is taken from there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleError.single(str(folder), _("no such plan folder"))
    for name in (SUMMARY_FILE, ROTATION_SUMMARY_FILE):
        summary = _read_json(folder / name)
        if summary is None:
            continue
        if not isinstance(summary, dict) or "input" not in summary:
            raise BundleError.single(
                f"{folder.name}/{name}",
                _("needs an 'input' key: the bundle the plan was made for"),
            )
        given = summary["input"]
        if given is None:
            return None
        path = Path(str(given))
        if not path.is_absolute() and not path.exists():
            path = folder / path
        return path
    raise BundleError.single(
        f"{folder.name}/{SUMMARY_FILE}",
        _(
            "the plan folder has no summary.json (cunjing plan writes it): give the plan's "
            "bundle with --bundle"
        ),
    )


def _plan_source(path: Path, role: str) -> Path | None:
    """The file of ``role``'s plan: a folder's CSV, else its plan.xlsx; a file as given."""
    if not path.is_dir():
        if not path.exists():
            raise BundleError.single(str(path), _("no such file or folder"))
        return path
    csv = path / ROLES[role][1]
    if csv.exists():
        return csv
    xlsx = path / WORKBOOK_FILE
    return xlsx if xlsx.exists() else None


def _raw_plan(source: Path, role: str, log: ProblemLog) -> RawTable | None:
    table = ROLES[role][0]
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_sheet(source, (PLAN_SHEETS[role], table.name), table, log)
    return read_csv_table(source, table, log)


def read_assignment(
    path: Path,
    role: str,
    inst: Instance | None = None,
    *,
    optional: bool = False,
    with_names: bool = False,
) -> pd.DataFrame | None:
    """Who serves which village (``village_id`` and ``officer_id`` or ``auxiliary_id``, with
    ``pinned`` and the file's ``_row``), from a plan folder, its CSV or an edited plan.xlsx.

    None when the folder has no such plan, or (``optional``) the file is the other role's.
    With ``inst``, every village and person must be the bundle's and no village may appear
    twice (a plan and a bundle that do not belong together are refused, with the rows).
    ``with_names``: also the name the file gives each person (``officer_name``, "" if none)."""
    person = PERSON[role]
    source = _plan_source(Path(path), role)
    if source is None:
        return None
    log = ProblemLog()
    raw = _raw_plan(source, role, log)
    if raw is None:
        if source.suffix.lower() in (".xlsx", ".xlsm") and not log.errors:
            return None  # a workbook without this role's sheet
        log.raise_if_errors()
        return None
    if optional and person not in raw.headers:
        return None  # a file of the other role's plan
    if person not in raw.headers:
        log.error(
            raw.label,
            1,
            person,
            _("required column '{column}' is missing").format(column=person),
        )
        log.raise_if_errors()
    frame = parse_table(raw, log)
    log.raise_if_errors()
    if inst is not None:
        _check_ids(raw, frame, inst, person, log)
        log.name_rows(raw.label, _plan_rows(frame, inst, person))
        log.raise_if_errors()
    frame = frame[frame["village_id"] != ""]
    columns = ["village_id", person, "pinned", "_row"]
    if with_names:
        name = person.replace("_id", "_name")
        if name not in frame.columns:
            frame = frame.assign(**{name: ""})
        columns.append(name)
    return frame[columns].reset_index(drop=True)


def _check_ids(
    raw: RawTable, frame: pd.DataFrame, inst: Instance, person: str, log: ProblemLog
) -> None:
    known = {"officer_id": inst.officers.index, "auxiliary_id": inst.auxiliaries.index}[person]
    header = raw.headers
    seen: dict[str, int] = {}
    for r, v, p in zip(frame["_row"], frame["village_id"], frame[person], strict=True):
        if v and v not in inst.villages.index:
            log.error(
                raw.label,
                r,
                header.get("village_id", "village_id"),
                _("unknown village '{id}'").format(id=v),
            )
        if p and p not in known:
            unknown = (
                _("unknown officer '{id}'")
                if person == "officer_id"
                else _("unknown auxiliary '{id}'")
            )
            log.error(raw.label, r, header.get(person, person), unknown.format(id=p))
        if v in seen:
            log.error(
                raw.label,
                r,
                header.get("village_id", "village_id"),
                _("village '{id}' appears twice (first at row {row})").format(id=v, row=seen[v]),
            )
        seen.setdefault(v, r)


def _plan_rows(frame: pd.DataFrame, inst: Instance, person: str) -> dict[int, str]:
    """Each row of a plan -> its village and person by name, as problems name the row."""
    people = (inst.officers if person == "officer_id" else inst.auxiliaries)["name"]
    villages = inst.villages["name"]
    out = {}
    for r, v, p in zip(frame["_row"], frame["village_id"], frame[person], strict=True):
        parts = [
            f"{n}（{i}）" if n else i for i, n in ((v, villages.get(v)), (p, people.get(p))) if i
        ]
        if parts:
            out[int(r)] = " · ".join(parts)
    return out


def read_incumbent(path: Path, inst: Instance) -> pd.DataFrame:
    """The officer plan a what-if starts from (village_id, officer_id, pinned): the plan's own
    pinned villages and the bundle's pinned pairs stay."""
    plan = read_assignment(Path(path), "officer")
    if plan is None:
        raise BundleError.single(
            str(path), _("no officer plan here (officer_plan.csv or plan.xlsx)")
        )
    plan = plan.drop(columns="_row")
    po = inst.plan_officers
    given = po.loc[po["pinned"], "officer_id"]
    bundle_pins = plan["village_id"].map(given).eq(plan["officer_id"]).to_numpy()
    plan["pinned"] = plan["pinned"].to_numpy(bool) | bundle_pins
    unknown = plan.loc[~plan["village_id"].isin(inst.villages.index), "village_id"]
    if len(unknown):
        raise BundleError.single(
            str(path),
            _(
                "the plan names village '{id}', which is not in the bundle: plan and bundle do "
                "not belong together"
            ).format(id=unknown.iloc[0]),
        )
    return plan.reset_index(drop=True)


def read_candidates(folder: Path) -> pd.DataFrame:
    """The candidate pairs ``cunjing plan`` keeps for ``cunjing explain``."""
    path = Path(folder) / CANDIDATES_FILE
    if not path.exists():
        raise BundleError.single(
            str(path),
            _(
                "this plan folder has no candidate pairs (cunjing plan writes them; a what-if or "
                "a hand-made plan does not): explain the plan folder cunjing plan wrote"
            ),
        )
    packed = read_regular(path, path.name, MAX_TABLE_BYTES)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as g:
            data = g.read(MAX_TABLE_BYTES + 1)  # a planted file cannot unpack without end
    except (OSError, EOFError) as e:
        raise BundleError.single(
            path.name, _("cannot read the table: {reason}").format(reason=e)
        ) from None
    if len(data) > MAX_TABLE_BYTES:
        raise too_big(path.name, len(data), MAX_TABLE_BYTES)
    return pd.read_csv(io.BytesIO(data), dtype={"village_id": str, "officer_id": str})
