"""Hard counties the literature's way (OR-Library types C, D, E), and the engine on them: a full
cover when one exists, a counting certificate that holds when none does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cunjing.data.hard_counties import generate, write_bundle
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.officers import hard
from cunjing.optimizer.officers.budget import WorkClock
from cunjing.optimizer.officers.core import hard_county_problem, make_core
from cunjing.optimizer.officers.hard import solve_hard
from cunjing.optimizer.officers.lagrangian import problem_pair_bounds
from cunjing.optimizer.officers.model import build_model, completion, county_capacity, make_problem
from cunjing.optimizer.officers.mthg import solve_mthg
from cunjing.optimizer.officers.pairs import build_pairs
from cunjing.optimizer.officers.shortage import certificate, diagnosis
from cunjing.optimizer.solve.highs import solve_highs

from officer_cases import optimum, tiny_problem


def test_types_follow_the_literature_and_seeds_fix_them():
    c = generate("C", 400, 20, seed=1)
    assert c.resource.min() >= 5 and c.resource.max() <= 25
    assert c.cost.min() >= 10 and c.cost.max() <= 50
    d = generate("D", 400, 20, seed=1)
    e = d.cost - (111 - d.resource)  # the noise: uniform -10..10
    assert d.resource.min() >= 1 and d.resource.max() <= 100 and np.abs(e).max() <= 10
    assert np.array_equal(d.capacity, np.floor(0.8 * d.resource.sum(axis=1) / 20))
    ee = generate("E", 400, 20, seed=1)
    assert ee.resource.min() >= 1 and np.corrcoef(ee.resource.ravel(), ee.cost.ravel())[0, 1] < 0
    again = generate("D", 400, 20, seed=1)
    assert np.array_equal(d.cost, again.cost) and np.array_equal(d.capacity, again.capacity)
    assert not np.array_equal(d.cost, generate("D", 400, 20, seed=2).cost)


@pytest.mark.parametrize("kind", ["C", "D", "E"])
def test_tight_and_cut_variants_are_what_they_say(kind):
    t = generate(kind, 400, 40, seed=2, variant="tight")
    load = np.bincount(t.known, weights=t.resource[t.known, np.arange(400)], minlength=40)
    assert np.array_equal(load, t.capacity)  # the known plan needs every officer's days exactly
    cut = generate(kind, 400, 40, seed=2, variant="cut")
    assert cut.capacity.sum() < cut.resource.min(axis=0).sum() and not cut.feasible
    local = generate(kind, 400, 40, seed=2, variant="cut-local")
    few = np.flatnonzero(local.allowed[:, local.area].any(axis=1))
    assert local.allowed[:, local.area].sum(axis=0).max() == len(few)
    need = local.resource[np.ix_(few, local.area)].min(axis=0).sum()
    assert local.capacity[few].sum() < need


def test_bundle_round_trip_gives_the_same_problem(tmp_path):
    county = generate("D", 400, 20, seed=5, variant="cut-local")
    inst = load_bundle(write_bundle(county, tmp_path / "d"))
    table = build_pairs(inst)
    eligible = table[table["eligible"]].reset_index(drop=True).assign(_pos=lambda d: d.index)
    limits = county_capacity(inst, "C1", eligible).to_numpy()
    from_bundle = make_problem(inst, "C1", eligible, np.arange(len(eligible)), limits=limits)
    direct = hard_county_problem(county)
    assert from_bundle.n_pairs == direct.n_pairs == county.allowed.sum()
    assert np.array_equal(from_bundle.days, direct.days)
    key = lambda p: sorted(  # noqa: E731
        zip(
            p.pair_officer.tolist(),
            p.pair_village.tolist(),
            p.score.tolist(),
            p.workload.tolist(),
            strict=True,
        )
    )
    assert key(from_bundle) == key(direct)


def recount(prob, cert) -> None:
    """The certificate re-counted from the pair table alone."""
    pairs = prob.pairs
    s = set(cert["villages"])
    n = set(cert["officers"])
    of_s = pairs[pairs["village_id"].isin(s)]
    assert set(of_s["officer_id"]) == n  # N(S): exactly the officers who may serve S
    off = prob.officers.loc[sorted(n)]
    days = round(float(off["available_days"].sum()), 2)
    assert days == pytest.approx(cert["days"])
    places = 0
    for o in sorted(n):
        w = np.sort(of_s.loc[of_s["officer_id"] == o, "workload_days"].to_numpy())
        fits = int(np.searchsorted(np.cumsum(w), off.at[o, "available_days"] + 1e-9, side="right"))
        mx = off.at[o, "max_villages"]
        places += fits if pd.isna(mx) else min(fits, int(mx))
    assert places == cert["places"]
    lightest = np.sort(of_s.groupby("village_id")["workload_days"].min().to_numpy())
    assert lightest.sum() == pytest.approx(cert["need"])
    t = int(np.searchsorted(np.cumsum(lightest), days + 1e-9, side="right"))
    at_most = min(t, places, len(s))
    assert at_most == cert["at_most"]
    assert len(s) - at_most == cert["short"] >= 1


@pytest.mark.parametrize(
    "shape", [("D", 400, 20, "cut"), ("C", 400, 40, "cut-local"), ("E", 800, 40, "cut-local")]
)
def test_certificate_of_an_infeasible_county_holds_when_recounted(shape):
    county = generate(*shape[:3], seed=1, variant=shape[3])
    prob = hard_county_problem(county)
    core = make_core(prob)
    cert = certificate(core, np.arange(core.n_v))
    assert cert is not None
    recount(prob, cert)
    if shape[3] == "cut-local":
        area = set(prob.villages[county.area])
        assert area <= set(cert["villages"])  # the remote corner is what it found


def test_without_a_proof_the_diagnosis_says_so_plainly():
    prob = hard_county_problem(generate("D", 400, 80, seed=3, variant="tight"))
    core = make_core(prob)
    # a plan that left three villages out although a full cover exists: nothing can be proven
    said = diagnosis(core, np.array([0, 1, 2]))
    assert [d["message"] for d in said] == ["未能证明无法全覆盖：求解时间用尽"]


@pytest.mark.parametrize(
    "shape", [("D", 400, 80, "tight"), ("E", 400, 40, "tight"), ("C", 400, 20, "literature")]
)
def test_solve_hard_covers_every_village_of_a_feasible_hard_county(shape):
    county = generate(*shape[:3], seed=3, variant=shape[3])
    prob = hard_county_problem(county)
    res = solve_hard(prob, time_limit=20, effort=0.3)
    assert res.covered == res.villages == shape[1]
    assert res.status in ("OPTIMAL", "FEASIBLE") and not res.diagnostics
    model = build_model(prob)
    x = completion(prob, model, res.pairs)
    assert not len(model.violated_rows(x))
    assert model.value(x) == res.objective
    assert res.bound >= res.objective
    names = [s.name for s in res.stages]
    assert names[:2] == ["greedy", "mthg"] and "lp" in names  # every stage is said


def test_solve_hard_on_an_infeasible_county_gives_a_partial_plan_and_a_holding_certificate():
    county = generate("C", 400, 40, seed=1, variant="cut-local")
    prob = hard_county_problem(county)
    res = solve_hard(prob, time_limit=20, effort=0.3)
    assert res.status == "PARTIAL" and res.covered < res.villages
    certs = [d for d in res.diagnostics if "short" in d]
    assert len(certs) == 1
    recount(prob, certs[0])
    assert certs[0]["short"] <= res.villages - res.covered
    assert any(s.name == "cp-sat feasibility" for s in res.stages)


@pytest.mark.parametrize("seed", range(3))
def test_solve_hard_keeps_pins_and_the_fair_share_and_reaches_the_optimum(seed):
    prob = tiny_problem(seed, officers=3, villages=7, extra=90, pins=2, max_villages=True)
    best, _ = optimum(prob)
    res = solve_hard(prob, time_limit=10, effort=0.2)
    assert set(np.flatnonzero(prob.pinned)) <= set(res.pairs.tolist())
    model = build_model(prob)
    assert not len(model.violated_rows(completion(prob, model, res.pairs)))
    assert res.objective == best
    assert res.status in ("OPTIMAL", "PARTIAL")


def test_pins_that_break_an_officers_days_make_the_county_infeasible_and_say_who():
    from cunjing.optimizer.officers.core import gap_problem

    workload = np.array([[80, 80, 50], [60, 60, 60]])
    pinned = np.array([[True, True, False], [False, False, False]])
    prob = gap_problem(np.full((2, 3), 100), workload, np.array([150, 500]), pinned=pinned)
    res = solve_hard(prob, time_limit=5)
    assert res.status == "INFEASIBLE"
    (diag,) = res.diagnostics
    assert diag["ids"] == ["A000"] and "固定" in diag["message"]


def test_a_village_no_officer_may_serve_is_counted_as_such():
    from cunjing.optimizer.officers.core import gap_problem

    eligible = np.array([[True, True, False], [True, False, False]])
    prob = gap_problem(
        np.full((2, 3), 100), np.full((2, 3), 50), np.array([500, 500]), eligible=eligible
    )
    res = solve_hard(prob, time_limit=5)
    assert res.status == "PARTIAL" and res.covered == 2
    (cert,) = res.diagnostics
    assert cert["villages"] == ["J0002"] and cert["officers"] == [] and cert["short"] == 1
    assert "没有任何民警" in cert["message"]


def test_with_many_pairs_a_village_left_a_kernel_of_the_best_bounded_is_searched_first(
    monkeypatch,
):
    # 40 officers a village: more pairs left after reduced-cost fixing than HiGHS's root node
    # gets through in its share; the kernel, the best-bounded pairs (twice the villages), first.
    # The oscillation (one step here) would otherwise leave a plan so good that few pairs can
    # beat it on a county this small
    monkeypatch.setattr(hard, "OSCILLATION_SHARE", 0.0)
    prob = hard_county_problem(generate("C", 200, 40, seed=3))
    res = solve_hard(prob, time_limit=10, effort=0.5)
    names = [s.name for s in res.stages]
    at = names.index("kernel")
    before, kernel = res.stages[at - 1], res.stages[at]
    assert kernel.note.startswith("400 个包村关系")
    assert kernel.objective > before.objective  # the kernel found a better plan
    # more than 30 pairs a village can still beat it: buckets follow, not HiGHS over them all
    assert names[at + 1 :] == ["bucket"] * hard.BUCKETS, names
    assert res.stages[at + 1].note.startswith("核心之外再加 400 个包村关系（第 1 批，共 4 批）")
    model = build_model(prob)
    assert not len(model.violated_rows(completion(prob, model, res.pairs)))
    assert res.bound >= res.objective
    # with at most 20 officers a village (gapd's shapes) there is no kernel stage
    few = solve_hard(hard_county_problem(generate("C", 200, 20, seed=3)), time_limit=5, effort=0.5)
    assert "kernel" not in [s.name for s in few.stages]


def test_when_the_kernel_finds_no_better_plan_no_bucket_is_searched():
    # a type-D county of 40 officers, the oscillation's plan: the kernel finds no better plan,
    # and no bucket follows (HiGHS over more of its pairs is no easier), which the last stage says
    prob = hard_county_problem(generate("D", 200, 40, seed=3))
    res = solve_hard(prob, time_limit=10, effort=0.5)
    before, kernel, last = res.stages[-3:]
    assert (kernel.name, last.name) == ("kernel", "bucket")
    assert before.objective == kernel.objective == last.objective
    assert last.note == "未搜索：核心未找到更好的方案"
    model = build_model(prob)
    assert not len(model.violated_rows(completion(prob, model, res.pairs)))


def test_kernel_search_buckets_take_the_next_best_bounded_pairs_with_the_kernel(monkeypatch):
    # the buckets on their own: disjoint, each the best-bounded pairs not yet searched that can
    # still beat the plan, each searched with the kernel by the real HiGHS
    prob = hard_county_problem(generate("C", 200, 40, seed=3))
    core = make_core(prob)
    start = solve_mthg(core).choice
    model = build_model(prob)
    lp = solve_highs(model, relax=True, presolve=False)
    y = lp.stats["duals"][model.row_groups["cover"]][core.village_ids]
    pb = problem_pair_bounds(core, y)[1]
    calls = []
    real = hard._highs_over

    def spy(problem, core_, inc, pairs, clock, share, stop):
        calls.append((core.objective(inc), pairs))
        return real(problem, core_, inc, pairs, clock, share, stop)

    monkeypatch.setattr(hard, "_highs_over", spy)
    stages = []
    kernel = np.flatnonzero(pb >= core.objective(start) + 1)[:50]
    got = hard._buckets(
        prob, core, start, pb, kernel, 400, WorkClock(8, 0.5), lambda: False,
        hard.recorder(core, stages), None,
    )  # fmt: skip
    assert len(calls) == len(stages) == hard.BUCKETS
    assert [s.name for s in stages] == ["bucket"] * hard.BUCKETS
    buckets = []
    for z, pairs in calls:
        assert np.isin(kernel, pairs).all()  # the kernel is in every search
        bucket = np.setdiff1d(pairs, kernel)
        assert len(bucket) == 400 and (pb[bucket] >= z + 1).all()  # each could beat the plan
        for earlier in buckets:
            assert not np.intersect1d(bucket, earlier).size  # never searched twice
            assert pb[bucket].max() <= pb[earlier].min()  # the best-bounded first
        buckets.append(bucket)
    # the first bucket holds the pairs of the best bounds: a better plan than MTHG's
    assert core.objective(got) > core.objective(start) and core.fits(got)
    assert [z for z, _p in calls] == sorted(z for z, _p in calls)  # never a worse plan
    assert not len(model.violated_rows(completion(prob, model, core.to_pairs(got))))
    # pairs that cannot beat the plan are never searched: with 600 that can, two buckets
    z = core.objective(got)
    few = np.full(prob.n_pairs, float(z))
    can = np.setdiff1d(np.flatnonzero(pb >= z + 1), kernel)[:600]
    few[can] = pb[can]
    calls.clear()
    hard._buckets(
        prob, core, got, few, kernel, 400, WorkClock(8, 0.5), lambda: False,
        hard.recorder(core, []), None,
    )  # fmt: skip
    searched = [np.setdiff1d(pairs, kernel) for _z, pairs in calls]
    assert [len(b) for b in searched] == [400, 200]
    assert np.array_equal(np.sort(np.concatenate(searched)), np.sort(can))
