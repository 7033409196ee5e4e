"""Who is asking, and what each role may do.

Authentication is pluggable: ``app.state.authenticators`` is a list of ``Authenticator``s tried in
order; the workbench installs the session cookie one. The bureau's single sign-on plugs in here
(an authenticator that trusts its proxy's verified header and maps it to an account); none is
built. Workspaces outside an account's scope answer 404, as unknown ids do, so guessing ids
tells nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from .models import Account, Role, Session, Workspace, now

SESSION_COOKIE = "cunjing_session"
LOGIN_CSRF_COOKIE = "cunjing_login_csrf"
LANGUAGE_COOKIE = "lang"
# the roles that plan with or review people's postings see their personal fields (籍贯, former
# postings, 户籍村, wishes); administrators and read-only accounts see names, units and phones
PERSONAL_ROLES = frozenset({Role.PLANNER, Role.REVIEWER})


@dataclass(frozen=True)
class Principal:
    account_id: int
    username: str
    display_name: str
    role: Role
    scopes: tuple[str, ...]
    csrf_token: str
    session: str = ""  # the session's token hash ("" when another authenticator let him in)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_personal(self) -> bool:
        return self.role in PERSONAL_ROLES

    def covers(self, region_code: str) -> bool:
        """A county account covers its county; a city account (a code prefix) its counties."""
        return self.is_admin or any(region_code.startswith(s) for s in self.scopes if s)

    def may_view(self, ws: Workspace) -> bool:
        return self.covers(ws.region_code)

    def may_plan(self, ws: Workspace) -> bool:
        return self.role == Role.PLANNER and self.covers(ws.region_code)

    def may_review(self, ws: Workspace) -> bool:
        return self.role == Role.REVIEWER and self.covers(ws.region_code)

    def may_create_workspace(self, region_code: str) -> bool:
        return self.is_admin or (self.role == Role.PLANNER and self.covers(region_code))


class Authenticator(Protocol):
    """Finds the principal of a request, or None (the next authenticator is asked)."""

    def __call__(self, request: Request, db: DbSession) -> Principal | None: ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(account: Account, csrf: str, session: str = "") -> Principal:
    return Principal(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name or account.username,
        role=Role(account.role),
        scopes=tuple(account.scopes or ()),
        csrf_token=csrf,
        session=session,
    )


class SessionCookies:
    """Server-side sessions behind a signed, HttpOnly, SameSite=Strict cookie that expires.
    Disabling an account deletes its sessions, so it is signed out everywhere at once."""

    def __init__(self, secret: bytes, hours: float, idle_minutes: float, secure: bool):
        self.signer = TimestampSigner(secret, salt="cunjing-session")
        self.hours, self.idle, self.secure = hours, timedelta(minutes=idle_minutes), secure

    def start(self, db: DbSession, account: Account, address: str) -> tuple[str, Session]:
        """A new session; returns the cookie value and the row."""
        token = secrets.token_urlsafe(32)
        row = Session(
            token_hash=token_hash(token),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=now() + timedelta(hours=self.hours),
            address=address[:64],
        )
        db.add(row)
        return self.signer.sign(token).decode(), row

    def token(self, request: Request) -> str | None:
        value = request.cookies.get(SESSION_COOKIE)
        if not value:
            return None
        try:
            return self.signer.unsign(value, max_age=int(self.hours * 3600)).decode()
        except (BadSignature, SignatureExpired):
            return None

    def __call__(self, request: Request, db: DbSession) -> Principal | None:
        token = self.token(request)
        if token is None:
            return None
        row = db.get(Session, token_hash(token))
        moment = now()
        if row is None:
            return None
        if row.expires_at <= moment or row.last_seen_at + self.idle <= moment:
            db.delete(row)
            db.commit()
            return None
        account = db.get(Account, row.account_id)
        if account is None or not account.active:
            return None
        if moment - row.last_seen_at > timedelta(minutes=1):
            row.last_seen_at = moment
            db.commit()
        return principal_of(account, row.csrf_token, row.token_hash)

    def set_cookie(self, response, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(self.hours * 3600),
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )


def end_sessions(db: DbSession, account_id: int) -> None:
    db.execute(delete(Session).where(Session.account_id == account_id))


def authenticate(request: Request, db: DbSession) -> Principal | None:
    for authenticator in request.app.state.authenticators:
        principal = authenticator(request, db)
        if principal is not None:
            return principal
    return None


class LoginRequired(Exception):
    """No one is signed in: pages redirect to the sign-in page, HTMX requests are told to."""


def require(principal: Principal | None) -> Principal:
    if principal is None:
        raise LoginRequired()
    return principal


def workspace_for(db: DbSession, principal: Principal, workspace_id: int) -> Workspace:
    """The workspace if it exists and the principal's scope covers it; 404 otherwise."""
    ws = db.get(Workspace, workspace_id)
    if ws is None or not principal.may_view(ws):
        raise HTTPException(status_code=404)
    return ws


def workspace_to_plan(db: DbSession, principal: Principal, workspace_id: int) -> Workspace:
    """The workspace, when the principal plans it: 404 outside his scope, 403 for other roles."""
    ws = workspace_for(db, principal, workspace_id)
    if not principal.may_plan(ws):
        raise forbid()
    return ws


def forbid() -> HTTPException:
    return HTTPException(status_code=403)


def visible_workspaces(db: DbSession, principal: Principal) -> list[Workspace]:
    rows = db.scalars(select(Workspace).order_by(Workspace.year.desc(), Workspace.region_code))
    return [w for w in rows if principal.may_view(w)]
