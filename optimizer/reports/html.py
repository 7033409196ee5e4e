"""report.html: one self-contained page that opens with no network at all.

Plotly's JavaScript is embedded once, inline (no CDN); the map is drawn from the bundle's own
polygons (``report_map``); every other part is plain HTML. Sections: the map, the KPI table,
charts of officer load, wishes granted and rule match rates, the rotation's moves per period
and the what-if's changes when the folder has them, and the diagnostics.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from ...constraints.registry import RULES
from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from ..input.schema import BOARDS_FILE
from .boards import board_table
from .geopackage import village_geometry, village_table
from .map import map_html
from .tables import kpi_rows, officer_loads, villages_decided
from .terminal import outcome_words, score_words
from .workbook import DIFF_COLUMNS, diff_rows

PLOT_CONFIG = {"displaylogo": False, "scrollZoom": True, "responsive": True}
STYLE = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
       sans-serif; margin: 0 auto; max-width: 1400px; padding: 12px 20px; color: #222; }
h1 { font-size: 22px; margin: 6px 0; } h2 { font-size: 18px; margin: 24px 0 8px;
     border-bottom: 1px solid #ccc; padding-bottom: 4px; }
p.meta { color: #555; font-size: 13px; margin: 2px 0; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.kpis { columns: 2 420px; } .kpis table { width: 100%; }
.scroll { max-height: 420px; overflow-y: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 12px; }
.charts > div { min-width: 0; } .charts > div.wide { grid-column: 1 / -1; }
"""


def plotly_script() -> str:
    """plotly.js itself, inline (4.8 MB): the page never asks a CDN for it."""
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def _fig_html(fig: go.Figure, div_id: str) -> str:
    """A figure as a div and the script that draws it.

    Written here rather than by ``fig.to_html`` so that Chinese text goes out as UTF-8, not as
    ``\\uXXXX`` escapes (three times the bytes; hover text is most of a big map), with "<" still
    escaped so no text can close the script early.
    """
    data = json.loads(pio.to_json(fig, validate=False))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    height = fig.layout.height or 450
    return (
        f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px; width:100%;">'
        f'</div><script type="text/javascript">(function(){{var fig={text};'
        f'Plotly.newPlot("{div_id}",fig.data,fig.layout,{json.dumps(PLOT_CONFIG)});}})();</script>'
    )


def number_text(v: float) -> str:
    """A number as a planner reads it: 14,033.95, 0.79, 400, 0.000123."""
    if pd.isna(v):
        return ""
    if float(v).is_integer():
        return f"{int(v):,}"
    if abs(v) < 1:
        return f"{v:.4g}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float | int | np.floating | np.integer) and not isinstance(v, bool):
                cells.append(f'<td class="num">{number_text(v)}</td>')
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def load_chart(loads: pd.DataFrame) -> go.Figure:
    """Villages per officer, and days used of days available (officers holding villages)."""
    held = loads[loads["villages"] > 0]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("每名民警包村数", "每月天数使用率"))
    counts = loads["villages"].value_counts().sort_index()
    fig.add_trace(
        go.Bar(
            x=[f"{k}个村" for k in counts.index],
            y=counts.to_numpy(),
            marker_color="#4c78a8",
            name="民警人数",
            hovertemplate="%{x}：%{y}人<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Histogram(
            x=(held["utilisation"].to_numpy(float) * 100).round(1),
            xbins={"start": 0, "end": 100.0001, "size": 10},
            marker_color="#f58518",
            name="使用率",
            hovertemplate="%{x}%：%{y}人<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="使用率（%）", row=1, col=2)
    fig.update_yaxes(title_text="民警人数", row=1, col=1)
    fig.update_layout(height=340, showlegend=False, margin={"l": 50, "r": 10, "t": 60, "b": 40})
    return fig


def preference_chart(profile: dict) -> go.Figure:
    labels = [f"第{k}志愿" if k != "none" else "未满足" for k in profile]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=list(profile.values()),
            marker_color=["#54a24b" if k != "none" else "#bab0ac" for k in profile],
            hovertemplate="%{x}：%{y}人<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": "民警意愿满足情况（有意愿的民警，按得到的最好志愿）", "font": {"size": 14}},
        yaxis_title="民警人数",
        height=340,
        margin={"l": 50, "r": 10, "t": 60, "b": 40},
    )
    return fig


def rule_chart(folder: PlanFolder) -> go.Figure | None:
    """Per soft rule: villages whose pair meets it, as a share of the most any plan could have
    (from the KPIs), else the count alone."""
    rows = []
    for role in ("officer", "auxiliary"):
        block = folder.kpis.get(role)
        if isinstance(block, dict) and isinstance(block.get("rules"), dict):
            for rid, r in block["rules"].items():
                if r.get("possible"):
                    rows.append((rid, r["matched"], r["possible"]))
    if not rows:
        rows = [(rid, n, None) for rid, n in sorted(villages_decided(folder).items())]
    if not rows:
        return None
    rows = rows[::-1]  # the first rule on top
    names = [f"{rid} {RULES[rid].summary_zh if rid in RULES else ''}" for rid, _, _ in rows]
    share = [m / p * 100 if p else m for _, m, p in rows]
    text = [f"{m}/{p}" if p else f"{m}" for _, m, p in rows]
    fig = go.Figure(
        go.Bar(
            x=share,
            y=names,
            orientation="h",
            text=text,
            textposition="auto",
            marker_color="#72b7b2",
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": "规则满足率（满足的村 / 最多可能满足的村）", "font": {"size": 14}},
        xaxis={"title": "%", "range": [0, 100]} if rows[0][2] else {"title": "村数"},
        height=max(300, 28 * len(rows) + 80),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        yaxis={"automargin": True},
    )
    return fig


def rotation_chart(rotation: pd.DataFrame) -> go.Figure:
    moved = rotation.groupby("period")["moved"].sum() if "moved" in rotation else None
    periods = sorted(rotation["period"].unique())
    fig = go.Figure(
        go.Bar(
            x=[f"第{int(p)}期" for p in periods],
            y=[int(moved.get(p, 0)) if moved is not None else 0 for p in periods],
            marker_color="#9d755d",
            hovertemplate="%{x}：交流%{y}人<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": "辅警轮换：每期交流人数", "font": {"size": 14}},
        yaxis_title="人数",
        height=320,
        margin={"l": 50, "r": 10, "t": 60, "b": 40},
    )
    return fig


def _title(folder: PlanFolder, inst: Instance) -> str:
    names = [inst.county_names.get(c, c) for c in inst.counties]
    counties = "、".join(names) if len(names) <= 3 else f"{names[0]}等{len(names)}个县区"
    kind = "辅警轮换计划" if folder.officers is None and folder.rotation is not None else "包村方案"
    if folder.diff is not None:
        kind = "调整方案（变更对比）"
    return f"{counties} 一村一警一辅警 {kind}"


def _outcome(summary: dict) -> str:
    """The run in the planner's words: the plan as good as it can be (or how far from it), its
    score, when and how it was made."""
    line = []
    if summary.get("status") in ("OPTIMAL", "FEASIBLE", "PARTIAL", "INFEASIBLE") and (
        "objective" in summary or summary.get("status") != "FEASIBLE"
    ):
        line.append(outcome_words(summary))
    officer = summary.get("kpis", {}).get("officer")
    if isinstance(officer, dict) and "objective" in officer:
        line.append(score_words(officer))
    if summary.get("wall_seconds") is not None:
        line.append(f"用时 {summary.get('wall_seconds')} 秒")
    return "；".join(line)


def diagnostics_html(diags: list[dict]) -> list[str]:
    """The hard rules a plan could not meet, as a heading and a table (nothing when none)."""
    if not diags:
        return []
    frame = pd.DataFrame(
        {
            "规则": [d.get("rule", "") for d in diags],
            "说明": [d.get("message", "") for d in diags],
        }
    )
    return [
        f"<h2>未能满足的硬性规则（{len(diags)} 条）</h2>",
        f'<div class="scroll">{_table(frame)}</div>',
    ]


def page_html(folder: PlanFolder, inst: Instance) -> str:
    """The whole report page as one string."""
    table = village_table(folder, inst)
    geoms = village_geometry(inst, table["village_id"]).to_numpy()
    parts: list[str] = []
    s = folder.summary
    title = _title(folder, inst)
    parts.append(f"<h1>{html.escape(title)}</h1>")
    if s:
        parts.append(f'<p class="meta">{html.escape(_outcome(s))}</p>')
        parts.append(
            f'<p class="meta">输入：{html.escape(str(s.get("input") or "内置示例县"))}；'
            f"指纹 {html.escape(str(s.get('input_sha256', ''))[:16])}…</p>"
        )
    parts.append("<h2>地图</h2>")
    parts.append(
        '<p class="meta">拖动平移、滚轮缩放；鼠标停在村上可查看该村的包村民警、驻村辅警和理由；'
        "点击村或右侧名单中的民警，查看他所包的村和天数；可按乡镇筛选、搜索村名或人名，"
        "并按 A4 / A3 打印一个乡镇的图。</p>"
    )
    parts.append(map_html(table, inst, geoms, title))
    parts.append(plotly_script())
    if board_table(folder, inst) is not None:  # written beside this page (PUB-BOARD, §四(一))
        parts.append(
            f'<p class="meta"><a href="{BOARDS_FILE}">警民联系牌</a>：每村一张 A4，'
            "在浏览器中打开后即可打印，只载姓名、单位和电话。</p>"
        )
    kpis = kpi_rows(folder).rename(columns={"label": "指标", "value": "值", "key": "键"})
    if len(kpis):
        parts.append("<h2>指标</h2>")
        parts.append(f'<div class="kpis">{_table(kpis[["指标", "值"]])}</div>')
    charts: list[str] = []
    loads = officer_loads(folder, inst)
    if loads is not None:
        charts.append(f'<div class="wide">{_fig_html(load_chart(loads), "load")}</div>')
    profile = folder.kpis.get("officer", {}).get("preference_rank_profile")
    if profile:
        charts.append(f"<div>{_fig_html(preference_chart(profile), 'wishes')}</div>")
    if folder.rotation is not None:
        charts.append(f"<div>{_fig_html(rotation_chart(folder.rotation), 'rotation')}</div>")
    rules = rule_chart(folder)
    if rules is not None:
        charts.append(f'<div class="wide">{_fig_html(rules, "rules")}</div>')
    if charts:
        parts.append("<h2>图表</h2>")
        parts.append('<div class="charts">' + "".join(charts) + "</div>")
    diff = diff_rows(folder, inst)
    if diff is not None:
        cols = {k: v for k, v in DIFF_COLUMNS.items() if k in diff.columns}
        parts.append(f"<h2>变更（{len(diff)} 项，地图上以红框标出）</h2>")
        parts.append(f'<div class="scroll">{_table(diff[list(cols)].rename(columns=cols))}</div>')
    parts += diagnostics_html(s.get("diagnostics", []) if s else [])
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def write_html(folder: PlanFolder, inst: Instance, path: Path) -> Path:
    """Write report.html to ``path``."""
    path.write_text(page_html(folder, inst), encoding="utf-8")
    return path
