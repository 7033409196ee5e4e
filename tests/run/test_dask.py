"""County tasks on a Dask cluster: a worker killed mid-run costs only its county, solved again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cunjing.data.generator import generate_bundle


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_killed_dask_worker_costs_only_its_county(tmp_path):
    from distributed import Client, LocalCluster

    bundle = tmp_path / "bundle"
    generate_bundle(bundle, villages=800, counties=4, seed=6)
    out = tmp_path / "plan"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        cmd = [sys.executable, "-m", "cunjing.optimizer.cli", "plan", str(bundle)]
        cmd += ["--out", str(out), "--scheduler", cluster.scheduler_address]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # a worker in the middle of a county: processing it for a second already
        killed = None
        deadline = time.time() + 240
        since: dict[str, float] = {}
        while killed is None and time.time() < deadline and proc.poll() is None:
            for addr, keys in client.processing().items():
                running = [k for k in keys if "run_county" in str(k)]
                if not running:
                    since.pop(addr, None)
                    continue
                since.setdefault(addr, time.time())
                if time.time() - since[addr] > 1.0:
                    pid = client.run(os.getpid, workers=[addr])[addr]
                    os.kill(pid, signal.SIGKILL)
                    killed = running[0]
                    break
            time.sleep(0.1)
        assert killed is not None, "no county was caught under way"
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr.decode(errors="replace")[-3000:]
        # the run hands a worker one county at a time (never queued on it): every county was
        # sent to a worker once, the lost one twice
        started = Counter(
            t[0]
            for t in cluster.scheduler.transition_log
            if "run_county" in str(t[0]) and t[2] == "processing"
        )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [c["status"] for c in summary["counties"]] == ["OPTIMAL"] * 4
    assert len(started) == 4, started
    assert started[killed] == 2, started
    assert sorted(started.values()) == [1, 1, 1, 2]
    assert summary["kpis"]["covered_by_officer"] == 800
    assert not Path(f"{out}.parts").exists()
