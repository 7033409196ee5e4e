"""A plan version's page (outcome, KPIs, map, tables), its files (下载), the contact boards to
print per township, the approval (提交审核, 发布, 退回) and two versions compared."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from ..i18n import _, language
from .auth import Principal, forbid, workspace_for
from .deps import actor, get_db, render, signed_in, store_of
from .models import BundleVersion, Job, PlanState, Scenario, now
from .plan_view import GEO_FILE, VIEW_FILE, without_personal
from .store import audit, plan_in, plan_versions
from .versions import read_json, start, tmp_folder, version, version_params, view_for

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
    ".ics": "text/calendar; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
PAPERS = ("A4", "A3")


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
                "The plan keeps every rule; it is at most {points} points from the best possible."
            ).format(points=points)
        )
    elif status == "FEASIBLE":
        lines.append(_("The plan keeps every rule."))
    else:
        lines.append(_("Not every rule could be kept: see the problems below."))
    lines.append(
        _(
            "{covered} of {villages} villages have a liaison officer, {aux} a resident auxiliary."
        ).format(
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
    ws, plan = version(db, principal, workspace_id, plan_id)
    folder = store_of(request).path(plan.path)
    view = view_for(principal, folder)
    scenarios = list(
        db.scalars(
            select(Scenario)
            .where(Scenario.base_plan_id == plan.id)
            .order_by(Scenario.id.desc())
            .limit(10)
        )
    )
    calendars = sorted(p.name for p in (folder / "calendars").glob("*") if p.is_dir())
    checks = list(
        db.scalars(
            select(Job)
            .where(Job.workspace_id == ws.id, Job.kind == "compliance", Job.state == "done")
            .order_by(Job.id.desc())
            .limit(20)
        )
    )
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
            "boards_published": (folder / "published" / "public_notice.xlsx").is_file(),
            "calendars": calendars,
            "checks": [j for j in checks if j.params.get("plan_id") == plan.id],
            "tile_url": request.app.state.settings.tile_url,
            "geo_src": geo_src(ws, plan.bundle_version_id),
        },
    )


def plan_tables(request: Request, view_file: Path, personal: bool) -> Markup:
    """The version's tables of officers and villages, as HTML made once per reader and language:
    the same 400 rows for every planner who opens the page (a fifth of a second's work of the
    server on the city's 2,000 villages)."""
    return _tables(request.app.state.templates, str(view_file), view_file.stat().st_mtime,
                   personal, language())  # fmt: skip


@router.get("/w/{workspace_id}/plans/{plan_id}/tables")
def plan_tables_part(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """The tables of a version's page, asked for by the page once its map is drawn."""
    _ws, plan = version(db, principal, workspace_id, plan_id)
    view_file = view_file_of(request, plan.path)
    return HTMLResponse(plan_tables(request, view_file, principal.sees_personal))


def view_file_of(request: Request, folder: str) -> Path:
    """A version's page data in the store (404 when its folder has none)."""
    view_file = store_of(request).path(folder) / VIEW_FILE
    if not view_file.is_file():
        raise HTTPException(404)
    return view_file


@lru_cache(maxsize=32)
def _tables(templates, view_file: str, mtime: float, personal: bool, lang: str) -> Markup:
    view = read_json(Path(view_file))
    view = view if personal else without_personal(view)
    html = templates.env.get_template("_plan_tables.html").render(view=view, personal=personal)
    return Markup(html)  # made by the autoescaping template: safe as it is


@router.get("/w/{workspace_id}/plans/{plan_id}/map.json")
def plan_map(
    workspace_id: int,
    plan_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    _ws, plan = version(db, principal, workspace_id, plan_id)
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
    view_file = view_file_of(request, folder)
    body = _map_bytes(
        str(view_file),
        view_file.stat().st_mtime,
        principal.sees_personal,
        request.app.state.settings.tile_url,
        tuple(changed) if changed is not None else None,
    )
    return Response(body, media_type="application/json")


def geo_src(ws, bundle_version_id: int) -> str:
    return f"/w/{ws.id}/bundles/{bundle_version_id}/geo.json"


@router.get("/w/{workspace_id}/bundles/{bundle_id}/geo.json")
def bundle_geo(
    workspace_id: int,
    bundle_id: int,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """The shapes of a data version's townships and villages. A data version never changes, so
    the browser keeps them: every page of the workspace's plans draws from the same copy (a
    city's 2,000 villages are 2 MB)."""
    ws = workspace_for(db, principal, workspace_id)
    bundle = db.get(BundleVersion, bundle_id)
    if bundle is None or bundle.workspace_id != ws.id:
        raise HTTPException(404)
    root = store_of(request).path(bundle.path)  # the bundle folder, or the workbook inside it
    root = root.parent if root.is_file() else root
    geo = root.parent / GEO_FILE
    if not geo.is_file():
        raise HTTPException(404)
    return FileResponse(
        geo,
        media_type="application/json",
        headers={"Cache-Control": "private, max-age=604800, immutable"},
    )


@lru_cache(maxsize=16)
def _map_bytes(
    view_file: str,
    mtime: float,
    personal: bool,
    tile_url: str,
    changed: tuple[str, ...] | None,
) -> bytes:
    """Made once per version and kind of reader: 20 planners opening the same map ask for the
    same data (serialising it took most of each request)."""
    view = read_json(Path(view_file))
    view = view if personal else without_personal(view)
    data = {
        "officers": view["officers"],
        "villages": view["villages"],
        "changed": list(changed)
        if changed is not None
        else sorted({d["village_id"] for d in view.get("diff", [])}),
        "tile_url": tile_url,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def attachment(path: Path, shown: str, fallback: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=MEDIA.get(path.suffix, "application/octet-stream"),
        headers={
            "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(shown)}"
        },
    )


@router.get("/w/{workspace_id}/plans/{plan_id}/files/{name}")
def plan_file(
    workspace_id: int,
    plan_id: int,
    name: str,
    request: Request,
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    ws, plan = version(db, principal, workspace_id, plan_id)
    if name not in DOWNLOADS:
        raise HTTPException(404)
    if DOWNLOADS[name] and not principal.sees_personal:
        raise forbid()
    folder = store_of(request).path(plan.path)
    path = folder / name
    if name == "public_notice.xlsx" and (folder / "published" / name).is_file():
        path = folder / "published" / name  # the boards written when it was published
    if not path.is_file():
        raise HTTPException(404)
    return attachment(
        path, f"{ws.region_name}-{ws.year}-v{plan.number}-{name}", f"cunjing-v{plan.number}-{name}"
    )


@router.get("/w/{workspace_id}/plans/{plan_id}/boards")
def contact_boards(
    workspace_id: int,
    plan_id: int,
    request: Request,
    township: str = "",
    paper: str = "A4",
    principal: Principal = Depends(signed_in),
    db: DbSession = Depends(get_db),
) -> Response:
    """警民联系牌 to print: per township a page (A4 or A3) with each village's officer and
    auxiliary, by name, unit and phone only (public display)."""
    ws, plan = version(db, principal, workspace_id, plan_id)
    view = without_personal(read_json(store_of(request).path(plan.path) / VIEW_FILE))
    officers = {o["id"]: o for o in view["officers"]}
    pages: dict[str, dict] = {}
    for v in view["villages"]:
        if township and v["township_id"] != township:
            continue
        page = pages.setdefault(
            v["township_id"], {"id": v["township_id"], "name": v["township"], "rows": []}
        )
        o = officers.get(v["officer_id"], {})
        page["rows"].append(
            {
                "village": v["name"],
                "officer": v["officer"],
                "officer_unit": o.get("unit", ""),
                "officer_phone": o.get("phone", ""),
                "auxiliary": v["auxiliary"],
                "auxiliary_phone": v.get("aux_phone", ""),
            }
        )
    if township and not pages:
        raise HTTPException(404)
    return render(
        request,
        "boards.html",
        {
            "ws": ws,
            "plan": plan,
            "pages": sorted(pages.values(), key=lambda p: p["id"]),
            "paper": paper if paper in PAPERS else "A4",
            "papers": PAPERS,
            "townships": view["townships"],
            "township": township,
        },
    )


# Approval: 草稿 → 待审核 → 已发布

# what each approval step needs: who may take it, from which state, to which
STEPS = {
    "submit": ("may_plan", PlanState.DRAFT, PlanState.REVIEW),
    "publish": ("may_review", PlanState.REVIEW, PlanState.PUBLISHED),
    "return": ("may_review", PlanState.REVIEW, PlanState.DRAFT),
}


def approval_step(
    step: str,
    workspace_id: int,
    plan_id: int,
    request: Request,
    reason: str,
    principal: Principal,
    db: DbSession,
) -> Response:
    """提交审核 (planner), 审核通过并发布 or 退回草稿 (reviewer). Publishing writes the
    contact boards from the version again (in a worker); a published version never changes."""
    right, before, after = STEPS[step]
    ws, plan = version(db, principal, workspace_id, plan_id)
    if not getattr(principal, right)(ws):
        raise forbid()
    if plan.state != before.value:
        raise HTTPException(409, detail=_("This version is not in the state this step needs."))
    plan.state = after.value
    if after == PlanState.REVIEW:
        plan.submitted_by, plan.submitted_at = principal.account_id, now()
    if after == PlanState.PUBLISHED:
        plan.published_by, plan.published_at = principal.account_id, now()
    who = actor(request, principal)
    audit(
        db,
        who,
        f"plan.{step}",
        workspace_id=ws.id,
        target=f"plan:{plan.id}",
        detail={"number": plan.number, "from": before.value, "to": after.value},
        reason=reason.strip(),
    )
    if after == PlanState.PUBLISHED:
        params = version_params(request, db, plan, who)
        start(request, db, who, "publish", {**params, "out": tmp_folder(request, "boards")}, ws)
    else:
        db.commit()
    return RedirectResponse(f"/w/{ws.id}/plans/{plan.id}", status_code=303)


def _step(step: str):
    def endpoint(
        workspace_id: int,
        plan_id: int,
        request: Request,
        reason: str = Form("", max_length=500),
        principal: Principal = Depends(signed_in),
        db: DbSession = Depends(get_db),
    ) -> Response:
        return approval_step(step, workspace_id, plan_id, request, reason, principal, db)

    endpoint.__name__ = f"plan_{step}"
    return endpoint


for _name in STEPS:
    router.post(f"/w/{{workspace_id}}/plans/{{plan_id}}/{_name}")(_step(_name))


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
            "geo_src": geo_src(ws, second.bundle_version_id),
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
    _ws, _first, second, va, vb = _two(db, principal, request, workspace_id, a, b)
    changed = sorted({r["village_id"] for r in compare_views(va, vb)})
    return map_response(request, principal, db, second.path, second.bundle_version_id, changed)
