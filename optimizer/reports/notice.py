"""public_notice.xlsx (警务公示栏 / 警民联系牌): who villagers call, for display in the village.

Per village only the liaison officer's and the resident auxiliary's name, unit and phone. Nothing
else about them leaves the bureau this way: no ids, native place, home village, wishes, scores or
reasons (POLICY: personal data never in outputs meant for public display). The columns are
fixed in NOTICE_COLUMNS; a test holds the file to them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from ..output.xlsx import add_sheet, new_workbook, save
from .tables import auxiliary_rows, officer_rows, villages_of

NOTICE_SHEET = "警民联系牌"
OFFICER_PART = {"officer_name": "包村民警", "officer_unit": "民警单位", "officer_phone": "民警电话"}
AUXILIARY_PART = {
    "auxiliary_name": "驻村辅警",
    "auxiliary_unit": "辅警单位",
    "auxiliary_phone": "辅警电话",
}
NOTICE_COLUMNS = {
    "township_name": "乡镇",
    "village_name": "村名",
    **OFFICER_PART,
    **AUXILIARY_PART,
}


def contact_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """One row per village, by township and village: its ids and names, and its officer's and
    auxiliary's name, unit and phone (the columns of a part the run did not plan are absent).
    None when the folder has neither plan. The notice and the contact boards show these only."""
    officers = officer_rows(folder, inst)
    auxiliaries = auxiliary_rows(folder, inst)
    if officers is None and auxiliaries is None:
        return None
    table = villages_of(folder, inst)[
        ["village_id", "township_id", "township_name", "village_name"]
    ]
    for rows, part in ((officers, OFFICER_PART), (auxiliaries, AUXILIARY_PART)):
        if rows is not None:
            table = table.merge(
                rows[["village_id", *part]].drop_duplicates("village_id"),
                on="village_id",
                how="left",
            )
    return table.sort_values(["township_id", "village_id"], ignore_index=True)


def notice_table(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """One row per village: its officer's and auxiliary's name, unit and phone (a part the run
    did not plan is left out). None when the folder has neither plan."""
    table = contact_rows(folder, inst)
    if table is None:
        return None
    columns = {k: v for k, v in NOTICE_COLUMNS.items() if k in table.columns}
    return table[list(columns)].fillna("").rename(columns=columns)


def write_public_notice(folder: PlanFolder, inst: Instance, path: Path) -> Path | None:
    """Write public_notice.xlsx to ``path`` (set to print on A4 landscape, header on every
    page); None when there is nothing to display."""
    table = notice_table(folder, inst)
    if table is None:
        return None
    book = new_workbook()
    add_sheet(book, NOTICE_SHEET, table, printable=True)
    save(book, path)
    return path
