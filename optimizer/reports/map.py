"""The map of report.html, drawn from the bundle's own polygons: no base map, no tiles, nothing
fetched, so it opens on an intranet with no internet.

Villages are filled Plotly ``Scatter`` shapes in the bundle's projected CRS (km from the map's
corner, equal aspect). Fill colour is per trace, so villages are grouped into a handful of
traces: for the officer view, officers' territories are graph-coloured (neighbouring officers
get different colours) and one trace carries each colour; the relation and rotation views have
one trace per category. The trace count stays ~20 whatever the size of the plan. Hover is on a
dot inside each village (filled shapes can only hover as a whole trace). Geometry is simplified
for display to about a thousandth of the map's extent.
"""

from __future__ import annotations

import html

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from scipy.spatial import cKDTree

from ..input.instance import Instance
from .words import ROLE_WORDS

# Distinguishable, light enough for black borders and labels to read on them.
PALETTE = [
    "#8dd3c7",
    "#fdb462",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#b3de69",
    "#fccde5",
    "#ffed6f",
    "#bc80bd",
    "#ccebc5",
    "#d9d9a0",
    "#a6cee3",
]
NO_OFFICER = "#d9d9d9"
RELATION_COLOURS = {"本乡镇": "#66c2a5", "相邻乡镇": "#fc8d62", "未安排": "#d9d9d9"}
MOVE_COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
ROAD_STYLE = {"national": ("#d62728", 2.4, "国道"), "provincial": ("#ff7f0e", 1.8, "省道")}
CHANGED_COLOUR = "#c000ff"
LARGE_MAP = 2000  # villages; beyond this the map is a city's or a province's


def ring_arrays(geoms: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y (km from ``origin``) of every polygon's outer ring or line, NaN between them, as
    Plotly draws separate shapes in one trace."""
    if len(geoms) == 0:
        return np.empty(0, np.float32), np.empty(0, np.float32)
    parts = shapely.get_parts(geoms)
    polys = shapely.get_type_id(parts) == 3
    lines = np.where(polys, shapely.get_exterior_ring(parts), parts)
    coords, index = shapely.get_coordinates(lines, return_index=True)
    breaks = np.flatnonzero(np.diff(index)) + 1
    xy = (coords - origin) / 1000.0
    xy = np.insert(xy, np.append(breaks, len(xy)), np.nan, axis=0)
    return xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)


def display_shapes(geoms: np.ndarray, extent: float) -> np.ndarray:
    """Geometry simplified for the screen (a tenth of a pixel is wasted bytes)."""
    return shapely.simplify(geoms, extent / 1500.0, preserve_topology=True)


def neighbour_pairs(geoms: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Pairs (i, j) of villages that border each other (polygons), or are near (points)."""
    if shapely.get_type_id(geoms).max(initial=0) >= 3:
        tree = shapely.STRtree(geoms)
        pairs = tree.query(geoms, predicate="intersects").T
    else:
        k = min(7, len(points))
        _, nn = cKDTree(points).query(points, k=k)
        pairs = np.column_stack([np.repeat(np.arange(len(points)), k), nn.ravel()])
    return pairs[pairs[:, 0] < pairs[:, 1]]


def officer_colours(officer_ids: np.ndarray, pairs: np.ndarray) -> pd.Series:
    """A palette index per officer such that officers holding neighbouring villages differ."""
    held = sorted({o for o in officer_ids if o})
    graph = nx.Graph()
    graph.add_nodes_from(held)
    a, b = officer_ids[pairs[:, 0]], officer_ids[pairs[:, 1]]
    keep = (a != b) & (a != "") & (b != "")
    graph.add_edges_from(sorted(set(zip(a[keep], b[keep], strict=True))))
    colour = nx.greedy_color(graph, strategy="largest_first")
    return pd.Series({o: colour[o] % len(PALETTE) for o in held}, dtype=int)


def _fill_trace(x, y, colour: str, name: str, visible: bool) -> go.Scatter:
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        fill="toself",
        fillcolor=colour,
        line={"color": "rgba(90,90,90,0.6)", "width": 0.5},
        hoverinfo="skip",
        name=name,
        visible=visible,
        legendgroup=name,
    )


def _marker_trace(x, y, colours, name: str, visible: bool) -> go.Scatter:
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker={"color": colours, "size": 9, "line": {"color": "#555", "width": 0.5}},
        hoverinfo="skip",
        name=name,
        visible=visible,
    )


def hover_text(table: pd.DataFrame) -> list[str]:
    """What a village's dot says on hover: village, officer, auxiliary, reasons."""
    e = html.escape

    def line(row: dict) -> str:
        parts = [
            f"<b>{e(row['village_name'])}</b> {e(row['village_id'])}（{e(row['township_name'])}）"
        ]
        if "officer_id" in row:
            who = (
                f"{e(row['officer_name'])} {e(row['officer_id'])}（{e(row['category'])}）"
                if row["officer_id"]
                else "无"
            )
            parts.append(f"包村民警：{who}")
            if row.get("officer_reasons"):
                parts.append(f"理由：{e(row['officer_reasons'])}")
        if "auxiliary_id" in row:
            who = (
                f"{e(row['auxiliary_name'])} {e(row['auxiliary_id'])}（{e(row['relation_zh'])}）"
                if row["auxiliary_id"]
                else "无"
            )
            parts.append(f"驻村辅警：{who}")
            if row.get("auxiliary_reasons"):
                parts.append(f"理由：{e(row['auxiliary_reasons'])}")
        if "rotation_moves" in row:
            parts.append(f"轮换交流：{int(row['rotation_moves'])} 次")
        if row.get("changed"):
            roles = "、".join(ROLE_WORDS.get(r, r) for r in row["changed"].split(";"))
            parts.append(f"<b>本次变更：{e(roles)}</b>")
        return "<br>".join(parts)

    return [line(r) for r in table.to_dict("records")]


def map_figure(table: pd.DataFrame, inst: Instance, geoms: np.ndarray) -> go.Figure:
    """The map: one view per part the plan has (officers, auxiliary relation, rotation moves),
    switched by buttons; township borders and names, traffic routes, officer bases and the
    villages a what-if changed on top of every view."""
    is_poly = shapely.get_type_id(geoms) >= 3
    points = shapely.get_coordinates(shapely.point_on_surface(geoms))
    lo = shapely.bounds(geoms)
    origin = np.array([np.nanmin(lo[:, 0]), np.nanmin(lo[:, 1])])
    extent = float(np.hypot(np.nanmax(lo[:, 2]) - origin[0], np.nanmax(lo[:, 3]) - origin[1]))
    extent = max(extent, 1.0)
    shapes = display_shapes(geoms, extent)
    pxy = (points - origin) / 1000.0

    views: dict[str, list[go.Scatter]] = {}

    def add_groups(view: str, keys: np.ndarray, colours: dict, names: dict) -> None:
        traces = []
        for key, colour in colours.items():
            sel = keys == key
            if not sel.any():
                continue
            label = names.get(key, str(key))
            if is_poly[sel].any():
                x, y = ring_arrays(shapes[sel & is_poly], origin)
                traces.append(_fill_trace(x, y, colour, label, not views))
            if (~is_poly[sel]).any():
                s = sel & ~is_poly
                traces.append(_marker_trace(pxy[s, 0], pxy[s, 1], colour, label, not views))
        views[view] = traces

    if "officer_id" in table:
        officer_ids = table["officer_id"].to_numpy(object)
        colour_of = officer_colours(officer_ids, neighbour_pairs(geoms, points))
        keys = np.array([colour_of.get(o, -1) if o else -1 for o in officer_ids])
        colours = {i: c for i, c in enumerate(PALETTE)} | {-1: NO_OFFICER}
        names = {i: f"民警片区色{i + 1}" for i in range(len(PALETTE))} | {-1: "无包村民警"}
        add_groups("按包村民警", keys, colours, names)
        # a colour stands for many officers: only "no officer" means something in the legend
        for t in views["按包村民警"]:
            t.showlegend = t.name == "无包村民警"
    if "relation_zh" in table:
        keys = table["relation_zh"].to_numpy(object)
        add_groups("按辅警来源", keys, RELATION_COLOURS, {})
    if "rotation_moves" in table:
        moves = np.minimum(table["rotation_moves"].to_numpy(int), len(MOVE_COLOURS) - 1)
        colours = dict(enumerate(MOVE_COLOURS))
        names = {i: f"交流{i}次" for i in range(len(MOVE_COLOURS) - 1)}
        names[len(MOVE_COLOURS) - 1] = f"交流{len(MOVE_COLOURS) - 1}次及以上"
        add_groups("按轮换交流次数", moves, colours, names)

    common = _common_traces(table, inst, shapes, is_poly, pxy, origin, extent)
    fig = go.Figure()
    view_traces = [t for ts in views.values() for t in ts]
    for t in view_traces + common:
        fig.add_trace(t)
    buttons = []
    offset = 0
    for view, traces in views.items():
        mask = [False] * len(view_traces)
        mask[offset : offset + len(traces)] = [True] * len(traces)
        offset += len(traces)
        buttons.append(
            {
                "label": view,
                "method": "restyle",
                "args": [{"visible": mask}, list(range(len(view_traces)))],
            }
        )
    fig.update_layout(
        height=760,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode="pan",
        hovermode="closest",
        legend={
            "orientation": "v",
            "x": 1.0,
            "xanchor": "right",
            "y": 1.0,
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.0,
                "xanchor": "left",
                "y": 1.07,
                "yanchor": "top",
                "buttons": buttons,
                "showactive": True,
            }
        ]
        if len(buttons) > 1
        else [],
        title={"text": next(iter(views), ""), "x": 0.01, "xanchor": "left", "font": {"size": 13}}
        if len(buttons) <= 1
        else None,
    )
    return fig


def _common_traces(
    table: pd.DataFrame,
    inst: Instance,
    shapes: np.ndarray,
    is_poly: np.ndarray,
    pxy: np.ndarray,
    origin: np.ndarray,
    extent: float,
) -> list[go.Scatter]:
    traces: list[go.Scatter] = []
    if "changed" in table:
        sel = (table["changed"] != "").to_numpy()
        if (sel & is_poly).any():
            x, y = ring_arrays(shapes[sel & is_poly], origin)
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"color": CHANGED_COLOUR, "width": 2.6},
                    name="本次变更的村",
                    hoverinfo="skip",
                )
            )
        if (sel & ~is_poly).any():
            s = sel & ~is_poly
            traces.append(
                go.Scatter(
                    x=pxy[s, 0],
                    y=pxy[s, 1],
                    mode="markers",
                    marker={
                        "size": 14,
                        "color": "rgba(0,0,0,0)",
                        "line": {"color": CHANGED_COLOUR, "width": 2.5},
                    },
                    name="本次变更的村",
                    hoverinfo="skip",
                )
            )
    # a city or province map: thin township borders, county borders over them, and the
    # township names and village dots out of the way until a planner zooms in or asks
    large = len(table) > LARGE_MAP
    if inst.geo.townships is not None:
        tw = inst.geo.townships[inst.geo.townships["township_id"].isin(table["township_id"])]
        geoms = display_shapes(tw.geometry.to_numpy(), extent)
        x, y = ring_arrays(geoms, origin)
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": "#222", "width": 0.6 if large else 1.4},
                name="乡镇界",
                hoverinfo="skip",
            )
        )
        counties = inst.townships["county_id"].reindex(tw["township_id"].to_numpy(object))
        if counties.nunique() > 1:
            full = tw.geometry.to_numpy()  # merged before simplifying: no slivers inside
            merged = [
                shapely.union_all(full[(counties == c).to_numpy()])
                for c in sorted(counties.dropna().unique())
            ]
            x, y = ring_arrays(display_shapes(np.array(merged, dtype=object), extent), origin)
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"color": "#000", "width": 2.0},
                    name="县区界",
                    hoverinfo="skip",
                )
            )
    tws = inst.townships[inst.townships.index.isin(table["township_id"])]
    traces.append(
        go.Scatter(
            x=(tws["x"].to_numpy(float) - origin[0]) / 1000.0,
            y=(tws["y"].to_numpy(float) - origin[1]) / 1000.0,
            mode="text",
            text=[html.escape(n) for n in tws["name"]],
            textfont={"size": 11, "color": "#111"},
            name="乡镇名",
            hoverinfo="skip",
            visible="legendonly" if large else True,
        )
    )
    roads = inst.geo.roads
    if roads is not None and "class" in roads.columns:
        for cls in inst.policy.rule("OFF-TRAFFIC")["road_classes"]:
            sel = roads[roads["class"] == cls]
            if sel.empty:
                continue
            colour, width, label = ROAD_STYLE.get(cls, ("#8c564b", 1.6, cls))
            x, y = ring_arrays(sel.geometry.to_numpy(), origin)
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"color": colour, "width": width},
                    name=f"交通线：{label}",
                    hoverinfo="skip",
                )
            )
    off = inst.officers
    if "officer_id" in table:
        held = table.loc[table["officer_id"] != ""].groupby("officer_id").size()
        off = off[off.index.isin(held.index)]
        has = np.isfinite(off["base_x"].to_numpy(float)) & np.isfinite(
            off["base_y"].to_numpy(float)
        )
        off = off[has]
        if len(off):
            units = off["unit"] if "unit" in off else pd.Series("", index=off.index)
            text = [
                f"民警驻地：{html.escape(str(name))} {html.escape(str(o))}<br>"
                f"{html.escape(str(unit) if pd.notna(unit) else '')}，包{int(held[o])}个村"
                for o, name, unit in zip(off.index, off["name"], units, strict=True)
            ]
            traces.append(
                go.Scatter(
                    x=(off["base_x"].to_numpy(float) - origin[0]) / 1000.0,
                    y=(off["base_y"].to_numpy(float) - origin[1]) / 1000.0,
                    mode="markers",
                    marker={"symbol": "triangle-up", "size": 7, "color": "#333"},
                    name="民警驻地",
                    hovertext=text,
                    hoverinfo="text",
                    visible="legendonly",
                )
            )
    traces.append(
        go.Scatter(
            x=pxy[:, 0],
            y=pxy[:, 1],
            mode="markers",
            marker={"size": 2 if large else 4, "color": "rgba(40,40,40,0.45)"},
            name="村（悬停查看）",
            hovertext=hover_text(table),
            hoverinfo="text",
            hoverlabel={"align": "left"},
        )
    )
    return traces
