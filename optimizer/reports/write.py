"""What the planner sees, written from a plan folder: plan.xlsx, plan.gpkg, report.html and
public_notice.xlsx (``write_reports``), and their regeneration in place (``cunjing report``).

The reports read only the folder's CSV and JSON (and the bundle for names, units, polygons), so
they show exactly what the contract files say, for any run that wrote them.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import PlanFolder, read_plan_folder
from ..input.problems import BundleError
from ..input.schema import (
    BOARDS_FILE,
    GEOPACKAGE_FILE,
    HTML_FILE,
    NOTICE_FILE,
    REPORT_FILES,
    WORKBOOK_FILE,
)
from ..output.files import file_digest

# the reports another process may write meanwhile (on the sample county about as long as the
# other two together)
AWAY_REPORTS = (HTML_FILE, NOTICE_FILE)
# each report's SHA-256 as written: a workbook changed since (a planner's edits) is never
# overwritten without a copy
MANIFEST = ".reports.json"
EDITABLE = (WORKBOOK_FILE, NOTICE_FILE)  # what planners open and edit in Excel / WPS


class AwayWriter(Protocol):
    """Another process that may write some reports while this one writes the others
    (``run.helper.HelperProcess``): ``ask`` sends the request, ``answer`` waits for it (None:
    it could not, and the reports are written here)."""

    def ask(self, kind: str, fingerprint: str, payload: Any) -> bool: ...

    def answer(self) -> Any | None: ...


def write_reports(
    folder: Path,
    inst: Instance,
    out: Path | None = None,
    timings: dict | None = None,
    *,
    only: tuple[str, ...] | None = None,
    away: AwayWriter | None = None,
) -> list[Path]:
    """Read the plan files in ``folder`` and write every report (or those named in ``only``)
    into ``out`` (default: the folder itself). Returns the files written; ``timings`` (if given)
    gets seconds per file. ``away`` writes some of them in its own process meanwhile."""
    folder = Path(folder)
    out = folder if out is None else Path(out)
    plan = read_plan_folder(folder)
    _check_villages(plan, inst)
    names = [n for n in REPORT_FILES if only is None or n in only]
    sent = tuple(n for n in AWAY_REPORTS if n in names) if away is not None else ()
    if sent and not away.ask("reports", inst.fingerprint, (str(folder), str(out), sent)):
        sent = ()
    written = _write_here(plan, inst, out, [n for n in names if n not in sent], timings)
    if sent:
        done = away.answer()
        # the other process could not: write them here (and meet any error here)
        written += (
            _write_here(plan, inst, out, sent, timings) if done is None else [out / n for n in done]
        )
    written = sorted(written, key=lambda p: REPORT_FILES.index(p.name))
    if only is None:  # the whole set (a helper asked for some writes none: its caller does)
        write_manifest(out, written)
    return written


def write_manifest(folder: Path, written: list[Path]) -> None:
    """The fingerprints of the reports just written (``edited_reports`` compares against them)."""
    data = {p.name: file_digest(p) for p in written if p.name in EDITABLE}
    (Path(folder) / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def edited_reports(folder: Path) -> list[Path]:
    """The reports of a folder a planner changed since they were written: their fingerprint is
    not the one written (a folder written before fingerprints were kept: the workbook is newer
    than summary.json)."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    out = []
    if manifest.exists():
        try:
            known = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        for name in EDITABLE:
            path = folder / name
            if path.exists() and name in known and known[name] != file_digest(path):
                out.append(path)
        return out
    summary = folder / "summary.json"
    for name in EDITABLE:
        path = folder / name
        if (
            path.exists()
            and summary.exists()
            and path.stat().st_mtime > summary.stat().st_mtime + 5
        ):
            out.append(path)
    return out


def keep_edited(folder: Path) -> list[tuple[Path, Path]]:
    """Each edited report moved aside as ``plan.edited-YYYYmmdd-HHMMSS.xlsx`` before the folder's
    reports are written again; returns (report, kept copy) pairs."""
    kept = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in edited_reports(folder):
        copy = path.with_name(f"{path.stem}.edited-{stamp}{path.suffix}")
        n = 1
        while copy.exists():
            n += 1
            copy = path.with_name(f"{path.stem}.edited-{stamp}-{n}{path.suffix}")
        shutil.copy2(path, copy)
        kept.append((path, copy))
    return kept


# each report's module and writer, imported when needed: the page's plotting library is only
# loaded where the page is made
WRITERS = {
    WORKBOOK_FILE: ("workbook", "write_workbook"),
    GEOPACKAGE_FILE: ("geopackage", "write_geopackage"),
    HTML_FILE: ("html", "write_html"),
    NOTICE_FILE: ("notice", "write_public_notice"),
    BOARDS_FILE: ("boards", "write_boards"),
}


def _write_here(
    plan: PlanFolder, inst: Instance, out: Path, names, timings: dict | None
) -> list[Path]:
    written = []
    for name in names:
        module, function = WRITERS[name]
        writer = getattr(importlib.import_module(f".{module}", __package__), function)
        t0 = time.perf_counter()
        path = writer(plan, inst, out / name)
        if timings is not None:
            timings[name] = round(time.perf_counter() - t0, 3)
        if path is not None:
            written.append(path)
    return written


def _check_villages(plan: PlanFolder, inst: Instance) -> None:
    """Every village of the plan must be the bundle's (else the reports would draw nonsense)."""
    for label, part in (
        ("officer_plan.csv", plan.officers),
        ("auxiliary_plan.csv", plan.auxiliaries),
        ("rotation.csv", plan.rotation),
        ("diff.csv", plan.diff),
    ):
        if part is None:
            continue
        unknown = part.index[~part["village_id"].isin(inst.villages.index)]
        if len(unknown):
            row = int(unknown[0]) + 2
            raise BundleError.single(
                label,
                _(
                    "village '{id}' is not in the bundle {bundle} ({n} such row(s)); give the "
                    "plan's bundle with --bundle"
                ).format(id=part.at[unknown[0], "village_id"], bundle=inst.source, n=len(unknown)),
                row,
                "village_id",
            )


def regenerate_reports(folder: Path, inst: Instance) -> tuple[list[Path], dict[str, float]]:
    """Every report of a plan folder, written again in place (``cunjing report``); for the
    folder of several counties, each county's folder and the overview.

    The reports are written to a temporary folder inside the plan folder first and moved into
    place only when all are complete, so a failure leaves the previous reports as they were. A
    report the folder no longer makes (its part is gone) is removed, not left stale."""
    folder = Path(folder)
    summary = read_plan_folder(folder).summary or {}
    counties = [c for c in summary.get("counties", []) if c.get("folder")]
    if counties:
        return _regenerate_counties(folder, inst, summary, counties)
    timings: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-report-", dir=folder))
    try:
        written = write_reports(folder, inst, out=tmp, timings=timings)
        for path in [*written, tmp / MANIFEST]:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        for path in written:
            os.replace(path, folder / path.name)
        os.replace(tmp / MANIFEST, folder / MANIFEST)
        for name in set(REPORT_FILES) - {p.name for p in written}:
            (folder / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / p.name for p in written], timings


def _regenerate_counties(
    folder: Path, inst: Instance, summary: dict, counties: list[dict]
) -> tuple[list[Path], dict[str, float]]:
    """Each county's reports in its own folder (with its slice of the bundle), then the
    overview from summary.json."""
    from .overview import write_overview

    written: list[Path] = []
    timings: dict[str, float] = {}
    for c in counties:
        sub = inst.county(c["county_id"]) if len(inst.counties) > 1 else inst
        done, times = regenerate_reports(folder / c["folder"], sub)
        written += done
        timings.update({f"{c['folder']}/{k}": v for k, v in times.items()})
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-report-", dir=folder))
    try:
        t0 = time.perf_counter()
        for path in write_overview(tmp, summary):
            os.replace(path, folder / path.name)
            written.append(folder / path.name)
        timings["overview"] = round(time.perf_counter() - t0, 3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written, timings
