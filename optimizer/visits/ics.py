"""One iCalendar (.ics) file per officer: his village visits as all-day events that phone and
desktop calendar programs import (RFC 5545, written with the ``icalendar`` package).

Files are byte-for-byte reproducible: UIDs are built from officer, village and date, and DTSTAMP
is the first moment of the month rather than the time of writing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

PRODID = "-//cunjing//village visit calendar//ZH"


def safe_name(officer_id: str) -> str:
    """A file name for an officer id (ids are the bureau's; keep only safe characters)."""
    return re.sub(r"[^0-9A-Za-z_.-]", "_", officer_id).lstrip(".") or "officer"


def officer_ics(officer_id: str, officer_name: str, visits: pd.DataFrame, month: str) -> bytes:
    """The .ics of one officer's visits (rows of the calendar table)."""
    from icalendar import Calendar, Event

    stamp = dt.datetime.fromisoformat(f"{month}-01T00:00:00+00:00")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"包村进村日历 {officer_name} {month}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for row in visits.itertuples(index=False):
        day = dt.date.fromisoformat(row.date)
        ev = Event()
        ev.add("uid", f"{officer_id}-{row.village_id}-{row.date}@cunjing")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("summary", f"进村：{row.village_name}")
        ev.add("location", f"{row.township_name} {row.village_name}")
        shared = "；当日另有一村" if row.shared_day else ""
        ev.add(
            "description",
            f"包村民警 {officer_name}（{officer_id}）进村工作，{row.period}{shared}。"
            f"村编码 {row.village_id}。依据：每月进村不少于规定天数（VISIT-DAYS §五(一)），"
            "每次进村撰写工作日志并录入平台。",
        )
        ev.add("categories", ["包村进村"])
        ev.add("transp", "OPAQUE")
        cal.add_component(ev)
    return cal.to_ical()


def write_ics_folder(
    calendar: pd.DataFrame, officers: pd.DataFrame, month: str, folder: Path
) -> int:
    """``folder/<officer_id>.ics`` for every officer of ``officers``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    by_officer = {o: g for o, g in calendar.groupby("officer_id", sort=True)}
    empty = calendar.iloc[:0]
    n = 0
    for o, name in zip(officers["officer_id"], officers["officer_name"], strict=True):
        data = officer_ics(str(o), str(name), by_officer.get(o, empty), month)
        stem = safe_name(str(o))
        f = folder / f"{stem}.ics"
        while f.exists():  # two ids that differ only in unsafe characters
            stem += "_"
            f = folder / f"{stem}.ics"
        f.write_bytes(data)
        n += 1
    return n
