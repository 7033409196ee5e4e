"""Reading the tables of a bundle as text: CSV in any encoding Excel saves, or sheets of one .xlsx.

Everything is read as strings here; typing and checking happen in ``parse``. Headers are mapped
to the canonical English names (Chinese aliases accepted), and each row keeps the line number a
planner sees, so that problems can be reported as ``file:row:column``.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from .problems import BundleError, ProblemLog
from .schema import TABLES, Table, header_map


@dataclass(frozen=True)
class RawTable:
    """One table as text: canonical column names, the file label and each row's line number."""

    table: Table
    label: str  # "villages.csv" or "bundle.xlsx[villages]": how problems name the file
    frame: pd.DataFrame  # all str, "" for empty; columns canonical where recognised
    rows: list[int]  # the line (Excel row) of each frame row
    headers: dict[str, str]  # canonical column -> header as written in the file


def decode(data: bytes, label: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (GBK's superset), else detect."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise BundleError.single(label, "cannot tell the text encoding (expected UTF-8 or GBK)")
    return str(best)


def normalise_text(value: str) -> str:
    """Full-width to half-width (NFKC) and trimmed: how ids typed in Chinese Excel are compared."""
    return unicodedata.normalize("NFKC", value).strip()


def _frame_from_rows(
    table: Table, label: str, records: list[list[str]], first_line: int, log: ProblemLog
) -> RawTable | None:
    if not records:
        log.error(label, 0, "", "the file is empty: expected a header row")
        return None
    header, body = records[0], records[1:]
    mapping = header_map(table)
    names: list[str] = []
    headers: dict[str, str] = {}
    for i, raw in enumerate(header):
        h = normalise_text(raw or "")
        canon = mapping.get(h.lower(), mapping.get(h))
        if canon is None:
            names.append(h or f"_unnamed_{i}")
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
    rows: list[int] = []
    cells: list[list[str]] = []
    for offset, rec in enumerate(body, start=1):
        line = first_line + offset
        if not any((v or "").strip() for v in rec):
            continue  # blank lines carry nothing
        if len(rec) > width and any((v or "").strip() for v in rec[width:]):
            log.error(label, line, "", f"row has {len(rec)} cells but the header has {width}")
        rec = [(v or "") for v in rec[:width]] + [""] * max(0, width - len(rec))
        rows.append(line)
        cells.append(rec)
    frame = (
        pd.DataFrame(cells, columns=names, dtype=object)
        if cells
        else pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    )
    frame = frame.loc[:, ~frame.columns.str.startswith(("_unnamed_", "_duplicate_"))]
    return RawTable(table, label, frame.reset_index(drop=True), rows, headers)


def read_csv_table(path: Path, table: Table, log: ProblemLog) -> RawTable | None:
    label = path.name
    data = path.read_bytes()
    if not data.strip():
        log.error(label, 0, "", "the file is empty: expected a header row")
        return None
    try:
        text = decode(data, label)
    except BundleError as e:
        log.problems.extend(e.problems)
        return None
    except UnicodeDecodeError as e:
        log.error(label, 0, "", f"cannot decode the file: {e.reason}")
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        log.error(label, 0, "", f"not a readable CSV file: {e}")
        return None
    # csv.reader counts a quoted newline inside a cell as one record; line numbers then drift,
    # which is rare in these tables and still points at the right neighbourhood.
    return _frame_from_rows(table, label, records, 1, log)


def read_xlsx_tables(path: Path, log: ProblemLog) -> tuple[dict[str, RawTable], dict[str, str]]:
    """The tables of a one-workbook bundle, and its optional ``policy`` sheet as key -> value."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise BundleError.single(path.name, f"cannot open the workbook: {e}") from None
    tables: dict[str, RawTable] = {}
    policy: dict[str, str] = {}
    sheets = {normalise_text(ws.title): ws for ws in wb.worksheets}
    for name, ws in sheets.items():
        label = f"{path.name}[{name}]"
        if name == "policy":
            for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                if row and row[0] not in (None, ""):
                    val = "" if len(row) < 2 or row[1] is None else row[1]
                    policy[str(row[0]).strip()] = val if not isinstance(val, str) else val.strip()
                    _ = r
            continue
        table = TABLES.get(name)
        if table is None:
            log.warn(label, 0, "", f"sheet '{name}' is not part of a bundle and is ignored")
            continue
        merged = list(ws.merged_cells.ranges)
        for rng in merged:
            if rng.min_row == 1:
                log.error(
                    label, 1, "", f"merged header cells {rng.coord}: use one header per column"
                )
        records = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        # Trailing empty columns are common in hand-made sheets.
        while records and records[0] and not records[0][-1]:
            records = [r[:-1] for r in records]
        raw = _frame_from_rows(table, label, records, 1, log)
        if raw is not None:
            tables[name] = raw
    return tables, policy


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
