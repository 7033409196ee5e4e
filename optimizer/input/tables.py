"""Reading the tables of a bundle as text: CSV in any encoding Excel saves, or sheets of one .xlsx.

Everything is read as strings here; typing and checking happen in ``parse``. Headers are mapped
to the canonical English names (Chinese aliases accepted), and each row keeps the line number a
planner sees, so that problems can be reported as ``file:row:column``. What one file may hold is
bounded (``limits``): a file beyond a bound is refused at the first row that crosses it.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from ..i18n import _, ngettext
from .limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TABLE_BYTES, read_regular
from .problems import BundleError, ProblemLog
from .schema import MONTH, NOTE_SHEETS, TABLES, Table, header_map


@dataclass(frozen=True)
class RawTable:
    """One table as text: canonical column names, the file label and each row's line number."""

    table: Table
    label: str  # "villages.csv" or "bundle.xlsx[villages]": how problems name the file
    frame: pd.DataFrame  # all str, "" for empty; columns canonical where recognised
    rows: list[int]  # the line (Excel row) of each frame row
    headers: dict[str, str]  # canonical column -> header as written in the file
    # (row, canonical column) of cells whose problem is reported already (a formula without a
    # saved result): read as empty, and not reported once more as missing
    reported: frozenset[tuple[int, str]] = frozenset()


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _workbook_kinds() -> dict[bytes, str]:
    return {
        b"PK\x03\x04": _("an Excel workbook (.xlsx)"),
        b"\xd0\xcf\x11\xe0": _("an Excel 97-2003 workbook (.xls)"),
    }


def _row_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, label: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (GBK's superset), else detect.

    A file whose rows are in different encodings (rows pasted from a GBK file into a UTF-8 one)
    is refused at the first row that differs: decoding it either way would garble some names.
    """
    for magic, what in _workbook_kinds().items():
        if data.startswith(magic):
            raise BundleError.single(
                label,
                _(
                    "this is {what} named .csv: save it from Excel as 'CSV UTF-8', or give the "
                    "workbook itself as the bundle"
                ).format(what=what),
            )
    if data.startswith(codecs.BOM_UTF8):
        body = data[3:]
        try:
            return _without_nul(body.decode("utf-8"), body, label)
        except UnicodeDecodeError as e:
            raise BundleError.single(
                label,
                _(
                    "the file is marked as UTF-8 (it starts with a byte-order mark) but this row "
                    "is not UTF-8 (saved as GBK?): save the whole file again as 'CSV UTF-8'"
                ),
                row=_row_at(body, e.start),
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BundleError.single(
                label, _("the file is marked as UTF-16 but is not UTF-16 text (cut short?)")
            ) from None
    _without_nul("", data, label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _refuse_mixed_encodings(data, label)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise BundleError.single(label, _("cannot tell the text encoding (expected UTF-8 or GBK)"))
    return str(best)


def _without_nul(text: str, data: bytes, label: str) -> str:
    nul = data.find(b"\0")
    if nul >= 0:
        raise BundleError.single(
            label,
            _(
                "a NUL byte in this row: the file is binary, or UTF-16 without a byte-order "
                "mark; save it as 'CSV UTF-8'"
            ),
            row=_row_at(data, nul),
        )
    return text


def _refuse_mixed_encodings(data: bytes, label: str) -> None:
    """Raise if the file holds a block of Chinese rows in UTF-8 and rows that are not UTF-8.

    A short GBK row passes as UTF-8 now and then by chance (about 1 in 6,000 three-character
    names), so one such row alone is no evidence; a UTF-8 header, two UTF-8 rows in a row, or a
    UTF-8 row with six or more Chinese characters is.
    """
    rows: list[tuple[int, bool]] = []  # (row, reads as Chinese in UTF-8) of non-ASCII rows
    evidence = False
    for row, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            wide = [c for c in line.decode("utf-8") if not c.isascii()]
            utf8 = 2 * sum(1 for c in wide if _CJK.match(c)) >= len(wide)
        except UnicodeDecodeError:
            utf8 = False
        if utf8 and (row == 1 or len(wide) >= 6 or (rows and rows[-1] == (row - 1, True))):
            evidence = True
        rows.append((row, utf8))
    if not evidence or all(utf8 for _r, utf8 in rows):
        return
    first_row, first_utf8 = rows[0]
    row = next(r for r, utf8 in rows if utf8 != first_utf8)
    message = (
        _(
            "this row is not UTF-8 while row {first} is UTF-8: the file mixes text encodings "
            "(rows pasted from another file?); save it again as 'CSV UTF-8'"
        )
        if first_utf8
        else _(
            "this row is UTF-8 while row {first} is not UTF-8: the file mixes text encodings "
            "(rows pasted from another file?); save it again as 'CSV UTF-8'"
        )
    )
    raise BundleError.single(label, message.format(first=first_row), row=row)


def normalise_text(value: str) -> str:
    """Full-width to half-width (NFKC), invisible marks (BOM, zero-width space) dropped, trimmed:
    how text typed or pasted into Chinese Excel is compared."""
    text = unicodedata.normalize("NFKC", value)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.strip()


def table_key(name: str) -> str:
    """A file or sheet name as compared with a table's: ``Villages``, ``ｖｉｌｌａｇｅｓ`` and
    ``villages`` are one name."""
    return normalise_text(name).casefold()


# every name a table's sheet or file (stem) may have, English or Chinese, as compared
TABLE_KEYS = {table_key(n): t for t in TABLES.values() for n in (t.name, *t.aliases)}
NOTE_KEYS = {table_key(n) for n in NOTE_SHEETS}  # the template's instructions, not a table


_DECIMAL_ID = re.compile(r"^(\d+)\.0+$")
SCIENTIFIC_ID = re.compile(r"^\d(?:\.\d+)?[eE][+-]?\d+$")


def normalise_id(value: str) -> str:
    """An id as compared: normalised text without any whitespace, and ``100001.0`` (a number
    column written by a script or spreadsheet) read as ``100001``."""
    text = "".join(normalise_text(value).split())
    m = _DECIMAL_ID.match(text)
    return m.group(1) if m else text


# A CSV cell Excel would run as a formula starts with one of these (and a tab or carriage return
# that Excel drops before one). Written CSVs put an apostrophe before such a cell, as Excel does
# for text typed so; the readers of those CSVs take it off again (``restore_formula_text``).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def neutralise_formula(text: str) -> str:
    """``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``: text a spreadsheet shows and never runs.
    Numbers (``-3.5``) stay numbers; text already starting with quotes before a formula sign
    gets one more, so that :func:`restore_formula_text` gives back exactly what was written."""
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    if text.startswith("'") and _QUOTED_FORMULA.match(text):
        return "'" + text
    return text


def restore_formula_text(text: str) -> str:
    """The text :func:`neutralise_formula` was given."""
    return text[1:] if _QUOTED_FORMULA.match(text) else text


def _csv_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    if "\r" in value:
        # a line break inside a cell is a line feed (as Excel writes it): the csv module quotes
        # a cell holding the line terminator, "\n", and would write a bare "\r" unquoted,
        # which every reader takes for the end of the row
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise_formula(value)


def without_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a CSV holds it safely: every text cell (and header) without a line break a
    reader would take for the row's end, and passed through :func:`neutralise_formula`;
    numeric columns untouched. The frame given is not changed."""
    out = df.rename(columns=_csv_text)
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        out[col] = values.map(_csv_text)
    return out


EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
MAX_CELL_CHARS = 32_767  # what one Excel cell holds; longer cells are damage, not data
MAX_NAMED_WARNINGS = 10  # unknown columns named one by one; more are said in one line


def _filled(rec: list[str]) -> bool:
    return any((v or "").strip() for v in rec)


def _key(cell: str) -> str:
    return normalise_text(cell or "").lower()


def _recognised(cells: list[str], mapping: dict[str, str]) -> set[str]:
    return {mapping[k] for k in map(_key, cells) if k in mapping}


def _header_elsewhere(table: Table, label: str, records: list[list[str]], log: ProblemLog) -> bool:
    """Report a header that is not where it belongs (row 1, comma-separated); True if so."""
    mapping = header_map(table)
    header = records[0]
    if _recognised(header, mapping):
        return False
    text = ",".join(v or "" for v in header)
    for sep, message in (
        (";", _("the cells are separated by semicolons, not commas: save the table as CSV "
                "(comma-separated), e.g. Excel's 'CSV UTF-8'")),
        ("\t", _("the cells are separated by tabs, not commas: save the table as CSV "
                 "(comma-separated), e.g. Excel's 'CSV UTF-8'")),
    ):  # fmt: skip
        if sep in text and _recognised(text.split(sep), mapping):
            log.error(label, 1, "", message)
            return True
    required = set(table.required_columns)
    for i, rec in enumerate(records[1:6], start=2):
        if required & _recognised(rec, mapping):
            log.error(
                label,
                i,
                "",
                ngettext(
                    "row {row} looks like the header: delete the row above it (titles and notes "
                    "belong outside the table)",
                    "row {row} looks like the header: delete the {n} rows above it (titles and "
                    "notes belong outside the table)",
                    i - 1,
                ).format(row=i, n=i - 1),
            )
            return True
    return False


def column_label(table: Table, name: str) -> str:
    """A column as a message names it: ``village_id（村编码）``."""
    try:
        col = table.column(name)
    except KeyError:
        return name
    return f"{name}（{col.aliases[0]}）" if col.aliases else name


def _frame_from_rows(
    table: Table, label: str, records: list[list[str]], first_line: int, log: ProblemLog
) -> RawTable | None:
    if not any(_filled(r) for r in records):
        log.error(label, 0, "", _("the file is empty: expected a header row"))
        return None
    if _header_elsewhere(table, label, records, log):
        return None
    header, body = records[0], records[1:]
    mapping = header_map(table)
    names: list[str] = []
    headers: dict[str, str] = {}
    unknown: dict[int, str] = {}
    for i, raw in enumerate(header):
        h = normalise_text(raw or "")
        canon = mapping.get(h.lower(), mapping.get(h))
        if canon is None:
            names.append(f"_unnamed_{i}")
            unknown[i] = h
            continue
        if canon in headers:
            log.error(
                label,
                first_line,
                h,
                _("column '{column}' appears twice in the header").format(column=canon),
            )
            names.append(f"_duplicate_{i}")
            continue
        headers[canon] = h
        names.append(canon)
    missing = [c for c in table.required_columns if c not in headers]
    for c in missing:
        col = table.column(c)
        log.error(
            label,
            first_line,
            c,
            _("required column '{column}' [{alias}] is missing").format(
                column=c, alias=col.aliases[0]
            )
            if col.aliases
            else _("required column '{column}' is missing").format(column=c),
        )
    width = len(names)
    header_keys = [_key(v) for v in header]
    rows: list[int] = []
    cells: list[list[str]] = []
    for offset, rec in enumerate(body, start=1):
        line = first_line + offset
        if not _filled(rec):
            continue  # blank lines carry nothing
        if len(rec) > width:
            # Excel and pandas write every row as wide as the header; a longer row has a cell
            # split by a comma that is not quoted, and its later cells sit in the wrong columns
            log.error(
                label,
                line,
                "",
                _(
                    "row has {n} cells but the header has {width} (a comma inside a cell that is "
                    "not quoted?)"
                ).format(n=len(rec), width=width),
            )
        rec = [(v or "") for v in rec[:width]] + [""] * max(0, width - len(rec))
        # the first cell first: one normalisation a row, not one a cell (these were half the
        # normalisations of a province's load)
        if [_key(v) for v in rec[:1]] == header_keys[:1] and [_key(v) for v in rec] == header_keys:
            log.error(
                label, line, "", _("the header row appears again here (were two files joined?)")
            )
            continue
        for j, v in enumerate(rec):
            if len(v) > MAX_CELL_CHARS:
                log.error(
                    label,
                    line,
                    headers.get(names[j], unknown.get(j) or _("column {n}").format(n=j + 1)),
                    _(
                        "the cell holds {n:,} characters, more than a spreadsheet cell can "
                        "({limit:,}): the file is damaged or not a table"
                    ).format(n=len(v), limit=MAX_CELL_CHARS),
                )
                rec[j] = ""
        rows.append(line)
        cells.append(rec)
    _warn_ignored_columns(table, label, first_line, unknown, cells, log)
    kept = {
        n: pd.Series([rec[j] for rec in cells], dtype=object)
        for j, n in enumerate(names)
        if not n.startswith(("_unnamed_", "_duplicate_"))
    }
    frame = pd.DataFrame(kept, index=pd.RangeIndex(len(cells)))
    return RawTable(table, label, frame, rows, headers)


def _warn_ignored_columns(
    table: Table,
    label: str,
    line: int,
    unknown: dict[int, str],
    cells: list[list[str]],
    log: ProblemLog,
) -> None:
    """A column the engine does not read is said so (a misspelt header would else be lost);
    many such columns are said in one line."""
    known = [c.name for c in table.columns] + [a for c in table.columns for a in c.aliases]
    named = {j: h for j, h in unknown.items() if h}
    blank = [j for j in unknown if not unknown[j] and any(rec[j].strip() for rec in cells)]
    if len(named) + len(blank) > MAX_NAMED_WARNINGS:
        shown = [named.get(j) or _("column {n}").format(n=j + 1) for j in sorted(unknown)]
        log.warn(
            label,
            line,
            "",
            _("{n:,} columns are not part of {file} and are ignored: {names}, …").format(
                n=len(named) + len(blank), file=table.file, names=", ".join(shown[:5])
            ),
        )
        return
    for h in named.values():
        near = difflib.get_close_matches(h.lower(), known, n=1, cutoff=0.75)
        message = (
            _("column '{column}' is not part of {file}; ignored (did you mean '{near}'?)")
            if near
            else _("column '{column}' is not part of {file}; ignored")
        )
        log.warn(label, line, h, message.format(column=h, file=table.file, near=near and near[0]))
    for j in blank:
        log.warn(
            label,
            line,
            _("column {n}").format(n=j + 1),
            _("column without a header holds values; ignored"),
        )


class _BrokenCsv(Exception):
    """The CSV reader failed at this record (row, reason)."""


def _bounded(records, label: str, log: ProblemLog) -> list[list[str]] | None:
    """The records while they stay within the bounds of a table (``limits``); None (and the
    problem reported once) at the first record beyond one."""
    out: list[list[str]] = []
    cells = 0
    records = iter(records)
    while True:
        try:
            rec = next(records)
        except StopIteration:
            break
        except csv.Error as e:
            raise _BrokenCsv(len(out) + 1, str(e)) from None
        n = len(rec)
        while n and not rec[n - 1]:
            n -= 1  # empty cells at the end (Excel leaves them after deleting columns) aside
        row = len(out) + 1
        if n > MAX_COLUMNS:
            log.error(
                label,
                row,
                "",
                _(
                    "this row has {n:,} cells, more than the {limit:,} columns a sheet holds: "
                    "the file is damaged or not a table"
                ).format(n=n, limit=MAX_COLUMNS),
            )
            return None
        cells += len(rec)
        if row > MAX_ROWS or cells > MAX_CELLS:
            log.error(
                label,
                row,
                "",
                _(
                    "the table goes on beyond {rows:,} rows or {cells:,} cells, more than one "
                    "table may hold: split the file (work logs may be a folder of files)"
                ).format(rows=MAX_ROWS, cells=MAX_CELLS),
            )
            return None
        out.append(rec)
    return out


def _read_records(text: str, label: str, log: ProblemLog) -> list[list[str]] | None:
    """CSV records; a quote never closed or a runaway cell is reported at its row."""
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
        try:
            return _bounded(reader, label, log)
        except _BrokenCsv as e:
            row, reason = e.args
        if "unexpected end of data" in reason:
            log.error(
                label,
                row,
                "",
                _(
                    'a quote (") opened in this row is never closed: the rest of the file reads '
                    "as one cell"
                ),
            )
            return None
        if "field limit" in reason:
            log.error(
                label,
                row,
                "",
                _(
                    "a cell longer than {limit:,} characters: the file is damaged or not a table"
                ).format(limit=csv.field_size_limit()),
            )
            return None
        # strict mode also refuses text after a closing quote ("5"x); plain reading keeps it
    log.error(label, 0, "", _("not a readable CSV file: {reason}").format(reason=reason))
    return None


def read_csv_table(path: Path, table: Table, log: ProblemLog) -> RawTable | None:
    label = path.name
    try:
        data = read_regular(path, label, MAX_TABLE_BYTES)
        if not data.strip():
            log.error(label, 0, "", _("the file is empty: expected a header row"))
            return None
        text = decode(data, label)
    except BundleError as e:
        log.extend(e.problems)
        return None
    del data
    records = _read_records(text, label, log)
    if records is None:
        return None
    last = records[-1] if len(records) > 1 else None
    if last and not text.endswith(("\n", "\r")) and len(last) < len(records[0]):
        log.error(
            label,
            len(records),
            "",
            _(
                "the file ends in the middle of this row ({n} of {width} cells, no final line "
                "break): it was cut short; save or download it again"
            ).format(n=len(last), width=len(records[0])),
        )
        return None
    if "'" in text:  # a CSV cunjing wrote: its apostrophes before formula signs come off
        records = [[restore_formula_text(v) for v in rec] for rec in records]
    # A quoted line break inside a cell makes one record of two text lines; rows are counted
    # as records, which is the row Excel shows.
    return _frame_from_rows(table, label, records, 1, log)


# ---------------------------------------------------------------- workbooks


def _sheets_by_key(titles: list[str], label: str, log: ProblemLog) -> dict[str, str]:
    """Normalised sheet name -> the sheet's title; two sheets with one name are refused (at
    the first one's label, ``bundle.xlsx[villages]``)."""
    out: dict[str, str] = {}
    for title in titles:
        key = table_key(title)
        if key in out:
            log.error(
                f"{label}[{normalise_text(out[key] or title)}]",
                0,
                "",
                _(
                    "the sheets '{a}' and '{b}' have the same name once full-width letters and "
                    "case are set aside: keep one of them (which one is meant is ambiguous)"
                ).format(a=out[key], b=title),
            )
            out[key] = ""
            continue
        out[key] = title
    return out


def _sheet_records(
    sheet, table: Table | None, label: str, log: ProblemLog
) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """A sheet's rows as text, trailing empty columns dropped; Excel's hidden traps reported:
    merged header cells, formulas without a saved result, and (in a table) text Excel typed as
    a date."""
    values = sheet.rows
    width = max((len(r) for r in values), default=0)
    while width and all(len(r) < width or r[width - 1] in (None, "") for r in values):
        width -= 1
    values = [r[:width] for r in values]
    for first_row, coord in sheet.merged:
        if first_row == 1:
            log.error(
                label,
                1,
                "",
                _("merged header cells {cells}: use one header per column").format(cells=coord),
            )
    records = [[_cell_text(v) for v in row] for row in values]
    header = records[0] if records else []
    for r, c in sheet.uncalculated:
        log.error(
            label,
            r,
            header[c - 1] if c <= len(header) and header[c - 1] else _("column {n}").format(n=c),
            _(
                "the cell holds a formula whose result was never saved (the file was written by "
                "a program that does not calculate): open it in Excel or WPS, recalculate (F9) "
                "and save"
            ),
        )
    if table is not None:
        _refuse_typed_dates(table, label, values, log)
    return records, set(sheet.uncalculated)


def _sheet_table(
    sheet, table: Table, label: str, log: ProblemLog, typed_dates: bool
) -> RawTable | None:
    """A sheet read as ``table``; None when it has no usable header (reported)."""
    records, uncalculated = _sheet_records(sheet, table if typed_dates else None, label, log)
    raw = _frame_from_rows(table, label, records, 1, log)
    if raw is None or not uncalculated:
        return raw
    mapping = header_map(table)
    names = {j + 1: mapping.get(_key(h)) for j, h in enumerate(records[0])}
    reported = frozenset((r, names[c]) for r, c in uncalculated if names.get(c))
    return dataclasses.replace(raw, reported=reported)


def _open_sheets(path: Path, log: ProblemLog, wanted) -> tuple[list[str], dict] | None:
    from .workbook import read_sheets

    try:
        return read_sheets(path, path.name, wanted)
    except BundleError as e:
        log.extend(e.problems)
        return None


def read_xlsx_tables(
    path: Path, log: ProblemLog
) -> tuple[dict[str, RawTable], dict[str, object], dict[str, int]]:
    """The tables of a one-workbook bundle, and its optional ``policy`` sheet as key -> value
    (with the row of each key)."""
    names = set(TABLE_KEYS) | set(NOTE_KEYS) | {"policy"}
    opened = _open_sheets(path, log, lambda title: table_key(title) in names)
    if opened is None:
        raise BundleError(log.all())
    titles, sheets = opened
    tables: dict[str, RawTable] = {}
    policy: dict[str, object] = {}
    policy_rows: dict[str, int] = {}
    for key, title in _sheets_by_key(titles, path.name, log).items():
        if not title:
            continue  # ambiguous, reported
        name = normalise_text(title)
        label = f"{path.name}[{name}]"
        if key == "policy":
            for r, row in enumerate(sheets[title].rows[1:], start=2):
                if row and row[0] not in (None, ""):
                    val = "" if len(row) < 2 or row[1] is None else row[1]
                    k = str(row[0]).strip()
                    policy[k] = val if not isinstance(val, str) else val.strip()
                    policy_rows[k] = r
            continue
        if key in NOTE_KEYS:
            continue  # the workbook's own instructions
        table = TABLE_KEYS.get(key)
        if table is None:
            log.warn(
                label,
                0,
                "",
                _("sheet '{sheet}' is not part of a bundle and is ignored").format(sheet=name),
            )
            continue
        if table.name in tables:
            log.error(
                label,
                0,
                "",
                _("a second sheet of {table} ({first})").format(
                    table=table.name, first=tables[table.name].label
                ),
            )
            continue
        raw = _sheet_table(sheets[title], table, label, log, typed_dates=True)
        if raw is not None:
            tables[table.name] = raw
    return tables, policy, policy_rows


def _refuse_typed_dates(table: Table, label: str, values: list[list], log: ProblemLog) -> None:
    """A date cell outside a month column is Excel's guess at text like "3-1": the text is lost."""
    if not values:
        return
    mapping = header_map(table)
    cols = {j: mapping.get(_key(_cell_text(h))) for j, h in enumerate(values[0])}
    for r, row in enumerate(values[1:], start=2):
        for j, v in enumerate(row):
            name = cols.get(j)
            if (
                name
                and isinstance(v, datetime.date | datetime.time)
                and table.column(name).kind != MONTH
            ):
                log.error(
                    label,
                    r,
                    _cell_text(values[0][j]),
                    _(
                        "Excel typed this cell as a date ({day}): format the column as text and "
                        "type the value again"
                    ).format(day=_cell_day(v)),
                )


def _cell_day(v: datetime.date | datetime.time) -> str:
    return v.isoformat() if isinstance(v, datetime.time) else f"{v:%Y-%m-%d}"


def read_xlsx_sheets(path: Path, table: Table, log: ProblemLog) -> list[RawTable]:
    """Every non-empty sheet of a workbook read as ``table`` (exports that split rows over sheets)."""
    opened = _open_sheets(path, log, lambda title: True)
    if opened is None:
        return []
    titles, sheets = opened
    out = []
    for title in titles:
        label = f"{path.name}[{normalise_text(title)}]"
        if not any(any(c not in (None, "") for c in r) for r in sheets[title].rows):
            continue  # an empty sheet
        raw = _sheet_table(sheets[title], table, label, log, typed_dates=False)
        if raw is not None:
            out.append(raw)
    return out


def read_xlsx_sheet(
    path: Path, names: tuple[str, ...], table: Table, log: ProblemLog
) -> RawTable | None:
    """The first sheet named one of ``names``, read as ``table``; None when there is none."""
    keys = [table_key(n) for n in names]
    opened = _open_sheets(path, log, lambda title: table_key(title) in keys)
    if opened is None:
        return None
    titles, sheets = opened
    by_key = _sheets_by_key([t for t in titles if t in sheets], path.name, log)
    title = next((by_key[k] for k in keys if by_key.get(k)), None)
    if title is None:
        return None
    label = f"{path.name}[{normalise_text(title)}]"
    return _sheet_table(sheets[title], table, label, log, typed_dates=False)


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # Excel stores typed ids like 341302100 as floats
    if isinstance(v, datetime.time):
        return v.strftime("%H:%M")
    if isinstance(v, datetime.datetime) and v.year <= 1900:
        return v.strftime("%H:%M")  # a time of day that Excel stored on its epoch day
    if isinstance(v, datetime.datetime) and v.time() != datetime.time(0):
        return v.strftime("%Y-%m-%d %H:%M")
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")  # a date, or a month typed as a date (read as its month)
    return str(v)
