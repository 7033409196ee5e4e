"""The days of a month an officer can go to his villages: working days, 旬, holidays, days off.

Working days are Monday to Friday, less China's official holidays, plus the make-up workdays
(调休上班) that the State Council announces each November for the next year. Both come from the
maintained ``holidays`` package; a bundle's ``holidays.csv`` replaces the package for every year it
lists (the package learns a year's schedule only after it is announced, and estimates it until
then). ``unavailable.csv`` gives an officer's days off: duty rosters, leave, training.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...constraints.visit_days import PERIOD_NAMES, month_label
from ..i18n import _
from .parse import FIRST_YEAR, LAST_YEAR, parse_table
from .problems import BundleError, ProblemLog
from .schema import TABLES
from .tables import read_csv_table

Date = dt.date

_MONTH_ARG = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_ARG = re.compile(r"^(\d{4})[-]?[Qq]([1-4])$")


def parse_month(text: str) -> tuple[int, int]:
    """``2027-03`` -> (2027, 3); ValueError with a planner's message otherwise."""
    m = _MONTH_ARG.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(_("'{value}' is not a month (YYYY-MM, e.g. 2027-03)").format(value=text))
    _plausible_year(text, int(m.group(1)))
    return int(m.group(1)), int(m.group(2))


def _plausible_year(text: str, year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            _("'{value}' lies outside the years {first}-{last}: a typing mistake?").format(
                value=text, first=FIRST_YEAR, last=LAST_YEAR
            )
        )


def parse_quarter(text: str) -> list[tuple[int, int]]:
    """``2027Q1`` -> the quarter's three months."""
    m = _QUARTER_ARG.match(text.strip())
    if not m:
        raise ValueError(_("'{value}' is not a quarter (YYYYQn, e.g. 2027Q1)").format(value=text))
    y, q = int(m.group(1)), int(m.group(2))
    _plausible_year(text, y)
    return [(y, 3 * (q - 1) + i) for i in (1, 2, 3)]


def parse_year(text: str) -> list[tuple[int, int]]:
    """``2027`` -> the year's twelve months."""
    t = text.strip()
    if not (len(t) == 4 and t.isdigit()):
        raise ValueError(_("'{value}' is not a year (YYYY, e.g. 2027)").format(value=text))
    _plausible_year(text, int(t))
    return [(int(t), m) for m in range(1, 13)]


def month_dates(year: int, month: int) -> list[Date]:
    return [Date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


@dataclass(frozen=True)
class HolidayCalendar:
    """Holidays and make-up workdays for some years, and where they came from."""

    holidays: dict[Date, str]
    workdays: dict[Date, str]
    sources: dict[int, str]  # year -> "holidays.csv" or "holidays 0.109" (+ "estimated")
    estimated_years: tuple[int, ...] = ()  # years the package only estimates

    def is_working_day(self, day: Date, weekends: bool = False) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return weekends or day.weekday() < 5

    def warnings(self) -> list[str]:
        from importlib.metadata import version

        return [
            _(
                "the holidays package ({version}) does not have the State Council's {year} "
                "holiday schedule yet: holidays are estimated from the statutory rule and no "
                "make-up workdays (调休上班) are known; give holidays.csv in the bundle to be exact"
            ).format(version=version("holidays"), year=y)
            for y in self.estimated_years
        ]


def holiday_calendar(holiday_rows: pd.DataFrame, years: list[int]) -> HolidayCalendar:
    """The calendar of ``years``: the bundle's ``holidays.csv`` for the years it lists, else the
    ``holidays`` package (China, public holidays, Chinese names)."""
    from importlib.metadata import version

    given = holiday_rows[holiday_rows["date"].astype(str) != ""]
    given_dates = [Date.fromisoformat(d) for d in given["date"]]
    given_years = {d.year for d in given_dates}
    hol: dict[Date, str] = {}
    work: dict[Date, str] = {}
    sources: dict[int, str] = {}
    estimated: list[int] = []
    for d, kind, name in zip(given_dates, given["kind"], given["name"], strict=True):
        if d.year in years:
            (hol if kind == "holiday" else work)[d] = str(name or kind)
    package_years = sorted(set(years) - given_years)
    for y in set(years) & given_years:
        sources[y] = "holidays.csv"
    if package_years:
        import holidays

        cn = holidays.China(years=package_years, language="zh_CN")
        label = f"holidays {version('holidays')}"
        for y in package_years:
            made_up = sorted(d for d in cn.weekend_workdays if d.year == y)
            if made_up:
                sources[y] = label
            else:
                # No make-up workday known: the year's schedule is not yet in the package.
                sources[y] = f"{label} (estimated)"
                estimated.append(y)
            for d in made_up:
                work[d] = "调休上班"
        for d, name in cn.items():
            if d.year in package_years:
                hol[d] = str(name)
    return HolidayCalendar(hol, work, sources, tuple(sorted(estimated)))


def working_days(cal: HolidayCalendar, year: int, month: int, weekends: bool = False) -> list[Date]:
    return [d for d in month_dates(year, month) if cal.is_working_day(d, weekends)]


@dataclass(frozen=True)
class MonthDays:
    """Everything about one month's days that the calendar and its check need."""

    year: int
    month: int
    spacing: str
    working: tuple[Date, ...]  # working days of the month, in order
    holidays: dict[Date, str]  # holidays of the month, with their names
    off: dict[str, frozenset[Date]] = field(default_factory=dict)  # officer -> days he is away

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def periods(self) -> int:
        return len(PERIOD_NAMES[self.spacing])

    def free_days(self, officer_id: str) -> list[Date]:
        away = self.off.get(officer_id, frozenset())
        return [d for d in self.working if d not in away]


def unavailable_days(rows: pd.DataFrame, year: int, month: int) -> dict[str, frozenset[Date]]:
    """Officer -> his unavailable days within the month (single dates and start/end ranges)."""
    first, last = Date(year, month, 1), month_dates(year, month)[-1]
    out: dict[str, set[Date]] = {}
    for o, d, s, e in zip(
        rows["officer_id"], rows["date"], rows["start"], rows["end"], strict=True
    ):
        if d:
            lo = hi = Date.fromisoformat(d)
        elif s:
            lo = Date.fromisoformat(s)
            hi = Date.fromisoformat(e) if e else lo
        else:
            continue
        lo, hi = max(lo, first), min(hi, last)
        while lo <= hi:
            out.setdefault(str(o), set()).add(lo)
            lo += dt.timedelta(days=1)
    return {o: frozenset(v) for o, v in out.items()}


def month_days(
    holiday_rows: pd.DataFrame,
    unavailable_rows: pd.DataFrame,
    year: int,
    month: int,
    spacing: str,
    weekends: bool = False,
) -> tuple[MonthDays, HolidayCalendar]:
    cal = holiday_calendar(holiday_rows, [year])
    days = MonthDays(
        year,
        month,
        spacing,
        tuple(working_days(cal, year, month, weekends)),
        {d: n for d, n in sorted(cal.holidays.items()) if (d.year, d.month) == (year, month)},
        unavailable_days(unavailable_rows, year, month),
    )
    return days, cal


def unavailable_problems(
    frame: pd.DataFrame, label: str, headers: dict[str, str], officer_ids: set[str], log: ProblemLog
) -> None:
    """Rows of ``unavailable.csv`` that name no known officer, or no day, or end before they start."""

    def err(row: int, column: str, message: str) -> None:
        log.error(label, int(row), headers.get(column, column), message)

    # a cell that did not parse reads as empty: say nothing more about its row's dates
    unreadable = {p.row for p in log.errors if p.file == label}
    for r, o, d, s, e in zip(
        frame["_row"], frame["officer_id"], frame["date"], frame["start"], frame["end"], strict=True
    ):
        if o and o not in officer_ids:
            err(r, "officer_id", _("unknown officer '{id}'").format(id=o))
        if r in unreadable:
            continue
        if d and (s or e):
            err(r, "start", _("give either a date or a start/end range, not both"))
        elif not d and not s:
            err(r, "date" if not e else "start", _("give a date, or a start (and end) date"))
        elif s and e and e < s:
            err(r, "end", _("ends ({end}) before it starts ({start})").format(end=e, start=s))


def read_unavailable(path: Path, officer_ids: set[str]) -> pd.DataFrame:
    """An ``unavailable.csv`` given on the command line, checked as the bundle's would be."""
    log = ProblemLog()
    if not path.is_file():
        raise BundleError.single(str(path), _("no such file"))
    raw = read_csv_table(path, TABLES["unavailable"], log)
    if raw is None:
        log.raise_if_errors()
    assert raw is not None
    frame = parse_table(raw, log)
    unavailable_problems(frame, raw.label, raw.headers, officer_ids, log)
    log.raise_if_errors()
    return frame.drop(columns="_row").reset_index(drop=True)
