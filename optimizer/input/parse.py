"""Typing the text tables: ids normalised, numbers, booleans, months, lists, categories.

Each column is converted in one vectorised pass; every bad cell becomes a problem at its
``file:row:column`` and the cell becomes "not given", so that all problems are found at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, ngettext
from .problems import ProblemLog
from .schema import (
    BOOL,
    DATE,
    ENUM,
    FALSE_WORDS,
    FLOAT,
    ID,
    IDS,
    INT,
    MONTH,
    TEXT,
    TIME,
    TRUE_WORDS,
    Column,
)
from .tables import (
    EXCEL_ERRORS,
    SCIENTIFIC_ID,
    RawTable,
    column_label,
    normalise_id,
    normalise_text,
)

_LIST_SEP = re.compile(r"[;；,，、]")


def _normalised_message() -> str:
    return _(
        "id '{value}' written with spaces, invisible or full-width characters or as a decimal; "
        "read as its normalised form"
    )


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date numbers
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?$")
# a date, optionally followed by a time of day (log exports often carry one)
_DATE = re.compile(
    r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_TIME = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T])?(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2})?秒?)?$"
)


def parse_date(s: str) -> str | None:
    """``2027-03-05``, ``2027/3/5``, ``2027年3月5日``, ``20270305`` -> ``2027-03-05``; None if not a day."""
    import datetime

    m = _DATE.match(normalise_text(s))
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
    try:
        return datetime.date(y, mo, d).isoformat()
    except ValueError:
        return None


def parse_time(s: str) -> str | None:
    """``8:30``, ``08:30:00``, ``8时30分`` -> ``08:30``; None if not a time of day."""
    m = _TIME.match(normalise_text(s))
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        return None
    if int(m.group(1)) == 24 and int(m.group(2)) > 0:
        return None
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_table(raw: RawTable, log: ProblemLog) -> pd.DataFrame:
    """A typed frame with every column of the table's schema (absent ones filled as not given)."""
    out: dict[str, pd.Series] = {}
    n = len(raw.frame)
    for col in raw.table.columns:
        if col.name in raw.frame.columns:
            text = raw.frame[col.name].astype(object).fillna("")
            if pd.api.types.infer_dtype(text, skipna=False) != "string":
                text = text.map(str)  # numbers and dates from a workbook's cells
            out[col.name] = _parse_column(raw, col, text, log)
        else:
            out[col.name] = _empty(col, n)
    frame = pd.DataFrame(out)
    frame["_row"] = raw.rows
    return frame


def _empty(col: Column, n: int) -> pd.Series:
    if col.kind in (INT,):
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    if col.kind == FLOAT:
        return pd.Series(np.full(n, np.nan))
    if col.kind == BOOL:
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    if col.kind == IDS:
        return pd.Series([()] * n, dtype=object)
    return pd.Series([""] * n, dtype=object)


def _report(
    raw: RawTable,
    col: Column,
    mask: np.ndarray,
    text: pd.Series,
    msg: str,
    log: ProblemLog,
    warn: bool = False,
    **fields: object,
) -> None:
    header = raw.headers.get(col.name, col.name)
    for i in np.flatnonzero(mask):
        message = msg.format(value=text.iat[i], **fields)
        (log.warn if warn else log.error)(raw.label, raw.rows[i], header, message)


# Counts beyond this are typing errors, and floats lose whole numbers above 2**53.
_LARGEST_INT = 1e15
# Control characters (ESC, BEL, CR, …) are invisible in Excel and command a terminal; a line
# break inside a cell (Excel's Alt+Enter) and a tab are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Format characters normalise_text drops (zero-width space and joiners, BOM, soft hyphen, …)
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
# Years a date of this domain can have: a month like 9999-12 is a typing mistake, and would
# move the plan start (the January after the last history month) to the year 10000.
FIRST_YEAR, LAST_YEAR = 1950, 2099


def _refuse_controls(
    raw: RawTable, col: Column, text: pd.Series, log: ProblemLog
) -> tuple[pd.Series, np.ndarray]:
    """The text with cells holding control characters blanked, and which those are (each
    reported)."""
    if not _CONTROL.search("".join(text.tolist())):  # the whole column at once: the usual case
        return text, np.zeros(len(text), dtype=bool)
    found = text.str.replace("\r\n", "\n", regex=False).str.extract(f"({_CONTROL.pattern})")[0]
    bad = found.notna().to_numpy()
    header = raw.headers.get(col.name, col.name)
    for i in np.flatnonzero(bad):
        log.error(
            raw.label,
            raw.rows[i],
            header,
            _(
                "the cell holds a control character ({char}), invisible in Excel, that would "
                "command a terminal or break a file: delete it (retype the cell)"
            ).format(char=found.iat[i].encode("unicode_escape").decode()),
        )
    return text.where(~bad, ""), bad


def _refuse_rounded_ids(
    raw: RawTable, col: Column, sci: np.ndarray, text: pd.Series, log: ProblemLog
) -> None:
    """Ids Excel showed as 3.41302E+11 and saved so: the digits are gone. One message for the
    column, first of all, with the fix in Excel's words; the rows it concerns are named."""
    header = raw.headers.get(col.name, col.name)
    rows = [raw.rows[i] for i in np.flatnonzero(sci)]
    log.rounded.add((raw.label, header))
    log.error(
        raw.label,
        0,
        header,
        ngettext(
            "{n} id in this column is in scientific notation ({example}, row {rows}): Excel "
            "showed a long number so and saved it rounded, the digits are lost. In Excel select "
            "the column, 设置单元格格式 → 文本 (Format Cells → Text), and type the ids again; or "
            "import the CSV with 数据 → 从文本/CSV (Data → From Text/CSV) with this column as "
            "文本 (Text)",
            "{n} ids in this column are in scientific notation ({example}, rows {rows}): Excel "
            "showed long numbers so and saved them rounded, the digits are lost. In Excel select "
            "the column, 设置单元格格式 → 文本 (Format Cells → Text), and type the ids again; or "
            "import the CSV with 数据 → 从文本/CSV (Data → From Text/CSV) with this column as "
            "文本 (Text)",
            len(rows),
        ).format(
            n=len(rows),
            example=text.iat[int(np.flatnonzero(sci)[0])],
            rows=", ".join(map(str, rows[:10])) + ("…" if len(rows) > 10 else ""),
        ),
        root=True,
    )


def enum_choices(choices: dict[str, str]) -> str:
    """``派出所（station）、刑警（criminal）…``: each value by its first Chinese word and its
    English one, as a planner may write either."""
    zh: dict[str, str] = {}
    for word, value in choices.items():
        if not word.isascii():
            zh.setdefault(value, word)
    values = sorted(set(choices.values()))
    return "、".join(f"{zh[v]}（{v}）" if v in zh else v for v in values)


def _each(text: pd.Series, fn: Callable[[str], Any]) -> pd.Series:
    """``fn`` of every cell, called once per distinct text (townships, units, statuses and
    months repeat down a column)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    done = np.empty(len(uniques), dtype=object)
    done[:] = [fn(u) for u in uniques]  # filled cell by cell: a tuple (an id list) stays one cell
    return pd.Series(done[codes], index=text.index, dtype=object)


def _parse_column(raw: RawTable, col: Column, text: pd.Series, log: ProblemLog) -> pd.Series:
    text, controls = _refuse_controls(raw, col, text, log)
    stripped = _each(text, str.strip)
    failed = _each(stripped, lambda s: s.startswith("#")).to_numpy(dtype=bool)
    if failed.any():  # rare: the full test only then
        failed = failed & stripped.str.upper().isin(EXCEL_ERRORS).to_numpy()
        _report(
            raw,
            col,
            failed,
            text,
            _("Excel error value {value} (a formula failed): fix the formula or type the value"),
            log,
        )
        text = text.where(~failed, "")
        stripped = stripped.where(~failed, "")
    failed = failed | controls
    if raw.reported:  # reported by the reader already (a formula without its result)
        failed = failed | np.isin(raw.rows, [r for r, c in raw.reported if c == col.name])
    # empty once normalised: a cell of zero-width or other invisible characters is not given
    empty = (stripped == "").to_numpy()
    if _INVISIBLE.search("".join(text.tolist())):
        invisible = ~empty & text.str.contains(_INVISIBLE.pattern, regex=True).to_numpy()
        empty = empty | (invisible & text.map(normalise_text).eq("").to_numpy())
    if col.required:
        _report(
            raw,
            col,
            empty & ~failed,
            text,
            _("'{column}' must be given"),
            log,
            column=column_label(raw.table, col.name),
        )
    kind = col.kind
    if kind == TEXT:
        return _each(text, normalise_text).astype(object)
    if kind == ID:
        norm = _each(text, normalise_id)
        sci = _each(norm, lambda s: SCIENTIFIC_ID.fullmatch(s) is not None).to_numpy(dtype=bool)
        if sci.any():
            _refuse_rounded_ids(raw, col, sci, text, log)
        changed = (norm != text).to_numpy() & ~empty & ~sci
        _report(raw, col, changed, text, _normalised_message(), log, warn=True)
        has_sep = norm.str.contains(";", regex=False).to_numpy()
        _report(raw, col, has_sep, text, _("an id cannot contain ';': '{value}'"), log)
        return norm.where(~sci, "").astype(object)
    if kind == IDS:

        def split(s: str) -> tuple[str, ...]:
            parts = (normalise_id(p) for p in _LIST_SEP.split(s))
            return tuple(p for p in parts if p)

        lists = _each(text, split)
        plain = _each(text, lambda s: tuple(p.strip() for p in _LIST_SEP.split(s) if p.strip()))
        _report(raw, col, (lists != plain).to_numpy(), text, _normalised_message(), log, warn=True)
        return lists.astype(object)
    if kind in (INT, FLOAT):
        norm = _each(text, normalise_text)
        nums = pd.to_numeric(norm.where(~empty, None), errors="coerce")
        bad = nums.isna().to_numpy() & ~empty
        _report(raw, col, bad, text, _("'{value}' is not a number"), log)
        vals = nums.to_numpy(dtype=float)
        inf = ~np.isfinite(vals) & ~np.isnan(vals)
        _report(raw, col, inf, text, _("'{value}' is not a finite number"), log)
        vals = np.where(inf, np.nan, vals)
        if col.minimum is not None:
            low = (vals < col.minimum) & ~np.isnan(vals)
            _report(
                raw,
                col,
                low,
                text,
                _("must be at least {minimum}, got {value}"),
                log,
                minimum=f"{col.minimum:g}",
            )
            vals = np.where(low, np.nan, vals)
        top = col.maximum if col.maximum is not None else (_LARGEST_INT if kind == INT else None)
        if top is not None:
            high = (vals > top) & ~np.isnan(vals)
            _report(
                raw,
                col,
                high,
                text,
                _("must be at most {maximum}, got {value}"),
                log,
                maximum=f"{top:g}",
            )
            vals = np.where(high, np.nan, vals)
        if kind == INT:
            frac = (np.abs(vals - np.round(vals)) > 1e-9) & ~np.isnan(vals)
            _report(raw, col, frac, text, _("must be a whole number, got {value}"), log)
            vals = np.where(frac, np.nan, vals)
            return pd.Series(pd.array(np.round(vals), dtype="Float64").astype("Int64"))
        return pd.Series(vals)
    if kind == BOOL:
        low = _each(text, lambda s: normalise_text(s).lower())
        is_true = low.isin(TRUE_WORDS).to_numpy()
        is_false = low.isin(FALSE_WORDS).to_numpy()
        bad = ~is_true & ~is_false
        _report(raw, col, bad, text, _("'{value}' is not yes/no (true/false, 是/否, 1/0)"), log)
        arr = pd.array(
            [
                True if t else (False if f and not e else pd.NA)
                for t, f, e in zip(is_true, is_false, empty, strict=True)
            ],
            dtype="boolean",
        )
        return pd.Series(arr)
    if kind == MONTH:

        def month(s: str) -> str | None:
            m = _MONTH.match(normalise_text(s))
            if not m or not 1 <= int(m.group(2)) <= 12:
                return None
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"

        parsed = _each(text, month)
        bad = parsed.isna().to_numpy() & ~empty
        serial = stripped.str.fullmatch(r"[1-9]\d{4}").to_numpy() & bad
        for i in np.flatnonzero(serial):
            day = _EXCEL_EPOCH + dt.timedelta(days=int(stripped.iat[i]))
            log.error(
                raw.label,
                raw.rows[i],
                raw.headers.get(col.name, col.name),
                _(
                    "'{value}' is not a month (YYYY-MM); it looks like an Excel date number "
                    "({day}) whose date format was lost: format the column as YYYY-MM"
                ).format(value=text.iat[i], day=f"{day:%Y-%m-%d}"),
            )
        _report(raw, col, bad & ~serial, text, _("'{value}' is not a month (YYYY-MM)"), log)
        return _plausible(raw, col, parsed.fillna(""), text, log)
    if kind in (DATE, TIME):
        fn, message = (
            (parse_date, _("'{value}' is not a date (YYYY-MM-DD)"))
            if kind == DATE
            else (parse_time, _("'{value}' is not a time (HH:MM)"))
        )
        parsed = _each(text, fn)
        bad = parsed.isna().to_numpy() & ~empty
        _report(raw, col, bad, text, message, log)
        parsed = parsed.fillna("")
        return _plausible(raw, col, parsed, text, log) if kind == DATE else parsed.astype(object)
    if kind == ENUM:
        assert col.choices is not None
        choices = {k.lower(): v for k, v in col.choices.items()}
        canon = _each(text, lambda s: choices.get(normalise_text(s).lower()))
        bad = canon.isna().to_numpy() & ~empty
        _report(
            raw,
            col,
            bad,
            text,
            _("unknown {column} '{value}' (one of {choices})"),
            log,
            column=column_label(raw.table, col.name),
            choices=enum_choices(col.choices),
        )
        return canon.fillna("").astype(object)
    raise ValueError(f"unknown column kind {kind}")


def _plausible(
    raw: RawTable, col: Column, parsed: pd.Series, text: pd.Series, log: ProblemLog
) -> pd.Series:
    """Months and dates within FIRST_YEAR..LAST_YEAR; others refused at their cell."""
    year = pd.to_numeric(parsed.str[:4], errors="coerce")
    wild = ((year < FIRST_YEAR) | (year > LAST_YEAR)).to_numpy()
    _report(
        raw,
        col,
        wild,
        text,
        _("'{value}' lies outside the years {first}-{last}: a typing mistake?"),
        log,
        first=FIRST_YEAR,
        last=LAST_YEAR,
    )
    return parsed.where(~wild, "").astype(object)
