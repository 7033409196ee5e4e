"""Administration: accounts (管理员 only) and the audit log (shown and exported, never edited)."""

from __future__ import annotations

import io
import re

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from ..i18n import _
from .audit_export import audit_workbook
from .auth import Principal, end_sessions, forbid
from .deps import actor, get_db, render, signed_in
from .models import Account, AuditEntry, Role
from .passwords import hash_password, password_problem
from .store import account_named, audit, create_account

router = APIRouter()
USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")
SCOPES = re.compile(r"^\d{2,12}$")


def admin(principal: Principal = Depends(signed_in)) -> Principal:
    if not principal.is_admin:
        raise forbid()
    return principal


def _accounts_page(request: Request, db: DbSession, message: str = "", status_code: int = 200):
    accounts = list(db.scalars(select(Account).order_by(Account.username)))
    return render(
        request,
        "accounts.html",
        {"accounts": accounts, "roles": list(Role), "message": message},
        status_code=status_code,
    )


@router.get("/admin/accounts")
def accounts(
    request: Request, principal: Principal = Depends(admin), db: DbSession = Depends(get_db)
) -> Response:
    return _accounts_page(request, db)


def parse_scopes(text: str) -> list[str]:
    scopes = [s for s in re.split(r"[\s,，;；]+", text.strip()) if s]
    if any(not SCOPES.match(s) for s in scopes):
        raise HTTPException(400, detail=_("Scopes are division codes (digits), comma-separated."))
    return scopes


@router.post("/admin/accounts")
def add_account(
    request: Request,
    username: str = Form(..., max_length=64),
    display_name: str = Form("", max_length=64),
    role: Role = Form(...),
    scopes: str = Form("", max_length=500),
    password: str = Form(..., max_length=256),
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    username = username.strip()
    if not USERNAME.match(username):
        return _accounts_page(
            request,
            db,
            _("The account name may hold letters, digits, Chinese characters and . _ -."),
            400,
        )
    if account_named(db, username) is not None:
        return _accounts_page(request, db, _("An account of that name exists."), 409)
    problem = password_problem(password)
    if problem:
        return _accounts_page(request, db, _(problem), 400)
    create_account(
        db,
        actor(request, principal),
        username,
        role,
        password,
        parse_scopes(scopes),
        display_name.strip(),
    )
    db.commit()
    return RedirectResponse("/admin/accounts", status_code=303)


def _account(db: DbSession, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise HTTPException(404)
    return account


@router.post("/admin/accounts/{account_id}/active")
def set_active(
    account_id: int,
    request: Request,
    active: bool = Form(...),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    account = _account(db, account_id)
    if account.id == principal.account_id and not active:
        return _accounts_page(request, db, _("You cannot disable your own account."), 400)
    account.active = active
    if not active:
        end_sessions(db, account.id)  # signed out everywhere at once
    audit(
        db,
        actor(request, principal),
        "account.enable" if active else "account.disable",
        target=f"account:{account.id}",
        detail={"username": account.username},
        reason=reason,
    )
    db.commit()
    return RedirectResponse("/admin/accounts", status_code=303)


@router.post("/admin/accounts/{account_id}/password")
def reset_password(
    account_id: int,
    request: Request,
    password: str = Form(..., max_length=256),
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    account = _account(db, account_id)
    problem = password_problem(password)
    if problem:
        return _accounts_page(request, db, _(problem), 400)
    account.password_hash = hash_password(password)
    end_sessions(db, account.id)
    audit(
        db,
        actor(request, principal),
        "account.password",
        target=f"account:{account.id}",
        detail={"username": account.username},
    )
    db.commit()
    return RedirectResponse("/admin/accounts", status_code=303)


@router.get("/admin/accounts/{account_id}")
def account_page(
    account_id: int,
    request: Request,
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    """One account's form: name, role, scope, state, password."""
    account = _account(db, account_id)
    entries = list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"account:{account.id}")
            .order_by(AuditEntry.id.desc())
            .limit(50)
        )
    )
    return render(
        request,
        "account.html",
        {"account": account, "roles": list(Role), "entries": entries, "message": ""},
    )


@router.post("/admin/accounts/{account_id}/edit")
def edit_account(
    account_id: int,
    request: Request,
    display_name: str = Form("", max_length=64),
    role: Role = Form(...),
    scopes: str = Form("", max_length=500),
    reason: str = Form("", max_length=500),
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    """Name, role and scope. A change of role or scope ends the account's sessions: the new
    rights hold from its next sign-in."""
    account = _account(db, account_id)
    new_scopes = parse_scopes(scopes)
    if account.id == principal.account_id and role != Role.ADMIN:
        return _accounts_page(request, db, _("You cannot take your own administrator role."), 400)
    before = {"display_name": account.display_name, "role": account.role, "scopes": account.scopes}
    after = {"display_name": display_name.strip(), "role": role.value, "scopes": new_scopes}
    if before == after:
        return RedirectResponse(f"/admin/accounts/{account.id}", status_code=303)
    account.display_name, account.role, account.scopes = (
        after["display_name"],
        after["role"],
        after["scopes"],
    )
    if (before["role"], before["scopes"]) != (after["role"], after["scopes"]):
        end_sessions(db, account.id)
    audit(
        db,
        actor(request, principal),
        "account.role" if before["role"] != after["role"] else "account.edit",
        target=f"account:{account.id}",
        detail={"username": account.username, "before": before, "after": after},
        reason=reason.strip(),
    )
    db.commit()
    return RedirectResponse(f"/admin/accounts/{account.id}", status_code=303)


AUDIT_PAGE = 200


@router.get("/admin/audit")
def audit_log(
    request: Request,
    before: int | None = None,
    principal: Principal = Depends(admin),
    db: DbSession = Depends(get_db),
) -> Response:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = list(db.scalars(query))
    return render(request, "audit.html", {"entries": entries, "page": AUDIT_PAGE})


@router.get("/admin/audit.xlsx")
def audit_export(
    request: Request, principal: Principal = Depends(admin), db: DbSession = Depends(get_db)
) -> Response:
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id))
    buf = io.BytesIO()
    audit_workbook(entries, buf)
    audit(db, actor(request, principal), "audit.export")
    db.commit()
    return Response(
        buf.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="cunjing-audit.xlsx"'},
    )
