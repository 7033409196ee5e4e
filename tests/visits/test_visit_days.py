"""VISIT-DAYS: the solver-independent check of a month's visit calendar, satisfied and violated."""

from __future__ import annotations

import pandas as pd
import pytest

from cunjing.constraints.visit_days import check_calendar, period_rule, visits_required
from cunjing.optimizer.input.bundle import load_bundle

from conftest import write_bundle
from plan_folders import variant

# the rules' messages are read in English here; their Chinese: tests/test_messages.py
pytestmark = pytest.mark.usefixtures("english")

PLAN = pd.DataFrame(
    {"village_id": ["V1", "V2", "V4", "V3"], "officer_id": ["100001", "100001", "100002", "100003"]}
)
GOOD = [
    ("100001", "2027-03-02", "V1"),
    ("100001", "2027-03-15", "V1"),
    ("100001", "2027-03-03", "V2"),
    ("100001", "2027-03-24", "V2"),
    ("100002", "2027-03-04", "V4"),
    ("100002", "2027-03-22", "V4"),
    ("100003", "2027-03-05", "V3"),
    ("100003", "2027-03-25", "V3"),
]


def calendar(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["officer_id", "date", "village_id"])


def replace(rows, old, new):
    return [new if r == old else r for r in rows]


@pytest.fixture(scope="module")
def tiny_inst(tmp_path_factory):
    return load_bundle(write_bundle(tmp_path_factory.mktemp("tiny") / "b"))


def messages(inst, rows, plan=PLAN, **kw) -> list[str]:
    return [v.message for v in check_calendar(inst, plan, calendar(rows), **kw)]


def test_rule_numbers():
    assert period_rule(2, 3) == (1, 2)  # 2 days: two different 旬
    assert period_rule(2, 2) == (1, 2)  # one each half month
    assert period_rule(4, 3) == (2, 3)
    assert period_rule(0, 3) == (0, 0)


def test_a_good_calendar_passes(tiny_inst):
    assert visits_required(tiny_inst) == 2
    assert messages(tiny_inst, GOOD) == []


def test_too_few_days(tiny_inst):
    rows = [r for r in GOOD if r != ("100002", "2027-03-22", "V4")]
    got = messages(tiny_inst, rows)
    assert got == [
        "village V4 四村 gets 1 day(s) of time from officer 100002 李强 in 2027-03 (1 visit(s), "
        "8 hours a day), needs 2",
        "village V4 四村 is visited in 1 of the month's 3 periods (上旬/中旬/下旬), needs 2",
    ]


def test_visits_not_spread(tiny_inst):
    rows = replace(GOOD, ("100001", "2027-03-15", "V1"), ("100001", "2027-03-09", "V1"))
    got = messages(tiny_inst, rows)
    assert got == [
        "village V1 一村 gets 2 days in 上旬 from officer 100001 张伟, more than 1 a period: "
        "visits are not spread",
        "village V1 一村 is visited in 1 of the month's 3 periods (上旬/中旬/下旬), needs 2",
    ]


def test_half_month_spacing(tiny_inst):
    inst = variant(tiny_inst, '[rules.VISIT-DAYS]\nspacing = "half_month"\n')
    # V1 on 2 and 15 March: two different 旬 but the same half month
    assert messages(inst, GOOD) == [
        "village V1 一村 gets 2 days in 上半月 from officer 100001 张伟, more than 1 a period: "
        "visits are not spread",
        "village V1 一村 is visited in 1 of the month's 2 periods (上半月/下半月), needs 2",
    ]
    rows = replace(GOOD, ("100001", "2027-03-15", "V1"), ("100001", "2027-03-16", "V1"))
    assert messages(inst, rows) == []


def test_weekend_holiday_and_unavailable_days(tiny_inst):
    inst = variant(
        tiny_inst,
        holidays=[{"date": "2027-03-15", "kind": "holiday", "name": "县庆"}],
        unavailable=[{"officer_id": "100001", "date": "2027-03-03"}],
    )
    rows = replace(GOOD, ("100002", "2027-03-22", "V4"), ("100002", "2027-03-20", "V4"))
    got = messages(inst, rows)
    assert got == [
        "officer 100001 张伟 visits village V1 一村 on 2027-03-15, a holiday (县庆)",
        "officer 100001 张伟 visits village V2 二村 on 2027-03-03, a day he is unavailable",
        "officer 100002 李强 visits village V4 四村 on 2027-03-20, not a working day",
    ]
    # an unavailable day added from the command line counts too
    extra = pd.DataFrame(
        {"officer_id": ["100003"], "date": ["2027-03-05"], "start": [""], "end": [""]}
    )
    assert messages(inst, rows, unavailable=extra)[-1].endswith("a day he is unavailable")


def test_villages_a_day_and_distance(tiny_inst):
    inst = variant(tiny_inst, "[rules.VISIT-DAYS]\nmax_villages_per_day = 1\n")
    shared = replace(GOOD, ("100001", "2027-03-03", "V2"), ("100001", "2027-03-02", "V2"))
    # a shared day is half a day for each (time adds up, §五(一)): V1 and V2 need more visits
    shared += [("100001", "2027-03-04", "V1"), ("100001", "2027-03-04", "V2")]
    assert messages(inst, shared) == [
        "officer 100001 张伟 has 2 villages on 2027-03-02, more than 1 a day",
        "officer 100001 张伟 has 2 villages on 2027-03-04, more than 1 a day",
    ]
    # with two a day allowed, V1 and V2 (about 4 km apart) may share; V1 and V4 (12 km) may not
    inst = tiny_inst
    assert messages(inst, shared) == []
    plan = PLAN.assign(officer_id=["100001", "100001", "100001", "100003"])
    far = [*GOOD[:4], ("100001", "2027-03-02", "V4"), ("100001", "2027-03-22", "V4"), *GOOD[6:]]
    got = messages(inst, far, plan=plan)
    assert len(got) == 3 and all("1.5 day(s) of time" in m for m in got[:2])  # half a day each
    assert got[2].startswith(
        "officer 100001 张伟 visits village V1 一村 and village V4 四村 on 2027-03-02,"
    )
    assert got[2].endswith("km apart (at most 10 km to share a day)")


def test_wrong_officer_and_wrong_month(tiny_inst):
    rows = [*GOOD, ("100002", "2027-03-10", "V1"), ("100001", "2027-04-01", "V1")]
    got = messages(tiny_inst, rows, month="2027-03")
    assert got == [
        "officer 100002 李强 is scheduled in village V1 一村, which he does not hold",
        "officer 100001 张伟 visits village V1 一村 on 2027-04-01, outside 2027-03",
    ]
    assert messages(tiny_inst, rows)[0].startswith("a calendar covers one month")


def test_villages_without_officer_need_no_visits(tiny_inst):
    plan = pd.concat([PLAN, pd.DataFrame({"village_id": ["V5"], "officer_id": [""]})])
    assert messages(tiny_inst, GOOD, plan=plan) == []


def test_time_adds_up_as_compliance_counts_it(tiny_inst):
    """§五(一) 每月进村时间累计: two villages on one day are half a day each (or the hours the
    calendar gives them), and a planned day is at most one day's hours (VISIT-LOG's 8)."""
    shared = replace(GOOD, ("100001", "2027-03-03", "V2"), ("100001", "2027-03-02", "V2"))
    assert messages(tiny_inst, shared) == [
        "village V1 一村 gets 1.5 day(s) of time from officer 100001 张伟 in 2027-03 (2 visit(s), "
        "8 hours a day), needs 2",
        "village V2 二村 gets 1.5 day(s) of time from officer 100001 张伟 in 2027-03 (2 visit(s), "
        "8 hours a day), needs 2",
    ]
    # the hours a row gives count as they are: a whole day each on one day is two days' work
    whole = pd.DataFrame(shared, columns=["officer_id", "date", "village_id"]).assign(hours=8)
    got = [v.message for v in check_calendar(tiny_inst, PLAN, whole)]
    assert got == [
        "officer 100001 张伟 is planned 16 hours in villages on 2027-03-02, more than a day's 8"
    ]
    # a bureau whose day is 4 hours counts each 4-hour half day as a day
    four = variant(tiny_inst, "[rules.VISIT-LOG]\nhours_per_day = 4\n")
    assert messages(four, shared) == [
        "village V1 一村 gets 1.5 day(s) of time from officer 100001 张伟 in 2027-03 (2 visit(s), "
        "4 hours a day), needs 2",
        "village V2 二村 gets 1.5 day(s) of time from officer 100001 张伟 in 2027-03 (2 visit(s), "
        "4 hours a day), needs 2",
    ]
    halves = pd.DataFrame(shared, columns=["officer_id", "date", "village_id"]).assign(hours=4)
    assert [v.message for v in check_calendar(four, PLAN, halves)] == [
        "officer 100001 张伟 is planned 8 hours in villages on 2027-03-02, more than a day's 4"
    ]
