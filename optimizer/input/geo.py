"""Geometry: reading ``geo.gpkg``, and what is derived from it once per bundle.

- the township adjacency graph (networkx) from township polygons, merged with the neighbour list;
- which villages lie along a traffic route (route roads buffered by a policy distance);
- travel distances: shortest paths over the road network where roads are given, else straight
  lines (times a detour factor) in a projected CRS.

Everything here is vectorised over geometries (shapely 2 / STRtree / scipy csgraph); nothing loops
over pairs of villages in Python.
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ..i18n import _
from .limits import MAX_GEO_BYTES, MAX_ROWS, check_regular
from .problems import BundleError, ProblemLog
from .schema import GEO_FILE, GEO_LAYERS

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class GeoLayers:
    """The layers of geo.gpkg in the bundle's projected CRS (metres); any may be None."""

    townships: gpd.GeoDataFrame | None
    villages: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None


def read_geo(path: Path, log: ProblemLog, label: str = GEO_FILE) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a GeoPackage, checked: a regular file of bounded size holding plain
    tables (no view, no computed column), known layers, CRS, geometry type, validity."""
    try:
        check_regular(path, label, MAX_GEO_BYTES)
    except BundleError as e:
        log.extend(e.problems)
        return {}
    if not _plain_tables(path, label, log):
        return {}
    # GDAL's complaints about a damaged file become warnings of the bundle, not stray lines
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layers = _read_layers(path, log, label)
    for message in dict.fromkeys(str(w.message) for w in caught):
        log.warn(label, 0, "", _("GDAL: {message}").format(message=message))
    return layers


# seconds the checks of a GeoPackage's own structure may take (a few milliseconds for any file
# QGIS writes); a query that runs longer is a crafted one
GEO_CHECK_SECONDS = 5.0


def _plain_tables(path: Path, label: str, log: ProblemLog) -> bool:
    """A GeoPackage is an SQLite database, and a database can hold queries that run when read:
    a view (a recursive one never returns), a virtual table, a column computed by an expression.
    QGIS and GDAL write none of these for a layer; a file that holds one is refused before GDAL
    reads it. The checks themselves run read-only and are stopped after GEO_CHECK_SECONDS."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return True  # GDAL says what is wrong with the file
    deadline = time.monotonic() + GEO_CHECK_SECONDS
    con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    problems: list[str] = []
    try:
        objects = con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        kinds = {name: (kind, sql or "") for kind, name, sql in objects}
        problems += [
            _(
                "'{name}' is a view (a saved query), which runs when read: only plain tables "
                "are read; save the layers as a new GeoPackage (QGIS: Export → Save Features As)"
            ).format(name=name)
            for kind, name, _sql in objects
            if kind == "view"
        ]
        try:
            contents = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
        except sqlite3.OperationalError as e:
            if "interrupted" in str(e):
                raise
            contents = []  # not a GeoPackage: GDAL says so
        for name, data_type in contents:
            if name not in GEO_LAYERS or kinds.get(name, ("", ""))[0] == "view":
                continue
            if data_type != "features":
                problems.append(
                    _("layer '{name}' holds {kind}, not features (points, lines, polygons)").format(
                        name=name, kind=data_type
                    )
                )
            elif kinds.get(name, ("", ""))[1].upper().startswith("CREATE VIRTUAL TABLE"):
                problems.append(
                    _("layer '{name}' is a virtual table, not a plain table").format(name=name)
                )
            elif name in kinds:
                quoted = name.replace('"', '""')
                (features,) = con.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()
                if features > MAX_ROWS:
                    problems.append(
                        _(
                            "layer '{name}' has {n:,} features, more than {limit:,}: not a "
                            "county's map"
                        ).format(name=name, n=features, limit=MAX_ROWS)
                    )
                    continue
                computed = [
                    c[1]
                    for c in con.execute(f'PRAGMA table_xinfo("{quoted}")')
                    if c[6] in (2, 3)  # hidden 2, 3: a generated (computed) column
                ]
                if computed:
                    problems.append(
                        _(
                            "layer '{name}' has columns computed by an expression ({columns}): "
                            "only plain tables are read"
                        ).format(name=name, columns=", ".join(computed))
                    )
    except sqlite3.OperationalError as e:
        if "interrupted" not in str(e):
            return True  # GDAL says what is wrong with the file
        problems.append(
            _(
                "reading the GeoPackage's own tables took more than {seconds:g} seconds: a "
                "crafted file; refused"
            ).format(seconds=GEO_CHECK_SECONDS)
        )
    except sqlite3.DatabaseError:
        return True  # not a database: GDAL says so
    finally:
        con.close()
    for message in problems:
        log.error(label, 0, "", message)
    return not problems


def _read_layers(path: Path, log: ProblemLog, label: str) -> dict[str, gpd.GeoDataFrame]:
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as e:  # GDAL's errors for a damaged or foreign file
        reason = str(e)
        if "not recognized as being in a supported file format" in reason:
            reason = _("the file is not a GeoPackage (save the layers as GeoPackage from QGIS)")
        log.error(label, 0, "", _("cannot open the GeoPackage: {reason}").format(reason=reason))
        return {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, _gtype in listed:
        if name not in GEO_LAYERS:
            log.warn(
                label,
                0,
                "",
                _("layer '{name}' is not used (known: {known})").format(
                    name=name, known=", ".join(GEO_LAYERS)
                ),
            )
            continue
        where = f"{label}[{name}]"
        try:
            gdf = gpd.read_file(path, layer=name, engine="pyogrio")
        except Exception as e:
            log.error(where, 0, "", _("cannot read the layer: {reason}").format(reason=e))
            continue
        if gdf.crs is None:
            log.error(where, 0, "geometry", _("the layer has no CRS (coordinate reference system)"))
            continue
        gdf = gdf.reset_index(drop=True)
        if not _check_geometry(gdf, name, where, log) or not _check_extent(gdf, where, log):
            continue
        layers[name] = gdf
    return layers


def _check_extent(gdf: gpd.GeoDataFrame, where: str, log: ProblemLog) -> bool:
    """The coordinates must lie on the earth in the layer's CRS: metres labelled as degrees (or
    the reverse) is the usual slip, and projecting such a layer breaks every geometry."""
    if not len(gdf):
        return True
    x0, y0, x1, y1 = gdf.total_bounds
    corners = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]])
    try:
        with np.errstate(all="ignore"):
            lon, lat = Transformer.from_crs(gdf.crs, WGS84, always_xy=True).transform(
                corners[:, 0], corners[:, 1]
            )
        fits = bool(np.isfinite(lon).all() and np.isfinite(lat).all())
        fits = fits and (np.abs(lon) <= 180).all() and (np.abs(lat) <= 90).all()
        if gdf.crs.is_geographic:
            fits = fits and abs(x0) <= 180 and abs(x1) <= 180 and abs(y0) <= 90 and abs(y1) <= 90
    except Exception:  # pyproj refuses coordinates far outside the projection
        fits = False
    if not fits:
        log.error(
            where,
            0,
            "geometry",
            _(
                "coordinates x {x0}..{x1}, y {y0}..{y1} do not fit the layer's CRS ({crs}): the "
                "CRS is probably wrong"
            ).format(
                x0=f"{x0:.6g}",
                x1=f"{x1:.6g}",
                y0=f"{y0:.6g}",
                y1=f"{y1:.6g}",
                crs=gdf.crs.to_string(),
            ),
        )
    return fits


def _check_geometry(gdf: gpd.GeoDataFrame, name: str, where: str, log: ProblemLog) -> bool:
    geom = gdf.geometry.values
    rows = np.arange(len(gdf)) + 1  # feature number (fid) as a planner sees it in QGIS
    ok = True
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    for i in np.flatnonzero(missing):
        log.error(where, int(rows[i]), "geometry", _("empty geometry"))
        ok = False
    kinds = shapely.get_type_id(geom)
    want = GEO_LAYERS[name]
    polygon = np.isin(kinds, [3, 6])
    point = np.isin(kinds, [0, 4])
    line = np.isin(kinds, [1, 2, 5])
    allowed = {"polygon": polygon, "polygon_or_point": polygon | point, "line": line}[want]
    wrong = ~allowed & ~missing
    for i in np.flatnonzero(wrong):
        t = shapely.get_type_id(geom[i])
        tname = (
            [
                _("point"),
                _("line"),
                _("ring"),
                _("polygon"),
                _("multipoint"),
                _("multiline"),
                _("multipolygon"),
                _("collection"),
            ][t]
            if 0 <= t <= 7
            else _("geometry")
        )
        need = {
            "polygon": _("a polygon"),
            "polygon_or_point": _("a polygon or point"),
            "line": _("a line"),
        }[want]
        log.error(
            where,
            int(rows[i]),
            "geometry",
            _("{kind} where {need} is needed").format(kind=tname, need=need),
        )
        ok = False
    invalid = ~shapely.is_valid(geom) & ~missing & allowed
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geom[i])
        log.error(
            where, int(rows[i]), "geometry", _("invalid geometry: {reason}").format(reason=reason)
        )
        ok = False
    return ok


def projected_crs(lonlat: np.ndarray, given: str, layers: dict[str, gpd.GeoDataFrame]) -> CRS:
    """The CRS distances are measured in: the policy's, else a projected layer's, else UTM."""
    if given:
        return CRS.from_user_input(given)
    for gdf in layers.values():
        if gdf.crs is not None and gdf.crs.is_projected:
            return CRS.from_user_input(gdf.crs)
    pts = lonlat[~np.isnan(lonlat).any(axis=1)] if len(lonlat) else lonlat
    if not len(pts):
        for gdf in layers.values():
            if gdf.crs is not None and len(gdf):
                c = gdf.to_crs(WGS84).geometry.union_all().centroid
                pts = np.array([[c.x, c.y]])
                break
    if not len(pts):
        return CRS.from_user_input("EPSG:4548")  # CGCS2000 / 117E: never used without positions
    lon = (pts[:, 0].min() + pts[:, 0].max()) / 2
    lat = (pts[:, 1].min() + pts[:, 1].max()) / 2
    return utm_crs(lon, lat)


def utm_crs(lon: float, lat: float) -> CRS:
    """WGS 84 / UTM zone of a point: the CRS geopandas' ``estimate_utm_crs`` finds for the centre
    of the points' bounds, computed from the regular 6-degree zones instead of by a database
    query (0.15 s, the bigger half of loading a small bundle)."""
    zone = int((lon + 180) // 6) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def project_lonlat(lon: np.ndarray, lat: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(crs)
    x = np.where(np.isnan(lon) | np.isnan(lat), np.nan, pts.x.to_numpy())
    y = np.where(np.isnan(lon) | np.isnan(lat), np.nan, pts.y.to_numpy())
    return x, y


def township_adjacency(
    polygons: gpd.GeoSeries, tolerance_m: float, min_border_m: float
) -> list[tuple[int, int]]:
    """Pairs (i < j) of polygons that share a border: they touch or come within ``tolerance_m``
    along at least ``min_border_m`` of boundary. A contact at a single corner is not a border.
    """
    geoms = polygons.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    near = shapely.buffer(geoms[right], max(tolerance_m, 1e-6))
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]), near))
    ok = shared >= min_border_m
    return list(zip(left[ok].tolist(), right[ok].tolist(), strict=True))


def adjacency_graph(
    township_ids: list[str],
    polygons: gpd.GeoDataFrame | None,
    neighbours: pd.DataFrame,
    tolerance_m: float,
    min_border_m: float,
) -> nx.Graph:
    """Township adjacency: polygon borders plus the explicit neighbour list (self pairs ignored)."""
    g = nx.Graph()
    g.add_nodes_from(township_ids)
    if polygons is not None and len(polygons):
        ids = polygons["township_id"].to_numpy()
        for i, j in township_adjacency(polygons.geometry, tolerance_m, min_border_m):
            if ids[i] != ids[j]:
                g.add_edge(ids[i], ids[j], source="polygons")
    for a, b in zip(neighbours["township_id"], neighbours["neighbour_id"], strict=True):
        if a != b and a in g and b in g:
            if g.has_edge(a, b):
                g.edges[a, b]["source"] = "both"
            else:
                g.add_edge(a, b, source="list")
    return g


def along_routes(
    villages: gpd.GeoSeries, roads: gpd.GeoDataFrame, classes: tuple[str, ...], buffer_m: float
) -> np.ndarray:
    """True for each village whose area (or point) comes within ``buffer_m`` of a route road."""
    if roads is None or not len(roads):
        return np.zeros(len(villages), dtype=bool)
    cls = roads["class"].astype(str).str.lower() if "class" in roads else pd.Series("", roads.index)
    route = roads.geometry.values[cls.isin([c.lower() for c in classes]).to_numpy()]
    out = np.zeros(len(villages), dtype=bool)
    if not len(route):
        return out
    tree = shapely.STRtree(route)
    hit, _ = tree.query(villages.values, predicate="dwithin", distance=buffer_m)
    out[np.unique(hit)] = True
    return out


class TravelNetwork:
    """Distances in km between points: over the road network where roads are given, else straight.

    A point joins the network at its nearest road vertex (the access leg counts as straight line
    times the detour factor); the distance is the shorter of that road route and the direct
    straight line times the detour factor, since local roads not in the layer exist.
    """

    def __init__(self, roads: gpd.GeoDataFrame | None, detour: float):
        self.detour = detour
        self.graph: nx.Graph | None = None
        self._tree: cKDTree | None = None
        if roads is None or not len(roads):
            return
        coords, index = shapely.get_coordinates(
            shapely.line_merge(roads.geometry.values), return_index=True
        )
        # vertices closer than 1 m are one junction: lines digitised separately still connect
        key = np.round(coords / 1.0).astype(np.int64)
        uniq, node = np.unique(key, axis=0, return_inverse=True)
        node = node.ravel()
        same_line = index[1:] == index[:-1]
        a, b = node[:-1][same_line], node[1:][same_line]
        length = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
        g = nx.Graph()
        g.add_nodes_from(range(len(uniq)))
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), length.tolist(), strict=True))
        self.graph = g
        self._nodes_xy = uniq.astype(float)
        self._tree = cKDTree(self._nodes_xy)
        self._matrix = nx.to_scipy_sparse_array(g, nodelist=range(len(uniq)), format="csr")

    @property
    def has_roads(self) -> bool:
        return self.graph is not None

    def distance_km(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Matrix (len(src), len(dst)) of travel km; NaN where a position is unknown."""
        src = np.asarray(src, dtype=float).reshape(-1, 2)
        dst = np.asarray(dst, dtype=float).reshape(-1, 2)
        straight = np.hypot(src[:, None, 0] - dst[None, :, 0], src[:, None, 1] - dst[None, :, 1])
        direct = straight * self.detour
        if not self.has_roads or not len(src) or not len(dst):
            return direct / 1000.0
        ok_s = ~np.isnan(src).any(axis=1)
        ok_d = ~np.isnan(dst).any(axis=1)
        acc_s = np.full(len(src), np.nan)
        acc_d = np.full(len(dst), np.nan)
        node_s = np.zeros(len(src), dtype=np.int64)
        node_d = np.zeros(len(dst), dtype=np.int64)
        acc_s[ok_s], node_s[ok_s] = self._tree.query(src[ok_s])
        acc_d[ok_d], node_d[ok_d] = self._tree.query(dst[ok_d])
        uniq_s, inv_s = np.unique(node_s, return_inverse=True)
        paths = dijkstra(self._matrix, directed=False, indices=uniq_s)[:, node_d][inv_s]
        road = paths + self.detour * (acc_s[:, None] + acc_d[None, :])
        best = np.fmin(road, direct)  # fmin keeps the straight line where the road is unreachable
        return best / 1000.0
