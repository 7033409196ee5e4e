"""What the pages of a plan version share: finding the version (within the asker's scope), its
view as the asker may see it, and starting long work on it (a job in a worker, with a short
wait so that quick work answers with its page at once)."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ..i18n import language
from .auth import Principal, workspace_for, workspace_to_plan
from .deps import store_of
from .models import BundleVersion, Job, JobState, PlanVersion, Workspace
from .plan_view import VIEW_FILE, without_personal
from .store import Actor, new_job, plan_in

# quick work (a re-plan of the sample county, a ranking of officers) ends within this: the page
# then goes straight to its result instead of to the progress page
QUICK_SECONDS = 4.0


@lru_cache(maxsize=64)
def _read_json(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_json(path: Path) -> dict:
    try:
        return _read_json(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        raise HTTPException(404) from None


def view_for(principal: Principal, folder: Path) -> dict:
    view = read_json(folder / VIEW_FILE)
    return view if principal.sees_personal else without_personal(view)


def version(
    db: DbSession, principal: Principal, workspace_id: int, plan_id: int
) -> tuple[Workspace, PlanVersion]:
    """The plan version, in a workspace the principal may view (404 otherwise)."""
    ws = workspace_for(db, principal, workspace_id)
    plan = plan_in(db, ws.id, plan_id)
    if plan is None:
        raise HTTPException(404)
    return ws, plan


def version_to_plan(
    db: DbSession, principal: Principal, workspace_id: int, plan_id: int
) -> tuple[Workspace, PlanVersion]:
    """The plan version, in a workspace the principal plans (404 outside his scope, 403 for
    the roles that do not plan)."""
    ws = workspace_to_plan(db, principal, workspace_id)
    plan = plan_in(db, ws.id, plan_id)
    if plan is None:
        raise HTTPException(404)
    return ws, plan


def officer_of(view: dict, officer_id: str) -> dict:
    officer = next((o for o in view["officers"] if o["id"] == officer_id), None)
    if officer is None:
        raise HTTPException(404)
    return officer


def village_of(view: dict, village_id: str) -> dict:
    village = next((v for v in view["villages"] if v["id"] == village_id), None)
    if village is None:
        raise HTTPException(404)
    return village


def tmp_folder(request: Request, kind: str) -> str:
    return str(store_of(request).tmp() / f"{kind}-{secrets.token_hex(8)}")


def version_params(request: Request, db: DbSession, plan: PlanVersion, who: Actor) -> dict:
    """What every task on a version needs: the bundle's and the version's folders, who asks,
    in which language."""
    store = store_of(request)
    bundle = db.get(BundleVersion, plan.bundle_version_id)
    return {
        "bundle": str(store.path(bundle.path)),
        "plan": str(store.path(plan.path)),
        "plan_id": plan.id,
        "actor": who.__dict__,
        "lang": language(),
    }


def start(request: Request, db: DbSession, who: Actor, kind: str, params: dict, ws: Workspace):
    """A job for the workers (committed with whatever the caller added to the session)."""
    job = new_job(db, who, kind, {"lang": language(), **params}, ws.id)
    db.commit()
    request.app.state.jobs.submit(job)
    return job


# work that takes its time whatever the county: its progress page at once
LONG = ("validate", "plan", "sweep")


def follow(request: Request, db: DbSession, job: Job) -> Response:
    """To the job's result when it ends within QUICK_SECONDS, else to its progress page."""
    jobs = request.app.state.jobs
    if job.kind not in LONG and jobs.wait(job.id, QUICK_SECONDS):
        db.refresh(job)
        if destination := goes_on_to(job):
            return RedirectResponse(destination, status_code=303)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# jobs whose result is shown on the job's own page (the upload's check, the ranked people)
STAY_ON_PAGE = ("validate", "options", "sweep")


def goes_on_to(job: Job) -> str | None:
    """Where the planner is taken when the job has ended (None: he stays on its page)."""
    destination = job_destination(job)
    return destination if destination and job.kind not in STAY_ON_PAGE else None


def job_destination(job: Job) -> str | None:
    if job.state != JobState.DONE.value:
        return None
    r, ws = job.result, job.workspace_id
    if "plan_version_id" in r:
        return f"/w/{ws}/plans/{r['plan_version_id']}"
    if "scenario_id" in r:
        return f"/w/{ws}/scenarios/{r['scenario_id']}"
    if job.kind == "rotation":
        return f"/w/{ws}/rotations/{job.id}"
    if job.kind == "calendar":
        return f"/w/{ws}/plans/{r['plan_id']}/calendar/{r['month']}"
    if job.kind == "compliance":
        return f"/w/{ws}/plans/{r['plan_id']}/compliance/{job.id}"
    if job.kind == "publish":
        return f"/w/{ws}/plans/{r['plan_id']}"
    return f"/w/{ws}"
