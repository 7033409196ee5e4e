"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ..i18n import N_
from .auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, principal_of
from .deps import client_address, get_db, new_login_csrf, principal_or_none, render
from .passwords import record_attempt, throttled, verify_password
from .store import Actor, account_named, audit

router = APIRouter()


def _login_page(request: Request, message: str = "", status_code: int = 200) -> Response:
    token, cookie = new_login_csrf(request)
    response = render(
        request, "login.html", {"login_csrf": token, "message": message}, status_code=status_code
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, cookie, max_age=3600, httponly=True, samesite="strict", path="/"
    )
    return response


@router.get("/login")
def login_form(request: Request, principal=Depends(principal_or_none)) -> Response:
    if principal is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=256),
    db: DbSession = Depends(get_db),
) -> Response:
    address = client_address(request)
    username = username.strip()
    if throttled(db, username, address):
        audit(db, Actor(None, username, address), "login.throttled")
        db.commit()
        return _login_page(
            request,
            N_("Too many failed attempts. Wait 15 minutes, or ask an administrator."),
            status_code=429,
        )
    account = account_named(db, username)
    ok = verify_password(account.password_hash if account else None, password)
    ok = ok and account is not None and account.active
    record_attempt(db, username, address, ok)
    if not ok:
        audit(db, Actor(None, username, address), "login.failed")
        db.commit()
        return _login_page(request, N_("Wrong name or password."), status_code=401)
    cookies = request.app.state.cookies
    value, row = cookies.start(db, account, address)
    audit(db, Actor(account.id, account.username, address), "login")
    db.commit()
    request.state.principal = principal_of(account, row.csrf_token, row.token_hash)
    response = RedirectResponse("/", status_code=303)
    cookies.set_cookie(response, value)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession = Depends(get_db)) -> Response:
    from .models import Session

    principal = principal_or_none(request, db)
    if principal is not None and principal.session:
        row = db.get(Session, principal.session)
        if row is not None:
            db.delete(row)
        audit(db, Actor.of(principal, client_address(request)), "logout")
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
