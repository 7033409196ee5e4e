"""What the planner sees, written from a plan folder: plan.xlsx, plan.gpkg, report.html and
public_notice.xlsx (``write_reports``), and ``cunjing report PLAN_DIR`` that regenerates them.

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

from ..input.bundle import load_bundle
from ..input.instance import Instance
from ..input.problems import BundleError
from ..input.report_folder import (
    GEOPACKAGE_FILE,
    HTML_FILE,
    NOTICE_FILE,
    REPORT_FILES,
    ROTATION_SUMMARY_FILE,
    SUMMARY_FILE,
    WORKBOOK_FILE,
    read_plan_folder,
)
from ..run.helper import AWAY_REPORTS, HelperProcess


def write_reports(
    folder: Path,
    inst: Instance,
    out: Path | None = None,
    timings: dict | None = None,
    *,
    only: tuple[str, ...] | None = None,
    helper: HelperProcess | None = None,
) -> list[Path]:
    """Read the plan files in ``folder`` and write every report (or those named in ``only``)
    into ``out`` (default: the folder itself). Returns the files written; ``timings`` (if given)
    gets seconds per file. ``helper`` writes some of them in its own process meanwhile."""
    folder = Path(folder)
    out = folder if out is None else Path(out)
    plan = read_plan_folder(folder)
    _check_villages(plan, inst)
    names = [n for n in REPORT_FILES if only is None or n in only]
    away = tuple(n for n in AWAY_REPORTS if n in names) if helper is not None else ()
    if away and not helper.ask("reports", inst.fingerprint, (str(folder), str(out), away)):
        away = ()
    written = _write_here(plan, inst, out, [n for n in names if n not in away], timings)
    if away:
        done = helper.answer()
        # the helper could not: write them here (and meet any error here)
        written += (
            _write_here(plan, inst, out, away, timings) if done is None else [out / n for n in done]
        )
    return sorted(written, key=lambda p: REPORT_FILES.index(p.name))


# each report's module and writer, imported when needed: the page's plotting library is only
# loaded where the page is made
WRITERS = {
    WORKBOOK_FILE: ("workbook", "write_workbook"),
    GEOPACKAGE_FILE: ("geopackage", "write_geopackage"),
    HTML_FILE: ("html", "write_html"),
    NOTICE_FILE: ("notice", "write_public_notice"),
}


def _write_here(plan, inst: Instance, out: Path, names, timings: dict | None) -> list[Path]:
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


def _check_villages(plan, inst: Instance) -> None:
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
                f"village '{part.at[unknown[0], 'village_id']}' is not in the bundle "
                f"{inst.source} ({len(unknown)} such row(s)); give the plan's bundle with --bundle",
                row,
                "village_id",
            )


def bundle_of(folder: Path) -> Path | None:
    """The bundle a plan folder was made from: "input" of summary.json (or of
    rotation_summary.json); None for the embedded sample."""
    for name in (SUMMARY_FILE, ROTATION_SUMMARY_FILE):
        path = Path(folder) / name
        if not path.exists():
            continue
        try:
            source = json.loads(path.read_text(encoding="utf-8")).get("input")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise BundleError.single(name, f"cannot read the JSON: {e}") from None
        return Path(source) if source else None
    return None


def cmd_report(args) -> int:
    """``cunjing report PLAN_DIR [--bundle B]``: regenerate every report of a plan folder.

    The reports are written to a temporary folder inside the plan folder first and moved into
    place only when all are complete, so a failure leaves the previous reports as they were.
    """
    folder = Path(args.plan)
    if not folder.is_dir():
        raise BundleError.single(str(folder), "no such plan folder")
    bundle = args.bundle if args.bundle is not None else bundle_of(folder)
    if bundle is not None and not Path(bundle).exists():
        raise BundleError.single(
            str(bundle), "the plan's bundle is not there any more; give it with --bundle"
        )
    inst = load_bundle(bundle)
    summary_sha = _summary_sha(folder)
    if summary_sha and summary_sha != inst.fingerprint:
        print(
            f"warning: the bundle {inst.source} has changed since this plan was made "
            "(input_sha256 differs); names and maps are today's"
        )
    timings: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-report-", dir=folder))
    try:
        written = write_reports(folder, inst, out=tmp, timings=timings)
        for path in written:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        for path in written:
            os.replace(path, folder / path.name)
        # a report this folder no longer makes (its part is gone) must not linger, stale
        for name in set(REPORT_FILES) - {p.name for p in written}:
            (folder / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for path in written:
        size = (folder / path.name).stat().st_size
        print(f"wrote {folder / path.name} ({size / 1024:,.0f} KB, {timings[path.name]:.2f} s)")
    return 0


def _summary_sha(folder: Path) -> str | None:
    path = folder / SUMMARY_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("input_sha256")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
