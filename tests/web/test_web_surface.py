"""The workbench's surface without any long work: sign-in, its throttling, CSRF on every
state-changing route, security headers, sessions that end, the first administrator."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from cunjing.optimizer.web.app import create_app
from cunjing.optimizer.web.models import Account, AuditEntry, Role
from cunjing.optimizer.web.passwords import FAILURES_ALLOWED

from web_support import (
    ACCOUNTS,
    PASSWORD,
    add_accounts,
    client_for,
    csrf_of,
    make_settings,
    new_app,
    sign_in,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("surface") / "data")
    # the tests that disable or lock out an account have their own
    add_accounts(
        settings,
        {**ACCOUNTS, "victim": (Role.VIEWER, ["341302"]), "guesser": (Role.PLANNER, ["341302"])},
    )
    app = new_app(settings, workers=False)
    yield app
    app.state.store.close()


def test_pages_need_a_signed_in_account(app):
    with client_for(app) as c:
        for path in ("/", "/w/1", "/admin/accounts", "/admin/audit", "/jobs/1"):
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/login", path
        r = c.get("/w/1", headers={"HX-Request": "true"}, follow_redirects=False)
        assert r.status_code == 401 and r.headers["hx-redirect"] == "/login"


def test_every_page_carries_the_security_headers(app):
    with client_for(app) as c:
        for path in ("/login", "/static/app.js", "/static/vendor/leaflet/leaflet.js", "/nowhere"):
            r = c.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self';" in csp and "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_handler(app):
    with client_for(app) as c:
        sign_in(c, "admin")
        for path in ("/", "/admin/accounts", "/admin/audit", "/login"):
            html = c.get(path).text
            assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
            assert not re.search(r"\son[a-z]+\s*=", html), path
            assert "style=" not in html, path


def test_sign_in_is_throttled(app):
    with client_for(app) as c:
        for _ in range(FAILURES_ALLOWED):
            token = csrf_of(c.get("/login").text)
            r = c.post(
                "/login", data={"username": "guesser", "password": "wrong", "csrf_token": token}
            )
            assert r.status_code == 401
        token = csrf_of(c.get("/login").text)
        # now even the right password is refused for a while
        r = c.post(
            "/login", data={"username": "guesser", "password": PASSWORD, "csrf_token": token}
        )
        assert r.status_code == 429 and "15" in r.text
        assert c.cookies.get("cunjing_session") is None
    with app.state.store.db() as db:
        actions = [e.action for e in db.query(AuditEntry)]
    assert actions.count("login.failed") == FAILURES_ALLOWED
    assert "login.throttled" in actions


def state_changing_routes(routes) -> list[tuple[str, str]]:
    out = []
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's included router
            out += state_changing_routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            for method in route.methods - {"GET", "HEAD", "OPTIONS"}:
                path = re.sub(r"\{[^}]+\}", "1", route.path)
                out.append((method, path))
    return out


def test_every_state_changing_request_needs_the_csrf_token(app):
    routes = state_changing_routes(app.routes)
    assert len(routes) >= 15
    with client_for(app) as c:
        token = sign_in(c, "admin")
        for method, path in routes:
            for headers in ({}, {"X-CSRF-Token": "stale-or-forged"}):
                r = c.request(method, path, headers=headers, data={"x": "1"})
                assert r.status_code == 403, (method, path, headers)
        # the right token from another site is refused too
        r = c.post("/logout", headers={"X-CSRF-Token": token, "Origin": "http://evil.example"})
        assert r.status_code == 403
        # and the right token passes (sign-out)
        r = c.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
        assert r.status_code == 303


def test_a_token_of_an_ended_session_is_stale(app):
    with client_for(app) as c:
        old = sign_in(c, "admin")
        c.post("/logout", headers={"X-CSRF-Token": old})
        new = sign_in(c, "admin")
        assert new != old
        r = c.post(
            "/workspaces",
            headers={"X-CSRF-Token": old},
            data={"region_code": "341302", "region_name": "x", "year": 2027},
        )
        assert r.status_code == 403


def test_sign_in_form_needs_its_token(app):
    with client_for(app) as c:
        r = c.post("/login", data={"username": "admin", "password": PASSWORD})
        assert r.status_code == 403


def test_session_cookie_is_httponly_samesite_and_expires(app):
    with client_for(app) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        cookie = next(
            v
            for k, v in r.headers.multi_items()
            if k == "set-cookie" and v.startswith("cunjing_session=")
        )
        low = cookie.lower()
        assert "httponly" in low and "samesite=strict" in low and "max-age=" in low


def test_disabling_an_account_signs_it_out_everywhere(app):
    with client_for(app) as admin, client_for(app) as one, client_for(app) as two:
        token = sign_in(admin, "admin")
        sign_in(one, "victim")
        sign_in(two, "victim")
        assert one.get("/", follow_redirects=False).status_code == 200
        with app.state.store.db() as db:
            viewer = db.query(Account).filter_by(username="victim").one()
        r = admin.post(
            f"/admin/accounts/{viewer.id}/active",
            data={"active": "false", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        for c in (one, two):
            assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        # and cannot sign in again
        page = one.get("/login")
        r = one.post(
            "/login",
            data={"username": "victim", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert r.status_code == 401


def test_only_administrators_manage_accounts_and_see_the_audit_log(app):
    with client_for(app) as c:
        token = sign_in(c, "planner")
        assert c.get("/admin/accounts").status_code == 403
        assert c.get("/admin/audit").status_code == 403
        assert c.get("/admin/audit.xlsx").status_code == 403
        r = c.post(
            "/admin/accounts",
            data={"username": "x", "role": "admin", "password": PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 403


def test_administrator_makes_accounts_with_strong_passwords(app):
    with client_for(app) as c:
        token = sign_in(c, "admin")
        r = c.post(
            "/admin/accounts",
            data={
                "username": "新规划员",
                "role": "planner",
                "scopes": "341302",
                "password": "short",
                "csrf_token": token,
            },
        )
        assert r.status_code == 400 and "至少需要10个字符" in r.text
        r = c.post(
            "/admin/accounts",
            data={
                "username": "新规划员",
                "role": "planner",
                "scopes": "341302",
                "password": PASSWORD,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
    with app.state.store.db() as db:
        account = db.query(Account).filter_by(username="新规划员").one()
        assert account.role == Role.PLANNER and account.scopes == ["341302"]
        assert PASSWORD not in account.password_hash and account.password_hash.startswith(
            "$argon2id$"
        )
        entries = db.query(AuditEntry).filter_by(action="account.create").all()
        assert any(e.detail.get("username") == "新规划员" for e in entries)
        assert all(PASSWORD not in str(e.detail) for e in entries)


def test_planners_create_workspaces_only_in_their_scope(app):
    with client_for(app) as c:
        token = sign_in(c, "planner")
        r = c.post(
            "/workspaces",
            data={
                "region_code": "341321",
                "region_name": "砀山县",
                "year": 2027,
                "csrf_token": token,
            },
        )
        assert r.status_code == 403
        r = c.post(
            "/workspaces",
            data={
                "region_code": "341302",
                "region_name": "埇桥区",
                "year": 2027,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = c.post(
            "/workspaces",
            data={
                "region_code": "341302",
                "region_name": "埇桥区",
                "year": 2027,
                "csrf_token": token,
            },
        )
        assert r.status_code == 409 and "已有工作区" in r.text
    with client_for(app) as c:
        token = sign_in(c, "viewer")
        r = c.post(
            "/workspaces",
            data={"region_code": "341302", "region_name": "x", "year": 2028, "csrf_token": token},
        )
        assert r.status_code == 403


def test_english_on_request(app):
    with client_for(app) as c:
        assert "登录" in c.get("/login").text
        assert "Sign in" in c.get("/login?lang=en").text
        assert "Sign in" in c.get("/login").text  # the choice is kept


def test_single_sign_on_plugs_in_as_an_authenticator(tmp_path):
    """The seam for the bureau's SSO: an authenticator put before the session cookie. This one
    trusts a header (as a proxy that verified the person would set it) and maps it to an
    account; disabled accounts stay out."""
    from cunjing.optimizer.web.auth import principal_of

    settings = make_settings(tmp_path / "sso")
    add_accounts(settings, {"planner": ACCOUNTS["planner"], "viewer": ACCOUNTS["viewer"]})

    def proxy_header(request, db):
        name = request.headers.get("x-verified-user")
        account = db.query(Account).filter_by(username=name, active=True).one_or_none()
        return principal_of(account, csrf="sso-token") if account else None

    app = create_app(settings, authenticators=[proxy_header], workers=False)
    try:
        with client_for(app) as c:
            assert c.get("/", follow_redirects=False).status_code == 303
            page = c.get("/", headers={"X-Verified-User": "planner"})
            assert page.status_code == 200 and "planner · 规划员" in page.text
            r = c.post("/workspaces", headers={"X-Verified-User": "planner", "X-CSRF-Token": "x"},
                       data={"region_code": "341302", "region_name": "埇桥区", "year": 2027})  # fmt: skip
            assert r.status_code == 403  # the CSRF check holds for every authenticator
            r = c.post(
                "/workspaces",
                headers={"X-Verified-User": "planner", "X-CSRF-Token": "sso-token"},
                data={"region_code": "341302", "region_name": "埇桥区", "year": 2027},
                follow_redirects=False,
            )
            assert r.status_code == 303
    finally:
        app.state.store.close()


def test_behind_the_proxy_cookies_go_over_https_only(tmp_path):
    settings = make_settings(tmp_path / "proxy", behind_proxy=True, secure_cookies=True)
    add_accounts(settings, {"admin": ACCOUNTS["admin"]})
    app = create_app(settings, workers=False)
    try:
        with client_for(app) as c:
            token = csrf_of(c.get("/login").text)
            r = c.post("/login", data={"username": "admin", "password": PASSWORD,
                                        "csrf_token": token}, follow_redirects=False)  # fmt: skip
            cookie = r.headers["set-cookie"].lower()
            assert "secure" in cookie and "httponly" in cookie
            assert "max-age=31536000" in c.get("/login").headers["strict-transport-security"]
    finally:
        app.state.store.close()


def test_an_administrator_edits_an_account_and_its_sessions_end(app):
    with client_for(app) as admin, client_for(app) as person:
        token = sign_in(admin, "admin")
        sign_in(person, "planner2")
        with app.state.store.db() as db:
            account = db.query(Account).filter_by(username="planner2").one()
            me = db.query(Account).filter_by(username="admin").one()
        page = admin.get(f"/admin/accounts/{account.id}").text
        assert 'id="edit-account"' in page and "planner2" in page
        r = admin.post(
            f"/admin/accounts/{account.id}/edit",
            data={"display_name": "<b>王</b>", "role": "viewer", "scopes": "341302, 341321",
                  "reason": "调岗", "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303
        assert person.get("/", follow_redirects=False).headers["location"] == "/login"
        page = admin.get(f"/admin/accounts/{account.id}").text
        assert "&lt;b&gt;王&lt;/b&gt;" in page and "调岗" in page
        # an administrator cannot take away his own role; a viewer cannot edit anyone
        r = admin.post(f"/admin/accounts/{me.id}/edit",
                       data={"role": "planner", "csrf_token": token})  # fmt: skip
        assert r.status_code == 400
        assert admin.post("/admin/accounts/99999/edit",
                          data={"role": "viewer", "csrf_token": token}).status_code == 404  # fmt: skip
    with client_for(app) as viewer:
        vt = sign_in(viewer, "planner2")
        assert viewer.get(f"/admin/accounts/{account.id}").status_code == 403
        r = viewer.post(f"/admin/accounts/{account.id}/edit",
                        data={"role": "admin", "csrf_token": vt})  # fmt: skip
        assert r.status_code == 403
    with app.state.store.db() as db:
        account = db.query(Account).filter_by(username="planner2").one()
        assert (account.role, account.scopes) == ("viewer", ["341302", "341321"])
        entry = db.query(AuditEntry).filter_by(action="account.role").all()[-1]
        assert entry.detail["before"]["role"] == "planner" and entry.reason == "调岗"
