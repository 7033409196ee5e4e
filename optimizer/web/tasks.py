"""The long work, as run inside a worker process: each task takes plain parameters (paths, ids,
changes), reports its progress by message id, and returns a plain result. ``InputProblems`` and
``UploadRefused`` travel back as the user's problems, anything else as a failure.

Folders a task makes go into the temporary ``out`` the server named; the server moves them into
the store when the task has ended well (and removes them otherwise)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..i18n import N_
from . import engine
from .plan_view import GEO_FILE, VIEW_FILE, build_geo, write_json
from .uploads import Limits, check_workbook, unpack

Progress = Callable[[str], None]


def validate_upload(params: dict, progress: Progress) -> dict:
    """Unpacks an upload into its staging folder and checks it as a bundle; the staging folder
    is removed when it is refused (nothing of an invalid upload is kept)."""
    staging = Path(params["staging"])
    try:
        progress(N_("Unpacking the upload"))
        bundle = unpack(
            Path(params["upload"]),
            params["filename"],
            staging / "bundle",
            Limits(params["max_unpacked_bytes"], params["max_entries"]),
        )
        progress(N_("Checking the bundle"))
        checked = engine.validate(bundle)
        progress(N_("Preparing the map"))
        write_json(build_geo(engine.load(bundle)), staging / GEO_FILE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        Path(params["upload"]).unlink(missing_ok=True)
    return {**checked, "bundle": str(bundle.relative_to(staging))}


def plan(params: dict, progress: Progress) -> dict:
    out = Path(params["out"])
    progress(N_("Planning officers and auxiliaries"))
    view = engine.plan(Path(params["bundle"]), out, time_limit=params.get("time_limit"))
    write_json(view, out / VIEW_FILE)
    return {"status": view["status"]}


def whatif(params: dict, progress: Progress) -> dict:
    """A re-plan after the scenario's changes, previewed: only its page's view is written."""
    out = Path(params["out"])
    progress(N_("Re-planning the changed villages"))
    wall, cpu = time.perf_counter(), time.process_time()
    view = engine.preview(
        Path(params["bundle"]),
        Path(params["plan"]),
        params["changes"],
        key=str(params["scenario_id"]),
        time_limit=params.get("time_limit"),
    )
    write_json(view, out / VIEW_FILE)
    # what the worker spent (wall and processor seconds: the machine may be shared)
    spent = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return {
        "status": view["status"],
        "whatif": view.get("whatif") or {},
        "seconds": {k: round(v, 3) for k, v in spent.items()},
    }


def accept(params: dict, progress: Progress) -> dict:
    """采纳: the previewed re-plan written as a plan folder (every file of a version)."""
    out = Path(params["out"])
    seen = json.loads(Path(params["seen"]).read_text(encoding="utf-8"))
    progress(N_("Writing the plan's files"))
    try:
        view = engine.accept(
            Path(params["bundle"]),
            Path(params["plan"]),
            params["changes"],
            key=str(params["scenario_id"]),
            out=out,
            seen=engine.assignment(seen),
            time_limit=params.get("time_limit"),
        )
    except engine.ChangedMeanwhile:
        raise engine.InputProblems(
            [
                {
                    "file": "",
                    "row": 0,
                    "column": "",
                    "message": N_(
                        "Worked out again, the change no longer gives the plan shown: "
                        "discard it and make the change again."
                    ),
                    "severity": "error",
                }
            ]
        ) from None
    write_json(view, out / VIEW_FILE)
    return {"status": view["status"]}


def options(params: dict, progress: Progress) -> dict:
    progress(N_("Ranking who else could serve the village"))
    return engine.options(
        Path(params["bundle"]), Path(params["plan"]), params["village"], params["role"]
    )


def sweep(params: dict, progress: Progress) -> dict:
    """调离影响排行: every officer's transfer, ranked by harm (one process: the server and the
    other worker keep the other core)."""
    progress(N_("Evaluating every officer's transfer"))
    rows = engine.sweep(Path(params["bundle"]), Path(params["plan"]))
    return {"rows": rows, "plan_id": params["plan_id"]}


def rotation(params: dict, progress: Progress) -> dict:
    progress(N_("Rotating the auxiliaries over the coming years"))
    result = engine.rotation(Path(params["bundle"]), Path(params["plan"]), int(params["periods"]))
    return {**result, "plan_id": params["plan_id"]}


def calendar(params: dict, progress: Progress) -> dict:
    out = Path(params["out"])
    progress(N_("Planning the officers' visit days"))
    view = engine.calendar(Path(params["bundle"]), Path(params["plan"]), params["month"], out)
    write_json(view, out / VIEW_FILE)
    return {"month": view["month"], "status": view["status"], "plan_id": params["plan_id"]}


def compliance(params: dict, progress: Progress) -> dict:
    out, logs = Path(params["out"]), Path(params["logs"])
    try:
        progress(N_("Checking the work logs"))
        if logs.suffix.lower() == ".xlsx":  # a workbook is a zip: bounded, without macros
            check_workbook(logs, Limits(params["max_unpacked_bytes"], params["max_entries"]))
        view = engine.compliance(
            Path(params["bundle"]), Path(params["plan"]), logs, params["period"], out
        )
    finally:
        shutil.rmtree(logs.parent, ignore_errors=True)
    write_json(view, out / VIEW_FILE)
    return {"period": view["period"], "holds": view["holds"], "plan_id": params["plan_id"]}


def publish(params: dict, progress: Progress) -> dict:
    progress(N_("Writing the contact boards"))
    written = engine.publish(Path(params["bundle"]), Path(params["plan"]), Path(params["out"]))
    return {"written": written, "plan_id": params["plan_id"]}


TASKS: dict[str, Callable[[dict, Progress], dict]] = {
    "validate": validate_upload,
    "plan": plan,
    "whatif": whatif,
    "accept": accept,
    "options": options,
    "sweep": sweep,
    "rotation": rotation,
    "calendar": calendar,
    "compliance": compliance,
    "publish": publish,
}
