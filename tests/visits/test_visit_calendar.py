"""The monthly visit calendar: CP-SAT per officer, re-checked by VISIT-DAYS, diagnosed when short,
written as calendar.csv and one .ics per officer."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from icalendar import Calendar

from cunjing.constraints.visit_days import check_calendar
from cunjing.data.rosters import generate_unavailable
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.solve.options import SolveOptions
from cunjing.optimizer.solve.status import Status
from cunjing.optimizer.visits.calendar import plan_calendar

from conftest import write_bundle, write_csv
from plan_folders import variant, write_plan_folder

# the rules' messages are read in English here; their Chinese: tests/test_messages.py

MONTH = "2027-03"


@pytest.fixture(scope="module")
def sample():
    return load_bundle()


@pytest.fixture(scope="module")
def sample_run(sample, tmp_path_factory):
    """``cunjing calendar`` on the sample county's incumbent plan, once for the module."""
    tmp = tmp_path_factory.mktemp("calendar")
    plan = write_plan_folder(tmp / "plan", sample, None)
    out = tmp / "cal"
    # English: the CSV files are the machine tables (test_people_tables reads the Chinese ones)
    rc = main(["--lang", "en", "calendar", str(plan), "--month", MONTH, "--out", str(out)])
    return rc, out


def test_sample_county_month_holds_every_rule(sample, sample_run):
    rc, out = sample_run
    assert rc == 0
    table = pd.read_csv(out / "calendar.csv", dtype=str, encoding="utf-8-sig")
    # the independent check, on the published file
    assert check_calendar(sample, sample.plan_officers, table) == []
    visits = table.groupby("village_id")["date"].nunique()
    assert set(visits.index) == set(sample.plan_officers.index)
    assert (visits == 2).all()
    # visits of one village are spread well beyond the rule's minimum (different 旬)
    gaps = table.groupby("village_id")["date"].agg(
        lambda d: (pd.to_datetime(d).max() - pd.to_datetime(d).min()).days
    )
    assert gaps.min() >= 7 and gaps.median() >= 14
    # nobody shares a day when there are days enough
    assert (table["shared_day"] == "False").all()
    officers = pd.read_csv(out / "officers.csv", dtype=str, encoding="utf-8-sig")
    assert (officers["status"] == "OPTIMAL").all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "OPTIMAL" and summary["violations"] == []
    assert summary["diagnostics"] == [] and summary["input"] is None
    visits_required = 2 * len(sample.villages)  # every village twice a month
    assert (
        summary["kpis"]["visits_planned"] == summary["kpis"]["visits_required"] == visits_required
    )


def test_tight_month_is_diagnosed_and_beats_the_greedy(sample):
    roster = generate_unavailable(sample.officers, MONTH, seed=1, long_leave=20)
    res = plan_calendar(sample, sample.plan_officers, MONTH, roster)
    assert res.backend == "cp-sat"
    greedy = plan_calendar(sample, sample.plan_officers, MONTH, roster, method="greedy")
    assert res.status == Status.PARTIAL
    short = {d["ids"][0] for d in res.diagnostics}
    assert short and all("个村 × 每村 2 天" in d["message"] for d in res.diagnostics)
    # every violation the check finds is a diagnosed shortfall, nothing else
    for v in res.violations:
        assert v.ids[0] in short and ("需要" in v.message)
    # no visit on a day off
    off = {(o, d.isoformat()) for o, ds in res.days.off.items() for d in ds}
    assert not any(
        (o, d) in off for o, d in zip(res.calendar["officer_id"], res.calendar["date"], strict=True)
    )
    # CP-SAT never plans fewer visits than first-fit, officer by officer
    both = res.officers.merge(greedy.officers, on="officer_id", suffixes=("", "_greedy"))
    assert (both["visits_planned"] >= both["visits_planned_greedy"]).all()
    assert both["visits_planned"].sum() > both["visits_planned_greedy"].sum()
    assert len(res.violations) < len(greedy.violations)


@pytest.fixture
def tiny(tmp_path):
    return write_bundle(tmp_path / "tiny")


PLAN3 = pd.DataFrame({"village_id": ["V1", "V2", "V3"], "officer_id": ["100001"] * 3})


@pytest.fixture(scope="module")
def tiny_inst(tmp_path_factory):
    return load_bundle(write_bundle(tmp_path_factory.mktemp("tiny") / "b"))


def days_off(officer: str, free: list[str]) -> list[dict]:
    """Every other day of March unavailable for the officer."""
    days = [dt.date(2027, 3, d).isoformat() for d in range(1, 32)]
    return [{"officer_id": officer, "date": d} for d in days if d not in free]


def only_free(folder, officer: str, free: list[str]) -> None:
    write_csv(folder / "unavailable.csv", days_off(officer, free))


def test_too_few_free_days_in_words(tiny_inst):
    inst = variant(
        tiny_inst,
        "[rules.VISIT-DAYS]\nshared_day_km = 0.5\n",
        unavailable=days_off("100001", ["2027-03-02", "2027-03-24"]),
    )
    res = plan_calendar(inst, PLAN3, MONTH)
    assert res.status == Status.PARTIAL
    (d,) = res.diagnostics
    assert d["message"].startswith(
        "张伟（100001）包 3 个村 × 每村 2 天，但 2027-03 只有 2 个空闲日（工作日 23 天，其中 21 天"
        "不可用），且他所包的村两两相距都超过 0.5 公里，无法同一天走访两个村"
    )
    assert d["ids"][0] == "100001" and len(d["ids"]) == 4
    assert set(res.calendar["date"]) <= {"2027-03-02", "2027-03-24"}
    assert res.officers.iloc[0]["visits_planned"] == 2


def test_a_shared_day_is_half_a_day_for_each_village(tiny_inst, tmp_path):
    """§五(一) 每月进村时间累计: time adds up as compliance counts the logs, so two villages on
    one day get half of it each; sharing cannot make two free days into four days."""
    from cunjing.optimizer.input.work_logs import read_work_logs
    from cunjing.optimizer.visits.compliance import check_compliance

    inst = variant(tiny_inst, unavailable=days_off("100001", ["2027-03-02", "2027-03-24"]))
    plan = PLAN3.iloc[:2]  # V1 and V2 lie about 4 km apart: they may share a day
    res = plan_calendar(inst, plan, MONTH)
    assert res.status == Status.PARTIAL
    cal = res.calendar
    assert cal.groupby("date")["hours"].sum().le(8).all()  # a day is one day
    time = cal.groupby("village_id")["hours"].sum() / 8
    assert time.sum() == pytest.approx(2.0)  # both free days, no more
    assert {v.ids[1] for v in res.violations if "进村累计" in v.message} == {"V1", "V2"}
    # the officer's logs of this calendar, hour for hour: compliance finds the same shortfall
    rows = [
        {
            "officer_id": o,
            "auxiliary_id": "",
            "village_id": v,
            "date": d,
            "start_time": "",
            "end_time": "",
            "hours": str(h),
        }
        for o, v, d, h in zip(
            cal["officer_id"], cal["village_id"], cal["date"], cal["hours"], strict=True
        )
    ]
    logs = read_work_logs(write_csv(tmp_path / "logs.csv", rows), inst)
    judged = check_compliance(inst, logs, [(2027, 3)], plan).villages.set_index("village_id")
    assert judged["logged_days"].to_dict() == pytest.approx(time.to_dict(), abs=0.01)
    assert time.to_dict() == pytest.approx({"V1": 1.0, "V2": 1.0})  # the shortfall shared
    assert set(judged["status"]) == {"short"}
    # V1 and V4 lie 12 km apart: they cannot share, so the month falls short too
    far = pd.DataFrame({"village_id": ["V1", "V4"], "officer_id": ["100001"] * 2})
    res = plan_calendar(inst, far, MONTH)
    assert res.status == Status.PARTIAL and not res.calendar["shared_day"].any()


def test_spread_needs_free_days_in_two_periods(tiny_inst):
    free = ["2027-03-22", "2027-03-23", "2027-03-24", "2027-03-25"]
    inst = variant(tiny_inst, unavailable=days_off("100001", free))
    res = plan_calendar(inst, PLAN3.iloc[:1], MONTH)
    (d,) = res.diagnostics
    assert "但他的空闲日分布为：上旬 0、中旬 0、下旬 4" in d["message"]
    assert d["message"].endswith("一村（V1）少 1 天，且只在 1 个时段有走访")


def test_holidays_and_make_up_workdays(tiny_inst):
    # October 2026 (official schedule in the package): 1–7 off, Saturday the 10th worked
    res = plan_calendar(tiny_inst, PLAN3, "2026-10")
    assert res.violations == [] and res.status == "OPTIMAL"
    days = {dt.date.fromisoformat(d) for d in res.calendar["date"]}
    assert not any(dt.date(2026, 10, d) in days for d in range(1, 8))
    assert dt.date(2026, 10, 10) in res.days.working


def test_weekends_policy(tiny_inst):
    res = plan_calendar(variant(tiny_inst, "[rules.VISIT-DAYS]\nweekends = true\n"), PLAN3, MONTH)
    assert len(res.days.working) == 31 and res.violations == []


def test_same_input_same_calendar(tiny_inst):
    a = plan_calendar(tiny_inst, PLAN3, MONTH, options=SolveOptions(seed=3))
    b = plan_calendar(tiny_inst, PLAN3, MONTH, options=SolveOptions(seed=3))
    pd.testing.assert_frame_equal(a.calendar, b.calendar)


def test_ics_files_round_trip(sample, sample_run):
    _, out = sample_run
    table = pd.read_csv(out / "calendar.csv", dtype=str, encoding="utf-8-sig")
    files = sorted((out / "ics").glob("*.ics"))
    assert len(files) == sample.plan_officers["officer_id"].nunique()
    for f in files:
        cal = Calendar.from_ical(f.read_bytes())
        events = cal.walk("VEVENT")
        mine = table[table["officer_id"] == f.stem]
        assert sorted(e.decoded("dtstart").isoformat() for e in events) == sorted(mine["date"])
        assert {str(e["location"]).split()[-1] for e in events} == set(mine["village_name"])
        for e in events:
            assert e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(days=1)
        assert len({str(e["uid"]) for e in events}) == len(events)


def test_calendar_command_partial_month_exits_1(tmp_path, tiny, capsys):
    only_free(tiny, "100001", ["2027-03-02"])
    inst = load_bundle(tiny)
    plan = write_plan_folder(tmp_path / "plan", inst, tiny, PLAN3)
    assert main(["calendar", str(plan), "--month", MONTH, "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "张伟（100001）包 3 个村 × 每村 2 天，但 2027-03 只有 1 个空闲日" in out
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == Status.PARTIAL and summary["diagnostics"][0]["ids"][0] == "100001"


def test_calendar_command_bad_input(tmp_path, tiny, capsys):
    inst = load_bundle(tiny)
    plan = write_plan_folder(tmp_path / "plan", inst, tiny, PLAN3)
    out = tmp_path / "o"
    assert main(["calendar", str(plan), "--month", "2027-3x", "--out", str(out)]) == 2
    assert "--month：'2027-3x' 不是年月" in capsys.readouterr().err
    roster = write_csv(tmp_path / "roster.csv", [{"officer_id": "nobody", "date": "2027-03-02"}])
    args = ["calendar", str(plan), "--month", MONTH, "--out", str(out)]
    assert main([*args, "--unavailable", str(roster)]) == 2
    assert "roster.csv:2:officer_id: 未知的民警“nobody”" in capsys.readouterr().err
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str, encoding="utf-8-sig")
    rows.loc[1, "village_id"] = "V99"
    rows.to_csv(plan / "officer_plan.csv", index=False)
    assert main(args) == 2
    assert "officer_plan.csv:3:village_id: V99" in capsys.readouterr().err
    (plan / "summary.json").unlink()
    assert main(args) == 2
    assert "summary.json: 方案文件夹中没有 summary.json" in capsys.readouterr().err
    assert not out.exists()


def test_spacing_none_asks_only_for_the_days(tiny_inst):
    """§五(一) 可采取每旬或每半个月进村一次的方式 is a way, not a must: with spacing "none" the
    days may fall anywhere in the month; with 旬 the same calendar is not spread."""
    none = variant(tiny_inst, '[rules.VISIT-DAYS]\nspacing = "none"\n')
    res = plan_calendar(none, PLAN3, MONTH)
    assert res.violations == [] and len(res.calendar) == 2 * 3
    # every visit in the first ten days: fine without a spread, not with 旬
    early = pd.DataFrame(
        {
            "officer_id": ["100001"] * 6,
            "village_id": ["V1", "V1", "V2", "V2", "V3", "V3"],
            "date": [
                "2027-03-01",
                "2027-03-02",
                "2027-03-03",
                "2027-03-04",
                "2027-03-05",
                "2027-03-08",
            ],
        }
    )
    assert check_calendar(none, PLAN3, early, MONTH) == []
    spread = check_calendar(tiny_inst, PLAN3, early, MONTH)
    assert spread and all("进村未分散" in v.message or "个时段" in v.message for v in spread)
