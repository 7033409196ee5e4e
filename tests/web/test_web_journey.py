"""The workbench through its HTTP surface with real worker processes: import, plan, the plan's
page and files (against plan.xlsx), roles and scopes on them, a transfer previewed and accepted,
a stale acceptance refused, approval and publication (the contact boards written again), the
boards to print, locks and changes of officers and auxiliaries, the rotation, a visit calendar
with its .ics, compliance of uploaded work logs, cancellation, and the audit trail of it all."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import openpyxl
import pytest

from cunjing.optimizer.web.models import (
    AuditEntry,
    BundleVersion,
    Job,
    PlanVersion,
    Scenario,
    Workspace,
)

from web_support import (
    FORMULA_NAME,
    SCRIPT_NAME,
    add_accounts,
    client_for,
    hostile_sample,
    landed,
    last_id,
    make_settings,
    new_app,
    new_workspace,
    post,
    sign_in,
    upload,
    wait_job,
    zipped,
)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("journey")
    settings = make_settings(root / "data", workers=2)
    add_accounts(settings)
    app = new_app(settings)
    bundle = hostile_sample(root / "bundle")
    with client_for(app) as planner, client_for(app) as admin:
        token = sign_in(planner, "planner")
        admin_token = sign_in(admin, "admin")
        ws = new_workspace(planner, token, "341302", "埇桥区")
        other_ws = new_workspace(admin, admin_token, "341321", "砀山县")
        done = upload(planner, token, ws, "埇桥区.zip", zipped(bundle))
        assert "数据有效" in done["html"], done["html"]
        with app.state.store.db() as db:
            bundle_id = db.query(BundleVersion).filter_by(workspace_id=ws).one().id
        r = planner.post(
            f"/w/{ws}/plans", data={"bundle_version_id": bundle_id, "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        # the server answers other pages while the plan runs in a worker
        t0 = time.perf_counter()
        assert planner.get("/").status_code == 200
        assert planner.get(r.headers["location"]).status_code == 200
        answered = time.perf_counter() - t0
        finished = wait_job(planner, r.headers["location"])
        plan = int(finished["redirect"].rsplit("/", 1)[-1])
        yield {
            "app": app, "ws": ws, "other_ws": other_ws, "plan": plan, "bundle_id": bundle_id,
            "answered": answered, "settings": settings, "bundle": bundle,
        }  # fmt: skip
    app.state.jobs.close()
    app.state.store.close()


def audit_actions(env) -> list[str]:
    with env["app"].state.store.db() as db:
        return [e.action for e in db.query(AuditEntry).order_by(AuditEntry.id)]


def test_other_pages_answer_while_a_plan_runs(env):
    assert env["answered"] < 2.0


def page_and_tables(c, url: str) -> str:
    """A version's page as the browser ends up showing it: the tables arrive after the map."""
    page = c.get(url).text
    assert f'hx-get="{url}/tables"' in page
    return page + c.get(url + "/tables").text


def test_the_plan_page_speaks_chinese_and_escapes_names(env):
    with client_for(env["app"]) as c:
        sign_in(c, "planner")
        html = page_and_tables(c, f"/w/{env['ws']}/plans/{env['plan']}")
        assert "方案第 1 版" in html and "个村中" in html
        assert "已安排包村民警" in html
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;村&#39;)&lt;/script&gt;村" in html
        data = c.get(f"/w/{env['ws']}/plans/{env['plan']}/map.json").json()
        assert any(v["name"] == SCRIPT_NAME for v in data["villages"])
        geo = c.get(f"/w/{env['ws']}/bundles/{env['bundle_id']}/geo.json")
        assert "immutable" in geo.headers["cache-control"]  # a data version never changes
        geo = geo.json()
        assert geo["villages"]["features"] and geo["townships"]["features"]
        assert {f["properties"]["id"] for f in geo["villages"]["features"]} == {
            v["id"] for v in data["villages"]
        }
        assert all(o["colour"].startswith("#") for o in data["officers"])
        held = [o for o in data["officers"] if o["villages"]]
        assert len({o["colour"] for o in held}) == len(held)  # a distinct colour each


def test_planner_sees_personal_fields_and_viewer_does_not(env):
    url = f"/w/{env['ws']}/plans/{env['plan']}"
    with client_for(env["app"]) as planner, client_for(env["app"]) as viewer:
        sign_in(planner, "planner")
        sign_in(viewer, "viewer")
        headers = ("籍贯", "曾工作乡镇", "意愿", "安排理由", "辅警来源")
        page = page_and_tables(planner, url)
        assert all(f"<th>{h}</th>" in page for h in headers)
        page = page_and_tables(viewer, url)
        for h in headers:
            assert f"<th>{h}</th>" not in page, h
        data = viewer.get(url + "/map.json").json()
        for o in data["officers"]:
            assert not {"native_place", "former_townships", "wishes"} & set(o)
        for v in data["villages"]:
            assert not {"reasons", "aux_home", "aux_relation", "aux_reasons"} & set(v)
        for name in ("plan.xlsx", "plan.gpkg", "report.html"):
            assert viewer.get(f"{url}/files/{name}").status_code == 403
        assert viewer.get(f"{url}/files/public_notice.xlsx").status_code == 200
        assert viewer.get(f"{url}/files/summary.json").status_code == 404
        assert viewer.get(f"{url}/files/..%2Fsecret.key").status_code == 404


def test_another_countys_planner_finds_nothing_by_guessing_ids(env):
    ws, plan = env["ws"], env["plan"]
    with client_for(env["app"]) as c:
        token = sign_in(c, "other")
        assert "埇桥区" not in c.get("/").text
        for path in (
            f"/w/{ws}",
            f"/w/{ws}/plans/{plan}",
            f"/w/{ws}/plans/{plan}/map.json",
            f"/w/{ws}/plans/{plan}/files/plan.xlsx",
            f"/w/{ws}/plans/{plan}/files/public_notice.xlsx",
            f"/w/{env['other_ws']}/plans/{plan}",  # his own workspace, another's plan id
            f"/w/{env['other_ws']}/plans/{plan}/map.json",
            "/jobs/1",
        ):
            assert c.get(path).status_code == 404, path
        for path, data in (
            (f"/w/{ws}/plans/{plan}/transfer", {"officer_id": "100101"}),
            (f"/w/{ws}/plans", {"bundle_version_id": env["bundle_id"]}),
            (f"/w/{ws}/plans/{plan}/submit", {}),
        ):
            assert c.post(path, data={**data, "csrf_token": token}).status_code == 404, path


def test_city_reviewer_sees_the_countys_workspace(env):
    with client_for(env["app"]) as c:
        sign_in(c, "city")
        assert "埇桥区" in c.get("/").text
        assert c.get(f"/w/{env['ws']}/plans/{env['plan']}").status_code == 200


def workbook_cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_names_with_formulas_or_scripts_are_text_in_every_workbook(env):
    url = f"/w/{env['ws']}/plans/{env['plan']}/files"
    with client_for(env["app"]) as c:
        sign_in(c, "planner")
        for name in ("plan.xlsx", "public_notice.xlsx"):
            cells = list(workbook_cells(c.get(f"{url}/{name}").content))
            assert not [x for x in cells if x.data_type == "f"], name
            assert any(x.value == FORMULA_NAME and x.data_type == "s" for x in cells), name
            # the script in a village's name is text there too, as it was typed
            assert any(x.value == SCRIPT_NAME and x.data_type == "s" for x in cells), name


def test_an_invalid_upload_shows_its_problems_and_keeps_nothing(env, tmp_path):
    bad = hostile_sample(tmp_path / "bad")
    text = (bad / "villages.csv").read_text(encoding="utf-8").splitlines()
    text[3] = ",".join(["", *text[3].split(",")[1:]])  # row 4 loses its village id
    # row 6's id as Excel saves a long number it showed rounded: the root cause, shown first
    text[5] = ",".join(["3.41302E+11", *text[5].split(",")[1:]])
    (bad / "villages.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        done = upload(c, token, env["ws"], "bad.zip", zipped(bad))
        assert "数据有问题" in done["html"]
        rows = re.findall(r"<tr class=\"error\"><td>([^<]*)</td><td>(\d*)</td><td>([^<]*)</td>",
                          done["html"])  # fmt: skip
        assert ("villages.csv", "4", "village_id") in rows
        table = done["html"].split('class="grid problems"')[1]
        first = re.search(r"<tr class=\"([^\"]*)\"><td>([^<]*)</td><td>(\d*)</td><td>([^<]*)</td>"
                          r"<td>(.*?)</td>", table)  # fmt: skip
        assert first.group(1) == "error root" and first.group(2, 3, 4) == (
            "villages.csv",
            "",
            "village_id",
        )
        assert "根本原因" in first.group(5) and "科学计数法" in first.group(5)
        bomb = io.BytesIO()
        with (
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z,
            z.open("villages.csv", "w") as f,
        ):
            for _ in range(600):
                f.write(b"0" * (1024 * 1024))
        done = upload(c, token, env["ws"], "bomb.zip", bomb.getvalue())
        assert "疑似压缩炸弹" in done["html"]
    with env["app"].state.store.db() as db:
        assert db.query(BundleVersion).filter_by(workspace_id=env["ws"]).count() == 1
    tmp = env["settings"].data / "tmp"
    assert not list(tmp.iterdir())  # no upload, no staging folder left
    assert audit_actions(env).count("bundle.refused") == 2


def _transfer(c, token, env, officer: str, reason: str) -> int:
    done = post(c, token, f"/w/{env['ws']}/plans/{env['plan']}/transfer",
                officer_id=officer, reason=reason)  # fmt: skip
    assert done["redirect"], done["html"]
    return last_id(done["redirect"])


def test_the_page_shows_what_the_plan_files_say(env):
    """Each village's officer on the page and in its map data is the one plan.xlsx names."""
    url = f"/w/{env['ws']}/plans/{env['plan']}"
    with client_for(env["app"]) as c:
        sign_in(c, "planner")
        data = c.get(url + "/map.json").json()
        book = openpyxl.load_workbook(io.BytesIO(c.get(url + "/files/plan.xlsx").content))
        sheet = book["包村民警安排"]
        head = [x.value for x in sheet[1]]
        rows = {r[head.index("村编码")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
        for v in data["villages"]:
            assert (rows[v["id"]][head.index("警号")] or "") == v["officer_id"], v["id"]
        page = page_and_tables(c, url)
        for v in data["villages"][:20]:
            assert f'data-village="{v["id"]}"' in page


def test_transfer_accept_stale_and_publish(env):
    app, ws = env["app"], env["ws"]
    with client_for(app) as one, client_for(app) as two, client_for(app) as city:
        t1, t2 = sign_in(one, "planner"), sign_in(two, "planner2")
        tc = sign_in(city, "city")
        data = one.get(f"/w/{ws}/plans/{env['plan']}/map.json").json()
        held = sorted(
            (o for o in data["officers"] if len(o["villages"]) >= 2), key=lambda o: o["id"]
        )
        first, second = held[0], held[1]
        s1 = _transfer(one, t1, env, first["id"], "=调往市局")
        s2 = _transfer(two, t2, env, second["id"], "退休")
        page = one.get(f"/w/{ws}/scenarios/{s1}").text
        assert "变更前后对比" in page and first["id"] in page
        assert "调整本身" in page  # the orphaned villages, told from knock-on moves
        changed = one.get(f"/w/{ws}/scenarios/{s1}/map.json").json()["changed"]
        assert set(first["villages"]) <= set(changed)
        # a preview writes no plan files: only its page's view
        with app.state.store.db() as db:
            folder = env["settings"].files / db.get(Scenario, s1).path
        assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["view.json"]
        done = post(one, t1, f"/w/{ws}/scenarios/{s1}/accept")
        v2 = last_id(done["redirect"])
        # the second planner's change was worked out on version 1: refused, and kept
        r = two.post(f"/w/{ws}/scenarios/{s2}/accept", data={"csrf_token": t2})
        assert r.status_code == 409
        assert "他人已更新" in r.text and "未丢失任何内容" in r.text
        with app.state.store.db() as db:
            assert db.get(Scenario, s2).state == "ready"
            assert db.get(Workspace, ws).head_plan_id == v2
            assert db.get(PlanVersion, v2).parent_id == env["plan"]
            written = env["settings"].files / db.get(PlanVersion, v2).path
        for name in ("plan.xlsx", "plan.gpkg", "report.html", "public_notice.xlsx", "diff.csv"):
            assert (written / name).is_file(), name
        after = one.get(f"/w/{ws}/plans/{v2}/map.json").json()
        mine = {v["id"]: v["officer_id"] for v in after["villages"]}
        assert not [v for v in first["villages"] if mine[v] == first["id"]]
        # the version shows what the preview showed
        preview = one.get(f"/w/{ws}/scenarios/{s1}/map.json").json()
        assert {v["id"]: v["officer_id"] for v in preview["villages"]} == mine
        # the officer who transferred has left for every later change on this version
        done = post(one, t1, f"/w/{ws}/plans/{v2}/options", village_id=first["villages"][0],
                    role="officer")  # fmt: skip
        choices = re.findall(r'name="person_id" value="([^"]+)"', done["html"])
        assert choices and first["id"] not in choices
        # approval: the planner submits, may not publish; the city's reviewer publishes
        assert one.post(f"/w/{ws}/plans/{v2}/publish", data={"csrf_token": t1}).status_code == 403
        post(one, t1, f"/w/{ws}/plans/{v2}/submit")
        post(city, tc, f"/w/{ws}/plans/{v2}/publish", reason="同意")
        # publishing writes the contact boards again, from this version, in a worker
        boards = written / "published" / "public_notice.xlsx"
        deadline = time.monotonic() + 120
        while not boards.is_file() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert boards.is_file()
        got = one.get(f"/w/{ws}/plans/{v2}/files/public_notice.xlsx").content
        assert got == boards.read_bytes()
        # published never changes
        for path, client, token in (
            (f"/w/{ws}/plans/{v2}/submit", one, t1),
            (f"/w/{ws}/plans/{v2}/return", city, tc),
            (f"/w/{ws}/plans/{v2}/publish", city, tc),
        ):
            assert client.post(path, data={"csrf_token": token, "reason": "x"}).status_code == 409
        with app.state.store.db() as db:
            assert db.get(PlanVersion, v2).state == "published"
    actions = audit_actions(env)
    for action in ("whatif.transfer", "whatif.accept", "whatif.stale", "plan.submit",
                   "plan.publish", "plan.create", "plan.boards"):  # fmt: skip
        assert action in actions, action


# who may do what: (method, path, form) -> status per account; "ok" is 200 for a page and 303
# for a form that is allowed (no form below is allowed: they would start work; the journey's
# own steps show the allowed ones working). Outside an account's scope everything is 404, as an
# unknown id is; inside it, what its role may not do is 403.
ROLES = ("admin", "planner", "other", "city", "viewer")


def role_matrix(env) -> list[tuple[str, str, dict, dict]]:
    ws, plan = env["ws"], env["plan"]
    with env["app"].state.store.db() as db:
        if not db.query(Scenario).filter_by(workspace_id=ws).count():  # this test run alone
            db.add(Scenario(workspace_id=ws, base_plan_id=plan, base_revision=0, state="ready",
                            created_by=1))  # fmt: skip
            db.commit()
        scenario = db.query(Scenario).filter_by(workspace_id=ws).order_by(Scenario.id).first().id
        job = db.query(Job).filter_by(workspace_id=ws).order_by(Job.id).first().id
        bundle = env["bundle_id"]
    v = f"/w/{ws}/plans/{plan}"
    page = {"admin": 200, "planner": 200, "other": 404, "city": 200, "viewer": 200}
    personal = {"admin": 403, "planner": 200, "other": 404, "city": 200, "viewer": 403}
    plans_only = {"admin": 403, "planner": None, "other": 404, "city": 403, "viewer": 403}
    reviews_only = {"admin": 403, "planner": 403, "other": 404, "city": None, "viewer": 403}
    admin_only = {"admin": 200, "planner": 403, "other": 403, "city": 403, "viewer": 403}
    village, officer = "341302100001", "100101"
    return [
        ("GET", f"/w/{ws}", {}, page),
        ("GET", v, {}, page),
        ("GET", v + "/map.json", {}, page),
        ("GET", v + "/tables", {}, page),
        ("GET", v + "/boards", {}, page),
        ("GET", f"/w/{ws}/bundles/{bundle}/geo.json", {}, page),
        ("GET", v + "/files/public_notice.xlsx", {}, page),
        ("GET", v + "/files/plan.xlsx", {}, personal),
        ("GET", v + "/files/plan.gpkg", {}, personal),
        ("GET", v + "/files/report.html", {}, personal),
        ("GET", f"/w/{ws}/scenarios/{scenario}", {}, page),
        ("GET", f"/jobs/{job}", {}, page),
        ("GET", "/admin/accounts", {}, admin_only),
        ("GET", "/admin/audit", {}, admin_only),
        ("GET", "/admin/audit.xlsx", {}, admin_only),
        ("POST", v + "/transfer", {"officer_id": officer}, plans_only),
        ("POST", v + "/lock", {"village_id": village, "pinned": "true"}, plans_only),
        ("POST", v + "/options", {"village_id": village}, plans_only),
        ("POST", v + "/swap", {"village_id": village, "person_id": officer}, plans_only),
        ("POST", v + "/auxiliary-leaves", {"village_id": village}, plans_only),
        ("POST", v + "/sweep", {}, plans_only),
        ("POST", v + "/rotation", {"periods": "2"}, plans_only),
        ("POST", v + "/calendar", {"month": "2027-04"}, plans_only),
        ("POST", v + "/submit", {}, plans_only),
        ("POST", v + "/publish", {}, reviews_only),
        ("POST", v + "/return", {"reason": "x"}, reviews_only),
        ("POST", f"/w/{ws}/scenarios/{scenario}/accept", {}, plans_only),
        ("POST", f"/w/{ws}/scenarios/{scenario}/discard", {}, plans_only),
        ("POST", f"/w/{ws}/plans", {"bundle_version_id": bundle}, plans_only),
        ("POST", f"/jobs/{job}/cancel", {}, plans_only),
        ("POST", "/admin/accounts/1/active", {"active": "false"}, {**admin_only, "admin": None}),
    ]


def counts(env) -> tuple[int, ...]:
    with env["app"].state.store.db() as db:
        return tuple(db.query(m).count() for m in (Job, Scenario, PlanVersion, BundleVersion))


def test_each_role_is_allowed_and_refused_where_it_should_be(env):
    matrix = role_matrix(env)
    before = counts(env)
    seen = 0
    for name in ROLES:
        with client_for(env["app"]) as c:
            token = sign_in(c, name)
            for method, path, form, expected in matrix:
                want = expected[name]
                if want is None:
                    continue  # allowed: it would start work (the journey's steps do it)
                if method == "GET":
                    got = c.get(path, follow_redirects=False).status_code
                else:
                    r = c.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
                    got = r.status_code
                assert got == want, (name, method, path, got)
                seen += 1
    assert seen > 120
    # someone not signed in is sent to sign in, and his forms fail the CSRF check first
    with client_for(env["app"]) as c:
        for method, path, form, _expected in matrix:
            r = c.request(method, path, data=form or None, follow_redirects=False)
            assert r.status_code == (303 if method == "GET" else 403), (method, path)
    assert counts(env) == before  # the refusals started no work and made nothing


def test_contact_boards_print_per_township_with_public_fields_only(env):
    url = f"/w/{env['ws']}/plans/{env['plan']}"
    with client_for(env["app"]) as c:
        sign_in(c, "viewer")
        data = c.get(url + "/map.json").json()
        township = data["villages"][0]["township_id"]
        page = c.get(f"{url}/boards?township={township}&paper=A3").text
        assert "警民联系牌" in page and 'class="boards paper-A3"' in page
        assert page.count('class="board"') == 1
        mine = [v for v in data["villages"] if v["township_id"] == township]
        for v in mine:
            assert v["officer"] in page or not v["officer"]
        assert "&lt;script&gt;" in page or SCRIPT_NAME not in {v["name"] for v in mine}
        whole = c.get(f"{url}/boards").text
        assert whole.count('class="board"') == len({v["township_id"] for v in data["villages"]})
        for word in ("籍贯", "户籍", "意愿", "安排理由"):
            assert word not in whole
        assert c.get(f"{url}/boards?township=nowhere").status_code == 404


def test_cancelling_a_plan_keeps_nothing(env):
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        with env["app"].state.store.db() as db:
            before = db.query(PlanVersion).filter_by(workspace_id=env["ws"]).count()
        r = c.post(f"/w/{env['ws']}/plans",
                   data={"bundle_version_id": env["bundle_id"], "csrf_token": token},
                   follow_redirects=False)  # fmt: skip
        job = int(r.headers["location"].rsplit("/", 1)[-1])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with env["app"].state.store.db() as db:
                if db.get(Job, job).state == "running":
                    break
            time.sleep(0.2)
        r = c.post(f"/jobs/{job}/cancel", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        done = wait_job(c, f"/jobs/{job}")
        assert "任务已取消" in done["html"]
        with env["app"].state.store.db() as db:
            assert db.query(PlanVersion).filter_by(workspace_id=env["ws"]).count() == before
    assert "job.cancel" in audit_actions(env)


def audit_rows(env) -> list[tuple]:
    with env["app"].state.store.db() as db:
        return [
            (e.id, e.at, e.username, e.action, e.target, json.dumps(e.detail), e.reason)
            for e in db.query(AuditEntry).order_by(AuditEntry.id)
        ]


def test_every_change_is_audited_and_the_log_exports_as_text(env):
    before = audit_rows(env)
    actions = [row[3] for row in before]
    for action in ("workspace.create", "bundle.upload", "plan.start", "plan.create", "login"):
        assert action in actions, action
    with client_for(env["app"]) as c:
        sign_in(c, "admin")
        page = c.get("/admin/audit").text
        assert "导入数据" in page and "采纳变更" in page
        cells = list(workbook_cells(c.get("/admin/audit.xlsx").content))
        assert not [x for x in cells if x.data_type == "f"]
        assert any(x.value == "=调往市局" and x.data_type == "s" for x in cells)
        details = [
            json.loads(x.value)
            for x in cells
            if isinstance(x.value, str) and x.value.startswith("{")
        ]
        assert details
    # reading and exporting the log added to it and changed none of it
    after = audit_rows(env)
    assert after[: len(before)] == before
    assert [row[3] for row in after[len(before) :]] == ["login", "audit.export"]


def _head(env) -> int:
    with env["app"].state.store.db() as db:
        return db.get(Workspace, env["ws"]).head_plan_id


def _accept(c, token, env, done: dict) -> int:
    assert done["redirect"] and "/scenarios/" in done["redirect"], done["html"]
    return last_id(post(c, token, done["redirect"] + "/accept")["redirect"])


def test_lock_then_change_an_officer(env):
    ws = env["ws"]
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        head = _head(env)
        villages = c.get(f"/w/{ws}/plans/{head}/map.json").json()["villages"]
        locked, target = villages[0], villages[1]
        done = post(c, token, f"/w/{ws}/plans/{head}/lock", village_id=locked["id"], pinned="true")
        v_lock = _accept(c, token, env, done)
        after = {v["id"]: v for v in c.get(f"/w/{ws}/plans/{v_lock}/map.json").json()["villages"]}
        assert (
            after[locked["id"]]["pinned"]
            and after[locked["id"]]["officer_id"] == locked["officer_id"]
        )
        # 换人: the others ranked, each with its points and the rules a bare swap would break
        done = post(c, token, f"/w/{ws}/plans/{v_lock}/options", village_id=target["id"],
                    role="officer")  # fmt: skip
        assert "还有谁可以包" in done["html"] and done["redirect"] is None
        choices = re.findall(r'name="person_id" value="([^"]+)"', done["html"])
        assert choices and target["officer_id"] not in choices
        points = re.findall(r"<td>([+-]\d+\.\d\d)</td>", done["html"])
        assert len(points) == len(choices)
        done = post(c, token, f"/w/{ws}/plans/{v_lock}/swap", village_id=target["id"],
                    person_id=choices[0], role="officer", reason="本人申请")  # fmt: skip
        page = c.get(done["redirect"]).text
        assert "经人工指定" in page
        v_swap = _accept(c, token, env, done)
        final = {v["id"]: v for v in c.get(f"/w/{ws}/plans/{v_swap}/map.json").json()["villages"]}
        assert final[target["id"]]["officer_id"] == choices[0] and final[target["id"]]["pinned"]
        assert final[locked["id"]]["officer_id"] == locked["officer_id"]  # the lock held
        # the two versions compared: the swap and its knock-on moves, on the map too
        page = c.get(f"/w/{ws}/compare?a={v_lock}&b={v_swap}").text
        assert "对比" in page and target["name"] in page
        changed = c.get(f"/w/{ws}/compare/map.json?a={v_lock}&b={v_swap}").json()["changed"]
        assert target["id"] in changed and locked["id"] not in changed
    with client_for(env["app"]) as other:
        sign_in(other, "other")
        assert other.get(f"/w/{ws}/compare?a={v_lock}&b={v_swap}").status_code == 404
    with env["app"].state.store.db() as db:
        plan = db.get(PlanVersion, v_swap)
        assert plan.parent_id == v_lock and plan.state == "draft"
    actions = audit_actions(env)
    assert "whatif.lock" in actions and "whatif.swap" in actions


def test_auxiliaries_lock_move_and_leave(env):
    ws = env["ws"]
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        head = _head(env)
        villages = c.get(f"/w/{ws}/plans/{head}/map.json").json()["villages"]
        # 锁定辅警
        kept = villages[2]
        v1 = _accept(c, token, env, post(c, token, f"/w/{ws}/plans/{head}/lock",
                                         village_id=kept["id"], pinned="true", role="auxiliary"))  # fmt: skip
        after = {v["id"]: v for v in c.get(f"/w/{ws}/plans/{v1}/map.json").json()["villages"]}
        assert after[kept["id"]]["aux_pinned"]
        assert after[kept["id"]]["auxiliary_id"] == kept["auxiliary_id"]
        # 换辅警: the others ranked; the chosen one moves in, his former village is placed again
        target = villages[4]
        done = post(c, token, f"/w/{ws}/plans/{v1}/options", village_id=target["id"],
                    role="auxiliary")  # fmt: skip
        assert "驻村辅警" in done["html"]
        body = done["html"].split('id="options"')[1].split("</table>")[0]
        rows = [row for row in body.split("<tr>") if 'name="person_id"' in row]
        free = [
            re.search(r'name="person_id" value="([^"]+)"', row).group(1)
            for row in rows
            if "<td>无</td>" in row  # breaks no rule as it stands
        ]
        assert free, done["html"][:3000]
        done = post(c, token, f"/w/{ws}/plans/{v1}/swap", village_id=target["id"],
                    person_id=free[0], role="auxiliary", reason="就近")  # fmt: skip
        v2 = _accept(c, token, env, done)
        after = {v["id"]: v for v in c.get(f"/w/{ws}/plans/{v2}/map.json").json()["villages"]}
        assert after[target["id"]]["auxiliary_id"] == free[0] and after[target["id"]]["aux_pinned"]
        posted = [v["auxiliary_id"] for v in after.values() if v["auxiliary_id"]]
        assert len(posted) == len(set(posted))  # nobody in two villages
        assert after[kept["id"]]["auxiliary_id"] == kept["auxiliary_id"]  # the lock held
        # 辅警离岗
        village = villages[5]
        leaving = after[village["id"]]["auxiliary_id"]
        done = post(c, token, f"/w/{ws}/plans/{v2}/auxiliary-leaves", village_id=village["id"],
                    reason="辞职")  # fmt: skip
        page = c.get(done["redirect"]).text
        assert "离岗" in page and "驻村辅警" in page
        v3 = _accept(c, token, env, done)
        last = c.get(f"/w/{ws}/plans/{v3}/map.json").json()["villages"]
        assert leaving not in {v["auxiliary_id"] for v in last}
        assert next(v for v in last if v["id"] == village["id"])["auxiliary_id"]
        # the auxiliary who left is gone for every later change on this version
        done = post(c, token, f"/w/{ws}/plans/{v3}/options", village_id=village["id"],
                    role="auxiliary")  # fmt: skip
        choices = re.findall(r'name="person_id" value="([^"]+)"', done["html"])
        assert choices and leaving not in choices
        # a version made on it lists that departure among the changes it stands on
        v4 = _accept(c, token, env, post(c, token, f"/w/{ws}/plans/{v3}/lock",
                                         village_id=village["id"], pinned="true"))  # fmt: skip
        with env["app"].state.store.db() as db:
            folder = env["settings"].files / db.get(PlanVersion, v4).path
        listed = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        kinds = [(c["kind"], c["target"]) for c in listed["whatif"]["change_list"]]
        assert ("remove_auxiliary", leaving) in kinds and ("lock", village["id"]) in kinds
    actions = audit_actions(env)
    assert "whatif.auxiliary_leaves" in actions and "whatif.auxiliary" in actions


def test_rotation_timeline(env):
    ws = env["ws"]
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        done = post(c, token, f"/w/{ws}/plans/{_head(env)}/rotation", periods="3")
        # the progress page of work that has ended leads on to its result (a job that ends
        # between the form's short wait and that page must not stop there)
        with env["app"].state.store.db() as db:
            job = db.query(Job).filter_by(workspace_id=ws, kind="rotation").order_by(Job.id)
            job = job.all()[-1].id
        r = c.get(f"/jobs/{job}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == done["redirect"]
        page = c.get(done["redirect"]).text
        assert "未来 3 年的辅警轮换" in page and "按村" in page and "按辅警" in page
        for year in ("第1年", "第2年", "第3年"):
            assert year in page
        by_village = page.split('id="by-village"')[1].split("</table>")[0]
        assert by_village.count("<tr>") >= 300
    assert "rotation.start" in audit_actions(env)


def test_visit_calendar_and_its_ics(env):
    ws = env["ws"]
    with client_for(env["app"]) as c:
        token = sign_in(c, "planner")
        head = _head(env)
        done = post(c, token, f"/w/{ws}/plans/{head}/calendar", month="2027-03")
        assert done["redirect"].endswith("/calendar/2027-03")
        page = c.get(done["redirect"]).text
        assert "2027-03 进村日历" in page and "周一" in page
        officer = re.search(r'<option value="([^"]+)" selected>', page).group(1)
        ics = c.get(f"/w/{ws}/plans/{head}/calendar/2027-03/ics/{officer}.ics")
        assert ics.status_code == 200 and ics.content.startswith(b"BEGIN:VCALENDAR")
        days = re.findall(rb"DTSTART;VALUE=DATE:(\d{8})", ics.content)
        cells = page.split('id="month"')[1].split("</table>")[0].count('class="visit"')
        assert days and len(set(days)) == cells
        every = zipfile.ZipFile(
            io.BytesIO(c.get(f"/w/{ws}/plans/{head}/calendar/2027-03/ics/all.zip").content)
        )
        assert f"2027-03/{officer}.ics" in every.namelist()
        plan_page = c.get(f"/w/{ws}/plans/{head}").text
        assert "/calendar/2027-03" in plan_page
        assert c.post(f"/w/{ws}/plans/{head}/calendar",
                      data={"month": "2027-13", "csrf_token": token}).status_code == 400  # fmt: skip
    assert "calendar.make" in audit_actions(env)


def test_compliance_from_uploaded_work_logs(env, tmp_path):
    from cunjing.data.worklogs import generate_work_logs, write_work_logs
    from cunjing.optimizer import load_bundle

    ws = env["ws"]
    with client_for(env["app"]) as c, client_for(env["app"]) as viewer:
        token = sign_in(c, "planner")
        sign_in(viewer, "viewer")
        head = _head(env)
        villages = c.get(f"/w/{ws}/plans/{head}/map.json").json()["villages"]
        import pandas as pd

        plan = pd.DataFrame(
            {"village_id": [v["id"] for v in villages],
             "officer_id": [v["officer_id"] for v in villages]}
        )  # fmt: skip
        logs, _planted = generate_work_logs(load_bundle(env["bundle"]), plan, ["2027-03"], seed=3)
        path = write_work_logs(logs, tmp_path / "logs.csv")
        r = c.post(f"/w/{ws}/plans/{head}/compliance",
                   data={"period": "2027-03", "csrf_token": token},
                   files={"file": ("日志.csv", path.read_bytes(), "text/csv")},
                   follow_redirects=False)  # fmt: skip
        done = landed(c, r)
        page = c.get(done["redirect"]).text
        assert "2027-03 考评核查" in page and "月考评" in page and "需复核人员" in page
        assert viewer.get(done["redirect"]).status_code == 403  # scorecards of named people
        r = c.post(f"/w/{ws}/plans/{head}/compliance",
                   data={"period": "2027-03", "csrf_token": token},
                   files={"file": ("logs.exe", b"MZ", "application/octet-stream")})  # fmt: skip
        assert r.status_code == 400
    assert "compliance.check" in audit_actions(env)


def test_every_page_of_the_journey_keeps_the_content_security_policy(env):
    """No inline script, handler or style on any page the journey made (the CSP would block
    them: a page relying on one would be broken)."""
    ws = env["ws"]
    with env["app"].state.store.db() as db:
        plans = [p.id for p in db.query(PlanVersion).filter_by(workspace_id=ws)]
        scenarios = [s.id for s in db.query(Scenario).filter_by(workspace_id=ws)]
        jobs = [j.id for j in db.query(Job).filter_by(workspace_id=ws)]
        rotations = [j.id for j in db.query(Job).filter_by(workspace_id=ws, kind="rotation")]
        made = [
            f"/w/{ws}/plans/{j.params['plan_id']}/calendar/{j.result['month']}"
            if j.kind == "calendar"
            else f"/w/{ws}/plans/{j.params['plan_id']}/compliance/{j.id}"
            for j in db.query(Job).filter_by(workspace_id=ws, state="done")
            if j.kind in ("calendar", "compliance")
        ]
    head = _head(env)
    paths = [f"/w/{ws}", f"/w/{ws}/plans/{head}/boards?paper=A3", "/admin/audit"]
    paths += [f"/w/{ws}/plans/{p}" for p in plans]
    paths += [f"/w/{ws}/scenarios/{s}" for s in scenarios]
    paths += [f"/jobs/{j}" for j in jobs]
    paths += [f"/w/{ws}/rotations/{j}" for j in rotations]
    paths += [f"/w/{ws}/compare?a={plans[0]}&b={plans[-1]}", *made]
    checked = 0
    with client_for(env["app"]) as c, client_for(env["app"]) as admin:
        sign_in(c, "planner")
        sign_in(admin, "admin")
        for path in paths:
            r = (admin if path.startswith("/admin") else c).get(path)
            if r.status_code != 200:
                continue
            html = r.text
            assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
            assert not re.search(r"\son[a-z]+\s*=", html), path
            assert "style=" not in html, path
            checked += 1
    assert checked >= 20


def test_every_change_of_the_journey_has_its_audit_entry(env):
    """Each thing the journey made or changed is in the trail, naming its target: versions,
    data versions, scenarios (worked out, accepted or discarded), the boards written, the tools
    run; and the trail refuses to be changed (the store's tests hold every kind of change)."""
    ws = env["ws"]
    with env["app"].state.store.db() as db:
        entries = db.query(AuditEntry).filter_by(workspace_id=ws).all()
        by_target: dict[str, set[str]] = {}
        for e in entries:
            by_target.setdefault(e.target, set()).add(e.action)
        for plan in db.query(PlanVersion).filter_by(workspace_id=ws):
            assert "plan.create" in by_target.get(f"plan:{plan.id}", set()), plan.id
            if plan.state == "published":
                assert {"plan.publish", "plan.boards"} <= by_target[f"plan:{plan.id}"]
        for bundle in db.query(BundleVersion).filter_by(workspace_id=ws):
            assert "bundle.upload" in by_target.get(f"bundle:{bundle.id}", set()), bundle.id
        for s in db.query(Scenario).filter_by(workspace_id=ws):
            actions = by_target.get(f"scenario:{s.id}", set())
            if s.created_by == 1:  # made by hand in the role test, not through a page
                continue
            assert any(a.startswith("whatif.") for a in actions), s.id
            if s.state == "accepted":
                assert "whatif.accept" in actions, s.id
            if s.state == "discarded":
                assert "whatif.discard" in actions, s.id
        kinds = {"rotation": "rotation.start", "calendar": "calendar.make",
                 "compliance": "compliance.check", "sweep": "sweep.start"}  # fmt: skip
        made = {j.kind for j in db.query(Job).filter_by(workspace_id=ws, state="done")}
        actions = {e.action for e in entries}
        for kind, action in kinds.items():
            if kind in made:
                assert action in actions, kind
        # the database refuses to change or delete an entry
        with pytest.raises(Exception):  # noqa: B017 (SQLite's and PostgreSQL's own errors)
            db.query(AuditEntry).filter_by(id=entries[0].id).update({"reason": "x"})
            db.commit()
        db.rollback()
        with pytest.raises(Exception):  # noqa: B017
            db.query(AuditEntry).filter_by(id=entries[0].id).delete()
            db.commit()
        db.rollback()
