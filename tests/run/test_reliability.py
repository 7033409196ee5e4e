"""What the engine promises: feasible plans pass every check, partial plans prove why, outputs
are all-or-nothing, interrupts and time limits keep the best plan, and reruns are identical."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cunjing.constraints.validate import officer_violations
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.officers.pairs import build_pairs
from cunjing.optimizer.solve.options import SolveOptions

from brute_force import brute_force
from conftest import TINY, write_bundle

EXAMPLES = int(os.environ.get("CUNJING_PROPERTY_EXAMPLES", "25"))

officer_settings = st.fixed_dictionaries(
    {
        "available_days": st.sampled_from(["2.5", "4.5", "6", "9", "0.5"]),
        "max_villages": st.sampled_from(["", "0", "1", "2", "3"]),
        "status": st.sampled_from(["active", "active", "active", "leaving"]),
        "wishes": st.lists(
            st.sampled_from(["V1", "V2", "V3", "V4", "V5", "V6", "T1", "T2"]),
            max_size=3,
            unique=True,
        ),
    }
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no minutes-long shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    officers=st.lists(officer_settings, min_size=3, max_size=3),
    forbidden=st.lists(
        st.tuples(
            st.sampled_from(["100001", "100002", "100003"]),
            st.sampled_from(["V1", "V2", "V3", "V4", "V5", "V6"]),
        ),
        max_size=6,
        unique=True,
    ),
)
def test_plans_are_checked_and_partial_plans_proven(tmp_path_factory, officers, forbidden):
    data = copy.deepcopy(TINY)
    for row, o in zip(data["officers"], officers, strict=True):
        row.update(
            available_days=o["available_days"],
            max_villages=o["max_villages"],
            status=o["status"],
            preferences=";".join(o["wishes"]),
        )
    data["pairs"] = [{"officer_id": o, "village_id": v, "forbidden": "true"} for o, v in forbidden]
    folder = write_bundle(tmp_path_factory.mktemp("prop") / "b", data)
    inst = load_bundle(folder)
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=20))
    covered, objective = brute_force(inst)
    got = int((res.plan["officer_id"] != "").sum())
    # never reports a bundle worse than it is: coverage is the most any plan reaches
    assert got == covered
    plan = res.plan[["village_id", "officer_id"]]
    if res.status in ("OPTIMAL", "FEASIBLE"):
        assert got == 6
        assert officer_violations(inst, plan) == []
        assert abs(res.objective - objective) <= 0.011
        return
    assert res.status == "PARTIAL"
    violations = officer_violations(inst, plan)
    assert [v.rule for v in violations] == ["OFF-COVER"], "only the blank villages, nothing else"
    uncovered = set(plan.loc[plan["officer_id"] == "", "village_id"])
    named = set().union(*(set(d["ids"]) for d in res.diagnostics))
    assert uncovered <= named, "every blank village is named in a diagnosis"
    table = build_pairs(inst)
    eligible = table[table["eligible"]]
    for d in res.diagnostics:
        if "short" not in d:
            continue
        # the counting proof: these villages can only go to these officers, who lack room
        who = set(eligible.loc[eligible["village_id"].isin(d["villages"]), "officer_id"])
        assert who <= set(d["officers"])
        cheapest = (
            eligible[eligible["village_id"].isin(d["villages"])]
            .groupby("village_id")["workload_days"]
            .min()
            .sort_values()
            .to_numpy()
        )
        days = inst.officers.loc[d["officers"], "available_days"].sum() if d["officers"] else 0
        fits = int(np.searchsorted(np.cumsum(cheapest), days + 1e-9, side="right"))
        assert min(fits, d["places"], len(d["villages"])) == d["at_most"]
        assert len(d["villages"]) - d["at_most"] == d["short"] >= 1


def test_a_second_plan_keeps_the_first_as_a_dated_backup(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out)]) == 0
    first = (out / "officer_plan.csv").read_bytes()
    (out / "note.txt").write_text("the planner's own note", encoding="utf-8")
    assert main(["plan", str(bundle), "--out", str(out), "--seed", "2"]) == 0
    backups = list(tmp_path.glob("plan.backup-*"))
    assert len(backups) == 1
    assert (backups[0] / "officer_plan.csv").read_bytes() == first
    assert (backups[0] / "note.txt").read_text(encoding="utf-8") == "the planner's own note"
    assert (out / "summary.json").exists() and not (out / "note.txt").exists()


def test_killing_a_run_never_leaves_a_half_written_plan(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out)]) == 0
    good = {p.name: p.read_bytes() for p in out.iterdir()}
    cmd = [
        sys.executable,
        "-m",
        "cunjing.optimizer.cli",
        "plan",
        str(bundle),
        "--out",
        str(out),
        "--seed",
        "5",
    ]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    whole = time.perf_counter() - t0
    for fraction in (0.3, 0.6, 0.8, 0.9, 0.95, 0.98):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        proc.kill()
        proc.wait()
        names = {p.name for p in out.iterdir()}
        assert {"officer_plan.csv", "summary.json"} <= names, "the plan folder is complete"
        plan = pd.read_csv(out / "officer_plan.csv", dtype=str, encoding="utf-8-sig")
        assert len(plan) == 6
        json.loads((out / "summary.json").read_text(encoding="utf-8"))
    del good


def test_a_short_time_limit_still_returns_a_plan_with_its_bound(tmp_path):
    from cunjing.data.generator import generate_bundle

    folder = tmp_path / "g"
    generate_bundle(folder, villages=120, counties=1, seed=2)
    out = tmp_path / "plan"
    code = main(["plan", str(folder), "--out", str(out), "--time-limit", "0.5"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert code == 0 and summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert summary["kpis"]["covered_by_officer"] == 120
    if summary["status"] == "FEASIBLE" and summary["best_bound"] is not None:
        assert summary["best_bound"] >= summary["objective"] - 0.01


def test_ctrl_c_keeps_the_best_plan_so_far(tmp_path):
    out = tmp_path / "plan"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cunjing.optimizer.cli", "plan", "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(6)  # well into the sample county's search
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    assert b"Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    plan = pd.read_csv(
        out / "officer_plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert len(plan) == len(load_bundle().villages)  # every village of the sample county
    if summary["interrupted"]:
        assert "提前停止".encode() in stdout
        assert summary["status"] in ("FEASIBLE", "OPTIMAL", "PARTIAL")
    else:  # the search had already finished: an ordinary plan
        assert summary["status"] == "OPTIMAL"
    assert proc.returncode in (0, 1)


def test_three_runs_are_byte_identical(tmp_path):
    from cunjing.data.generator import generate_bundle

    folder = tmp_path / "g"
    generate_bundle(folder, villages=90, counties=1, seed=7)
    outputs = []
    for i in range(3):
        out = tmp_path / f"p{i}"
        assert main(["plan", str(folder), "--out", str(out), "--seed", "4"]) == 0
        outputs.append({n: (out / n).read_bytes() for n in ("officer_plan.csv",)})
    assert outputs[0] == outputs[1] == outputs[2]
    summary = json.loads((tmp_path / "p0" / "summary.json").read_text(encoding="utf-8"))
    for key in ("seed", "workers", "time_limit", "versions", "input_sha256", "policy"):
        assert key in summary


def test_inputs_cannot_point_outside_the_bundle(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    secret = tmp_path / "secret.toml"
    secret.write_text("[solver]\nseed = 3\n", encoding="utf-8")
    (bundle / "policy.toml").symlink_to(secret)
    assert main(["validate", str(bundle)]) == 2
    Path(bundle / "policy.toml").unlink()
    (bundle / "policy.toml").write_text('[geo]\ncrs = "../../etc/passwd"\n', encoding="utf-8")
    assert main(["validate", str(bundle)]) == 2
