"""Reading a plan folder back (the CSV and JSON of the contract) for the reports.

A folder holds what its run wrote: ``cunjing plan`` the officer (and auxiliary) plan and
``summary.json``; ``cunjing whatif`` the same and ``diff.csv``; ``cunjing rotate``
``rotation.csv`` and ``rotation_summary.json``. Every part is optional here; each report shows
the parts the folder has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import BundleError

OFFICER_FILE = "officer_plan.csv"
AUXILIARY_FILE = "auxiliary_plan.csv"
SUMMARY_FILE = "summary.json"
ROTATION_FILE = "rotation.csv"
ROTATION_SUMMARY_FILE = "rotation_summary.json"
DIFF_FILE = "diff.csv"
# the reports made from a folder (reports.write_reports)
WORKBOOK_FILE = "plan.xlsx"
GEOPACKAGE_FILE = "plan.gpkg"
HTML_FILE = "report.html"
NOTICE_FILE = "public_notice.xlsx"
REPORT_FILES = (WORKBOOK_FILE, GEOPACKAGE_FILE, HTML_FILE, NOTICE_FILE)

# Columns read as text (ids keep their leading zeros); the rest are parsed as numbers.
TEXT_COLUMNS = {
    "village_id",
    "village_name",
    "township_id",
    "township_name",
    "officer_id",
    "officer_name",
    "category",
    "auxiliary_id",
    "auxiliary_name",
    "home_village_id",
    "relation",
    "reasons",
    "role",
    "before",
    "after",
    "reason",
}
NUMBER_COLUMNS = {"workload_days", "km", "score", "period"}
# The contract's columns of each part; a hand-made file may hold only the ids, the rest read
# as empty.
PART_COLUMNS = {
    "officers": (
        "village_id",
        "village_name",
        "township_id",
        "township_name",
        "officer_id",
        "officer_name",
        "category",
        "workload_days",
        "km",
        "score",
        "reasons",
    ),
    "auxiliaries": (
        "village_id",
        "village_name",
        "township_id",
        "auxiliary_id",
        "auxiliary_name",
        "home_village_id",
        "relation",
        "score",
        "reasons",
    ),
    "rotation": ("period", "village_id", "auxiliary_id", "moved"),
    "diff": ("village_id", "role", "before", "after", "reason"),
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
    # tables derived from the parts and a bundle, made once for all the reports (report_tables)
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def kpis(self) -> dict:
        return self.summary.get("kpis", {}) if self.summary else {}

    def changed_villages(self) -> set[str]:
        """Villages whose officer or auxiliary a what-if changed (empty without diff.csv)."""
        if self.diff is None:
            return set()
        return set(self.diff["village_id"])


def read_table(path: Path) -> pd.DataFrame | None:
    """A contract CSV with ids as text and numbers as numbers; None when the file is absent."""
    if not path.exists():
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise BundleError.single(path.name, f"cannot read the table: {e}") from None
    for col in df.columns:
        if col in NUMBER_COLUMNS or col.startswith("p:"):
            df[col] = pd.to_numeric(df[col].replace("", None), errors="coerce")
        elif col == "moved":
            df[col] = df[col].str.lower().isin(("true", "1", "yes"))
    return df


def _read_json(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BundleError.single(path.name, f"cannot read the JSON: {e}") from None


def read_plan_folder(folder: Path) -> PlanFolder:
    """The plan folder's parts; a BundleError when it holds no plan, rotation or diff at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleError.single(str(folder), "no such plan folder")
    parts = {
        "officers": read_table(folder / OFFICER_FILE),
        "auxiliaries": read_table(folder / AUXILIARY_FILE),
        "rotation": read_table(folder / ROTATION_FILE),
        "diff": read_table(folder / DIFF_FILE),
    }
    if all(v is None for v in parts.values()):
        raise BundleError.single(
            str(folder),
            f"not a plan folder (none of {OFFICER_FILE}, {AUXILIARY_FILE}, {ROTATION_FILE}, "
            f"{DIFF_FILE})",
        )
    labels = {
        "officers": OFFICER_FILE,
        "auxiliaries": AUXILIARY_FILE,
        "rotation": ROTATION_FILE,
        "diff": DIFF_FILE,
    }
    for name, df in parts.items():
        if df is None:
            continue
        need = ("period", "village_id", "auxiliary_id") if name == "rotation" else ("village_id",)
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise BundleError.single(
                labels[name], f"required column '{missing[0]}' is missing", 1, missing[0]
            )
        for col in PART_COLUMNS[name]:
            if col not in df.columns:
                df[col] = float("nan") if col in NUMBER_COLUMNS else False if col == "moved" else ""
    return PlanFolder(
        path=folder,
        summary=_read_json(folder / SUMMARY_FILE) or {},
        rotation_summary=_read_json(folder / ROTATION_SUMMARY_FILE),
        **parts,
    )
