"""A plan version's page (outcome, KPIs, map, tables), its files (下载), what-ifs on it (调离),
their acceptance (采纳/放弃) and the approval (提交审核, 发布, 退回)."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from .auth import Principal, forbid, workspace_for, workspace_to_plan
from .deps import actor, get_db, render, signed_in, store_of
from .i18n import _
from .models import BundleVersion, PlanState, PlanVersion, Scenario, ScenarioState, now
from .plan_view import GEO_FILE, VIEW_FILE, without_personal
from .store import StaleVersion, add_plan_version, audit, new_job, plan_in, plan_versions

router = APIRouter()

# the files of a version one may download, and whether they carry personal fields
DOWNLOADS = {
    "plan.xlsx": True,
    "plan.gpkg": True,
    "report.html": True,
    "public_notice.xlsx": False,
}
MEDIA = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".gpkg": "application/geopackage+sqlite3",
    ".html": "text/html; charset=utf-8",
}


@lru_cache(maxsize=32)
def _read_json(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_json(path: Path) -> dict:
    return _read_json(str(path), path.stat().st_mtime)


def view_for(principal: Principal, folder: Path) -> dict:
    view = read_json(folder / VIEW_FILE)
    return view if principal.sees_personal else without_personal(view)


def _plan(db: DbSession, principal: Principal, workspace_id: int, plan_id: int):
    ws = workspace_for(db, principal, workspace_id)
    plan = plan_in(db, ws.id, plan_id)
    if plan is None:
        raise HTTPException(404)
    return ws, plan


def outcome_words(view: dict) -> list[str]:
    """The outcome as a planner says it."""
    lines = []
    status = view["status"]
    if status == "OPTIMAL":
        lines.append(_("The plan is the best possible under the rules."))
    elif status == "FEASIBLE" and view.get("best_bound") is not None and view.get("objective"):
        points = "{:g}".format(max(view["best_bound"] - view["objective"], 0))
        lines.append(
            _(
                "The plan keeps every rule; it is at most {points} points from the best possible.",
                points=points,
            )
        )
    elif status == "FEASIBLE":
        lines.append(_("The plan keeps every rule."))
    else:
        lines.append(_("Not every village could be covered: see the problems below."))
    lines.append(
        _(
            "{covered} of {villages} villages have a liaison officer, {aux} a resident auxiliary.",
            covered=view.get("covered_by_officer") or 0,
            villages=view.get("village_count") or 0,
            aux=view.get("covered_by_auxiliary") or 0,
        )
    )
    return lines


@router.get("/w/{workspace_id}/plans/{plan_id}")
def plan_page(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, plan = _plan(db, principal, workspace_id, plan_id)
    view = view_for(principal, store_of(request).path(plan.path))
    scenarios = [
        s
        for s in db.query(Scenario)
        .filter(Scenario.base_plan_id == plan.id)
        .order_by(Scenario.id.desc())
        .limit(10)
    ]
    return render(
        request,
        "plan.html",
        {
            "ws": ws,
            "plan": plan,
            "view": view,
            "outcome": outcome_words(view),
            "versions": plan_versions(db, ws.id),
            "scenarios": scenarios,
            "may_plan": principal.may_plan(ws),
            "may_review": principal.may_review(ws),
            "downloads": [
                n for n, personal in DOWNLOADS.items() if principal.sees_personal or not personal
            ],
            "tile_url": request.app.state.settings.tile_url,
        },
    )


@router.get("/w/{workspace_id}/plans/{plan_id}/map.json")
def plan_map(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    _, plan = _plan(db, principal, workspace_id, plan_id)
    return map_response(request, principal, db, plan.path, plan.bundle_version_id)


def map_response(
    request: Request,
    principal: Principal,
    db: DbSession,
    folder: str,
    bundle_version_id: int,
    changed: list[str] | None = None,
) -> Response:
    """The map's data: the bundle's shapes, and the plan's officers and villages as the
    principal may see them (``changed``: the villages to outline; default the folder's diff)."""
    store = store_of(request)
    bundle = db.get(BundleVersion, bundle_version_id)
    root = store.path(bundle.path)  # the bundle folder, or the workbook file inside it
    root = root.parent if root.is_file() else root
    view_file, geo_file = store.path(folder) / VIEW_FILE, root.parent / GEO_FILE
    body = _map_bytes(
        str(view_file),
        view_file.stat().st_mtime,
        str(geo_file),
        principal.sees_personal,
        request.app.state.settings.tile_url,
        tuple(changed) if changed is not None else None,
    )
    return Response(body, media_type="application/json")


@lru_cache(maxsize=16)
def _map_bytes(
    view_file: str,
    mtime: float,
    geo_file: str,
    personal: bool,
    tile_url: str,
    changed: tuple[str, ...] | None,
) -> bytes:
    """Made once per version and kind of reader: 20 planners opening the same map ask for the
    same 300 KB (serialising it took most of each request)."""
    view = read_json(Path(view_file))
    view = view if personal else without_personal(view)
    data = {
        "geo": read_json(Path(geo_file)),
        "officers": view["officers"],
        "villages": view["villages"],
        "changed": list(changed)
        if changed is not None
        else [d["village_id"] for d in view.get("diff", [])],
        "tile_url": tile_url,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/w/{workspace_id}/plans/{plan_id}/files/{name}")
def plan_file(
    workspace_id: int,
    plan_id: int,
    name: str,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, plan = _plan(db, principal, workspace_id, plan_id)
    if name not in DOWNLOADS:
        raise HTTPException(404)
    if DOWNLOADS[name] and not principal.sees_personal:
        raise forbid()
    path = store_of(request).path(plan.path) / name
    if not path.is_file():
        raise HTTPException(404)
    shown = f"{ws.region_name}-{ws.year}-v{plan.number}-{name}"
    return FileResponse(
        path,
        media_type=MEDIA[path.suffix],
        headers={
            "Content-Disposition": "attachment; filename=\"{}\"; filename*=UTF-8''{}".format(
                f"cunjing-{ws.year}-v{plan.number}-{name}", quote(shown)
            )
        },
    )


# What-ifs: 调离


def _start_scenario(
    request: Request,
    db: DbSession,
    principal: Principal,
    ws,
    plan: PlanVersion,
    *,
    kind: str,
    action: str,
    changes: list[dict],
    description: str,
    reason: str,
    params: dict,
) -> Response:
    """A what-if on ``plan``: the scenario row, its job in a worker, the audit entry."""
    store = store_of(request)
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
    bundle = db.get(BundleVersion, plan.bundle_version_id)
    job = new_job(
        db,
        who,
        kind,
        {
            "bundle": str(store.path(bundle.path)),
            "plan": str(store.path(plan.path)),
            "out": str(store.tmp() / f"{kind}-{secrets.token_hex(8)}"),
            "scenario_id": scenario.id,
            "actor": who.__dict__,
            "reason": scenario.reason,
            **params,
        },
        ws.id,
    )
    scenario.job_id = job.id
    audit(
        db,
        who,
        action,
        workspace_id=ws.id,
        target=f"scenario:{scenario.id}",
        detail={"plan_version": plan.number, "changes": changes},
        reason=scenario.reason,
    )
    db.commit()
    request.app.state.jobs.submit(job)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _planned(db, principal, workspace_id, plan_id):
    """The plan, in a workspace the principal plans."""
    ws = workspace_to_plan(db, principal, workspace_id)
    plan = plan_in(db, ws.id, plan_id)
    if plan is None:
        raise HTTPException(404)
    return ws, plan


def _officer(view: dict, officer_id: str) -> dict:
    officer = next((o for o in view["officers"] if o["id"] == officer_id), None)
    if officer is None:
        raise HTTPException(404)
    return officer


def _village(view: dict, village_id: str) -> dict:
    village = next((v for v in view["villages"] if v["id"] == village_id), None)
    if village is None:
        raise HTTPException(404)
    return village


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
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    officer = _officer(read_json(store_of(request).path(plan.path) / VIEW_FILE), officer_id)
    return _start_scenario(
        request, db, principal, ws, plan,
        kind="whatif", action="whatif.transfer",
        changes=[{"kind": "transfer", "officer_id": officer_id}],
        description=_("{name} ({id}) transfers", name=officer["name"], id=officer_id),
        reason=reason, params={"transfer": [officer_id]},
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
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    village = _village(read_json(store_of(request).path(plan.path) / VIEW_FILE), village_id)
    if not village["auxiliary_id"]:
        raise HTTPException(409, detail=_("The village has no resident auxiliary."))
    return _start_scenario(
        request, db, principal, ws, plan,
        kind="whatif", action="whatif.auxiliary_leaves",
        changes=[{"kind": "remove_auxiliary", "auxiliary_id": village["auxiliary_id"]}],
        description=_("Auxiliary {name} ({id}) leaves", name=village["auxiliary"],
                      id=village["auxiliary_id"]),
        reason=reason, params={"remove_auxiliary": [village["auxiliary_id"]]},
    )  # fmt: skip


@router.post("/w/{workspace_id}/plans/{plan_id}/lock")
def lock(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    pinned: bool = Form(...),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """锁定 (or 解锁): the village keeps its officer through every later re-plan."""
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    village = _village(read_json(store_of(request).path(plan.path) / VIEW_FILE), village_id)
    if not village["officer_id"]:
        raise HTTPException(409, detail=_("The village has no officer to lock."))
    names = {"village": village["name"], "officer": village["officer"]}
    description = (
        _("Lock {village}'s officer {officer}", **names)
        if pinned
        else _("Unlock {village}'s officer {officer}", **names)
    )
    return _start_scenario(
        request, db, principal, ws, plan,
        kind="edit", action="whatif.lock",
        changes=[{"kind": "lock", "village_id": village_id, "pinned": pinned}],
        description=description,
        reason=reason, params={"pins": {village_id: pinned}},
    )  # fmt: skip


@router.post("/w/{workspace_id}/plans/{plan_id}/alternatives")
def alternatives(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """换人, first step: the other officers for the village, ranked, each with what it costs."""
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    store = store_of(request)
    _village(read_json(store.path(plan.path) / VIEW_FILE), village_id)
    bundle = db.get(BundleVersion, plan.bundle_version_id)
    who = actor(request, principal)
    job = new_job(
        db,
        who,
        "alternatives",
        {
            "bundle": str(store.path(bundle.path)),
            "plan": str(store.path(plan.path)),
            "village": village_id,
            "plan_id": plan.id,
            "actor": who.__dict__,
        },
        ws.id,
    )
    db.commit()
    request.app.state.jobs.submit(job)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/w/{workspace_id}/plans/{plan_id}/sweep")
def transfer_sweep(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """调离影响排行: which officers' transfers would hurt the plan most (long work)."""
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    store = store_of(request)
    bundle = db.get(BundleVersion, plan.bundle_version_id)
    who = actor(request, principal)
    job = new_job(
        db,
        who,
        "sweep",
        {
            "bundle": str(store.path(bundle.path)),
            "plan": str(store.path(plan.path)),
            "out": str(store.tmp() / f"sweep-{secrets.token_hex(8)}"),
            "plan_id": plan.id,
            "actor": who.__dict__,
        },
        ws.id,
    )
    audit(db, who, "sweep.start", workspace_id=ws.id, target=f"job:{job.id}",
          detail={"plan_version": plan.number})  # fmt: skip
    db.commit()
    request.app.state.jobs.submit(job)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/w/{workspace_id}/plans/{plan_id}/swap")
def swap(
    workspace_id: int,
    plan_id: int,
    request: Request,
    village_id: str = Form(..., max_length=64),
    officer_id: str = Form(..., max_length=64),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """换人: another officer takes the village; his load is re-planned if it must be."""
    ws, plan = _planned(db, principal, workspace_id, plan_id)
    view = read_json(store_of(request).path(plan.path) / VIEW_FILE)
    village, officer = _village(view, village_id), _officer(view, officer_id)
    return _start_scenario(
        request, db, principal, ws, plan,
        kind="edit", action="whatif.swap",
        changes=[{"kind": "swap", "village_id": village_id, "officer_id": officer_id}],
        description=_("{officer} takes {village}", officer=officer["name"], village=village["name"]),
        reason=reason, params={"swap": [village_id, officer_id]},
    )  # fmt: skip


def _scenario(db: DbSession, principal: Principal, workspace_id: int, scenario_id: int):
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
    ws, scenario = _scenario(db, principal, workspace_id, scenario_id)
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
    _, scenario = _scenario(db, principal, workspace_id, scenario_id)
    if not scenario.path:
        raise HTTPException(404)
    base = db.get(PlanVersion, scenario.base_plan_id)
    return map_response(request, principal, db, scenario.path, base.bundle_version_id)


@router.post("/w/{workspace_id}/scenarios/{scenario_id}/accept")
def accept(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, scenario = _scenario(db, principal, workspace_id, scenario_id)
    if not principal.may_plan(ws):
        raise forbid()
    if scenario.state != ScenarioState.READY.value:
        raise HTTPException(409, detail=_("This change is not waiting for a decision."))
    base = db.get(PlanVersion, scenario.base_plan_id)
    bundle = db.get(BundleVersion, base.bundle_version_id)
    store = store_of(request)
    folder = store.path(scenario.path)
    view = read_json(folder / VIEW_FILE)
    who = actor(request, principal)
    try:
        plan = add_plan_version(
            db,
            who,
            ws,
            bundle=bundle,
            folder=folder,
            files=store.settings.files,
            origin="whatif",
            status=view["status"],
            headline={"status": view["status"]},
            description=scenario.description,
            parent_id=base.id,
            expected_revision=scenario.base_revision,
            reason=reason.strip() or scenario.reason,
        )
    except StaleVersion as e:
        audit(
            db,
            who,
            "whatif.stale",
            workspace_id=ws.id,
            target=f"scenario:{scenario.id}",
            detail={"base_revision": scenario.base_revision, "current_revision": e.current},
        )
        db.commit()
        raise HTTPException(
            409,
            detail=_(
                "Someone else has changed this workspace's plan since this change was worked "
                "out (now at revision {current}, this change was made at {base}). Nothing was "
                "accepted and nothing is lost: open the newest version and make the change "
                "there again.",
                current=e.current,
                base=scenario.base_revision,
            ),
        ) from None
    scenario.state, scenario.result_plan_id = ScenarioState.ACCEPTED.value, plan.id
    scenario.decided_by, scenario.decided_at = principal.account_id, now()
    scenario.path = plan.path
    audit(
        db,
        who,
        "whatif.accept",
        workspace_id=ws.id,
        target=f"scenario:{scenario.id}",
        detail={"plan_version": plan.number, "base_version": base.number},
        reason=reason.strip() or scenario.reason,
    )
    db.commit()
    return RedirectResponse(f"/w/{ws.id}/plans/{plan.id}", status_code=303)


@router.post("/w/{workspace_id}/scenarios/{scenario_id}/discard")
def discard(
    workspace_id: int,
    scenario_id: int,
    request: Request,
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, scenario = _scenario(db, principal, workspace_id, scenario_id)
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
    base = scenario.base_plan_id
    return RedirectResponse(f"/w/{ws.id}/plans/{base}", status_code=303)


# Approval: 草稿 → 待审核 → 已发布


def _move(
    request: Request,
    db: DbSession,
    principal: Principal,
    workspace_id: int,
    plan_id: int,
    *,
    allowed,
    before: PlanState,
    after: PlanState,
    action: str,
    reason: str,
) -> Response:
    ws, plan = _plan(db, principal, workspace_id, plan_id)
    if not allowed(ws):
        raise forbid()
    if plan.state != before.value:
        raise HTTPException(409, detail=_("This version is not in the state this step needs."))
    plan.state = after.value
    if after == PlanState.REVIEW:
        plan.submitted_by, plan.submitted_at = principal.account_id, now()
    if after == PlanState.PUBLISHED:
        plan.published_by, plan.published_at = principal.account_id, now()
    audit(
        db,
        actor(request, principal),
        action,
        workspace_id=ws.id,
        target=f"plan:{plan.id}",
        detail={"number": plan.number, "from": before.value, "to": after.value},
        reason=reason.strip(),
    )
    db.commit()
    return RedirectResponse(f"/w/{ws.id}/plans/{plan.id}", status_code=303)


# what each approval step needs: who may take it, from which state, to which
STEPS = {
    "submit": ("may_plan", PlanState.DRAFT, PlanState.REVIEW),
    "publish": ("may_review", PlanState.REVIEW, PlanState.PUBLISHED),
    "return": ("may_review", PlanState.REVIEW, PlanState.DRAFT),
}


@router.post("/w/{workspace_id}/plans/{plan_id}/{step}")
def approval_step(
    workspace_id: int,
    plan_id: int,
    step: str,
    request: Request,
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """提交审核 (planner), 审核通过并发布 or 退回草稿 (reviewer)."""
    if step not in STEPS:
        raise HTTPException(404)
    right, before, after = STEPS[step]
    return _move(
        request, db, principal, workspace_id, plan_id,
        allowed=getattr(principal, right), before=before, after=after,
        action=f"plan.{step}", reason=reason,
    )  # fmt: skip


# Versions compared


def compare_views(a: dict, b: dict) -> list[dict]:
    """Villages whose officer or auxiliary differ between two versions' views."""
    before = {v["id"]: v for v in a["villages"]}
    rows = []
    for v in b["villages"]:
        old = before.get(v["id"])
        if old is None:
            continue
        for role, key, name in (
            ("officer", "officer_id", "officer"),
            ("auxiliary", "auxiliary_id", "auxiliary"),
        ):
            if old[key] != v[key]:
                rows.append(
                    {
                        "village_id": v["id"],
                        "village": v["name"],
                        "township": v["township"],
                        "role": role,
                        "before": old[key],
                        "before_name": old[name],
                        "after": v[key],
                        "after_name": v[name],
                    }
                )
    return rows


def _two(db, principal, request, workspace_id: int, a: int, b: int):
    ws = workspace_for(db, principal, workspace_id)
    first, second = plan_in(db, ws.id, a), plan_in(db, ws.id, b)
    if first is None or second is None:
        raise HTTPException(404)
    store = store_of(request)
    return (
        ws,
        first,
        second,
        view_for(principal, store.path(first.path)),
        view_for(principal, store.path(second.path)),
    )


@router.get("/w/{workspace_id}/compare")
def compare(
    workspace_id: int,
    a: int,
    b: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, first, second, va, vb = _two(db, principal, request, workspace_id, a, b)
    return render(
        request,
        "compare.html",
        {
            "ws": ws,
            "a": first,
            "b": second,
            "rows": compare_views(va, vb),
            "view": vb,
            "versions": plan_versions(db, ws.id),
            "tile_url": request.app.state.settings.tile_url,
        },
    )


@router.get("/w/{workspace_id}/compare/map.json")
def compare_map(
    workspace_id: int,
    a: int,
    b: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    _, _, second, va, vb = _two(db, principal, request, workspace_id, a, b)
    changed = sorted({r["village_id"] for r in compare_views(va, vb)})
    return map_response(request, principal, db, second.path, second.bundle_version_id, changed)
