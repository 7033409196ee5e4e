"""Reading the tables of a bundle as text: CSV in any encoding Excel saves, or sheets of one .xlsx.

Everything is read as strings here; typing and checking happen in ``parse``. Headers are mapped
to the canonical English names (Chinese aliases accepted), and each row keeps the line number a
planner sees, so that problems can be reported as ``file:row:column``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from .problems import BundleError, ProblemLog
from .schema import MONTH, NOTE_SHEETS, Table, header_map, table_named


@dataclass(frozen=True)
class RawTable:
    """One table as text: canonical column names, the file label and each row's line number."""

    table: Table
    label: str  # "villages.csv" or "bundle.xlsx[villages]": how problems name the file
    frame: pd.DataFrame  # all str, "" for empty; columns canonical where recognised
    rows: list[int]  # the line (Excel row) of each frame row
    headers: dict[str, str]  # canonical column -> header as written in the file


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_WORKBOOKS = {
    b"PK\x03\x04": "an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)",
}


def _row_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, label: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (GBK's superset), else detect.

    A file whose rows are in different encodings (rows pasted from a GBK file into a UTF-8 one)
    is refused at the first row that differs: decoding it either way would garble some names.
    """
    for magic, what in _WORKBOOKS.items():
        if data.startswith(magic):
            raise BundleError.single(
                label,
                f"this is {what} named .csv: save it from Excel as 'CSV UTF-8', or give the "
                "workbook itself as the bundle",
            )
    if data.startswith(codecs.BOM_UTF8):
        body = data[3:]
        try:
            return _without_nul(body.decode("utf-8"), body, label)
        except UnicodeDecodeError as e:
            raise BundleError.single(
                label,
                "the file is marked as UTF-8 (it starts with a byte-order mark) but this row is "
                "not UTF-8 (saved as GBK?): save the whole file again as 'CSV UTF-8'",
                row=_row_at(body, e.start),
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BundleError.single(
                label, "the file is marked as UTF-16 but is not UTF-16 text (cut short?)"
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
        raise BundleError.single(label, "cannot tell the text encoding (expected UTF-8 or GBK)")
    return str(best)


def _without_nul(text: str, data: bytes, label: str) -> str:
    nul = data.find(b"\0")
    if nul >= 0:
        raise BundleError.single(
            label,
            "a NUL byte in this row: the file is binary, or UTF-16 without a byte-order mark; "
            "save it as 'CSV UTF-8'",
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
    if not evidence or all(utf8 for _, utf8 in rows):
        return
    first_row, first_utf8 = rows[0]
    row = next(r for r, utf8 in rows if utf8 != first_utf8)
    enc = ("not UTF-8", "UTF-8") if first_utf8 else ("UTF-8", "not UTF-8")
    raise BundleError.single(
        label,
        f"this row is {enc[0]} while row {first_row} is {enc[1]}: the file mixes text "
        "encodings (rows pasted from another file?); save it again as 'CSV UTF-8'",
        row=row,
    )


def normalise_text(value: str) -> str:
    """Full-width to half-width (NFKC), invisible marks (BOM, zero-width space) dropped, trimmed:
    how text typed or pasted into Chinese Excel is compared."""
    text = unicodedata.normalize("NFKC", value)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.strip()


_DECIMAL_ID = re.compile(r"^(\d+)\.0+$")
SCIENTIFIC_ID = re.compile(r"^\d(?:\.\d+)?[eE][+-]?\d+$")


def normalise_id(value: str) -> str:
    """An id as compared: normalised text without any whitespace, and ``100001.0`` (a number
    column written by a script or spreadsheet) read as ``100001``."""
    text = "".join(normalise_text(value).split())
    m = _DECIMAL_ID.match(text)
    return m.group(1) if m else text


EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
MAX_CELL_CHARS = 32_767  # what one Excel cell holds; longer cells are damage, not data


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
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if sep in text and _recognised(text.split(sep), mapping):
            log.error(
                label,
                1,
                "",
                f"the cells are separated by {name}, not commas: save the table as CSV "
                "(comma-separated), e.g. Excel's 'CSV UTF-8'",
            )
            return True
    required = set(table.required_columns)
    for i, rec in enumerate(records[1:6], start=2):
        if required & _recognised(rec, mapping):
            above = "the row" if i == 2 else f"the {i - 1} rows"
            log.error(
                label,
                i,
                "",
                f"row {i} looks like the header: delete {above} above it (titles and notes "
                "belong outside the table)",
            )
            return True
    return False


def _frame_from_rows(
    table: Table, label: str, records: list[list[str]], first_line: int, log: ProblemLog
) -> RawTable | None:
    if not any(_filled(r) for r in records):
        log.error(label, 0, "", "the file is empty: expected a header row")
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
            log.error(label, first_line, h, f"column '{canon}' appears twice in the header")
            names.append(f"_duplicate_{i}")
            continue
        headers[canon] = h
        names.append(canon)
    missing = [c for c in table.required_columns if c not in headers]
    for c in missing:
        col = table.column(c)
        alias = f" [{col.aliases[0]}]" if col.aliases else ""
        log.error(label, first_line, c, f"required column '{c}'{alias} is missing")
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
                f"row has {len(rec)} cells but the header has {width} (a comma inside a cell "
                "that is not quoted?)",
            )
        rec = [(v or "") for v in rec[:width]] + [""] * max(0, width - len(rec))
        if [_key(v) for v in rec] == header_keys:
            log.error(label, line, "", "the header row appears again here (were two files joined?)")
            continue
        for j, v in enumerate(rec):
            if len(v) > MAX_CELL_CHARS:
                log.error(
                    label,
                    line,
                    headers.get(names[j], unknown.get(j, f"column {j + 1}")),
                    f"the cell holds {len(v):,} characters, more than a spreadsheet cell can "
                    f"({MAX_CELL_CHARS:,}): the file is damaged or not a table",
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
    """A column the engine does not read is said so: a misspelt header would else be lost."""
    known = [c.name for c in table.columns] + [a for c in table.columns for a in c.aliases]
    for j, h in unknown.items():
        if h:
            near = difflib.get_close_matches(h.lower(), known, n=1, cutoff=0.75)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            log.warn(label, line, h, f"column '{h}' is not part of {table.file}; ignored{hint}")
        elif any(rec[j].strip() for rec in cells):
            log.warn(
                label, line, f"column {j + 1}", "column without a header holds values; ignored"
            )


def _read_records(text: str, label: str, log: ProblemLog) -> list[list[str]] | None:
    """CSV records; a quote never closed or a runaway cell is reported at its row."""
    for strict in (True, False):
        records: list[list[str]] = []
        try:
            for rec in csv.reader(io.StringIO(text, newline=""), strict=strict):
                records.append(rec)
            return records
        except csv.Error as e:
            row, reason = len(records) + 1, str(e)
        if "unexpected end of data" in reason:
            log.error(
                label,
                row,
                "",
                'a quote (") opened in this row is never closed: the rest of the file reads as '
                "one cell",
            )
            return None
        if "field limit" in reason:
            log.error(
                label,
                row,
                "",
                f"a cell longer than {csv.field_size_limit():,} characters: the file is damaged "
                "or not a table",
            )
            return None
        # strict mode also refuses text after a closing quote ("5"x); plain reading keeps it
    log.error(label, 0, "", f"not a readable CSV file: {reason}")
    return None


def read_csv_table(path: Path, table: Table, log: ProblemLog) -> RawTable | None:
    label = path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        log.error(label, 0, "", f"cannot read the file: {e.strerror or e}")
        return None
    if not data.strip():
        log.error(label, 0, "", "the file is empty: expected a header row")
        return None
    try:
        text = decode(data, label)
    except BundleError as e:
        log.problems.extend(e.problems)
        return None
    records = _read_records(text, label, log)
    if records is None:
        return None
    last = records[-1] if len(records) > 1 else None
    if last and not text.endswith(("\n", "\r")) and len(last) < len(records[0]):
        log.error(
            label,
            len(records),
            "",
            f"the file ends in the middle of this row ({len(last)} of {len(records[0])} cells, "
            "no final line break): it was cut short; save or download it again",
        )
        return None
    # A quoted line break inside a cell makes one record of two text lines; rows are counted
    # as records, which is the row Excel shows.
    return _frame_from_rows(table, label, records, 1, log)


def read_xlsx_tables(
    path: Path, log: ProblemLog
) -> tuple[dict[str, RawTable], dict[str, object], dict[str, int]]:
    """The tables of a one-workbook bundle, and its optional ``policy`` sheet as key -> value
    (with the row of each key)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl's notes on styles and extensions it drops concern nothing read here
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise BundleError.single(path.name, f"cannot open the workbook: {e}") from None
    tables: dict[str, RawTable] = {}
    policy: dict[str, object] = {}
    policy_rows: dict[str, int] = {}
    sheets = {normalise_text(ws.title): ws for ws in wb.worksheets}
    for name, ws in sheets.items():
        label = f"{path.name}[{name}]"
        if name == "policy":
            for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                if row and row[0] not in (None, ""):
                    val = "" if len(row) < 2 or row[1] is None else row[1]
                    key = str(row[0]).strip()
                    policy[key] = val if not isinstance(val, str) else val.strip()
                    policy_rows[key] = r
            continue
        if name.lower() in NOTE_SHEETS:
            continue  # the workbook's own instructions
        table = table_named(name)
        if table is None:
            log.warn(label, 0, "", f"sheet '{name}' is not part of a bundle and is ignored")
            continue
        if table.name in tables:
            log.error(label, 0, "", f"a second sheet of {table.name} ({tables[table.name].label})")
            continue
        merged = list(ws.merged_cells.ranges)
        for rng in merged:
            if rng.min_row == 1:
                log.error(
                    label, 1, "", f"merged header cells {rng.coord}: use one header per column"
                )
        values = [list(row) for row in ws.iter_rows(values_only=True)]
        # Trailing empty columns are common in hand-made sheets.
        while values and values[0] and all(not r or r[-1] in (None, "") for r in values):
            values = [r[:-1] for r in values]
        _refuse_typed_dates(table, label, values, log)
        records = [[_cell_text(v) for v in row] for row in values]
        raw = _frame_from_rows(table, label, records, 1, log)
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
                    f"Excel typed this cell as a date ({_cell_day(v)}): format the column as "
                    "text and type the value again",
                )


def _cell_day(v: datetime.date | datetime.time) -> str:
    return v.isoformat() if isinstance(v, datetime.time) else f"{v:%Y-%m-%d}"


def read_xlsx_sheets(path: Path, table: Table, log: ProblemLog) -> list[RawTable]:
    """Every non-empty sheet of a workbook read as ``table`` (exports that split rows over sheets)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        log.error(path.name, 0, "", f"cannot open the workbook: {e}")
        return []
    out = []
    for ws in wb.worksheets:
        records = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        if not any(any(c for c in r) for r in records):
            continue  # an empty sheet
        while records[0] and not records[0][-1]:
            records = [r[:-1] for r in records]
        raw = _frame_from_rows(table, f"{path.name}[{normalise_text(ws.title)}]", records, 1, log)
        if raw is not None:
            out.append(raw)
    wb.close()
    return out


def read_xlsx_sheet(
    path: Path, names: tuple[str, ...], table: Table, log: ProblemLog
) -> RawTable | None:
    """The first sheet named one of ``names``, read as ``table``; None when there is none."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        log.error(path.name, 0, "", f"cannot open the workbook: {e}")
        return None
    try:
        sheets = {normalise_text(ws.title): ws for ws in wb.worksheets}
        name = next((n for n in names if n in sheets), None)
        if name is None:
            return None
        records = [[_cell_text(v) for v in row] for row in sheets[name].iter_rows(values_only=True)]
        while records and records[0] and all(not r or not r[-1] for r in records):
            records = [r[:-1] for r in records]
        return _frame_from_rows(table, f"{path.name}[{name}]", records, 1, log)
    finally:
        wb.close()


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
