"""What every page needs: the database session, who is asking, the CSRF check, rendering."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from fastapi import Depends, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session as DbSession

from ..i18n import language
from .auth import LOGIN_CSRF_COOKIE, Principal, authenticate, require
from .security import SAFE_METHODS, same_origin, submitted_token, tokens_match
from .store import Actor, Store


def store_of(request: Request) -> Store:
    return request.app.state.store


def get_db(request: Request) -> Iterator[DbSession]:
    with store_of(request).db() as db:
        yield db


def principal_or_none(request: Request, db: DbSession = Depends(get_db)) -> Principal | None:
    if not hasattr(request.state, "principal"):
        request.state.principal = authenticate(request, db)
    return request.state.principal


def signed_in(principal: Principal | None = Depends(principal_or_none)) -> Principal:
    return require(principal)


def client_address(request: Request) -> str:
    # behind the bureau's proxy uvicorn has already put the forwarded client here
    return request.client.host if request.client else ""


def actor(request: Request, principal: Principal) -> Actor:
    return Actor.of(principal, client_address(request))


async def csrf_guard(request: Request) -> None:
    """Every state-changing request: from this site, with the session's token (or, before
    signing in, the token of the sign-in form's cookie)."""
    if request.method in SAFE_METHODS:
        return
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="csrf")
    given = await submitted_token(request)
    with store_of(request).db() as db:
        principal = principal_or_none(request, db)
    expected = principal.csrf_token if principal else ""
    if principal is None:
        expected = login_csrf(request)
    if not tokens_match(expected, given):
        raise HTTPException(status_code=403, detail="csrf")


def login_csrf(request: Request) -> str:
    """The token of the sign-in form (signed cookie: no session exists yet)."""
    value = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        return request.app.state.login_signer.unsign(value, max_age=3600).decode()
    except Exception:
        return ""


def new_login_csrf(request: Request) -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, request.app.state.login_signer.sign(token).decode()


def render(
    request: Request, template: str, context: dict | None = None, status_code: int = 200
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    ctx = {
        "request": request,
        "principal": principal,
        "csrf": principal.csrf_token if principal else "",
        "lang": language(),
        **(context or {}),
    }
    return request.app.state.templates.TemplateResponse(
        request, template, ctx, status_code=status_code
    )


# an upload is copied to disk in pieces of this size, never held whole in memory
UPLOAD_CHUNK = 1024 * 1024


def upload_name(file: UploadFile, default: str) -> str:
    """The uploaded file's own name without any folder a browser sent, bounded."""
    return (file.filename or default).replace("\\", "/").rsplit("/", 1)[-1][:200]


def receive_upload(file: UploadFile, target: Path, limit: int) -> tuple[str, int]:
    """The upload written to ``target`` in pieces: its SHA-256 and size; past ``limit`` bytes
    the partial file is removed and the request refused (413)."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := file.file.read(UPLOAD_CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise HTTPException(413)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size
