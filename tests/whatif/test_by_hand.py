"""What planners decide by hand in a what-if: a village given to another officer (换人) or
auxiliary (换辅警), pins (锁定); and the ranked options offered before the choice."""

from __future__ import annotations

import pandas as pd
import pytest

from cunjing.optimizer import (
    BundleError,
    Status,
    auxiliary_options,
    changes_from,
    load_bundle,
    officer_options,
    plan,
    plan_folder,
    plan_tables,
    read_plan_folder,
    replan,
)
from cunjing.optimizer.officers.kpis import plan_objective
from cunjing.optimizer.officers.model import officers_in_scope
from cunjing.optimizer.officers.pairs import build_pairs


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The sample county, its plan in memory and written."""
    inst = load_bundle()
    run = plan(inst)
    out = tmp_path_factory.mktemp("by-hand") / "plan"
    run.write(out)
    folder = read_plan_folder(out)
    incumbent = folder.officers[["village_id", "officer_id", "pinned"]].copy()
    return inst, run, out, incumbent, folder.auxiliaries


def objective(inst, plan_rows) -> float:
    held = plan_rows[plan_rows["officer_id"] != ""]
    score, penalty = plan_objective(
        inst, build_pairs(inst, held[["officer_id", "village_id"]]), officers_in_scope(inst)
    )
    return score - penalty


def test_officer_options_rank_by_score_and_price_the_swap_exactly(county):
    inst, _, _, incumbent, _ = county
    village = incumbent["village_id"].iloc[0]
    current = incumbent["officer_id"].iloc[0]
    options = officer_options(inst, incumbent, village)
    assert 1 <= len(options) <= 8 and current not in set(options["officer_id"])
    assert list(options["score"]) == sorted(options["score"], reverse=True)
    county_id = inst.villages.at[village, "county_id"]
    assert (inst.officers.loc[options["officer_id"], "county_id"] == county_id).all()
    before = objective(inst, incumbent)
    for o in options.head(3).itertuples():
        swapped = incumbent.assign(
            officer_id=incumbent["officer_id"].where(
                incumbent["village_id"] != village, o.officer_id
            )
        )
        # the change is the whole plan's objective after the swap less before it
        assert o.change == pytest.approx(objective(inst, swapped) - before, abs=0.02)
        over = o.days_after > o.available_days + 1e-9
        assert over == any(b["rule"] == "OFF-LOAD" for b in o.breaks)


def test_assign_pins_the_choice_and_replans_an_overloaded_officer(county):
    inst, _, _, incumbent, aux = county
    village = incumbent["village_id"].iloc[0]
    options = officer_options(inst, incumbent, village)
    overloaded = options[[any(b["rule"] == "OFF-LOAD" for b in bs) for bs in options["breaks"]]]
    assert len(overloaded), "the sample's best swaps overload their officer"
    chosen = overloaded["officer_id"].iloc[0]
    run = replan(inst, incumbent, changes_from(assign=[f"{village}={chosen}"]), incumbent_aux=aux)
    after = run.officer_plan.set_index("village_id")
    assert after.at[village, "officer_id"] == chosen and bool(after.at[village, "pinned"])
    assert run.status == Status.FEASIBLE  # a pair chosen by hand is not proven the best
    first = run.diff.iloc[0]
    assert (first["village_id"], first["before"], first["after"]) == (
        village,
        incumbent["officer_id"].iloc[0],
        chosen,
    )
    # he gave up villages to fit his days again: the plan keeps every rule
    assert not run.record["diagnostics"]
    knock_on = run.diff.iloc[1:]
    assert len(knock_on) and (knock_on["before"] == chosen).any()
    moved = set(run.diff["village_id"])
    b = incumbent.set_index("village_id")["officer_id"]
    assert set(b.index[b != after["officer_id"].reindex(b.index)]) == moved


def test_lock_and_unlock_change_only_the_pin(county):
    inst, _, _, incumbent, aux = county
    village = incumbent["village_id"].iloc[3]
    run = replan(inst, incumbent, changes_from(lock=[village]), incumbent_aux=aux)
    assert run.diff.empty and run.status == Status.OPTIMAL
    assert bool(run.officer_plan.set_index("village_id").at[village, "pinned"])
    pinned = run.officer_plan[["village_id", "officer_id", "pinned"]]
    again = replan(inst, pinned, changes_from(unlock=[village]), incumbent_aux=aux)
    assert not bool(again.officer_plan.set_index("village_id").at[village, "pinned"])
    with pytest.raises(BundleError):
        replan(inst, incumbent, changes_from(lock=["no-such-village"]))


def test_an_auxiliary_moved_by_hand_leaves_his_village_to_be_placed_again(county):
    inst, _, _, incumbent, aux = county
    village = aux["village_id"].iloc[0]
    options = auxiliary_options(inst, aux, village)
    may = options[(options["breaks"].str.len() == 0) & (options["leaves"] != "")]
    chosen, left = may["auxiliary_id"].iloc[0], may["leaves"].iloc[0]
    run = replan(
        inst, incumbent, changes_from(assign_auxiliary=[f"{village}={chosen}"]), incumbent_aux=aux
    )
    placed = run.auxiliary_plan.set_index("village_id")
    assert placed.at[village, "auxiliary_id"] == chosen and bool(placed.at[village, "pinned"])
    assert placed.at[left, "auxiliary_id"] not in ("", chosen)  # someone else lives there now
    assert (
        run.auxiliary_plan["auxiliary_id"].replace("", pd.NA).dropna().value_counts() == 1
    ).all()
    assert run.status.holds
    rows = run.diff[run.diff["role"] == "auxiliary"]
    assert {village, left} <= set(rows["village_id"])
    locked = replan(inst, incumbent, changes_from(lock_auxiliary=[left]), incumbent_aux=aux)
    assert bool(locked.auxiliary_plan.set_index("village_id").at[left, "pinned"])


def test_a_preview_shows_what_the_written_folder_shows(county, tmp_path):
    inst, _, _, incumbent, aux = county
    officer = incumbent["officer_id"].value_counts().index[0]
    run = replan(inst, incumbent, changes_from(transfer=[officer]), incumbent_aux=aux)
    preview = plan_tables(plan_folder(run), run.instance)
    run.write(tmp_path / "w")
    written = plan_tables(read_plan_folder(tmp_path / "w"), run.instance)
    for name in ("officers", "auxiliaries", "loads"):
        a, b = preview[name], written[name]
        for col in ("village_id", "officer_id", "auxiliary_id", "reasons_zh", "days_used"):
            if col in a.columns:
                assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), (name, col)
