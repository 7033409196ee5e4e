"""Shared pieces of the workbench's tests: a store in a temporary folder, accounts, a signed-in
test client, the sample county as an upload (with hostile names in it), waiting for jobs, and a
PostgreSQL server of our own."""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from cunjing.optimizer import sample_path
from cunjing.optimizer.web.app import create_app
from cunjing.optimizer.web.models import Role
from cunjing.optimizer.web.settings import Settings, load_settings
from cunjing.optimizer.web.store import Actor, Store, create_account

PASSWORD = "correct horse battery"
SCRIPT_NAME = "<script>alert('村')</script>村"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")'
ARTIFACTS = Path(os.environ.get("CUNJING_ARTIFACTS", "out/test-artifacts")) / "web"

ACCOUNTS = {
    "admin": (Role.ADMIN, []),
    "planner": (Role.PLANNER, ["341302"]),
    "planner2": (Role.PLANNER, ["341302"]),
    "other": (Role.PLANNER, ["341321"]),  # another county's planner
    "city": (Role.REVIEWER, ["3413"]),  # the city's reviewer spans its counties
    "viewer": (Role.VIEWER, ["341302"]),
}


def make_settings(folder: Path, **given) -> Settings:
    return load_settings(folder, **given)


def add_accounts(settings: Settings, names=ACCOUNTS) -> None:
    store = Store(settings)
    with store.db() as db:
        for name, (role, scopes) in names.items():
            create_account(db, Actor(None, "test", "test"), name, role, PASSWORD, scopes)
        db.commit()
    store.close()


class Browser(TestClient):
    """One person's browser (cookies of its own). ``with`` does not run the application's
    start and stop, as the test client's would: several people use one running application,
    whose worker processes the fixture closes at the end."""

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def client_for(app) -> Browser:
    return Browser(app, base_url="http://testserver")


def csrf_of(html: str) -> str:
    m = re.search(r'"X-CSRF-Token": "([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Signs in; returns the session's CSRF token."""
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)


def hostile_sample(folder: Path) -> Path:
    """The sample county with a script in a village's name and formulas in people's names (the
    officer's is a selected cadre's: he goes back to his village, so the plan's workbooks and the
    public notice name him)."""
    shutil.copytree(sample_path(), folder)
    for table, column, value in (
        ("villages.csv", "name", SCRIPT_NAME),
        ("officers.csv", "name", FORMULA_NAME),
        ("auxiliaries.csv", "name", "@SUM(1+1)"),
    ):
        path = folder / table
        rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
        row = next((r for r in rows if r.get("selected_village_id")), rows[0])
        row[column] = value
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return folder


def zipped(folder: Path, top: str = "bundle") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"{top}/{f.name}")
    return buf.getvalue()


def wait_job(client: TestClient, location: str, timeout: float = 180) -> dict:
    """Polls a job page until it ends; returns its state and where it leads."""
    job_id = int(location.rstrip("/").rsplit("/", 1)[-1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/jobs/{job_id}/status")
        assert r.status_code == 200
        if "hx-trigger=" not in r.text:
            return {"html": r.text, "redirect": r.headers.get("hx-redirect"), "id": job_id}
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


def landed(client: TestClient, response) -> dict:
    """Where a form's answer leads: quick work answers with its result page at once (``html``
    None), long work with its progress page, followed here until the job ends."""
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    if location.startswith("/jobs/"):
        return wait_job(client, location)
    return {"html": None, "redirect": location, "id": None}


def post(client: TestClient, csrf: str, path: str, **data) -> dict:
    """A form sent as a browser sends it, and where it leads (``landed``)."""
    r = client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)
    return landed(client, r)


def last_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[-1])


def new_workspace(client: TestClient, csrf: str, code: str, name: str, year: int = 2027) -> int:
    """Creates a workspace of a county or city and year; returns its id."""
    r = client.post(
        "/workspaces",
        data={"region_code": code, "region_name": name, "year": year, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[-1])


def upload(client: TestClient, csrf: str, workspace: int, name: str, data: bytes) -> dict:
    r = client.post(
        f"/w/{workspace}/bundles",
        files={"file": (name, data, "application/octet-stream")},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return wait_job(client, r.headers["location"])


def new_app(settings: Settings, workers: bool = True):
    return create_app(settings, workers=workers)


# PostgreSQL: a server of our own in a temporary folder, on a free port


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: `make test` installs Debian's postgresql package"
        )
    return Path(found[-1]).parent


class PostgresServer:
    """initdb, pg_ctl start, and stop at the end. As root, the server runs as the postgres
    user Debian's package makes (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="cunjing-pg-"))
        self.data, self.port = self.root / "data", free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.root / "log"),
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
