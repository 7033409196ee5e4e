"""The overview of a plan of several counties: ``report.html`` and ``plan.xlsx`` at the top of the
plan folder, one row a county (status, coverage, wishes, seconds) with links to the county's own
folder (``counties/<county_id>/``: its workbook, map, GeoPackage and notice).

Made from ``summary.json`` alone, so the parent of a province run writes it without loading the
bundle; each county's detail is in the county's own reports.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..input.plan_files import PlanFolder
from ..input.schema import HTML_FILE, WORKBOOK_FILE
from ..output.xlsx import add_sheet, new_workbook, save
from .html import STYLE, _table, diagnostics_html, number_text
from .tables import STATUS_WORDS, kpi_rows
from .workbook import KPI_COLUMNS, KPI_SHEET

COUNTY_SHEET = "县区汇总"
COUNTY_COLUMNS = {
    "county_id": "县区编码",
    "name": "县区",
    "status_zh": "求解状态",
    "villages": "村数",
    "covered_by_officer": "有包村民警",
    "covered_by_auxiliary": "有驻村辅警",
    "objective": "目标值",
    "gap_pct": "差距（%）",
    "seconds": "用时（秒）",
    "reused": "沿用上次结果",
    "folder": "方案文件夹",
}


def county_rows(summary: dict) -> pd.DataFrame:
    """One row a county of the summary's ``counties`` list."""
    rows = []
    for c in summary.get("counties", []):
        gap = c.get("gap")
        rows.append(
            {
                "county_id": c.get("county_id", ""),
                "name": c.get("name", ""),
                "status_zh": STATUS_WORDS.get(c.get("status", ""), c.get("status", "")),
                "villages": c.get("villages"),
                "covered_by_officer": c.get("covered_by_officer"),
                "covered_by_auxiliary": c.get("covered_by_auxiliary"),
                "objective": c.get("objective"),
                "gap_pct": None if gap is None else round(100 * gap, 4),
                "seconds": c.get("seconds"),
                "reused": "是" if c.get("reused") else "否",
                "folder": c.get("folder", ""),
            }
        )
    return pd.DataFrame(rows, columns=list(COUNTY_COLUMNS))


def write_overview(folder: Path, summary: dict) -> list[Path]:
    """``report.html`` and ``plan.xlsx`` of the overview, into ``folder``."""
    counties = county_rows(summary)
    plan = PlanFolder(folder, summary, None, None, None, None, None)
    kpis = kpi_rows(plan)
    book = new_workbook()
    add_sheet(book, COUNTY_SHEET, counties.rename(columns=COUNTY_COLUMNS))
    add_sheet(book, KPI_SHEET, kpis.rename(columns=KPI_COLUMNS))
    save(book, folder / WORKBOOK_FILE)
    (folder / HTML_FILE).write_text(overview_html(summary, counties, kpis), encoding="utf-8")
    return [folder / WORKBOOK_FILE, folder / HTML_FILE]


def overview_html(summary: dict, counties: pd.DataFrame, kpis: pd.DataFrame) -> str:
    n = len(counties)
    names = counties["name"].tolist()
    who = "、".join(names) if n <= 3 else f"{names[0]}等{n}个县区"
    title = f"{who} 一村一警一辅警 包村方案（总览）"
    status = STATUS_WORDS.get(summary.get("status", ""), summary.get("status", ""))
    k = summary.get("kpis", {})
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts.append(
        f'<p class="meta">求解状态：{html.escape(str(status))}；{n} 个县区，'
        f"{k.get('villages', 0)} 个村，{k.get('covered_by_officer', 0)} 个村有包村民警，"
        f"{k.get('covered_by_auxiliary', 0)} 个村有驻村辅警；用时 {summary.get('wall_seconds')} 秒</p>"
    )
    parts.append(
        '<p class="meta">每个县区的方案（包村民警、驻村辅警、工作量、地图、警民联系牌）在其方案'
        "文件夹中；点击县区名称打开该县区的报告。</p>"
    )
    parts.append("<h2>县区</h2>")
    parts.append(f'<div class="scroll">{_county_table(counties)}</div>')
    if len(kpis):
        parts.append("<h2>指标（全部县区合计）</h2>")
        shown_kpis = kpis.rename(columns={"label": "指标", "value": "值"})[["指标", "值"]]
        parts.append(f'<div class="kpis">{_table(shown_kpis)}</div>')
    parts += diagnostics_html(summary.get("diagnostics", []))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def _county_table(counties: pd.DataFrame) -> str:
    """The county rows, each county's name a link to its page, its workbook beside it."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COUNTY_COLUMNS.values())
    rows = []
    for row in counties.to_dict("records"):
        cells = []
        for key in COUNTY_COLUMNS:
            v = row[key]
            if key == "name":
                f = html.escape(str(row["folder"]))
                cells.append(
                    f'<td><a href="{f}/{HTML_FILE}">{html.escape(str(v))}</a> '
                    f'(<a href="{f}/{WORKBOOK_FILE}">{WORKBOOK_FILE}</a>)</td>'
                )
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{number_text(v)}</td>')
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
