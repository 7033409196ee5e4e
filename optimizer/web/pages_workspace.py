"""Workspaces, uploads (导入), plans started (生成方案), and the jobs' progress pages."""

from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from ..i18n import N_
from .auth import Principal, forbid, visible_workspaces, workspace_for, workspace_to_plan
from .deps import actor, get_db, receive_upload, render, signed_in, store_of, upload_name
from .models import BundleVersion, Job, JobState, Workspace
from .store import audit, bundle_versions, plan_versions, running_jobs
from .versions import follow, goes_on_to, job_destination, start

router = APIRouter()
REGION = re.compile(r"^\d{2,12}$")


@router.get("/")
def index(
    request: Request, principal: Principal = Depends(signed_in), db: DbSession = Depends(get_db)
) -> Response:
    return render(
        request,
        "index.html",
        {"workspaces": visible_workspaces(db, principal), "message": ""},
    )


@router.post("/workspaces")
def create_workspace(
    request: Request,
    region_code: str = Form(..., max_length=12),
    region_name: str = Form(..., max_length=64),
    year: int = Form(..., ge=2000, le=2100),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    region_code, region_name = region_code.strip(), region_name.strip()
    if not REGION.match(region_code) or not region_name:
        raise HTTPException(400, detail=N_("Give the region's division code (digits) and name."))
    if not principal.may_create_workspace(region_code):
        raise forbid()
    ws = Workspace(
        region_code=region_code,
        region_name=region_name,
        year=year,
        created_by=principal.account_id,
    )
    db.add(ws)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise HTTPException(
            409, detail=N_("This region already has a workspace for that year.")
        ) from None
    audit(
        db,
        actor(request, principal),
        "workspace.create",
        workspace_id=ws.id,
        target=f"workspace:{ws.id}",
        detail={"region_code": region_code, "region_name": region_name, "year": year},
    )
    db.commit()
    return RedirectResponse(f"/w/{ws.id}", status_code=303)


@router.get("/w/{workspace_id}")
def workspace_page(
    workspace_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws = workspace_for(db, principal, workspace_id)
    return render(
        request,
        "workspace.html",
        {
            "ws": ws,
            "bundles": bundle_versions(db, ws.id),
            "plans": plan_versions(db, ws.id),
            "jobs": running_jobs(db, ws.id),
            "may_plan": principal.may_plan(ws),
        },
    )


@router.post("/w/{workspace_id}/bundles")
def upload_bundle(
    workspace_id: int,
    request: Request,
    file: UploadFile = File(...),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws = workspace_to_plan(db, principal, workspace_id)
    store, settings = store_of(request), request.app.state.settings
    token = secrets.token_hex(8)
    upload = store.tmp() / f"upload-{token}"
    sha256, size = receive_upload(file, upload, settings.max_upload_bytes)
    filename = upload_name(file, "upload")
    who = actor(request, principal)
    params = {
        "upload": str(upload),
        "staging": str(store.tmp() / f"staging-{token}"),
        "filename": filename,
        "sha256": sha256,
        "size": size,
        "max_unpacked_bytes": settings.max_unpacked_bytes,
        "max_entries": settings.max_zip_entries,
        "actor": who.__dict__,
    }
    return follow(request, db, start(request, db, who, "validate", params, ws))


@router.post("/w/{workspace_id}/plans")
def start_plan(
    workspace_id: int,
    request: Request,
    bundle_version_id: int = Form(...),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws = workspace_to_plan(db, principal, workspace_id)
    bundle = db.get(BundleVersion, bundle_version_id)
    if bundle is None or bundle.workspace_id != ws.id:
        raise HTTPException(404)
    store = store_of(request)
    who = actor(request, principal)
    audit(db, who, "plan.start", workspace_id=ws.id, target=f"bundle:{bundle.id}",
          detail={"bundle_version": bundle.number})  # fmt: skip
    params = {
        "bundle": str(store.path(bundle.path)),
        "bundle_version_id": bundle.id,
        "out": str(store.tmp() / f"plan-{secrets.token_hex(8)}"),
        "actor": who.__dict__,
        "description": f"bundle {bundle.number}",
    }
    return follow(request, db, start(request, db, who, "plan", params, ws))


def _job_for(db: DbSession, principal: Principal, job_id: int) -> tuple[Job, Workspace]:
    job = db.get(Job, job_id)
    if job is None or job.workspace_id is None:
        raise HTTPException(404)
    return job, workspace_for(db, principal, job.workspace_id)


@router.get("/jobs/{job_id}")
def job_page(
    job_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    job, ws = _job_for(db, principal, job_id)
    # work that ended between the form's short wait and this page goes on to its result, as
    # the progress page's polling would have (it polls only while the work runs)
    if goes_on := goes_on_to(job):
        return RedirectResponse(goes_on, status_code=303)
    return render(request, "job.html", {"job": job, "ws": ws, "destination": job_destination(job)})


@router.get("/jobs/{job_id}/status")
def job_status(
    job_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    job, ws = _job_for(db, principal, job_id)
    destination = job_destination(job)
    response = render(
        request, "job_status.html", {"job": job, "ws": ws, "destination": destination}
    )
    if goes_on := goes_on_to(job):
        response.headers["HX-Redirect"] = goes_on
    return response


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    job_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    job, ws = _job_for(db, principal, job_id)
    if not principal.may_plan(ws):
        raise forbid()
    if job.state in (JobState.QUEUED.value, JobState.RUNNING.value):
        job.cancel_requested = True
        audit(
            db,
            actor(request, principal),
            "job.cancel",
            workspace_id=ws.id,
            target=f"job:{job.id}",
            detail={"kind": job.kind},
        )
        db.commit()
        request.app.state.jobs.cancel(job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
