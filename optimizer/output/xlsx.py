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
class Extras:
    """What a sheet a planner fills in or prints needs beyond its table."""

    # header -> a drop-down list: the choices, or a range of another sheet ("=名单!$A$2:$A$90")
    choices: dict[str, list[str] | str] = field(default_factory=dict)
    text_columns: tuple[str, ...] = ()  # formatted as text: a typed id keeps its leading zeros
    input_rows: int = 0  # empty rows below the table that the drop-downs and text format cover
    fills: pd.DataFrame | None = None  # the table's shape: a cell's background colour, or ""
    notes: dict[str, str] = field(default_factory=dict)  # header -> a comment on its cell
    widths: dict[str, float] = field(default_factory=dict)  # header -> column width
    hidden: bool = False  # a sheet the drop-downs read from, out of the way
    row_height: float | None = None  # points, for rows of several lines (a month page's days)
    merged_rows: frozenset[int] = frozenset()  # rows (0 = the first under the header) written
    # as one cell across the table: their first value is the text


@dataclass
class Book:
    """The sheets of a workbook to be written (XlsxWriter writes a workbook whole, on save)."""

    sheets: list[tuple[str, pd.DataFrame, bool, Extras]] = field(default_factory=list)


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


def add_sheet(
    book: Book,
    title: str,
    table: pd.DataFrame,
    printable: bool = False,
    extras: Extras | None = None,
) -> None:
    """Add ``table`` as a sheet. ``printable``: A4 landscape, as wide as the page, the header
    row on every page. ``extras``: drop-downs, text columns, cell colours, header notes.

    Cells carry no style of their own: numbers come rounded as they should read, and text stays
    text (ids keep their leading zeros; a text starting with "=" is never taken for a formula).
    """
    book.sheets.append((title, table, printable, extras or Extras()))


def _write_sheet(
    wb, formats: dict, title: str, table: pd.DataFrame, printable: bool, extras: Extras
) -> None:
    ws = wb.add_worksheet(title)
    ws.freeze_panes(1, 0)
    if extras.hidden:
        ws.hide()
    if printable:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
    for j, col in enumerate(table.columns):
        width = extras.widths.get(str(col)) or _width(str(col), table[col])
        text = formats["text"] if str(col) in extras.text_columns else None
        ws.set_column(j, j, width, text)
    ws.write_row(0, 0, [str(c) for c in table.columns], formats["header"])
    last = len(table) + extras.input_rows
    for j, col in enumerate(table.columns):
        given = extras.choices.get(str(col))
        if given is not None and last >= 1:
            ws.data_validation(
                1, j, last, j, {"validate": "list", "source": given, "ignore_blank": True}
            )
        if str(col) in extras.notes:
            ws.write_comment(0, j, extras.notes[str(col)], {"x_scale": 2, "y_scale": 1.5})
    fills = None if extras.fills is None else extras.fills.to_numpy(object)
    # constant-memory mode: rows go out in order, one at a time
    columns = [table[c].to_numpy(object) for c in table.columns]
    write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        if i - 1 in extras.merged_rows:
            fill = _fill(formats, wb, fills[i - 1, 0]) if fills is not None else None
            ws.merge_range(i, 0, i, max(0, len(table.columns) - 1), str(_cell(row[0]) or ""), fill)
            continue
        if extras.row_height:
            ws.set_row(i, extras.row_height)
        for j, v in enumerate(row):
            v = _cell(v)
            fill = _fill(formats, wb, fills[i - 1, j]) if fills is not None else None
            if v is None:
                if fill is not None:
                    ws.write_blank(i, j, None, fill)
                continue
            if isinstance(v, str):
                write_string(i, j, v, fill)
            elif isinstance(v, bool):
                write_boolean(i, j, v, fill)
            elif isinstance(v, int | float):
                write_number(i, j, v, fill)
            else:
                write_string(i, j, str(v), fill)
    ws.autofilter(0, 0, len(table), max(0, len(table.columns) - 1))


def _fill(formats: dict, wb, colour) -> object | None:
    """The format of a cell coloured ``colour`` ("#RRGGBB"), made once per colour."""
    if not colour or not isinstance(colour, str):
        return None
    if colour not in formats:
        formats[colour] = wb.add_format(
            {
                "bg_color": colour,
                "pattern": 1,
                "text_wrap": True,
                "valign": "top",
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
    return formats[colour]


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
    formats = {"header": wb.add_format(HEADER_FORMAT), "text": wb.add_format({"num_format": "@"})}
    for title, table, printable, extras in book.sheets:
        _write_sheet(wb, formats, title, table, printable, extras)
    wb.close()
