"""The application: ``create_app(settings)`` gives the FastAPI app of ``cunjing serve``."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import TimestampSigner
from starlette.exceptions import HTTPException

from ..i18n import LANGUAGES, N_, in_language, ngettext
from ..i18n import _ as translate
from . import words
from .auth import LANGUAGE_COOKIE, Authenticator, LoginRequired, SessionCookies
from .deps import csrf_guard, render
from .jobs import JobRunner
from .security import BodyLimit, SecurityHeaders
from .settings import Settings
from .store import Store, interrupted_jobs

HERE = Path(__file__).parent


def _(message: str, **fields: object) -> str:
    """A page's message in the request's language, its {fields} filled in (the page escapes
    the whole)."""
    text = translate(message)
    return text.format(**fields) if fields else text


def _n(singular: str, plural: str, n: int, **fields: object) -> str:
    return ngettext(singular, plural, n).format(n=n, **fields)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.globals["_"] = _
    env.globals["ngettext"] = _n
    env.filters["local_time"] = words.local_time
    env.globals["words"] = words
    return templates


def create_app(
    settings: Settings,
    *,
    authenticators: list[Authenticator] | None = None,
    workers: bool = True,
) -> FastAPI:
    """``authenticators``: tried before the session cookie (the seam for the bureau's single
    sign-on). ``workers=False`` starts no worker processes (tests of pages that need none)."""
    store = Store(settings)
    with store.db() as db:
        interrupted_jobs(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if app.state.jobs is not None:
            app.state.jobs.close()
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.behind_proxy = settings.behind_proxy
    app.state.templates = make_templates()
    app.state.login_signer = TimestampSigner(settings.secret, salt="cunjing-login")
    cookies = SessionCookies(
        settings.secret, settings.session_hours, settings.idle_minutes, settings.secure_cookies
    )
    app.state.cookies = cookies
    app.state.authenticators = [*(authenticators or []), cookies]
    app.state.jobs = JobRunner(store, settings.workers) if workers else None
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # a little more than the largest upload: the form's other fields and its boundaries
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url, secure=settings.secure_cookies)

    @app.middleware("http")
    async def language(request: Request, call_next):
        """Chinese unless the person chose English (``?lang=en``, kept in a cookie)."""
        asked = request.query_params.get("lang")
        chosen = asked if asked in LANGUAGES else request.cookies.get(LANGUAGE_COOKIE)
        with in_language(chosen if chosen in LANGUAGES else "zh"):
            response = await call_next(request)
        if asked in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, asked, samesite="strict", httponly=True)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        messages = {
            403: N_(
                "You may not do this (or the form has expired: reload the page and try again)."
            ),
            404: N_("There is no such page, or it is not yours to see."),
            413: N_("The upload is too large."),
        }
        message = messages.get(exc.status_code, N_("The request could not be handled."))
        if isinstance(exc.detail, str) and exc.detail not in ("csrf", "Not Found", "Forbidden"):
            message = exc.detail
        return render(request, "error.html", {"message": message}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def form_error(request: Request, exc: RequestValidationError) -> Response:
        # a form field missing or out of range: a page in words, not the framework's JSON
        return render(
            request,
            "error.html",
            {
                "message": N_(
                    "The form was not filled in as it should be: check it and send it again."
                )
            },
            status_code=400,
        )

    from . import pages_admin, pages_auth, pages_changes, pages_plan, pages_tools, pages_workspace

    for module in (
        pages_auth,
        pages_workspace,
        pages_changes,
        pages_tools,
        pages_plan,
        pages_admin,
    ):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
