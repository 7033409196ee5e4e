"""The workbench in a real browser (Debian's Chromium driven by Playwright, headless): a planner
imports the sample county, plans, reads the outcome and the map, finds a village, filters a
township, transfers an officer, accepts the re-plan and downloads the workbook. Any request
that would leave the application fails the test; screenshots of each page are written to the
test run's artifacts folder."""

from __future__ import annotations

import csv
import json
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from cunjing.optimizer.web.models import PlanVersion

from browser import chromium
from web_support import (
    ARTIFACTS,
    PASSWORD,
    SCRIPT_NAME,
    add_accounts,
    free_port,
    hostile_sample,
    make_settings,
    new_app,
    zipped,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    settings = make_settings(root / "data", workers=2)
    add_accounts(settings)
    app = new_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    upload = root / "埇桥区.zip"
    upload.write_bytes(zipped(hostile_sample(root / "bundle")))
    yield {"base": f"http://127.0.0.1:{port}", "app": app, "upload": upload, "settings": settings}
    srv.should_exit = True
    thread.join(10)
    app.state.jobs.close()
    app.state.store.close()


@pytest.fixture(scope="module")
def shots():
    folder = ARTIFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_planner_journey(server, shots, tmp_path):
    base = server["base"]
    left: list[str] = []
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
        )

        def only_here(route) -> None:
            if route.request.url.startswith(base + "/"):
                route.continue_()
            else:
                left.append(route.request.url)
                route.abort()

        context.route("**/*", only_here)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        try:
            journey(page, base, server, shots, tmp_path)
        finally:
            page.screenshot(path=shots / "last.png", full_page=False)
            browser.close()
    assert left == [], f"requests left the application: {left}"
    assert problems == [], f"the page reported errors: {problems}"


def journey(page: Page, base: str, server: dict, shots: Path, tmp_path: Path) -> None:
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.screenshot(path=shots / "01-login.png")
    page.get_by_label("账户").fill("planner")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作区", exact=True)).to_be_visible()

    page.get_by_label("地区名称").fill("埇桥区")
    page.get_by_label("年度").fill("2027")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("heading", name="埇桥区 · 2027")).to_be_visible()
    page.screenshot(path=shots / "02-workspace.png")

    page.locator("input[type=file]").set_input_files(str(server["upload"]))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_text("数据有效，已保存为新的数据版本。")).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "03-imported.png")
    page.get_by_role("link", name="继续").click()

    page.get_by_role("button", name="生成方案").click()
    expect(page.get_by_role("heading", name="生成方案")).to_be_visible()
    page.screenshot(path=shots / "04-planning.png")
    expect(page.get_by_role("heading", name="方案第 1 版 草稿")).to_be_visible(timeout=120_000)

    # what the page shows is what the plan's files say
    with server["app"].state.store.db() as db:
        plan = db.query(PlanVersion).one()
        folder = server["app"].state.store.path(plan.path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((folder / "officer_plan.csv").open(encoding="utf-8-sig")))
    k = summary["kpis"]
    assert summary["status"] == "OPTIMAL"
    expect(page.locator(".outcome .headline")).to_have_text("方案已是最优：在现有规则下无法更好。")
    expect(
        page.get_by_text(f"{k['villages']} 个村中，{k['covered_by_officer']} 个村已安排包村民警")
    ).to_be_visible()
    expect(page.locator("#villages tbody tr")).to_have_count(len(rows))
    held = {r["officer_id"] for r in rows if r["officer_id"]}
    expect(page.locator("#legend button")).to_have_count(len(held))
    # every village drawn, each in its officer's colour
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(len(rows))
    # the script in a village's name is text in the table, never a script of the page
    expect(page.locator("#villages td", has_text=SCRIPT_NAME).first).to_be_visible()
    assert page.locator("script", has_text="alert").count() == 0
    page.screenshot(path=shots / "05-plan.png")
    page.locator(".map-card").screenshot(path=shots / "05-map.png")

    # search a village, filter a township
    target = rows[10]
    page.get_by_label("搜索村或人员").fill(target["village_name"])
    page.get_by_label("搜索村或人员").press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(target["village_name"])
    page.locator("#map-township").select_option(label=target["township_name"])
    page.screenshot(path=shots / "06-search-township.png")

    # click an officer in the legend: his villages light up, the transfer panel opens
    officer = next(
        r for r in rows if r["officer_id"] and r["officer_name"] == target["officer_name"]
    )
    page.locator(f"#legend button[data-officer='{officer['officer_id']}']").click()
    expect(page.locator("#officer-panel")).to_be_visible()
    expect(page.locator("#officer-title")).to_contain_text(officer["officer_id"])
    page.screenshot(path=shots / "07-officer.png")
    page.get_by_label("原因").fill("调往市局")
    page.get_by_role("button", name="调离（重新安排其所包村）").click()
    expect(
        page.get_by_role(
            "heading", name=f"{officer['officer_name']}（{officer['officer_id']}）调离"
        )
    ).to_be_visible(timeout=120_000)
    expect(page.locator("#diff tbody tr").first).to_be_visible()
    mine = [r for r in rows if r["officer_id"] == officer["officer_id"]]
    assert page.locator("#diff tbody tr").count() >= len(mine)
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(len(rows))
    page.screenshot(path=shots / "08-before-after.png")
    page.locator(".map-card").screenshot(path=shots / "08-before-after-map.png")
    page.get_by_role("button", name="采纳").click()
    expect(page.get_by_role("heading", name="方案第 2 版 草稿")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 plan.xlsx").click()
    saved = tmp_path / "plan.xlsx"
    download.value.save_as(saved)
    assert saved.stat().st_size > 10_000
    page.screenshot(path=shots / "09-version-2.png")

    # approval: the planner submits, the city's reviewer publishes
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", name="方案第 2 版 待审核")).to_be_visible()
    version = page.url
    sign_in_as(page, base, "city")
    page.goto(version)
    page.get_by_placeholder("备注（可选）").fill("同意")
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.get_by_role("heading", name="方案第 2 版 已发布")).to_be_visible()
    page.screenshot(path=shots / "10-published.png")

    # the trail: every change of the journey, read by the administrator
    sign_in_as(page, base, "admin")
    page.goto(base + "/admin/audit")
    trail = page.locator("#audit tbody").inner_text()
    for words in ("创建工作区", "导入数据", "开始生成方案", "生成方案版本", "计算调离方案",
                  "采纳变更", "提交审核", "已发布"):  # fmt: skip
        assert words in trail, words
    page.screenshot(path=shots / "11-audit.png")


def sign_in_as(page: Page, base: str, username: str) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("账户").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作区", exact=True)).to_be_visible()
