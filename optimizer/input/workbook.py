"""Reading the sheets of an .xlsx workbook within bounded memory and time.

A workbook is a zip archive of XML parts. Before anything is unpacked, the archive's own
directory is checked: how many parts, and how large each declares itself unpacked (Python's
``zipfile`` stops at the declared size, so a part that lies about it fails its checksum instead
of inflating further). Then only the sheets asked for are streamed, row by row, with openpyxl's
cell parser: a row is dropped from memory once read, and rows, cells and the XML elements
between two rows are counted against ``limits``. The XML is parsed through defusedxml (openpyxl
uses it when installed), so entity declarations are refused rather than expanded.

Each sheet comes back with what a planner may have left in it that Excel hides: merged cells,
and formula cells whose result was never saved (a file written by a program that does not
calculate; read as empty, they would lose the value silently).
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.worksheet._reader import WorkSheetParser

from ..i18n import _
from .limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_ROWS,
    MAX_SHEETS_BYTES,
    MAX_WORKBOOK_BYTES,
    MB,
    open_regular,
)
from .problems import BundleError

# XML elements allowed between two rows (a row's cells and their values, or one part of the
# sheet such as its merged ranges): a row of MAX_COLUMNS cells has about three a cell.
MAX_PENDING = 4 * MAX_COLUMNS + 10_000


@dataclass
class Sheet:
    """One sheet's cells, row 1 first; a row not in the file is an empty list."""

    title: str
    rows: list[list[Any]] = field(default_factory=list)
    merged: list[tuple[int, str]] = field(default_factory=list)  # (first row, "A1:G1")
    uncalculated: list[tuple[int, int]] = field(default_factory=list)  # (row, column), 1-based


class SheetTooLarge(Exception):
    """A sheet beyond the bounds; the message says which and where."""


def read_sheets(path: Path, label: str, wanted) -> tuple[list[str], dict[str, Sheet]]:
    """The titles of every sheet, and the sheets whose title ``wanted(title)`` accepts.

    BundleError (at ``label``, or ``label[sheet]``) for a workbook that is not a regular file,
    is too large, damaged, or holds a sheet beyond the bounds."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    with open_regular(path, label, MAX_WORKBOOK_BYTES) as f:
        try:
            with warnings.catch_warnings():
                # openpyxl's notes on styles and extensions it drops concern nothing read here
                warnings.simplefilter("ignore")
                reader = ExcelReader(f, read_only=True, data_only=True, keep_links=False)
                _check_archive(reader.archive, label)
                reader.read_manifest()
                reader.read_strings()
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                titles, sheets = [], {}
                for sheet, rel in reader.parser.find_sheets():
                    if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                        continue
                    titles.append(sheet.name)
                    if wanted(sheet.name):
                        sheets[sheet.name] = _read_sheet(reader, sheet.name, rel.target, label)
            return titles, sheets
        except BundleError:
            raise
        except SheetTooLarge as e:
            raise BundleError.single(label, str(e)) from None
        except Exception as e:  # a damaged archive or XML: zipfile, expat, defusedxml, openpyxl
            raise BundleError.single(label, _damaged(e)) from None


def _damaged(e: Exception) -> str:
    name = type(e).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return _(
            "the workbook declares XML entities, which Excel never writes (a crafted file?); "
            "refused"
        )
    if isinstance(e, zipfile.BadZipFile) and "not a zip file" in str(e):
        return _(
            "the file is not an Excel workbook (.xlsx), or it is damaged: open it in Excel and "
            "save it as .xlsx"
        )
    if isinstance(e, zipfile.BadZipFile) and "CRC" in str(e):
        return _(
            "the workbook is damaged (a part does not match its checksum or declared size): "
            "open it in Excel and save it again"
        )
    return _("cannot open the workbook: {reason}").format(reason=f"{name}: {e}")


def _check_archive(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse an archive by what its directory declares, before unpacking anything."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise BundleError.single(
            label,
            _(
                "the workbook holds {n:,} files, more than {limit:,}: not a workbook Excel wrote"
            ).format(n=len(parts), limit=MAX_PARTS),
        )
    sheets = 0
    for info in parts:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            sheets += info.file_size
        elif info.file_size > MAX_PART_BYTES:
            raise BundleError.single(
                label,
                _(
                    "the workbook's part {part} unpacks to {size:,.0f} MB, more than {limit:,.0f} "
                    "MB: the file is damaged or crafted; open it in Excel and save it again"
                ).format(part=info.filename, size=info.file_size / MB, limit=MAX_PART_BYTES / MB),
            )
    if sheets > MAX_SHEETS_BYTES:
        raise BundleError.single(
            label,
            _(
                "the workbook's sheets unpack to {size:,.0f} MB of XML, more than {limit:,.0f} MB "
                "(a {stored:,.1f} MB file): save the tables as CSV, or split them over several "
                "workbooks"
            ).format(
                size=sheets / MB,
                limit=MAX_SHEETS_BYTES / MB,
                stored=sum(i.compress_size for i in parts) / MB,
            ),
        )


def _read_sheet(reader, title: str, part: str, label: str) -> Sheet:
    wb = reader.wb
    with reader.archive.open(part) as src:
        parser = _BoundedParser(
            src,
            reader.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        sheet = Sheet(title)
        try:
            parser.read_into(sheet)
        except SheetTooLarge as e:
            raise BundleError.single(f"{label}[{title}]", str(e)) from None
    return sheet


class _BoundedParser(WorkSheetParser):
    """openpyxl's sheet parser, driven row by row with counts and without keeping what it read."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(_FORMULA) is not None:
            self.uncalculated.append((cell["row"], cell["column"]))
        return cell

    def read_into(self, sheet: Sheet) -> None:
        from openpyxl.worksheet.merge import MergeCells
        from openpyxl.xml.functions import iterparse

        self.uncalculated = sheet.uncalculated
        depth, pending, cells = 0, 0, 0
        sheet_data = root = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                elif element.tag == _DATA:
                    sheet_data = element
                continue
            depth -= 1
            pending += 1
            if pending > MAX_PENDING:
                raise SheetTooLarge(
                    _(
                        "more than {limit:,} XML elements after row {row:,} without the row "
                        "ending: the sheet is damaged or crafted"
                    ).format(limit=MAX_PENDING, row=len(sheet.rows))
                )
            tag = element.tag
            if tag == _ROW:
                row, values = self._row(element)
                cells += len(values)
                if cells > MAX_CELLS:
                    raise SheetTooLarge(_too_many_cells(row))
                if row <= len(sheet.rows):
                    raise ValueError(
                        _("row {row} comes after row {last}").format(row=row, last=len(sheet.rows))
                    )
                sheet.rows.extend([] for _ in range(row - 1 - len(sheet.rows)))
                sheet.rows.append(values)
                if sheet_data is not None:
                    sheet_data.clear()  # the row is read: nothing of it stays in the tree
                pending = 0
            elif tag == _MERGE:
                for rng in MergeCells.from_tree(element).mergeCell:
                    sheet.merged.append((rng.min_row, rng.coord))
            if depth == 1 and root is not None:
                root.clear()  # a part of the sheet is read: nothing of it stays either
                pending = 0

    def _row(self, element) -> tuple[int, list[Any]]:
        """The row's number and its values by column (openpyxl's ``parse_row`` without the row
        dimensions it keeps for every row with a height or a style)."""
        r = element.get("r")
        self.row_counter = self.row_counter + 1 if r is None else int(float(r))
        self.col_counter = 0
        if self.row_counter > MAX_ROWS:
            raise SheetTooLarge(_too_many_rows(self.row_counter))
        values: list[Any] = []
        for el in element:
            if el.tag != _CELL:
                continue
            cell = self.parse_cell(el)
            col = cell["column"]
            if col > MAX_COLUMNS:
                raise SheetTooLarge(_too_many_columns(self.row_counter, col))
            if cell["value"] is None:
                continue
            if col > len(values):
                values.extend([None] * (col - len(values)))
            values[col - 1] = cell["value"]
        return self.row_counter, values


def _too_many_rows(row: int) -> str:
    return _(
        "row {row:,} is beyond the {limit:,} rows a sheet holds: the file is damaged or crafted"
    ).format(row=row, limit=MAX_ROWS)


def _too_many_columns(row: int, col: int) -> str:
    return _(
        "row {row:,} has a cell in column {col:,}, beyond the {limit:,} columns a sheet holds: "
        "the file is damaged or crafted"
    ).format(row=row, col=col, limit=MAX_COLUMNS)


def _too_many_cells(row: int) -> str:
    return _(
        "more than {limit:,} cells by row {row:,}: a table holds at most that many; split the "
        "file (work logs may be a folder of files)"
    ).format(limit=MAX_CELLS, row=row)


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DATA = f"{_NS}row", f"{_NS}c", f"{_NS}sheetData"
_MERGE, _FORMULA = f"{_NS}mergeCells", f"{_NS}f"
