"""The map of report.html: an SVG drawn from the bundle's own polygons (no base map, no tiles,
nothing fetched), so it opens and prints on an intranet with no internet.

Each officer's villages have a colour of their own (as many colours as officers: hues a golden
angle apart, lightness and saturation varied, and officers who hold neighbouring villages given
the colours furthest apart), listed in a legend. Village and township names are on the map; the
page's script (``map.js``) searches villages and people, filters a township, shows an officer's
villages and days when he is clicked, switches to the auxiliaries' or the rotation's view, zooms
and pans, and prints one township on A4 or A3.

Coordinates are the bundle's projected CRS, in km from the map's top-left corner (SVG's y runs
down), rounded to 10 m; polygons are simplified to about a thousandth of the map's extent.
"""

from __future__ import annotations

import colorsys
import html
import json
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ..input.instance import Instance
from .words import ROLE_WORDS

NO_OFFICER = "#d9d9d9"
RELATION_COLOURS = {"本乡镇": "#66c2a5", "相邻乡镇": "#fc8d62", "未安排": "#d9d9d9"}
MOVE_COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
ROAD_STYLE = {"national": ("#d62728", "国道"), "provincial": ("#ff7f0e", "省道")}
CHANGED_COLOUR = "#c000ff"
LARGE_MAP = 2000  # villages; beyond this names show only when zoomed in
GOLDEN_ANGLE = 137.50776405003785
# (lightness, saturation) in turn: light enough for black names on them, and apart
SHADES = ((0.72, 0.62), (0.62, 0.55), (0.80, 0.70), (0.67, 0.78))


def distinct_colours(n: int) -> list[str]:
    """``n`` colours, each its own: hues a golden angle apart, shades in turn."""
    out = []
    for i in range(n):
        hue = (i * GOLDEN_ANGLE % 360.0) / 360.0
        light, sat = SHADES[i % len(SHADES)]
        r, g, b = colorsys.hls_to_rgb(hue, light, sat)
        out.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return out


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360.0


def hue_distance(a: str, b: str) -> float:
    d = abs(_hue(a) - _hue(b)) % 360.0
    return min(d, 360.0 - d)


def neighbour_pairs(geoms: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Pairs (i, j) of villages that border each other (polygons), or are near (points)."""
    if len(geoms) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if shapely.get_type_id(geoms).max(initial=0) >= 3:
        tree = shapely.STRtree(geoms)
        pairs = tree.query(geoms, predicate="intersects").T
    else:
        ok = np.isfinite(points).all(axis=1)
        if ok.sum() < 2:
            return np.zeros((0, 2), dtype=np.int64)
        idx = np.flatnonzero(ok)
        k = min(7, len(idx))
        _, nn = cKDTree(points[ok]).query(points[ok], k=k)
        pairs = np.column_stack([np.repeat(idx, k), idx[nn.ravel()]])
    return pairs[pairs[:, 0] < pairs[:, 1]]


def officer_colours(officer_ids: np.ndarray, pairs: np.ndarray) -> pd.Series:
    """A colour of his own for each officer holding villages; officers whose villages border
    each other get hues as far apart as the free colours allow (the most bordered first)."""
    held = sorted({o for o in officer_ids if o})
    if not held:
        return pd.Series(dtype=object)
    graph = nx.Graph()
    graph.add_nodes_from(held)
    a, b = officer_ids[pairs[:, 0]], officer_ids[pairs[:, 1]]
    keep = (a != b) & (a != "") & (b != "")
    graph.add_edges_from(sorted(set(zip(a[keep], b[keep], strict=True))))
    palette = distinct_colours(len(held))
    hues = np.arange(len(palette)) * GOLDEN_ANGLE % 360.0  # each palette colour's hue
    free = list(range(len(palette)))
    given: dict[str, int] = {}
    for o in sorted(held, key=lambda o: (-graph.degree(o), o)):
        near = hues[[given[n] for n in graph.neighbors(o) if n in given]]
        window = np.array(free[:64])  # the next free colours: choice enough, linear in officers
        if len(near):
            d = np.abs(hues[window][:, None] - near[None, :]) % 360.0
            best = int(window[np.argmax(np.minimum(d, 360.0 - d).min(axis=1))])
        else:
            best = int(window[0])
        given[o] = best
        free.remove(best)
    return pd.Series({o: palette[given[o]] for o in held})


def _path(geom, origin: np.ndarray, top: float) -> str:
    """An SVG path of a polygon's rings (holes too: even-odd fill), km on the map."""
    parts = []
    for poly in shapely.get_parts(geom):
        rings = [poly.exterior, *poly.interiors] if shapely.get_type_id(poly) == 3 else [poly]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) < 3:
                continue
            x = (xy[:, 0] - origin[0]) / 1000.0
            y = (top - xy[:, 1]) / 1000.0
            pts = " ".join(f"{a:.2f} {b:.2f}" for a, b in zip(x[:-1], y[:-1], strict=True))
            parts.append(f"M{pts}Z")
    return "".join(parts)


def _line_path(geoms: np.ndarray, origin: np.ndarray, top: float) -> str:
    out = []
    for g in geoms:
        for part in shapely.get_parts(g):
            if shapely.get_type_id(part) == 3:
                part = shapely.get_exterior_ring(part)
            xy = shapely.get_coordinates(part)
            if len(xy) < 2:
                continue
            x = (xy[:, 0] - origin[0]) / 1000.0
            y = (top - xy[:, 1]) / 1000.0
            out.append("M" + " ".join(f"{a:.2f} {b:.2f}" for a, b in zip(x, y, strict=True)))
    return "".join(out)


def hover_lines(row: dict) -> list[str]:
    """What the map says of a village (plain text; the page escapes it)."""
    lines = [f"{row['village_name']}（{row['village_id']}，{row['township_name']}）"]
    if "officer_id" in row:
        who = (
            f"{row['officer_name']}（{row['officer_id']}，{row['category']}）"
            if row["officer_id"]
            else "无"
        )
        lines.append(f"包村民警：{who}")
        if row.get("officer_reasons"):
            lines.append(f"理由：{row['officer_reasons']}")
    if "auxiliary_id" in row:
        who = (
            f"{row['auxiliary_name']}（{row['auxiliary_id']}，{row['relation_zh']}）"
            if row["auxiliary_id"]
            else "无"
        )
        lines.append(f"驻村辅警：{who}")
    if "rotation_moves" in row:
        lines.append(f"轮换交流：{int(row['rotation_moves'])} 次")
    if row.get("changed"):
        roles = "、".join(ROLE_WORDS.get(r, r) for r in row["changed"].split(";"))
        lines.append(f"本次变更：{roles}")
    return lines


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def map_data(table: pd.DataFrame, inst: Instance, geoms: np.ndarray) -> tuple[dict, str]:
    """The map's data for its script, and the SVG of everything on it."""
    n = len(table)
    # villages without coordinates (NaN points) are left off the map without numpy's warnings
    # reaching the planner's terminal
    with np.errstate(invalid="ignore"):
        pts = shapely.get_coordinates(shapely.point_on_surface(geoms)) if n else np.zeros((0, 2))
    known = np.isfinite(pts).all(axis=1)
    lo = shapely.bounds(geoms[known]) if known.any() else np.zeros((0, 4))
    lo = lo[np.isfinite(lo).all(axis=1)]
    if len(lo):
        minx, miny = float(lo[:, 0].min()), float(lo[:, 1].min())
        maxx, maxy = float(lo[:, 2].max()), float(lo[:, 3].max())
    else:  # no coordinates at all: an empty frame
        minx = miny = 0.0
        maxx = maxy = 1000.0
    extent = max(maxx - minx, maxy - miny, 1000.0)
    origin, top = np.array([minx, miny]), maxy
    width, height = max((maxx - minx) / 1000.0, 1.0), max((maxy - miny) / 1000.0, 1.0)
    shapes = shapely.simplify(geoms, extent / 1500.0, preserve_topology=True)
    is_poly = shapely.get_type_id(shapes) >= 3
    mx = (pts[:, 0] - minx) / 1000.0
    my = (top - pts[:, 1]) / 1000.0
    radius = extent / 1000.0 / 160.0

    rows = table.to_dict("records")
    colours = (
        officer_colours(table["officer_id"].to_numpy(object), neighbour_pairs(geoms, pts))
        if "officer_id" in table
        else pd.Series(dtype=object)
    )
    svg_villages, labels, changed = [], [], []
    for i, row in enumerate(rows):
        if not known[i]:
            continue
        officer = row.get("officer_id", "")
        fill = colours.get(officer, NO_OFFICER) if officer else NO_OFFICER
        if is_poly[i]:
            shape = f'd="{_path(shapes[i], origin, top)}"'
            svg_villages.append(f'<path class="v" data-i="{i}" fill="{fill}" {shape}/>')
            if row.get("changed"):
                changed.append(f'<path class="changed" {shape}/>')
        else:
            shape = f'cx="{mx[i]:.2f}" cy="{my[i]:.2f}" r="{radius:.2f}"'
            svg_villages.append(f'<circle class="v" data-i="{i}" fill="{fill}" {shape}/>')
            if row.get("changed"):
                changed.append(f'<circle class="changed" {shape}/>')
        labels.append(
            f'<text class="vl" data-i="{i}" x="{mx[i]:.2f}" y="{my[i]:.2f}">'
            f"{html.escape(str(row['village_name']))}</text>"
        )
    # townships: borders and names
    svg_towns, town_labels = [], []
    townships: dict[str, dict] = {}
    tws = inst.townships[inst.townships.index.isin(table["township_id"])]
    tw_geo = None
    if inst.geo.townships is not None:
        g = inst.geo.townships[inst.geo.townships["township_id"].isin(table["township_id"])]
        tw_geo = g.drop_duplicates("township_id").set_index("township_id").geometry
        simple = shapely.simplify(tw_geo.to_numpy(), extent / 1500.0, preserve_topology=True)
        svg_towns.append(f'<path class="tw" d="{_line_path(simple, origin, top)}"/>')
    for t, name in tws["name"].items():
        sel = (table["township_id"] == t).to_numpy() & known
        if not sel.any():
            continue
        b = shapely.total_bounds(geoms[sel])  # the box of the township's villages
        box = [
            (b[0] - minx) / 1000.0,
            (top - b[3]) / 1000.0,
            (b[2] - b[0]) / 1000.0,
            (b[3] - b[1]) / 1000.0,
        ]
        if tw_geo is not None and t in tw_geo.index:
            c = shapely.get_coordinates(shapely.point_on_surface(tw_geo[t]))[0]
        elif np.isfinite(inst.townships.at[t, "x"]):
            c = np.array([inst.townships.at[t, "x"], inst.townships.at[t, "y"]])
        else:
            c = pts[sel].mean(axis=0)
        cx, cy = (c[0] - minx) / 1000.0, (top - c[1]) / 1000.0
        town_labels.append(
            f'<text class="tl" data-t="{html.escape(t)}" x="{cx:.2f}" y="{cy:.2f}">'
            f"{html.escape(str(name))}</text>"
        )
        townships[t] = {"name": str(name), "box": [round(v, 2) for v in box]}
    # roads, county borders, officer bases
    extra = []
    roads = inst.geo.roads
    legend_roads = []
    if roads is not None and "class" in roads.columns:
        for cls in inst.policy.rule("OFF-TRAFFIC")["road_classes"]:
            sel = roads[roads["class"] == cls]
            if sel.empty:
                continue
            colour, label = ROAD_STYLE.get(cls, ("#8c564b", str(cls)))
            extra.append(
                f'<path class="road" stroke="{colour}" '
                f'd="{_line_path(sel.geometry.to_numpy(), origin, top)}"/>'
            )
            legend_roads.append({"colour": colour, "name": f"交通线：{label}"})
    if tw_geo is not None:
        counties = inst.townships["county_id"].reindex(tw_geo.index)
        if counties.nunique() > 1:
            merged = [
                shapely.union_all(tw_geo.to_numpy()[(counties == c).to_numpy()])
                for c in sorted(counties.dropna().unique())
            ]
            simple = shapely.simplify(np.array(merged, dtype=object), extent / 1500.0)
            extra.append(f'<path class="county" d="{_line_path(simple, origin, top)}"/>')

    officers: dict[str, dict] = {}
    if "officer_id" in table:
        off = inst.officers
        # each officer's row positions, in the table's order (a frame's groupby made a frame an
        # officer: a county's 150 officers cost more than the rest of the map's data)
        ids = table["officer_id"].to_numpy(object)
        held = np.flatnonzero(pd.notna(ids) & (ids != ""))
        rows_of = pd.Index(held).groupby(ids[held])
        label = table.index.to_numpy()
        names = table["officer_name"].to_numpy(object)
        cats = table["category"].to_numpy(object) if "category" in table else None
        days = None
        if "workload_days" in table:
            days = np.full(n, np.nan)
            days[held] = table["workload_days"].iloc[held].astype(float).to_numpy()
        for o in sorted(rows_of):
            at = rows_of[o]
            officers[o] = {
                "name": str(names[at[0]]),
                "category": str(cats[at[0]]) if cats is not None else "",
                "unit": str(off["unit"].get(o, "") or "") if "unit" in off else "",
                "colour": colours.get(o, NO_OFFICER),
                "villages": [int(label[i]) for i in at],
                "days": [None if np.isnan(days[i]) else round(float(days[i]), 2) for i in at]
                if days is not None
                else [],
                "available": float(off["available_days"].get(o, np.nan))
                if o in off.index
                else None,
            }
        base = off[off.index.isin(officers) & np.isfinite(off["base_x"].to_numpy(float))]
        marks = [
            f'<path class="base" data-o="{html.escape(str(o))}" '
            f'd="M{(x - minx) / 1000:.2f} {(top - y) / 1000 - 2 * radius:.2f}l{radius * 1.6:.2f} '
            f'{radius * 3:.2f}h{-radius * 3.2:.2f}Z"/>'
            for o, x, y in zip(base.index, base["base_x"], base["base_y"], strict=True)
        ]
        extra.append('<g id="bases">' + "".join(marks) + "</g>")

    villages = []
    for i, row in enumerate(rows):
        villages.append(
            {
                "id": str(row["village_id"]),
                "name": str(row["village_name"]),
                "t": str(row["township_id"]),
                "o": str(row.get("officer_id", "")),
                "a": str(row.get("auxiliary_id", "")),
                "an": str(row.get("auxiliary_name", "")),
                "rel": str(row.get("relation_zh", "")),
                "mv": int(row["rotation_moves"]) if "rotation_moves" in row else None,
                "ch": bool(row.get("changed")),
                "tip": hover_lines(row),
                "box": [round(float(mx[i]), 2), round(float(my[i]), 2)] if known[i] else None,
            }
        )
    views = []
    if "officer_id" in table:
        views.append({"key": "officer", "name": "按包村民警"})
    if "relation_zh" in table:
        views.append({"key": "relation", "name": "按辅警来源"})
    if "rotation_moves" in table:
        views.append({"key": "rotation", "name": "按轮换交流次数"})
    area = (
        float(shapely.area(geoms[known & is_poly]).sum()) / 1e6 if (known & is_poly).any() else 0.0
    )
    data = {
        "size": [round(width, 2), round(height, 2)],
        # a village's typical width, km: names show once it is wide enough on screen
        "villageWidth": round(float(np.sqrt(area / max(1, (known & is_poly).sum()))), 3)
        if area
        else round(extent / 1000.0 / max(10.0, np.sqrt(max(n, 1))), 3),
        "large": n > LARGE_MAP,
        "villages": villages,
        "officers": officers,
        "townships": townships,
        "views": views,
        "relation": RELATION_COLOURS,
        "moves": MOVE_COLOURS,
        "noOfficer": NO_OFFICER,
        "roads": legend_roads,
        "counties": [inst.county_names.get(c, c) for c in inst.counties],
    }
    font_v = extent / 1000.0 / 110.0
    font_t = extent / 1000.0 / 45.0
    svg = (
        f'<svg id="map-svg" viewBox="0 0 {width:.2f} {height:.2f}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<g id="villages">{"".join(svg_villages)}</g>'
        f'<g id="towns">{"".join(svg_towns)}</g>'
        f'<g id="roads">{"".join(extra)}</g>'
        f'<g id="changed" stroke="{CHANGED_COLOUR}">{"".join(changed)}</g>'
        f'<g id="vlabels" font-size="{font_v:.3f}">{"".join(labels)}</g>'
        f'<g id="tlabels" font-size="{font_t:.3f}">{"".join(town_labels)}</g>'
        "</svg>"
    )
    return data, svg


def map_html(table: pd.DataFrame, inst: Instance, geoms: np.ndarray, title: str) -> str:
    """The map section of report.html: the SVG, its data, and the script and style that make it
    searchable, filterable and printable."""
    data, svg = map_data(table, inst, geoms)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (
        f"<style>{_asset('map.css')}</style>"
        f'<div id="map" data-title="{html.escape(title)}">'
        '<div id="map-tools"></div>'
        f'<div id="map-body"><div id="map-frame">{svg}<div id="map-tip"></div></div>'
        '<div id="map-side"></div></div>'
        '<div id="map-print-legend"></div></div>'
        f'<script type="application/json" id="map-data">{text}</script>'
        f"<script>{_asset('map.js')}</script>"
    )
