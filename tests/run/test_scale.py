"""Many counties: the same plan inline, in worker processes and on a Dask cluster; resuming."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.run.annual import officer_kpis, plan_county
from cunjing.optimizer.run.executor import county_fingerprints
from cunjing.optimizer.run.store import MANIFEST, CountyStore
from cunjing.optimizer.solve.options import SolveOptions


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("three") / "bundle"
    generate_bundle(folder, villages=180, counties=3, seed=8)
    return folder


def plan_of(folder: Path) -> pd.DataFrame:
    return pd.read_csv(
        folder / "officer_plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def test_processes_and_dask_give_the_plan_of_one_process(three, tmp_path):
    outs = {}
    for name, extra in (("inline", []), ("procs", ["--jobs", "2"])):
        outs[name] = tmp_path / name
        assert main(["plan", str(three), "--out", str(outs[name]), *extra]) == 0
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        outs["dask"] = tmp_path / "dask"
        assert (
            main(
                [
                    "plan",
                    str(three),
                    "--out",
                    str(outs["dask"]),
                    "--scheduler",
                    cluster.scheduler_address,
                ]
            )
            == 0
        )
    base = plan_of(outs["inline"])
    assert len(base) == 180 and (base["officer_id"] != "").all()
    for name in ("procs", "dask"):
        pd.testing.assert_frame_equal(plan_of(outs[name]), base)
    summary = json.loads((outs["dask"] / "summary.json").read_text(encoding="utf-8"))
    assert [c["status"] for c in summary["counties"]] == ["OPTIMAL"] * 3


def finished(store: CountyStore) -> list[str]:
    """Counties with a sealed entry in the store."""
    if not store.folder.exists():
        return []
    return sorted(p.name for p in store.folder.iterdir() if (p / MANIFEST).exists())


def test_finished_counties_are_reused_after_an_interruption(three, tmp_path):
    out = tmp_path / "plan"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "cunjing.optimizer.cli", "plan", str(three), "--out", str(out)]
    proc = subprocess.Popen([*cmd, "--jobs", "1"], env=env, stderr=subprocess.PIPE)
    store = CountyStore(out)
    deadline = time.time() + 120
    while time.time() < deadline and not finished(store):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # a crash, not a polite stop
    proc.wait()
    done = finished(store)
    assert done, "the first county's result was kept as soon as it was done"
    assert not out.exists(), "no half-written plan folder"
    assert main(["plan", str(three), "--out", str(out), "--jobs", "1"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    reused = {c["county_id"]: c["reused"] for c in summary["counties"]}
    assert reused == {c: c in done for c in reused}, "only the unfinished counties were solved"
    assert not store.folder.exists(), "the store goes once the plan is written"
    # a reused county's folder is complete and the merged files cover every county
    for c in summary["counties"]:
        assert (out / c["folder"] / "plan.xlsx").exists()
    assert len(plan_of(out)) == 180


def test_the_fingerprint_follows_the_county_input(three, tmp_path):
    inst = load_bundle(three)
    a, b = inst.counties[:2]
    settings = {"seed": 0}
    keys = county_fingerprints(inst, settings)
    assert keys == county_fingerprints(load_bundle(three), settings)
    assert keys[a] != keys[b]
    assert keys[a] != county_fingerprints(inst, {"seed": 1})[a]
    vil = pd.read_csv(three / "villages.csv", dtype=str, keep_default_na=False)
    changed = tmp_path / "changed"
    import shutil

    shutil.copytree(three, changed)
    row = vil.index[vil["township_id"].str.startswith(a)][0]
    vil.loc[row, "cases"] = "999"
    vil.to_csv(changed / "villages.csv", index=False)
    other = county_fingerprints(load_bundle(changed), settings)
    assert other[a] != keys[a]
    assert other[b] == keys[b]
    # the tables of AUX-TOWNSHIP's named exceptions count too, for their county only
    aux = pd.read_csv(three / "auxiliaries.csv", dtype=str, keep_default_na=False)
    auxiliary = aux.loc[aux["county_id"] == a, "auxiliary_id"].iloc[0]
    exceptions = changed / "auxiliary_exceptions.csv"
    pd.DataFrame(
        {"auxiliary_id": [auxiliary], "village_id": [vil.loc[row, "village_id"]], "reason": ["x"]}
    ).to_csv(exceptions, index=False)
    excepted = county_fingerprints(load_bundle(changed), settings)
    assert excepted[a] != other[a]
    assert excepted[b] == keys[b]


def test_an_infeasible_county_does_not_stop_the_others(three, tmp_path):
    bundle = tmp_path / "b"
    import shutil

    shutil.copytree(three, bundle)
    inst = load_bundle(three)
    poor = inst.counties[1]
    off = pd.read_csv(bundle / "officers.csv", dtype=str, keep_default_na=False)
    off.loc[off["county_id"] == poor, "max_villages"] = "1"
    off.to_csv(bundle / "officers.csv", index=False)
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out), "--jobs", "2"]) == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    status = {c["county_id"]: c["status"] for c in summary["counties"]}
    assert status[poor] == "PARTIAL"
    assert all(s == "OPTIMAL" for c, s in status.items() if c != poor)
    plan = plan_of(out)
    vil = pd.read_csv(bundle / "villages.csv", dtype=str)
    others = plan[
        ~plan["township_id"].isin(vil.loc[vil["township_id"].str[:6] == poor, "township_id"])
    ]
    assert (others["officer_id"] != "").all()
    assert summary["diagnostics"]


def test_county_workers_kpis_equal_the_whole_bundle_kpis(three):
    """The KPIs that need every eligible pair come from the county workers (a province's pair
    table at once would take gigabytes); they must equal the KPIs computed over the bundle."""

    inst = load_bundle(three)
    options = SolveOptions(time_limit=30)
    results = [plan_county(inst, c, options) for c in inst.counties]
    plan = pd.concat([r.officers.plan for r in results], ignore_index=True)
    from_workers = officer_kpis(inst, plan, [r.officers.kpi_part for r in results])
    whole = officer_kpis(inst, plan[["village_id", "officer_id"]])
    assert from_workers["rules"] == whole["rules"]
    assert from_workers["blocking_pairs"] == whole["blocking_pairs"]
    assert sum(r["possible"] for r in whole["rules"].values()) > 0
    assert whole["objective"] == from_workers["objective"]
    # the plan's pair rows taken from the engine's own table: the same KPIs; rows that miss a
    # pair of the plan (one edited by hand) are built again
    known = pd.concat([r.officers.pairs for r in results])
    assert officer_kpis(inst, plan, known=known) == whole
    held = plan[plan["officer_id"] != ""].iloc[0]
    short = known[
        (known["village_id"] != held["village_id"]) | (known["officer_id"] != held["officer_id"])
    ]
    assert len(short) == len(known) - 1
    assert officer_kpis(inst, plan, known=short) == whole


def test_the_merged_summary_is_the_whole_bundles(three, tmp_path):
    """The parent merges the counties' own records; the result equals the KPIs computed over
    the whole bundle from the merged plan, and every county's folder is a complete plan."""
    out = tmp_path / "plan"
    assert main(["plan", str(three), "--out", str(out), "--jobs", "2"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    inst = load_bundle(three)
    plan = pd.read_csv(
        out / "officer_plan.csv",
        dtype={"village_id": str, "officer_id": str},
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    plan["workload_days"] = pd.to_numeric(plan["workload_days"])
    whole = officer_kpis(inst, plan)
    got = summary["kpis"]["officer"]
    for key in ("objective", "score", "balance_penalty", "rules", "blocking_pairs", "load"):
        if key == "blocking_pairs":
            assert {k: got[key][k] for k in ("by_preference", "by_score")} == {
                k: whole[key][k] for k in ("by_preference", "by_score")
            }
        else:
            assert got[key] == whole[key], key
    assert got["preference_rank_profile"] == whole["preference_rank_profile"]
    assert summary["kpis"]["villages"] == 180 == len(plan)
    assert summary["objective"] == round(
        sum(c["objective"] for c in summary["counties"])
        + summary["parts"]["auxiliary"]["objective"],
        2,
    )
    # the overview names every county and links its folder; each folder is a whole plan
    page = (out / "report.html").read_text(encoding="utf-8")
    for c in summary["counties"]:
        folder = out / c["folder"]
        assert f'href="{c["folder"]}/report.html"' in page
        for name in (
            "officer_plan.csv",
            "auxiliary_plan.csv",
            "summary.json",
            "plan.xlsx",
            "plan.gpkg",
            "report.html",
            "public_notice.xlsx",
            "officer_candidates.csv.gz",
        ):
            assert (folder / name).exists(), (folder, name)
        own = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert own["kpis"]["villages"] == c["villages"]
    cand = pd.read_csv(out / "officer_candidates.csv.gz", dtype=str)
    assert set(cand["village_id"]) == set(plan["village_id"])
    # the whole bundle's plan keeps every rule, by the same judge as a hand-made plan
    assert main(["check", str(three), str(out)]) == 0
    # cunjing report writes each county's reports again, and the overview
    first = out / summary["counties"][0]["folder"]
    (first / "plan.xlsx").unlink()
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (first / "plan.xlsx").exists() and (out / "report.html").exists()
    assert not (out / "plan.gpkg").exists(), "the overview is not the whole bundle's reports"


def test_across_counties_places_auxiliaries_over_the_whole_bundle(three, tmp_path):
    import shutil

    bundle = tmp_path / "b"
    shutil.copytree(three, bundle)
    (bundle / "policy.toml").write_text(
        "[rules.AUX-TOWNSHIP]\nacross_counties = true\n", encoding="utf-8"
    )
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out), "--jobs", "2"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parts"]["auxiliary"]["status"] == "OPTIMAL"
    assert summary["parts"]["auxiliary"]["best_bound"] is not None
    aux = pd.read_csv(
        out / "auxiliary_plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert len(aux) == 180 and (aux["auxiliary_id"] != "").all()
    # each county's folder holds its villages' rows of the one placement
    parts = (
        pd.concat(
            pd.read_csv(
                out / c["folder"] / "auxiliary_plan.csv",
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
            for c in summary["counties"]
        )
        .sort_values("village_id")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(parts, aux)
    assert main(["check", str(bundle), str(out)]) == 0
