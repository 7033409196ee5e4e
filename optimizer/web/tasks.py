"""The long work, as run inside a worker process: each task takes plain parameters (paths,
ids), reports its progress by message id, and returns a plain result. ``InputProblems`` and
``UploadRefused`` travel back as the user's problems, anything else as a failure."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from . import engine
from .i18n import _
from .plan_view import GEO_FILE, VIEW_FILE, build_geo, build_view, write_json
from .uploads import Limits, unpack

Progress = Callable[[str], None]


def validate_upload(params: dict, progress: Progress) -> dict:
    """Unpacks an upload into its staging folder and checks it as a bundle; the staging folder
    is removed when it is refused (nothing of an invalid upload is kept)."""
    staging = Path(params["staging"])
    try:
        progress("Unpacking the upload")
        bundle = unpack(
            Path(params["upload"]),
            params["filename"],
            staging / "bundle",
            Limits(params["max_unpacked_bytes"], params["max_entries"]),
        )
        progress("Checking the bundle")
        checked = engine.validate(bundle)
        progress("Preparing the map")
        write_json(build_geo(bundle), staging / GEO_FILE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        Path(params["upload"]).unlink(missing_ok=True)
    return {**checked, "bundle": str(bundle.relative_to(staging))}


def plan(params: dict, progress: Progress) -> dict:
    out, bundle = Path(params["out"]), Path(params["bundle"])
    progress("Planning officers and auxiliaries")
    summary = engine.plan(bundle, out, time_limit=params.get("time_limit"))
    progress("Preparing the page")
    write_json(build_view(bundle, out), out / VIEW_FILE)
    return {"status": summary["status"]}


def whatif(params: dict, progress: Progress) -> dict:
    out, bundle = Path(params["out"]), Path(params["bundle"])
    progress("Re-planning the changed villages")
    summary = engine.replan(
        bundle,
        Path(params["plan"]),
        out,
        transfer=params.get("transfer"),
        remove_auxiliary=params.get("remove_auxiliary"),
        time_limit=params.get("time_limit"),
    )
    progress("Preparing the page")
    write_json(build_view(bundle, out), out / VIEW_FILE)
    return {"status": summary["status"], "whatif": summary.get("whatif", {})}


def alternatives(params: dict, progress: Progress) -> dict:
    progress("Ranking the other officers")
    return engine.alternatives(Path(params["bundle"]), Path(params["plan"]), params["village"])


def edit(params: dict, progress: Progress) -> dict:
    """锁定 (pins) or 换人 (a village to another officer, re-planning his load if need be)."""
    out, bundle, plan_dir = Path(params["out"]), Path(params["bundle"]), Path(params["plan"])
    if params.get("swap"):
        progress("Re-planning the changed villages")
        village, officer = params["swap"]
        summary = engine.swap(
            bundle, plan_dir, out, village, officer, params.get("reason", ""),
            knock_on=_("knock-on move: the new officer needs the days"),
        )  # fmt: skip
    else:
        progress("Writing the plan's files")
        summary = engine.edit_plan(
            bundle, plan_dir, out, pins=params.get("pins", {}), reason=params.get("reason", "")
        )
    progress("Preparing the page")
    write_json(build_view(bundle, out), out / VIEW_FILE)
    return {"status": summary["status"], "whatif": summary.get("whatif", {})}


def sweep(params: dict, progress: Progress) -> dict:
    """调离影响排行: every officer's transfer, ranked by harm (one process: the server and the
    other worker keep the other core)."""
    out = Path(params["out"])
    progress("Evaluating every officer's transfer")
    try:
        rows = engine.sweep(Path(params["bundle"]), Path(params["plan"]), out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"rows": rows, "plan_id": params["plan_id"]}


TASKS: dict[str, Callable[[dict, Progress], dict]] = {
    "sweep": sweep,
    "validate": validate_upload,
    "plan": plan,
    "whatif": whatif,
    "alternatives": alternatives,
    "edit": edit,
}
