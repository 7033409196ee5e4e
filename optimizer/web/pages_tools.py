"""Work on a plan version beyond its changes: the ranking of every officer's transfer by its
harm, the auxiliaries' rotation over the coming years (a timeline per village and per
auxiliary), an officer's visit calendar for a month (with .ics files), and the compliance
scorecards when the work logs of a month or quarter are uploaded."""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session as DbSession

from ..i18n import _
from .auth import Principal, forbid, workspace_for
from .deps import actor, get_db, receive_upload, render, signed_in, store_of, upload_name
from .models import Job, JobState
from .pages_plan import attachment
from .plan_view import VIEW_FILE
from .store import audit
from .versions import (
    follow,
    read_json,
    start,
    tmp_folder,
    version,
    version_params,
    version_to_plan,
)

router = APIRouter()
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PERIOD = re.compile(r"^(\d{4}-(0[1-9]|1[0-2])|\d{4}[Qq][1-4])$")
MAX_PERIODS = 10
LOG_SUFFIXES = (".csv", ".xlsx")


@router.post("/w/{workspace_id}/plans/{plan_id}/sweep")
def transfer_sweep(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """调离影响排行: which officers' transfers would hurt the plan most (long work)."""
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    who = actor(request, principal)
    audit(db, who, "sweep.start", workspace_id=ws.id, target=f"plan:{plan.id}",
          detail={"plan_version": plan.number})  # fmt: skip
    job = start(request, db, who, "sweep", version_params(request, db, plan, who), ws)
    return follow(request, db, job)


# Rotation


@router.post("/w/{workspace_id}/plans/{plan_id}/rotation")
def start_rotation(
    workspace_id: int,
    plan_id: int,
    request: Request,
    periods: int = Form(3, ge=1, le=MAX_PERIODS),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """The auxiliaries' rotation over the coming ``periods`` years."""
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    who = actor(request, principal)
    audit(db, who, "rotation.start", workspace_id=ws.id, target=f"plan:{plan.id}",
          detail={"plan_version": plan.number, "periods": periods})  # fmt: skip
    params = {**version_params(request, db, plan, who), "periods": periods}
    return follow(request, db, start(request, db, who, "rotation", params, ws))


def _job(db: DbSession, principal: Principal, workspace_id: int, job_id: int, kind: str) -> Job:
    ws = workspace_for(db, principal, workspace_id)
    job = db.get(Job, job_id)
    if job is None or job.workspace_id != ws.id or job.kind != kind:
        raise HTTPException(404)
    if job.state != JobState.DONE.value:
        raise HTTPException(404)
    return job


@router.get("/w/{workspace_id}/rotations/{job_id}")
def rotation_page(
    workspace_id: int,
    job_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    job = _job(db, principal, workspace_id, job_id, "rotation")
    ws = workspace_for(db, principal, workspace_id)
    return render(request, "rotation.html", {"ws": ws, "job": job, "r": job.result})


# Visit calendars


@router.post("/w/{workspace_id}/plans/{plan_id}/calendar")
def start_calendar(
    workspace_id: int,
    plan_id: int,
    request: Request,
    month: str = Form(..., max_length=7),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """Every officer's visit days in a month, by VISIT-DAYS (spacing, holidays, duty rosters)."""
    if not MONTH.match(month):
        raise HTTPException(400, detail=_("Give the month as YYYY-MM, e.g. 2027-03."))
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    who = actor(request, principal)
    params = {
        **version_params(request, db, plan, who),
        "month": month,
        "out": tmp_folder(request, "calendar"),
    }
    return follow(request, db, start(request, db, who, "calendar", params, ws))


def _calendar_folder(request: Request, plan, month: str) -> Path:
    if not MONTH.match(month):
        raise HTTPException(404)
    folder = store_of(request).path(plan.path) / "calendars" / month
    if not (folder / VIEW_FILE).is_file():
        raise HTTPException(404)
    return folder


def calendar_weeks(month: str, visits: list[dict]) -> list[list[dict | None]]:
    """The month as weeks (Monday first) of days, each with its visits."""
    import calendar as cal

    year, m = (int(x) for x in month.split("-"))
    by_day: dict[str, list[dict]] = {}
    for v in visits:
        by_day.setdefault(v["date"], []).append(v)
    return [
        [None if d == 0 else {"day": d, "visits": by_day.get(f"{month}-{d:02d}", [])} for d in week]
        for week in cal.Calendar(firstweekday=0).monthdayscalendar(year, m)
    ]


@router.get("/w/{workspace_id}/plans/{plan_id}/calendar/{month}")
def calendar_page(
    workspace_id: int,
    plan_id: int,
    month: str,
    request: Request,
    officer: str = "",
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, plan = version(db, principal, workspace_id, plan_id)
    view = read_json(_calendar_folder(request, plan, month) / VIEW_FILE)
    officers = view["officers"]
    chosen = officer or (officers[0]["officer_id"] if officers else "")
    visits = [v for v in view["visits"] if v["officer_id"] == chosen]
    return render(
        request,
        "calendar.html",
        {
            "ws": ws,
            "plan": plan,
            "cal": view,
            "month": month,
            "chosen": chosen,
            "officer": next((o for o in officers if o["officer_id"] == chosen), None),
            "weeks": calendar_weeks(month, visits),
        },
    )


def _ics_files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in (folder / "ics").glob("*.ics")}


@router.get("/w/{workspace_id}/plans/{plan_id}/calendar/{month}/ics/{name}")
def calendar_ics(
    workspace_id: int,
    plan_id: int,
    month: str,
    name: str,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """One officer's .ics (``name``: his file's name), or ``all.zip`` of every officer's."""
    ws, plan = version(db, principal, workspace_id, plan_id)
    folder = _calendar_folder(request, plan, month)
    files = _ics_files(folder)
    if name == "all.zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for stem, path in sorted(files.items()):
                z.write(path, f"{month}/{stem}.ics")
        return Response(
            buf.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="calendar-{month}.zip"'},
        )
    path = files.get(name.removesuffix(".ics"))
    if path is None:
        raise HTTPException(404)
    return attachment(path, f"{ws.region_name}-{month}-{path.name}", f"{month}-{path.name}")


# Compliance


@router.post("/w/{workspace_id}/plans/{plan_id}/compliance")
def start_compliance(
    workspace_id: int,
    plan_id: int,
    request: Request,
    period: str = Form(..., max_length=7),
    file: UploadFile = File(...),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """The month's (月考评) or quarter's (季考核) work logs against this version's plan."""
    if not PERIOD.match(period.strip()):
        raise HTTPException(400, detail=_("Give a month (2027-03) or a quarter (2027Q1)."))
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    filename = upload_name(file, "logs.csv")
    suffix = Path(filename).suffix.lower()
    if suffix not in LOG_SUFFIXES:
        raise HTTPException(400, detail=_("Upload the work logs as a .csv file or .xlsx workbook."))
    store, settings = store_of(request), request.app.state.settings
    folder = store.tmp() / f"logs-{secrets.token_hex(8)}"
    folder.mkdir(parents=True)
    target = folder / f"logs{suffix}"
    try:
        receive_upload(file, target, settings.max_upload_bytes)
    except HTTPException:
        folder.rmdir()
        raise
    who = actor(request, principal)
    params = {
        **version_params(request, db, plan, who),
        "period": period.strip().upper(),
        "logs": str(target),
        "filename": filename,
        "out": tmp_folder(request, "compliance"),
        "max_unpacked_bytes": settings.max_unpacked_bytes,
        "max_entries": settings.max_zip_entries,
    }
    return follow(request, db, start(request, db, who, "compliance", params, ws))


@router.get("/w/{workspace_id}/plans/{plan_id}/compliance/{job_id}")
def compliance_page(
    workspace_id: int,
    plan_id: int,
    job_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, plan = version(db, principal, workspace_id, plan_id)
    if not principal.sees_personal:  # scorecards and reviews of named people
        raise forbid()
    job = _job(db, principal, workspace_id, job_id, "compliance")
    if job.params.get("plan_id") != plan.id:
        raise HTTPException(404)
    view = read_json(store_of(request).path(job.result["path"]) / VIEW_FILE)
    return render(request, "compliance.html", {"ws": ws, "plan": plan, "job": job, "c": view})
