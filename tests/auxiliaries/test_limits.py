"""The placement within AUX-EXCHANGE's limits by priced flows and reduced-cost fixing
(``auxiliaries/limits``) against HiGHS on the whole model: the same optimum, bounds that hold,
fixings that never cut the optimum off, and the widening margin when the first guess is short."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from aux_bundles import generated

from cunjing.optimizer.auxiliaries import placement
from cunjing.optimizer.auxiliaries.exchange import side_rows
from cunjing.optimizer.auxiliaries.flow import solve_flow
from cunjing.optimizer.auxiliaries.limits import model_value, price
from cunjing.optimizer.auxiliaries.model import build_model, make_problem
from cunjing.optimizer.auxiliaries.pairs import build_pairs
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.solve.highs import solve_highs
from cunjing.optimizer.solve.options import SolveOptions
from cunjing.optimizer.solve.status import Status

OPTIONS = SolveOptions(time_limit=60.0, seed=0, workers=1)
# generated counties whose best familiar points break a township's or the county's limit
CASES = [(60, 0), (120, 3), (200, 0), (400, 1)]
# and how each is proven: by the prices alone, or by HiGHS on the pairs the prices leave
PROVEN_BY = {
    (60, 0): "min-cost-flow",
    (300, 0): "min-cost-flow",
    (400, 0): "min-cost-flow",
    (120, 3): "highs",
    (200, 0): "highs",
    (200, 3): "highs",
    (400, 1): "highs",
    (400, 3): "highs",
}


def problem_of(tmp_path, villages: int, seed: int):
    inst = load_bundle(generated(tmp_path, villages, seed=seed))
    county = sorted(set(inst.villages["county_id"]))[0]
    sub = placement.county_scope(inst, county)
    vil = sub.villages.index[sub.villages["county_id"] == county]
    table, _ = placement._pins(build_pairs(sub, vil, sub.auxiliaries.index))
    eligible = table[table["eligible"]]
    return (
        inst,
        county,
        make_problem(vil, sub.auxiliaries.index, eligible, partial(side_rows, sub, vil)),
    )


def whole_model_optimum(problem) -> float:
    res = solve_highs(build_model(problem), 60.0, threads=1)
    assert res.status == Status.OPTIMAL
    return res.objective


@pytest.mark.parametrize(("villages", "seed"), sorted(PROVEN_BY))
def test_the_priced_placement_is_the_whole_models_optimum(tmp_path, villages, seed):
    inst, county, problem = problem_of(tmp_path, villages, seed)
    flow = solve_flow(problem)
    assert len(problem.side.broken(flow.x)), "a case where the flow alone breaks a limit"
    best = whole_model_optimum(problem)
    priced = price(problem, flow.x)
    assert priced.bound >= best - 1e-6  # L(λ) bounds the placement with its rows
    assert priced.value == model_value(problem, priced.plan) <= best + 1e-6
    got = placement.plan_county_auxiliaries(inst, county, OPTIONS)
    assert got.status == Status.OPTIMAL
    assert got.objective == pytest.approx(best / 100, abs=0.005)
    assert got.best_bound == pytest.approx(got.objective, abs=0.005)
    assert got.backend == PROVEN_BY[villages, seed]


@pytest.mark.parametrize(("villages", "seed"), CASES[1:])
def test_fixing_at_the_optimum_keeps_it(tmp_path, villages, seed):
    _inst, _county, problem = problem_of(tmp_path, villages, seed)
    best = whole_model_optimum(problem)
    priced = price(problem, solve_flow(problem).x)
    off, on = priced.fixings(problem, best)
    assert len(off) > problem.n_pairs // 2  # most pairs are ruled out
    model = build_model(problem)
    model.fixed.update(dict.fromkeys(off.tolist(), 0))
    model.fixed.update(dict.fromkeys(on.tolist(), 1))
    res = solve_highs(model, 60.0, threads=1)
    assert res.objective == pytest.approx(best)
    # a cutoff above the optimum rules out every optimal plan: what is left is worth less
    off, on = priced.fixings(problem, best + 1)
    model = build_model(problem)
    model.fixed.update(dict.fromkeys(off.tolist(), 0))
    model.fixed.update(dict.fromkeys(on.tolist(), 1))
    assert solve_highs(model, 60.0, threads=1).objective < best + 1


def test_a_short_first_margin_widens_to_the_optimum(tmp_path, monkeypatch):
    inst, county, problem = problem_of(tmp_path, 400, 1)
    best = whole_model_optimum(problem)
    monkeypatch.setattr(placement, "MARGIN", 1)  # 0.01 point: too short on this county
    got = placement.plan_county_auxiliaries(inst, county, OPTIONS)
    assert got.status == Status.OPTIMAL
    assert got.objective == pytest.approx(best / 100, abs=0.005)


def test_priced_plans_are_deterministic(tmp_path):
    inst, county, _problem = problem_of(tmp_path, 200, 3)
    a = placement.plan_county_auxiliaries(inst, county, OPTIONS).plan
    b = placement.plan_county_auxiliaries(inst, county, OPTIONS).plan
    assert np.array_equal(a["auxiliary_id"].to_numpy(), b["auxiliary_id"].to_numpy())
