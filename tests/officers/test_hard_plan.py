"""Issue 17 through the engine as a planner runs it: hard counties generated the way the literature
makes its hardest assignment instances (OR-Library types C, D, E; ``cunjing.data.hard_counties``).

- a county that has a full cover gets one, though the greedy plan leaves most villages out;
- a county that has none (capacities cut below a counted bound) gets a partial plan whose
  diagnostics start with a counting certificate, re-counted here from the bundle's pair table;
- every stage of the search is said in Chinese.

Time limits are short (3 s): what is asserted is coverage and proofs, not the score.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cunjing.constraints.validate import officer_violations
from cunjing.data.hard_counties import generate, write_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers.engine import plan_county_officers
from cunjing.optimizer.officers.pairs import build_pairs
from cunjing.optimizer.solve.options import SolveOptions

NOT_PROVEN = "未能证明无法全覆盖：求解时间用尽"


def _county(tmp_path, kind, villages, officers, variant, seed=1):
    county = generate(kind, villages, officers, seed=seed, variant=variant)
    return county, load_bundle(write_bundle(county, tmp_path / county.name))


def recount(inst, cert: dict) -> None:
    """The certificate, re-counted from the bundle: its villages' possible officers are its
    officers; each officer's places for them (his maximum, and how many of his lightest ones fit
    his days) and their days together let at most ``at_most`` of them have an officer."""
    table = build_pairs(inst)
    eligible = table[table["eligible"]]
    mine = eligible[eligible["village_id"].isin(cert["villages"])]
    assert set(mine["officer_id"]) <= set(cert["officers"])
    officers = inst.officers.loc[cert["officers"]]
    places = 0
    for o, w in mine.groupby("officer_id")["workload_days"]:
        fit = int(
            np.searchsorted(
                np.cumsum(np.sort(w.to_numpy())),
                officers.at[o, "available_days"] + 1e-9,
                side="right",
            )
        )
        most = officers.at[o, "max_villages"]
        places += fit if pd.isna(most) else min(fit, int(most))
    cheapest = np.sort(mine.groupby("village_id")["workload_days"].min().to_numpy())
    days = float(officers["available_days"].sum())
    fits = int(np.searchsorted(np.cumsum(cheapest), days + 1e-9, side="right"))
    at_most = min(places, fits, len(cert["villages"]))
    assert at_most <= cert["at_most"]
    assert len(cert["villages"]) - at_most >= cert["short"] >= 1


def test_plan_covers_every_village_of_a_tight_county_and_says_how(tmp_path, capsys):
    county = generate("C", 400, 40, seed=1, variant="tight")
    bundle = write_bundle(county, tmp_path / "bundle")
    out = tmp_path / "plan"
    # exit 1: these bundles have no auxiliaries, so the auxiliary part is partial
    assert main(["plan", str(bundle), "--out", str(out), "--time-limit", "3"]) in (0, 1)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kpis"]["covered_by_officer"] == 400
    assert summary["parts"]["officer"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert not [d for d in summary["diagnostics"] if d["rule"].startswith("OFF")]
    plan = pd.read_csv(out / "officer_plan.csv", dtype=str, keep_default_na=False)
    assert (plan["officer_id"] != "").all() and len(plan) == 400
    (c,) = summary["counties"]
    # a small county: MTHG or the repair search find the full cover, CP-SAT goes on and, when
    # it proves nothing, the pipeline's later stages from its plan, each said
    assert c["backend"] in ("cp-sat then pipeline", "cp-sat", "hard-county pipeline")
    if c["backend"] == "cp-sat then pipeline":
        # CP-SAT's line (a plan not proven, or none found), then the pipeline's stages
        said = [line.split("：")[0] for line in c["search"]]
        cp = next(i for i, line in enumerate(said) if line.startswith("CP-SAT "))
        assert said[cp + 1 : cp + 3] == ["线性松弛", "HiGHS 在线性松弛选中的包村关系上求解"]
    # the greedy plan leaves most villages out; what covered them is said
    assert c["search"][0].startswith("贪心方案：400 个村中覆盖 ")
    printed = capsys.readouterr().out
    assert "的方案搜索过程" in printed and "贪心方案" in printed and "MTHG 构造法" in printed


@pytest.mark.parametrize(
    "shape",
    [
        ("D", 1600, 40, "literature"),  # the county: the greedy plan covered 697
        ("D", 1600, 40, "tight"),
        ("E", 800, 80, "tight"),
        ("C", 800, 80, "literature"),
    ],
)
def test_a_county_with_a_full_cover_gets_one(tmp_path, shape):
    _, inst = _county(tmp_path, *shape)
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=3))
    assert res.status in ("OPTIMAL", "FEASIBLE"), res.notes
    assert (res.plan["officer_id"] != "").all() and len(res.plan) == shape[1]
    assert officer_violations(inst, res.plan[["village_id", "officer_id"]]) == []
    assert not res.diagnostics
    # a proven bound, when the search got that far, is above the plan
    assert not np.isfinite(res.best_bound) or res.best_bound >= res.objective - 1e-6


@pytest.mark.parametrize(
    "shape", [("D", 400, 20, "cut"), ("C", 400, 40, "cut"), ("C", 800, 80, "cut-local")]
)
def test_a_county_without_one_gets_a_certificate_that_holds(tmp_path, shape):
    county, inst = _county(tmp_path, *shape)
    res = plan_county_officers(inst, "C1", SolveOptions(time_limit=3))
    assert res.status == "PARTIAL"
    uncovered = set(res.plan.loc[res.plan["officer_id"] == "", "village_id"])
    first = res.diagnostics[0]
    assert "short" in first, "a partial plan's diagnosis starts with its proof"
    recount(inst, first)
    assert first["short"] <= len(uncovered)
    if first["short"] < len(uncovered):
        # what the count does not prove is said not to be proven (or the solver proved it)
        second = res.diagnostics[1]["message"]
        assert "未能证明无法覆盖：求解时间用尽" in second or "求解器已穷尽搜索证明" in second
    if shape[3] == "cut-local":
        assert set(inst.villages.index[county.area]) <= set(first["villages"])
    broken = officer_violations(inst, res.plan[["village_id", "officer_id"]])
    assert {v.rule for v in broken} == {"OFF-COVER"}  # the blank villages, nothing else
    assert any("CP-SAT" in n for n in res.notes)
