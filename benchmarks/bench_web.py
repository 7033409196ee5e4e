"""What a planner feels in the workbench (``cunjing serve``) on this machine, against a real
server process with its worker processes, over localhost:

    python benchmarks/bench_web.py [--json benchmarks/results/web.json]

- the sample county: import, plan, the plan page and its map data (server time), the page
  interactive in Chromium (every village drawn); a transfer from the click to the re-planned
  map, over HTTP (the form's answer, the preview page and its map data) and in Chromium (the
  button clicked to every village of the preview drawn), several officers in turn; and the
  acceptance of a previewed change (the new version's files written, its page shown);
- a generated 2,000-village city (5 counties): its plan, and its map interactive in Chromium;
- while the city plan runs in a worker: 20 concurrent requests at a time for the county's pages,
  10 rounds, and their latency (p50, p95).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

from cunjing.data.generator import generate_bundle
from cunjing.optimizer import sample_path
from cunjing.optimizer.web.models import Job, Role
from cunjing.optimizer.web.settings import load_settings
from cunjing.optimizer.web.store import Actor, Store, create_account

PASSWORD = "correct horse battery"
CLI = [sys.executable, "-m", "cunjing.optimizer.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zipped(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"bundle/{f.name}")
    return buf.getvalue()


class Planner:
    def __init__(self, base: str):
        self.c = httpx.Client(base_url=base, timeout=600, follow_redirects=False)
        page = self.c.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.c.post(
            "/login", data={"username": "planner", "password": PASSWORD, "csrf_token": token}
        )
        self.token = re.search(r'"X-CSRF-Token": "([^"]+)"', self.c.get("/").text).group(1)

    def post(self, path: str, **data) -> str:
        r = self.c.post(path, data={**data, "csrf_token": self.token})
        assert r.status_code == 303, (path, r.status_code, r.text[:500])
        return r.headers["location"]

    def wait(self, job: str, poll: float = 0.1) -> str | None:
        """Where a job leads when it ends (quick work answered with its page already)."""
        if not job.startswith("/jobs/"):
            return job
        while True:
            r = self.c.get(f"{job}/status")
            if "hx-trigger=" not in r.text:
                return r.headers.get("hx-redirect")
            time.sleep(poll)

    def workspace(self, code: str, name: str) -> int:
        return int(
            self.post("/workspaces", region_code=code, region_name=name, year=2027).rsplit("/", 1)[
                -1
            ]
        )

    def upload(self, ws: int, data: bytes) -> float:
        t0 = time.perf_counter()
        r = self.c.post(
            f"/w/{ws}/bundles", files={"file": ("b.zip", data)}, data={"csrf_token": self.token}
        )
        self.wait(r.headers["location"])
        return time.perf_counter() - t0

    def bundle_id(self, ws: int) -> int:
        return int(
            re.search(r'name="bundle_version_id" value="(\d+)"', self.c.get(f"/w/{ws}").text).group(
                1
            )
        )


def timed_get(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    r = client.get(path)
    r.raise_for_status()
    return time.perf_counter() - t0


def browser_interactive(
    base: str, paths: list[tuple[str, int]], transfers: tuple[str, list[str], int] | None = None
) -> tuple[list[float], list[float]]:
    """Seconds from navigation to every village drawn on the map, per page; and (``transfers``:
    a plan page, officers, its villages) from the transfer button's click to every village of
    the preview drawn, per officer."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import chromium

    out, clicks = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/login")
        page.fill("input[name=username]", "planner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")

        def drawn(villages: int) -> None:
            # an attribute the map's script sets (the page's CSP allows no evaluated script)
            page.wait_for_selector(f"#map[data-drawn='{villages}']", timeout=120_000)

        for path, villages in paths:
            t0 = time.perf_counter()
            page.goto(base + path)
            drawn(villages)
            out.append(time.perf_counter() - t0)
        if transfers:
            path, officers, villages = transfers
            for officer in officers:
                page.goto(base + path)
                drawn(villages)
                page.locator(f"#legend button[data-officer='{officer}']").click()
                t0 = time.perf_counter()
                page.locator("#transfer-button").click()
                page.wait_for_url("**/scenarios/**", timeout=120_000)
                drawn(villages)
                clicks.append(time.perf_counter() - t0)
        browser.close()
    return out, clicks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    settings = load_settings(tmp / "data")
    store = Store(settings)
    with store.db() as db:
        create_account(db, Actor(None, "bench", ""), "admin", Role.ADMIN, PASSWORD, [])
        create_account(db, Actor(None, "bench", ""), "planner", Role.PLANNER, PASSWORD, ["3413"])
        db.commit()
    store.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*CLI, "serve", "--data", str(tmp / "data"), "--port", str(port), "--workers", "2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    result: dict = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz").text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        p = Planner(base)
        county = p.workspace("341302", "埇桥区")
        result["county_import_s"] = round(p.upload(county, zipped(sample_path())), 2)
        t0 = time.perf_counter()
        plan = p.wait(p.post(f"/w/{county}/plans", bundle_version_id=p.bundle_id(county)))
        result["county_plan_s"] = round(time.perf_counter() - t0, 2)
        page = [timed_get(p.c, plan) for _ in range(10)]
        data = [timed_get(p.c, plan + "/map.json") for _ in range(10)]
        result["county_page_server_s"] = round(statistics.median(page), 3)
        result["county_map_json_server_s"] = round(statistics.median(data), 3)
        officers = sorted(
            (o for o in p.c.get(plan + "/map.json").json()["officers"] if o["villages"]),
            key=lambda o: (-len(o["villages"]), o["id"]),
        )
        villages = len(p.c.get(plan + "/map.json").json()["villages"])
        transfers, scenarios = [], []
        for o in officers[:4]:
            t0 = time.perf_counter()
            scenario = p.wait(p.post(plan + "/transfer", officer_id=o["id"]))
            p.c.get(scenario).raise_for_status()
            p.c.get(scenario + "/map.json").raise_for_status()
            transfers.append(round(time.perf_counter() - t0, 2))
            scenarios.append(scenario)
        result["transfer_click_to_map_http_s"] = transfers
        _, clicks = browser_interactive(
            base, [], (plan, [o["id"] for o in officers[4:8]], villages)
        )
        result["transfer_click_to_map_browser_s"] = [round(x, 2) for x in clicks]
        t0 = time.perf_counter()
        version = p.wait(p.post(scenarios[-1] + "/accept"))
        p.c.get(version).raise_for_status()
        result["accept_to_new_version_s"] = round(time.perf_counter() - t0, 2)
        # the city: generated, imported, planned while the county's pages are asked for
        city_bundle = tmp / "city"
        generate_bundle(city_bundle, villages=2000, counties=5, seed=0)
        city = p.workspace("3413", "宿州市")
        result["city_import_s"] = round(p.upload(city, zipped(city_bundle)), 2)
        t0 = time.perf_counter()
        job = p.post(f"/w/{city}/plans", bundle_version_id=p.bundle_id(city))
        paths = ["/", f"/w/{county}", plan, plan + "/map.json"]
        latencies = []
        with ThreadPoolExecutor(20) as pool:
            for _ in range(10):
                latencies += list(
                    pool.map(lambda i: timed_get(p.c, paths[i % len(paths)]), range(20))
                )
        running = "hx-trigger=" in p.c.get(job + "/status").text
        city_plan = p.wait(job, poll=0.5)
        result["city_plan_s"] = round(time.perf_counter() - t0, 2)
        latencies.sort()
        result["during_city_plan"] = {
            "requests": len(latencies),
            "plan_still_running_after": running,
            "p50_s": round(latencies[len(latencies) // 2], 3),
            "p95_s": round(latencies[int(len(latencies) * 0.95)], 3),
            "max_s": round(latencies[-1], 3),
        }
        (county_map, city_map), _ = browser_interactive(base, [(plan, villages), (city_plan, 2000)])
        result["county_page_interactive_browser_s"] = round(county_map, 2)
        result["city_page_interactive_browser_s"] = round(city_map, 2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    # the worker's own seconds for each previewed transfer: wall, and processor time (what
    # the work costs whatever else the machine runs)
    store = Store(settings)
    with store.db() as db:
        spent = [
            j.result.get("seconds", {})
            for j in db.query(Job).filter_by(kind="whatif", state="done").order_by(Job.id)
        ]
    store.close()
    result["transfer_preview_in_worker_s"] = {
        "wall": [s.get("wall") for s in spent],
        "cpu": [s.get("cpu") for s in spent],
    }
    result["machine"] = {"cores": os.cpu_count(), "load_average": list(os.getloadavg())}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
