"""Writing tables as worksheets a planner can work in: a bold frozen header row, a filter on every
column, ids kept as text, and column widths that fit Chinese text (a CJK character is as wide as
two Latin ones)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH = 60  # a wider cell's text is cut at the column edge (the full text is in the cell)


def display_width(text: str) -> int:
    """Columns a text takes on screen: East-Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value):
    """A cell value openpyxl writes as it is (NaN as an empty cell, numpy scalars as Python)."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def add_sheet(
    book: Workbook, title: str, table: pd.DataFrame, printable: bool = False
) -> WriteOnlyWorksheet:
    """Append ``table`` as a sheet of a write-only workbook. ``printable``: A4 landscape, as
    wide as the page, the header row on every page.

    Cells carry no style of their own: numbers come rounded as they should read, text stays
    text (ids keep their leading zeros), and a province's 15,000 rows write in seconds, not
    minutes (a style on every cell is what makes openpyxl slow).
    """
    ws = book.create_sheet(title)
    # write-only sheets write their properties, views and column widths before the first row
    ws.freeze_panes = "A2"
    if printable:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
    for j, col in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(str(col), table[col])
    header = []
    for col in table.columns:
        cell = WriteOnlyCell(ws, str(col))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    columns = [table[c].to_numpy(object) for c in table.columns]
    for row in zip(*columns, strict=True):
        ws.append([_cell(v) for v in row])
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(table.columns)))}{len(table) + 1}"
    return ws


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


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(book: Workbook, path: Path) -> None:
    book.save(path)
