"""Writing tables as worksheets a planner can work in: a bold frozen header row, a filter on every
column, ids kept as text, and column widths that fit Chinese text (a CJK character is as wide as
two Latin ones)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

HEADER_FORMAT = {"bold": True, "bg_color": "#DDEBF7", "pattern": 1}
MAX_WIDTH = 60  # a wider cell's text is cut at the column edge (the full text is in the cell)


@dataclass
class Book:
    """The sheets of a workbook to be written (XlsxWriter writes a workbook whole, on save)."""

    sheets: list[tuple[str, pd.DataFrame, bool]] = field(default_factory=list)


def display_width(text: str) -> int:
    """Columns a text takes on screen: East-Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value):
    """A cell value written as it is (NaN as an empty cell, numpy scalars as Python)."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def add_sheet(book: Book, title: str, table: pd.DataFrame, printable: bool = False) -> None:
    """Add ``table`` as a sheet. ``printable``: A4 landscape, as wide as the page, the header
    row on every page.

    Cells carry no style of their own: numbers come rounded as they should read, and text stays
    text (ids keep their leading zeros; a text starting with "=" is never taken for a formula).
    """
    book.sheets.append((title, table, printable))


def _write_sheet(wb, header_format, title: str, table: pd.DataFrame, printable: bool) -> None:
    ws = wb.add_worksheet(title)
    ws.freeze_panes(1, 0)
    if printable:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
    for j, col in enumerate(table.columns):
        ws.set_column(j, j, _width(str(col), table[col]))
    ws.write_row(0, 0, [str(c) for c in table.columns], header_format)
    # constant-memory mode: rows go out in order, one at a time
    columns = [table[c].to_numpy(object) for c in table.columns]
    write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        for j, v in enumerate(row):
            v = _cell(v)
            if v is None:
                continue
            if isinstance(v, str):
                write_string(i, j, v)
            elif isinstance(v, bool):
                write_boolean(i, j, v)
            elif isinstance(v, int | float):
                write_number(i, j, v)
            else:
                write_string(i, j, str(v))
    ws.autofilter(0, 0, len(table), max(0, len(table.columns) - 1))


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _width(header: str, values: pd.Series) -> float:
    texts: Iterable[str]
    if not _numeric(values):
        texts = values.dropna().astype(str).unique()
    else:
        v = pd.to_numeric(values, errors="coerce").dropna()
        texts = [str(_cell(x)) for x in (v.min(), v.max())] if len(v) else []
    widest = max([display_width(t) for t in texts], default=0)
    # the header also carries the filter button (about two characters)
    return float(min(MAX_WIDTH, max(display_width(header) + 4, widest + 2)))


def new_workbook() -> Book:
    return Book()


def save(book: Book, path: Path) -> None:
    """Write the workbook with XlsxWriter (several times faster than openpyxl for a province's
    sheets; openpyxl still reads workbooks back)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header_format = wb.add_format(HEADER_FORMAT)
    for title, table, printable in book.sheets:
        _write_sheet(wb, header_format, title, table, printable)
    wb.close()
