"""contact_boards.html (PUB-BOARD, §四(一)): one printable A4 board a village, in Chinese.

Each page is a village's 警民联系牌 with its auxiliary office's name (XX村辅警工作室) and, for
its liaison officer and resident auxiliary, only the name, unit and phone (the columns of the
public notice, nothing else). The page needs no network and prints one board a sheet.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ...constraints.pub_board import BOARD_FIELDS, office_name
from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from .notice import AUXILIARY_PART, OFFICER_PART, contact_rows

STYLE = """
@page { size: A4 portrait; margin: 18mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; }
section.board { page-break-after: always; break-after: page; border: 3px solid #1a3c8c;
  padding: 14mm 12mm; min-height: 230mm; box-sizing: border-box; }
section.board:last-child { page-break-after: auto; break-after: auto; }
h1 { text-align: center; font-size: 30pt; margin: 0 0 6mm; color: #1a3c8c; letter-spacing: 6pt; }
h2 { text-align: center; font-size: 20pt; margin: 0 0 12mm; }
.where { text-align: center; font-size: 14pt; margin-bottom: 10mm; color: #333; }
table { width: 100%; border-collapse: collapse; font-size: 16pt; }
th, td { border: 1px solid #555; padding: 5mm 4mm; text-align: left; }
th { width: 28%; background: #eef2fb; }
"""


def board_table(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """One row a village: BOARD_FIELDS only (None when the folder has neither plan)."""
    table = contact_rows(folder, inst)
    if table is None:
        return None
    for c in [*OFFICER_PART, *AUXILIARY_PART]:  # a part the run did not plan: blank lines
        if c not in table:
            table[c] = ""
    table["office"] = table["village_name"].map(office_name)
    return table[list(BOARD_FIELDS)].fillna("")


def _board(row: pd.Series) -> str:
    e = {k: html.escape(str(v)) for k, v in row.items()}
    return (
        '<section class="board">'
        "<h1>警民联系牌</h1>"
        f"<h2>{e['office']}</h2>"
        f'<div class="where">{e["township_name"]} {e["village_name"]}</div>'
        "<table>"
        f"<tr><th>包村民警</th><td>{e['officer_name']}</td></tr>"
        f"<tr><th>单位</th><td>{e['officer_unit']}</td></tr>"
        f"<tr><th>联系电话</th><td>{e['officer_phone']}</td></tr>"
        f"<tr><th>驻村辅警</th><td>{e['auxiliary_name']}</td></tr>"
        f"<tr><th>单位</th><td>{e['auxiliary_unit']}</td></tr>"
        f"<tr><th>联系电话</th><td>{e['auxiliary_phone']}</td></tr>"
        "</table></section>"
    )


def write_boards(folder: PlanFolder, inst: Instance, path: Path) -> Path | None:
    """Write contact_boards.html (one A4 board a village); None when there is nothing."""
    table = board_table(folder, inst)
    if table is None:
        return None
    pages = "\n".join(_board(row) for _, row in table.iterrows())
    path.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>警民联系牌</title><style>{STYLE}</style></head><body>\n{pages}\n</body></html>\n",
        encoding="utf-8",
    )
    return path
