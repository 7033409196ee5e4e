"""``cunjing serve`` as an administrator starts it: the first administrator from the command
line (never a default password), a warning when it listens beyond this machine, and a server
that answers and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cunjing.optimizer import sample_path
from cunjing.optimizer.web.models import Account, AuditEntry, BundleVersion, Role, Workspace
from cunjing.optimizer.web.settings import load_settings
from cunjing.optimizer.web.store import Store

from web_support import PASSWORD, free_port

CUNJING = [sys.executable, "-m", "cunjing.optimizer.cli"]


def serve(*args: str) -> list[str]:
    return [*CUNJING, "serve", "--workers", "1", *args]


def test_no_administrator_without_a_password(tmp_path):
    r = subprocess.run(
        serve("--data", str(tmp_path / "d"), "--port", str(free_port())),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode != 0
    assert "--admin-password-file" in r.stderr and "尚无管理员账户" in r.stderr
    weak = tmp_path / "weak"
    weak.write_text("admin\n")
    r = subprocess.run(
        serve("--data", str(tmp_path / "d"), "--admin-password-file", str(weak)),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode != 0 and "至少需要10个字符" in r.stderr
    store = Store(load_settings(tmp_path / "d"))
    with store.db() as db:
        assert db.query(Account).count() == 0
    store.close()


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_serve_makes_the_first_administrator_warns_and_answers(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    port = free_port()
    data = tmp_path / "d"
    proc = subprocess.Popen(
        serve("--data", str(data), "--host", "0.0.0.0", "--port", str(port),
              "--admin", "chief", "--admin-password-file", str(secret), "--sample"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", proc) == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
            assert "script-src 'self'" in r.headers["content-security-policy"]
            assert "规划工作台" in r.read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err
    assert "TLS" in err and "--behind-proxy" in err  # the warning for 0.0.0.0
    store = Store(load_settings(data))
    with store.db() as db:
        admin = db.query(Account).one()
        assert (admin.username, admin.role) == ("chief", Role.ADMIN)
        assert PASSWORD not in admin.password_hash
        assert db.query(AuditEntry).filter_by(action="account.create").count() == 1
        # --sample: the sample county's workspace with its data, ready to plan
        ws = db.query(Workspace).one()
        assert (ws.region_code, ws.region_name) == ("341302", "埇桥区")
        bundle = db.query(BundleVersion).one()
        sample = (sample_path() / "villages.csv").read_text(encoding="utf-8-sig")
        assert bundle.counts["villages"] == len(sample.strip().splitlines()) - 1
    store.close()
    assert (data / "files" / bundle.path / "villages.csv").exists()
    assert (data / "files" / bundle.path).parent.joinpath("web", "geo.json").exists()
    assert (data / "secret.key").stat().st_mode & 0o077 == 0
    # a second start finds the administrator and asks for no password
    r = subprocess.run(
        serve("--data", str(data), "--port", "1", "--host", "256.0.0.1"),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert "尚无管理员账户" not in r.stderr
    assert not Path(data / "tmp").exists() or not any((data / "tmp").iterdir())
