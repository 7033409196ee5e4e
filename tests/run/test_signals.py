"""Hard stops: SIGTERM (kill, timeout, a service manager) stops a run like Ctrl-C, and no worker
process outlives the run, even when its parent is killed outright."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from cunjing.data.generator import generate_bundle

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("province") / "bundle"
    generate_bundle(folder, villages=900, counties=3, seed=5)
    return folder


def start(args: list[str]) -> psutil.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return psutil.Popen(
        [sys.executable, "-m", "cunjing.optimizer.cli", "plan", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def workers_of(
    proc: psutil.Process, n: int, busy_at: float = 0.5, timeout: float = 120
) -> list[psutil.Process]:
    """The run's child processes once ``n`` of them have used ``busy_at`` CPU-seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        kids = [k for k in proc.children(recursive=True) if k.is_running()]
        busy = [k for k in kids if _cpu(k) > busy_at]
        if len(busy) >= n:
            return kids
        time.sleep(0.05)
    raise AssertionError(f"the run never had {n} busy worker processes")


def _cpu(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return 0.0


def gone(procs: list[psutil.Process], within: float) -> list[psutil.Process]:
    """The processes still alive after ``within`` seconds."""
    _, alive = psutil.wait_procs(procs, timeout=within)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_sigterm_stops_like_ctrl_c_and_leaves_no_process(province, tmp_path):
    out = tmp_path / "plan"
    proc = start([str(province), "--out", str(out), "--jobs", "2", "--time-limit", "300"])
    kids = workers_of(proc, 2)
    proc.send_signal(signal.SIGTERM)
    t0 = time.time()
    left = gone([proc, *kids], within=25)
    assert not left, f"alive 25 s after SIGTERM: {[p.cmdline()[:3] for p in left]}"
    _, stderr = proc.communicate()
    assert b"Traceback" not in stderr
    assert proc.returncode in (0, 1), stderr.decode(errors="replace")[-2000:]
    # the best plan so far is kept, marked as stopped
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["interrupted"] is True
    assert summary["kpis"]["villages"] == 900
    assert time.time() - t0 < 25


@pytest.mark.parametrize("bundle", ["province", "sample"])
def test_workers_die_with_a_killed_parent(bundle, province, tmp_path):
    """SIGKILL leaves the parent no time to clean up: the workers (the county pool, the helper
    of a one-county run) notice by themselves."""
    args = [str(province), "--jobs", "2"] if bundle == "province" else []
    proc = start([*args, "--out", str(tmp_path / "plan"), "--time-limit", "300"])
    # the county pool's workers import the engine (over a CPU-second each); the sample run's
    # helper is forked ready and uses about half a CPU-second in its whole life (a 2 s run),
    # so it counts as busy once it has started on the auxiliaries
    kids = workers_of(proc, 2) if bundle == "province" else workers_of(proc, 1, busy_at=0.05)
    assert kids
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = gone(kids, within=15)
    assert not left, f"alive after their parent was killed: {[p.pid for p in left]}"
