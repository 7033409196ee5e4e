"""The workbooks of the monthly work: the visit calendar (calendar.xlsx) as a month grid, one row
per officer and a printable month page per officer; the compliance scorecards (compliance.xlsx)
of 月考评 and 季考核, the log problems and the people to review.

Sheet names, headers and words follow the planner's language; days off, weekends and holidays
are shaded the way a wall calendar shows them.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from pathlib import Path

import pandas as pd

from ..i18n import N_, _
from ..input.instance import Instance
from ..output.xlsx import Extras, add_sheet, new_workbook, save
from ..visits.calendar import CalendarResult
from ..visits.compliance import ComplianceResult
from .people import for_people

REST = "#E7E6E6"  # weekend or holiday
AWAY = "#FCE4D6"  # the officer's day off (leave, duty)
VISIT = "#E2EFDA"  # a visit day
TITLE = "#DDEBF7"  # an officer's title row on the month pages
FAILED = "#FCE4D6"  # a scorecard that did not pass


WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _weekday(d: dt.date) -> str:
    return _(WEEKDAYS[d.weekday()])


def _day_colour(d: dt.date, working: set[dt.date], away: frozenset[dt.date]) -> str:
    if d in away:
        return AWAY
    return "" if d in working else REST


def month_grid(res: CalendarResult, inst: Instance | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per officer, one column per day of the month: the villages he visits that day."""
    days = res.days
    dates = [
        dt.date(days.year, days.month, n)
        for n in range(1, cal.monthrange(days.year, days.month)[1] + 1)
    ]
    working = set(days.working)
    visits = res.calendar.groupby(["officer_id", "date"])["village_name"].agg(
        lambda names: "、".join(str(n) for n in names)
    )
    rows, fills = [], []
    heads = [_("{day}, {weekday}").format(day=d.day, weekday=_weekday(d)) for d in dates]
    for o in res.officers.itertuples():
        away = days.off.get(o.officer_id, frozenset())
        row = {
            _("officer_id"): o.officer_id,
            _("officer_name"): o.officer_name,
            _("villages"): o.villages,
        }
        fill = {k: "" for k in row}
        for d, head in zip(dates, heads, strict=True):
            text = visits.get((o.officer_id, d.isoformat()), "")
            if not text and d in away:
                text = _("off")
            row[head] = text
            fill[head] = VISIT if text and d not in away else _day_colour(d, working, away)
        rows.append(row)
        fills.append(fill)
    return pd.DataFrame(rows), pd.DataFrame(fills)


def month_pages(res: CalendarResult) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """A printable month page per officer: a title row, then a row per week (Monday first),
    each day's cell its date and the villages visited; the title rows' positions."""
    days = res.days
    working = set(days.working)
    visits = res.calendar.groupby(["officer_id", "date"])["village_name"].agg(
        lambda names: "、".join(str(n) for n in names)
    )
    cols = [_(w) for w in WEEKDAYS]
    rows, fills, titles = [], [], []
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(days.year, days.month)
    for o in res.officers.itertuples():
        away = days.off.get(o.officer_id, frozenset())
        mine = res.calendar[res.calendar["officer_id"] == o.officer_id]
        held = mine.groupby("village_name").size()
        title = _("{name} ({id}), {month}: {villages}").format(
            name=o.officer_name,
            id=o.officer_id,
            month=days.label,
            villages=_(", ").join(
                _("{village} {n} day(s)").format(village=v, n=n) for v, n in held.items()
            )
            or _("no visits"),
        )
        titles.append(len(rows))
        rows.append(dict.fromkeys(cols, "") | {cols[0]: title})
        fills.append(dict.fromkeys(cols, TITLE))
        for week in weeks:
            row, fill = {}, {}
            for d, col in zip(week, cols, strict=True):
                if d.month != days.month:
                    row[col], fill[col] = "", ""
                    continue
                text = visits.get((o.officer_id, d.isoformat()), "")
                note = days.holidays.get(d, "") or (_("off") if d in away else "")
                row[col] = "\n".join(x for x in (str(d.day), text, note) if x)
                # white too: a coloured cell's format wraps its lines
                fill[col] = VISIT if text else (_day_colour(d, working, away) or "#FFFFFF")
            rows.append(row)
            fills.append(fill)
        rows.append(dict.fromkeys(cols, ""))
        fills.append(dict.fromkeys(cols, ""))
    return pd.DataFrame(rows, columns=cols), pd.DataFrame(fills, columns=cols), titles


def write_calendar_workbook(res: CalendarResult, inst: Instance | None, path: Path) -> Path:
    """calendar.xlsx: the month grid, the month pages, the visits and the officers."""
    book = new_workbook()
    grid, grid_fills = month_grid(res, inst)
    widths = {c: 14 for c in grid.columns[3:]}
    add_sheet(book, _("month grid"), grid, extras=Extras(fills=grid_fills, widths=widths))
    pages, page_fills, titles = month_pages(res)
    add_sheet(
        book,
        _("month pages"),
        pages,
        printable=True,
        extras=Extras(
            fills=page_fills,
            widths=dict.fromkeys(pages.columns, 18),
            row_height=45,
            merged_rows=frozenset(titles),
        ),
    )
    add_sheet(book, _("visits"), for_people(res.calendar))
    add_sheet(book, _("officers"), for_people(res.officers))
    save(book, path)
    return path


def _failed_rows(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Rows that did not pass (a scorecard) or are not in order (a village) shaded."""
    if "passed" in frame.columns:
        bad = ~frame["passed"].astype(bool)
    elif "status" in frame.columns:
        bad = frame["status"] != "ok"
    else:
        return None
    colour = bad.map({True: FAILED, False: ""})
    return pd.DataFrame({c: colour.to_numpy(object) for c in frame.columns})


def write_compliance_workbook(result: ComplianceResult, path: Path) -> Path:
    """compliance.xlsx: the people to review, the ranking (优秀包村民警), 月考评 (and 季考核)
    scorecards, the assessment items, the villages and the log problems, failing rows shaded."""
    sheets = [(_("people to review"), result.review)]
    if result.ranking is not None:
        sheets.append((_("ranking (优秀包村民警)"), result.ranking))
    sheets.append((_("monthly scorecard (月考评)"), result.officers))
    if result.quarterly is not None:
        sheets.append((_("quarterly scorecard (季考核)"), result.quarterly))
    if result.assessment is not None:
        sheets.append((_("assessment (考核项目)"), result.assessment))
    sheets += [(_("village by month"), result.villages), (_("problem logs"), result.issues)]
    book = new_workbook()
    for title, frame in sheets:
        add_sheet(
            book,
            title,
            for_people(frame),
            printable=True,
            extras=Extras(fills=_failed_rows(frame)),
        )
    save(book, path)
    return path
