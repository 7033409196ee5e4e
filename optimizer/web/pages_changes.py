"""Changes on a plan version, each re-planned in a worker and previewed before anyone decides:
调离 (an officer transfers), 锁定/解锁 (a village keeps its officer or auxiliary), 换人 and
换辅警 (another officer or auxiliary for a village, chosen from a ranked list), 辅警离岗 (an
auxiliary leaves). The preview shows before and after; 采纳 (accept) writes it as a new
version, 放弃 (discard) drops it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ..i18n import _
from .auth import Principal, forbid, workspace_for
from .deps import actor, get_db, render, signed_in, store_of
from .jobs import STALE
from .models import PlanVersion, Scenario, ScenarioState, Workspace, now
from .pages_plan import geo_src, map_response
from .plan_view import VIEW_FILE
from .store import audit
from .versions import (
    follow,
    officer_of,
    read_json,
    start,
    tmp_folder,
    version_params,
    version_to_plan,
    view_for,
    village_of,
)

router = APIRouter()
ROLES = ("officer", "auxiliary")


def _scenario(
    request: Request,
    db: DbSession,
    principal: Principal,
    ws: Workspace,
    plan: PlanVersion,
    *,
    action: str,
    changes: list[dict],
    description: str,
    reason: str,
) -> Response:
    """A re-plan of ``plan`` after ``changes``: the scenario, its job, the audit entry; then
    its preview (at once when the re-plan is quick)."""
    who = actor(request, principal)
    scenario = Scenario(
        workspace_id=ws.id,
        base_plan_id=plan.id,
        base_revision=ws.revision,
        changes=changes,
        description=description,
        reason=reason.strip(),
        created_by=principal.account_id,
    )
    db.add(scenario)
    db.flush()
    audit(
        db,
        who,
        action,
        workspace_id=ws.id,
        target=f"scenario:{scenario.id}",
        detail={"plan_version": plan.number, "changes": changes},
        reason=scenario.reason,
    )
    params = {
        **version_params(request, db, plan, who),
        "out": tmp_folder(request, "whatif"),
        "scenario_id": scenario.id,
        "changes": changes,
    }
    job = start(request, db, who, "whatif", params, ws)
    scenario.job_id = job.id
    db.commit()
    return follow(request, db, job)


def _view(request: Request, plan: PlanVersion) -> dict:
    return read_json(store_of(request).path(plan.path) / VIEW_FILE)


@router.post("/w/{workspace_id}/plans/{plan_id}/transfer")
def transfer(
    workspace_id: int,
    plan_id: int,
    request: Request,
    officer_id: str = Form(..., max_length=64),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """调离: the officer leaves; his villages are re-planned, moving as few others as can be."""
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    officer = officer_of(_view(request, plan), officer_id)
    return _scenario(
        request, db, principal, ws, plan,
        action="whatif.transfer",
        changes=[{"kind": "transfer", "target": officer_id, "value": ""}],
        description=_("{name} ({id}) transfers").format(name=officer["name"], id=officer_id),
        reason=reason,
    )  # fmt: skip


@router.post("/w/{workspace_id}/plans/{plan_id}/auxiliary-leaves")
def auxiliary_leaves(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """辅警离岗: the village's resident auxiliary leaves; only the changed villages' auxiliaries
    move."""
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    village = village_of(_view(request, plan), village_id)
    if not village["auxiliary_id"]:
        raise HTTPException(409, detail=_("The village has no resident auxiliary."))
    return _scenario(
        request, db, principal, ws, plan,
        action="whatif.auxiliary_leaves",
        changes=[{"kind": "remove_auxiliary", "target": village["auxiliary_id"], "value": ""}],
        description=_("Auxiliary {name} ({id}) leaves").format(
            name=village["auxiliary"], id=village["auxiliary_id"]
        ),
        reason=reason,
    )  # fmt: skip


@router.post("/w/{workspace_id}/plans/{plan_id}/lock")
def lock(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    pinned: bool = Form(...),
    role: str = Form("officer", max_length=16),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """锁定 (or 解锁): the village keeps its officer (or auxiliary) through every later
    re-plan."""
    if role not in ROLES:
        raise HTTPException(404)
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    village = village_of(_view(request, plan), village_id)
    person = village["officer"] if role == "officer" else village["auxiliary"]
    if not village[f"{role}_id"]:
        raise HTTPException(409, detail=_("The village has no one to lock."))
    names = {"village": village["name"], "person": person}
    if role == "officer":
        text = _("Lock {village}'s officer {person}") if pinned else _("Unlock {village}'s officer")
        kind = "lock" if pinned else "unlock"
    else:
        text = (
            _("Lock {village}'s auxiliary {person}")
            if pinned
            else _("Unlock {village}'s auxiliary")
        )
        kind = "lock_auxiliary" if pinned else "unlock_auxiliary"
    return _scenario(
        request, db, principal, ws, plan,
        action="whatif.lock",
        changes=[{"kind": kind, "target": village_id, "value": ""}],
        description=text.format(**names),
        reason=reason,
    )  # fmt: skip


@router.post("/w/{workspace_id}/plans/{plan_id}/options")
def options(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    role: str = Form("officer", max_length=16),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """换人 / 换辅警, first step: who else could serve the village, ranked, with what each costs."""
    if role not in ROLES:
        raise HTTPException(404)
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    village_of(_view(request, plan), village_id)
    who = actor(request, principal)
    params = {**version_params(request, db, plan, who), "village": village_id, "role": role}
    return follow(request, db, start(request, db, who, "options", params, ws))


@router.post("/w/{workspace_id}/plans/{plan_id}/swap")
def swap(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    person_id: str = Form(..., max_length=64),
    role: str = Form("officer", max_length=16),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """换人 / 换辅警: the chosen officer (or auxiliary) takes the village, pinned; an officer's
    load is re-planned if it must be, an auxiliary's former village is placed again."""
    if role not in ROLES:
        raise HTTPException(404)
    ws, plan = version_to_plan(db, principal, workspace_id, plan_id)
    view = _view(request, plan)
    village = village_of(view, village_id)
    if role == "officer":
        name = officer_of(view, person_id)["name"]
        text = _("{person} takes {village}")
        kind = "assign"
    else:
        name = person_id  # an auxiliary not posted anywhere is not in the view
        known = {v["auxiliary_id"]: v["auxiliary"] for v in view["villages"]}
        name = known.get(person_id, name)
        text = _("Auxiliary {person} lives in {village}")
        kind = "assign_auxiliary"
    return _scenario(
        request, db, principal, ws, plan,
        action="whatif.swap" if role == "officer" else "whatif.auxiliary",
        changes=[{"kind": kind, "target": village_id, "value": person_id}],
        description=text.format(person=name, village=village["name"]),
        reason=reason,
    )  # fmt: skip


def _scenario_of(db: DbSession, principal: Principal, workspace_id: int, scenario_id: int):
    ws = workspace_for(db, principal, workspace_id)
    scenario = db.get(Scenario, scenario_id)
    if scenario is None or scenario.workspace_id != ws.id:
        raise HTTPException(404)
    return ws, scenario


@router.get("/w/{workspace_id}/scenarios/{scenario_id}")
def scenario_page(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, scenario = _scenario_of(db, principal, workspace_id, scenario_id)
    base = db.get(PlanVersion, scenario.base_plan_id)
    view = None
    if scenario.path:
        view = view_for(principal, store_of(request).path(scenario.path))
    return render(
        request,
        "scenario.html",
        {
            "ws": ws,
            "scenario": scenario,
            "base": base,
            "view": view,
            "stale": scenario.base_revision != ws.revision,
            "may_plan": principal.may_plan(ws),
            "tile_url": request.app.state.settings.tile_url,
            "geo_src": geo_src(ws, base.bundle_version_id),
        },
    )


@router.get("/w/{workspace_id}/scenarios/{scenario_id}/map.json")
def scenario_map(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    _ws, scenario = _scenario_of(db, principal, workspace_id, scenario_id)
    if not scenario.path:
        raise HTTPException(404)
    base = db.get(PlanVersion, scenario.base_plan_id)
    return map_response(request, principal, db, scenario.path, base.bundle_version_id)


def _stale(ws: Workspace, scenario: Scenario) -> HTTPException:
    return HTTPException(
        409, detail=_(STALE).format(current=ws.revision, base=scenario.base_revision)
    )


@router.post("/w/{workspace_id}/scenarios/{scenario_id}/accept")
def accept(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """采纳: the previewed re-plan is written as the workspace's new version (in a worker: the
    workbook, map and notice take a second or two). Refused at once, and again when the
    version is made, when another planner's change was accepted meanwhile."""
    ws, scenario = _scenario_of(db, principal, workspace_id, scenario_id)
    if not principal.may_plan(ws):
        raise forbid()
    if scenario.state != ScenarioState.READY.value:
        raise HTTPException(409, detail=_("This change is not waiting for a decision."))
    who = actor(request, principal)
    if scenario.base_revision != ws.revision:
        audit(
            db,
            who,
            "whatif.stale",
            workspace_id=ws.id,
            target=f"scenario:{scenario.id}",
            detail={"base_revision": scenario.base_revision, "current_revision": ws.revision},
        )
        db.commit()
        raise _stale(ws, scenario)
    base = db.get(PlanVersion, scenario.base_plan_id)
    scenario.state = ScenarioState.ACCEPTING.value
    params = {
        **version_params(request, db, base, who),
        "out": tmp_folder(request, "accept"),
        "scenario_id": scenario.id,
        "changes": scenario.changes,
        "seen": str(store_of(request).path(scenario.path) / VIEW_FILE),
        "reason": reason.strip() or scenario.reason,
    }
    return follow(request, db, start(request, db, who, "accept", params, ws))


@router.post("/w/{workspace_id}/scenarios/{scenario_id}/discard")
def discard(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, scenario = _scenario_of(db, principal, workspace_id, scenario_id)
    if not principal.may_plan(ws):
        raise forbid()
    if scenario.state not in (ScenarioState.READY.value, ScenarioState.RUNNING.value):
        raise HTTPException(409, detail=_("This change is not waiting for a decision."))
    if scenario.state == ScenarioState.RUNNING.value and scenario.job_id:
        request.app.state.jobs.cancel(scenario.job_id)
    scenario.state = ScenarioState.DISCARDED.value
    scenario.decided_by, scenario.decided_at = principal.account_id, now()
    audit(
        db,
        actor(request, principal),
        "whatif.discard",
        workspace_id=ws.id,
        target=f"scenario:{scenario.id}",
        reason=reason.strip(),
    )
    db.commit()
    return RedirectResponse(f"/w/{ws.id}/plans/{scenario.base_plan_id}", status_code=303)
