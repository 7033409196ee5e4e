"""The input workbook a planner fills in (``cunjing template OUT.xlsx``): one sheet per table of a
bundle with its Chinese name (乡镇, 行政村, 民警, 辅警, 相邻乡镇, …) and Chinese headers (the
schema's first alias of each column), drop-down lists where a column takes fixed words (警种,
村类型, 状态, 是/否), id and date columns formatted as text (so Excel keeps 341302100201 as typed
and does not turn it into 3.41302E+11), a few example rows that make a valid bundle, and a 说明
sheet saying what goes where. ``cunjing validate`` and ``cunjing plan`` read it back as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..i18n import N_, _
from ..input.schema import (
    BOOL,
    DATE,
    ENUM,
    ID,
    IDS,
    MONTH,
    NOTE_SHEETS,
    TABLES,
    Column,
    Table,
)
from ..output.xlsx import Extras, add_sheet, new_workbook, save

# the words a drop-down offers (the schema accepts them, and the English codes too)
CHOICES = {
    ("villages", "kind"): ["重点村", "普通村", "社区"],
    ("officers", "category"): ["派出所", "治安", "刑警", "交警", "国保", "机关"],
    ("officers", "status"): ["在岗", "调离"],
    ("auxiliaries", "status"): ["在岗", "调离"],
    ("holidays", "kind"): ["节假日", "调休上班"],
}
YES_NO = ["是", "否"]
TEXT_KINDS = (ID, IDS, MONTH, DATE)
INPUT_ROWS = 2000  # rows below the examples that keep the drop-downs and the text format

# What each sheet holds, for the 说明 sheet.
SHEET_NOTES = {
    "townships": N_("the county's townships (乡镇); required"),
    "villages": N_("administrative villages and communities, the unit of the plan; required"),
    "officers": N_(
        "police officers who may be liaison officers: category, native place, former postings, "
        "wishes (village or township codes, best first, separated by ;), days a month; required"
    ),
    "auxiliaries": N_(
        "auxiliary police who may be resident auxiliaries, with their home village; required"
    ),
    "township_neighbours": N_("which townships border each other (when no map is given)"),
    "aux_history": N_("where auxiliaries have served and since when (for the tenure limits)"),
    "plan_officers": N_(
        "this year's liaison officers, to keep where the rules allow (锁定: must stay)"
    ),
    "plan_auxiliaries": N_("this year's resident auxiliaries (锁定: must stay)"),
    "pairs": N_("exceptions for one officer and village: extra points, other days, forbidden"),
    "unavailable": N_("officers' leave and duty days, avoided by the visit calendar"),
    "holidays": N_(
        "the year's holidays and make-up workdays (调休上班), if the built-in ones are not right"
    ),
}

# Example rows: a small county that is a valid bundle (two townships, four villages, synthetic
# people); the planner writes over them. Each table: its columns, then a row a line, "|" between
# the cells.
EXAMPLES: dict[str, tuple[str, list[str]]] = {
    "townships": (
        "township_id name county_id county_name lon lat",
        [
            "341302100|符离镇|341302|埇桥区|117.268|34.034",
            "341302101|芦岭镇|341302|埇桥区|117.143|34.019",
        ],
    ),
    "villages": (
        "village_id name township_id kind cases complex on_traffic_route lon lat",
        [
            "341302100201|沈圩村|341302100|重点村|12|否|是|117.276|34.075",
            "341302100202|横口村|341302100|普通村|2|是|否|117.311|34.071",
            "341302101201|曹坊村|341302101|普通村|4|否|否|117.159|34.077",
            "341302101202|北王寨村|341302101|社区|7|否|否|117.115|34.046",
        ],
    ),
    "officers": (
        "officer_id name category county_id unit phone native_township_id former_township_ids "
        "preferences available_days max_villages base_township_id status",
        [
            "100001|张伟|派出所|341302|符离派出所|0557-1234567|341302100||341302100201;341302101|8|3"
            "|341302100|在岗",
            "100002|李强|刑警|341302|刑警大队|0557-1234568||341302101||6|2|341302101|在岗",
            "100003|王芳|机关|341302|政治处|0557-1234569|341302101|||6||341302101|在岗",
        ],
    ),
    "auxiliaries": (
        "auxiliary_id name county_id home_village_id unit status recommended_village_ids hired",
        [
            "FJ0001|赵磊|341302|341302100202|符离派出所|在岗||2021-03",
            "FJ0002|孙丽|341302|341302100201|符离派出所|在岗||2022-07",
            "FJ0003|周杰|341302|341302101202|芦岭派出所|在岗||2020-01",
            "FJ0004|吴敏|341302|341302101201|芦岭派出所|在岗|341302101202|2023-05",
        ],
    ),
    "township_neighbours": ("township_id neighbour_id", ["341302100|341302101"]),
    "aux_history": (
        "auxiliary_id village_id start",
        ["FJ0001|341302100201|2024-01", "FJ0003|341302101201|2023-01"],
    ),
    "plan_officers": ("village_id officer_id pinned", ["341302100201|100001|否"]),
    "plan_auxiliaries": ("village_id auxiliary_id pinned", ["341302100201|FJ0001|否"]),
    "holidays": ("date kind name", ["2027-10-01|节假日|国庆节"]),
}


def header(column: Column) -> str:
    """A column's Chinese header: its first alias (the name where it has none)."""
    return column.aliases[0] if column.aliases else column.name


def sheet_name(table: Table) -> str:
    return table.aliases[0] if table.aliases else table.name


def template_sheet(table: Table) -> tuple[pd.DataFrame, Extras]:
    """A table's sheet: Chinese headers, the example rows, drop-downs and text columns."""
    columns = {c.name: header(c) for c in table.columns}
    given, rows = EXAMPLES.get(table.name, ("", []))
    records = [dict(zip(given.split(), r.split("|"), strict=True)) for r in rows]
    frame = pd.DataFrame(
        [{c: r.get(c, "") for c in columns} for r in records], columns=list(columns)
    )
    frame = frame.rename(columns=columns)
    choices: dict[str, list[str] | str] = {}
    for c in table.columns:
        if (table.name, c.name) in CHOICES:
            choices[header(c)] = CHOICES[(table.name, c.name)]
        elif c.kind == BOOL:
            choices[header(c)] = YES_NO
        elif c.kind == ENUM and c.choices:
            choices[header(c)] = sorted({v for v in c.choices if not v.isascii()})
    notes = {header(c): _("required") for c in table.columns if c.required}
    extras = Extras(
        choices=choices,
        text_columns=tuple(header(c) for c in table.columns if c.kind in TEXT_KINDS),
        input_rows=INPUT_ROWS,
        notes=notes,
    )
    return frame, extras


def guide_rows() -> pd.DataFrame:
    """The 说明 sheet: each sheet, what it holds, and its required columns."""
    rows = []
    for t in TABLES.values():
        rows.append(
            {
                _("sheet"): sheet_name(t),
                _("what it holds"): _(SHEET_NOTES.get(t.name, t.doc)),
                _("required columns"): "、".join(header(c) for c in t.columns if c.required),
                _("file name when saved as CSV"): " / ".join(t.files),
            }
        )
    rows.append(
        {
            _("sheet"): NOTE_SHEETS[0],
            _("what it holds"): _(
                "the rows on the other sheets are examples: write over them. Codes are text: "
                "type them as they are (the columns are formatted as text). Lists in one cell "
                "are separated by ;. Check the filled workbook with: cunjing validate FILE.xlsx"
            ),
            _("required columns"): "",
            _("file name when saved as CSV"): "",
        }
    )
    return pd.DataFrame(rows)


def write_template(path: Path) -> Path:
    """Write the input workbook to ``path`` (whole or not at all: a workbook already there stays
    as it was until the new one is complete)."""
    book = new_workbook()
    add_sheet(book, NOTE_SHEETS[0], guide_rows())
    for table in TABLES.values():
        frame, extras = template_sheet(table)
        add_sheet(book, sheet_name(table), frame, extras=extras)
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    try:
        save(book, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
