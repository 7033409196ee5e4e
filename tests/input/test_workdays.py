"""Working days of a month: 旬, China's holidays and make-up workdays, holidays.csv, days off."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cunjing.constraints.visit_days import period_of, period_span
from cunjing.optimizer.input.bundle import load_bundle, save_bundle, table_frame
from cunjing.optimizer.input.problems import BundleError
from cunjing.optimizer.input.workdays import (
    holiday_calendar,
    month_days,
    parse_month,
    parse_quarter,
    read_unavailable,
    unavailable_days,
)

from conftest import write_bundle, write_csv

D = dt.date


def no_rows(*cols: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})


NO_HOLIDAYS = no_rows("date", "kind", "name")
NO_LEAVE = no_rows("officer_id", "date", "start", "end", "reason")


def test_month_and_quarter_arguments():
    assert parse_month("2027-03") == (2027, 3)
    assert parse_quarter("2027Q1") == [(2027, 1), (2027, 2), (2027, 3)]
    assert parse_quarter("2027-q4")[-1] == (2027, 12)
    for bad in ("2027-13", "2027/03", "March"):
        with pytest.raises(ValueError, match="不是年月"):
            parse_month(bad)
    with pytest.raises(ValueError, match="不在 1950—2099 年之间"):
        parse_month("9999-12")
    with pytest.raises(ValueError, match="不是季度"):
        parse_quarter("2027Q5")


def test_xun_and_half_months():
    assert [period_of(d, "xun") for d in (1, 10, 11, 20, 21, 31)] == [0, 0, 1, 1, 2, 2]
    assert [period_of(d, "half_month") for d in (1, 15, 16, 28)] == [0, 0, 1, 1]
    assert period_span(2027, 2, "xun", 2) == (21, 28)
    assert period_span(2027, 3, "half_month", 1) == (16, 31)


def test_official_year_from_the_package():
    # 2026: the State Council's schedule is in the package, make-up workdays included
    cal = holiday_calendar(NO_HOLIDAYS, [2026])
    assert not cal.estimated_years
    assert not cal.is_working_day(D(2026, 10, 1))  # National Day
    assert not cal.is_working_day(D(2026, 10, 7))  # bridged holiday
    assert cal.is_working_day(D(2026, 10, 10))  # a Saturday worked in exchange (调休上班)
    assert cal.is_working_day(D(2026, 9, 20))  # a Sunday worked in exchange
    assert not cal.is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    assert cal.warnings() == []
    days, _ = month_days(NO_HOLIDAYS, NO_LEAVE, 2026, 10, "xun")
    assert D(2026, 10, 10) in days.working and D(2026, 10, 8) in days.working
    assert all(D(2026, 10, d) not in days.working for d in range(1, 8))
    assert "国庆节" in days.holidays[D(2026, 10, 1)]


def test_estimated_year_is_said_and_holidays_csv_replaces_it():
    # a year whose schedule no release of the package can know yet
    cal = holiday_calendar(NO_HOLIDAYS, [2035])
    assert cal.estimated_years == (2035,)
    assert "2035" in cal.warnings()[0] and "holidays.csv" in cal.warnings()[0]
    assert not cal.is_working_day(D(2035, 10, 1))
    given = pd.DataFrame(
        {
            "date": ["2027-02-05", "2027-02-08", "2027-02-20"],
            "kind": ["holiday", "holiday", "workday"],
            "name": ["春节", "春节", "调休上班"],
        }
    )
    cal = holiday_calendar(given, [2027])
    assert cal.sources[2027] == "holidays.csv" and not cal.estimated_years
    assert not cal.is_working_day(D(2027, 2, 8))
    assert cal.is_working_day(D(2027, 2, 20))  # a Saturday made a workday
    # the package no longer applies to 2027: 1 October is a Friday like any other
    assert cal.is_working_day(D(2027, 10, 1))
    assert cal.is_working_day(D(2027, 2, 13), weekends=True)


def test_unavailable_dates_and_ranges_are_clipped_to_the_month():
    rows = pd.DataFrame(
        {
            "officer_id": ["1", "1", "2", "3"],
            "date": ["2027-03-05", "", "", "2027-04-01"],
            "start": ["", "2027-02-25", "2027-03-30", ""],
            "end": ["", "2027-03-02", "", ""],
            "reason": ["", "", "", ""],
        }
    )
    off = unavailable_days(rows, 2027, 3)
    assert off["1"] == {D(2027, 3, 1), D(2027, 3, 2), D(2027, 3, 5)}
    assert off["2"] == {D(2027, 3, 30)}  # a start without an end is one day
    assert "3" not in off


def test_bundle_with_unavailable_and_holidays_tables(tmp_path):
    folder = write_bundle(tmp_path / "b")
    write_csv(
        folder / "unavailable.csv",
        [
            {
                "警号": "100001",
                "日期": "2027年3月5日",
                "开始日期": "",
                "结束日期": "",
                "原因": "值班",
            },
            {
                "警号": "100002",
                "日期": "",
                "开始日期": "2027/3/8",
                "结束日期": "2027/3/12",
                "原因": "年休假",
            },
        ],
    )
    write_csv(
        folder / "holidays.csv",
        [
            {"日期": "2027-04-05", "类型": "放假", "名称": "清明节"},
            {"日期": "2027-04-10", "类型": "补班"},
        ],
    )
    inst = load_bundle(folder)
    assert inst.unavailable["date"].tolist() == ["2027-03-05", ""]
    assert inst.unavailable["end"].tolist() == ["", "2027-03-12"]
    assert inst.holidays["kind"].tolist() == ["holiday", "workday"]
    again = load_bundle(save_bundle(inst, tmp_path / "again"))
    for name in ("unavailable", "holidays"):
        pd.testing.assert_frame_equal(table_frame(inst, name), table_frame(again, name))
    county = inst.county("C1")
    assert len(county.unavailable) == 2


def problems(folder) -> list[str]:
    with pytest.raises(BundleError) as e:
        load_bundle(folder)
    return [str(p) for p in e.value.problems if p.severity == "error"]


def test_bad_unavailable_and_holiday_rows_name_file_row_and_column(tmp_path):
    folder = write_bundle(tmp_path / "b")
    write_csv(
        folder / "unavailable.csv",
        [
            {"officer_id": "999", "date": "2027-03-05"},
            {"officer_id": "100001", "date": "2027-03-05", "start": "2027-03-06"},
            {"officer_id": "100001"},
            {"officer_id": "100001", "start": "2027-03-09", "end": "2027-03-02"},
            {"officer_id": "100001", "date": "2027-02-30"},
        ],
        columns=["officer_id", "date", "start", "end"],
    )
    write_csv(
        folder / "holidays.csv",
        [{"date": "2027-04-05", "kind": "party"}, {"date": "2027-04-05", "kind": "holiday"}],
    )
    got = problems(folder)
    assert "unavailable.csv:2:officer_id: 未知的民警“999”" in got
    assert "unavailable.csv:3:start: 张伟（100001）：日期与开始/结束日期只能填一种，不能都填" in got
    assert "unavailable.csv:4:date: 张伟（100001）：请填写日期，或开始（和结束）日期" in got
    assert (
        "unavailable.csv:5:end: 张伟（100001）：结束日期（2027-03-02）早于开始日期（2027-03-09）"
        in got
    )
    assert "unavailable.csv:6:date: 张伟（100001）：'2027-02-30' 不是日期（应为 YYYY-MM-DD）" in got
    assert sum(p.startswith("unavailable.csv:6:") for p in got) == 1
    assert any(p.startswith("holidays.csv:2:kind: 无法识别的 kind（类型）“party”") for p in got)
    assert any(p.startswith("holidays.csv:3:date: date '2027-04-05' 重复") for p in got)


def test_unavailable_file_from_the_command_line(tmp_path):
    f = write_csv(tmp_path / "roster.csv", [{"officer_id": "100001", "date": "2027-03-05"}])
    rows = read_unavailable(f, {"100001"})
    assert rows["date"].tolist() == ["2027-03-05"]
    bad = write_csv(tmp_path / "bad.csv", [{"officer_id": "7", "date": "x"}])
    with pytest.raises(BundleError) as e:
        read_unavailable(bad, {"100001"})
    assert [str(p) for p in e.value.problems] == [
        "bad.csv:2:date: 'x' 不是日期（应为 YYYY-MM-DD）",
        "bad.csv:2:officer_id: 未知的民警“7”",
    ]
