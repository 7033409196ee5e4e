"""Synthetic input bundles (CONTRACT.md) of any size on the real map of Suzhou, Anhui.

Counties 1-5 are the city's real ones (埇桥区, 萧县, 灵璧县, 泗县, 砀山县; ``reference.py``): their
real towns and 乡 with their real villages (names and codes), drawn inside their real outlines.
Further counties are made up: squares on a grid around the city, codes 3499xx, 3498xx, … that no
real division has. Everything else is synthetic: township seats (Mitchell's best candidates inside
the outline), township polygons (their Voronoi cells clipped to the outline), village polygons
(Voronoi cells inside their township, Lloyd-relaxed), roads, cases, people, postings and plans.
Coordinates are worked in CGCS2000 / Gauss-Kruger CM 117E (EPSG:4548, metres).

A real county asked for fewer villages than it has keeps a random subset (at least two a township);
asked for more, it gets synthetic villages numbered 600-999 under their real township, numbers
the Bureau never assigns. People are drawn so that every county is comfortably feasible:
officers' monthly days cover the villages' needs 1.3 times over (checked by a greedy assignment),
and every township has more auxiliaries than villages.

Each county draws from its own ``SeedSequence(seed, spawn_key=(county index, stage))``, so a
county's content depends only on the seed and its position, not on how many counties follow.
The same seed gives byte-identical CSV files.

    python -m cunjing.data.generator OUT --counties 5 --seed 7     # the city, real sizes
    python -m cunjing.data.generator OUT --villages 15000 --seed 7  # a province of 38 counties
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching, minimum_spanning_tree
from scipy.spatial import Delaunay

from ..optimizer.i18n import _
from ..optimizer.input.schema import GEO_FILE, TABLES
from . import names as nm
from . import reference as ref

SAMPLE_SEED = 2021

CRS_METRIC = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
CRS_LONLAT = "EPSG:4326"
AREA_PER_VILLAGE = 2.9e9 / 400  # m² a village of a synthetic county (埇桥区: ~2,900 km²)
VILLAGES_PER_COUNTY = 400  # of a synthetic county, when no total is asked for
VILLAGES_PER_TOWNSHIP = 16
REAL_COUNTIES = ("341302", "341322", "341323", "341324", "341321")  # 埇桥区 first
# Synthetic villages of a real township are numbered 600-999 (outside the real code space).
EXTRA_VILLAGE_FIRST = ref.ASSIGNED_NUMBERS
EXTRA_VILLAGES_PER_TOWNSHIP = 1000 - EXTRA_VILLAGE_FIRST

# The workload model the contract describes: 2 days in the village plus 2 visits' round trips at
# 30 km/h, 8 h a day. Straight lines are stretched by DETOUR because the engine may measure on
# the road network; SLACK is how much spare capacity every county must have.
VISIT_DAYS = 2.0
VISITS = 2
SPEED_KMH = 30.0
HOURS_PER_DAY = 8.0
DETOUR = 1.3
SLACK = 1.3

CATEGORY_SHARES = (
    ("station", 0.40),
    ("organ", 0.25),
    ("traffic", 0.10),
    ("criminal", 0.10),
    ("public_security", 0.10),
    ("domestic_security", 0.05),
)

TODAY = 2026 * 12 + 6  # 2026-07 as a month index: postings start no later than 2026-06


def _month(m: int) -> str:
    """Month index (year * 12 + month - 1) -> YYYY-MM."""
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _mi(year: int, month: int) -> int:
    return year * 12 + month - 1


def _workload(dist_m: np.ndarray | float) -> np.ndarray | float:
    """Monthly days an officer spends on a village ``dist_m`` metres (straight line) from base."""
    km = np.asarray(dist_m) / 1000.0 * DETOUR
    return VISIT_DAYS + VISITS * 2 * km / SPEED_KMH / HOURS_PER_DAY


# --------------------------------------------------------------------------------------------
# County frame


@dataclass
class _County:
    index: int
    code: str
    name: str
    n_villages: int
    outline: shapely.Polygon  # in metres: the real outline, or a synthetic county's square
    real: tuple[ref.RealTownship, ...] | None  # the real townships a real county keeps
    seat: np.ndarray = field(default_factory=lambda: np.zeros(2))  # county seat (县城)
    # townships (local index t)
    t_ids: list[str] = field(default_factory=list)
    t_names: list[str] = field(default_factory=list)
    t_seats: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    t_polys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    seat_township: int = 0
    # villages (local index v), sorted by village id
    v_ids: list[str] = field(default_factory=list)
    v_names: list[str] = field(default_factory=list)
    v_town: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    v_polys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    v_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    v_kind: list[str] = field(default_factory=list)
    roads: list[tuple[str, str, shapely.LineString]] = field(default_factory=list)
    # tables (lists of row dicts, column name -> text)
    villages: list[dict[str, str]] = field(default_factory=list)
    officers: list[dict[str, str]] = field(default_factory=list)
    auxiliaries: list[dict[str, str]] = field(default_factory=list)
    aux_history: list[dict[str, str]] = field(default_factory=list)
    plan_officers: list[dict[str, str]] = field(default_factory=list)
    plan_auxiliaries: list[dict[str, str]] = field(default_factory=list)
    pairs: list[dict[str, str]] = field(default_factory=list)
    capacity_days: float = 0.0  # active officers' monthly days
    need_days: float = 0.0  # villages' days, each from its nearest active officer

    @property
    def scale(self) -> float:
        """The side of a square as large as the county (metres)."""
        return math.sqrt(self.outline.area)


def _rng(seed: int, county: int, stage: int) -> np.random.Generator:
    # One stream per (county, stage): adding counties or stages never shifts another's draws.
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(county, stage)))


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _largest_remainder(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integers >= minimum summing to total, proportional to weights (Hamilton's method)."""
    k = len(weights)
    rest = total - minimum * k
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(int)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: rest - counts.sum()]] += 1
    return counts + minimum


def _capped_shares(total: int, weights: np.ndarray, cap: int) -> np.ndarray:
    """Integers <= cap summing to total, proportional to weights among those below the cap."""
    counts = np.zeros(len(weights), dtype=int)
    while (rest := total - int(counts.sum())) > 0:
        w = np.where(counts < cap, weights, 0.0)
        counts = np.minimum(counts + _largest_remainder(rest, w), cap)
    return counts


def _synthetic_county_names() -> list[str]:
    # A fixed order of two-character names, independent of the seed, so county i always has
    # the same name and names never repeat within a bundle.
    rng = np.random.default_rng(20210625)
    chars = nm.PLACE_CHARS
    combos = [a + b for a in chars for b in chars if a != b]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    taken = {"埇桥", "灵璧", "砀山", "宿州", "萧县", "泗县"}
    return [c + nm.COUNTY_SUFFIX for c in combos if c not in taken]


def _synthetic_county_code(i: int) -> str:
    # 349901 … 349999, then 349801 …: Anhui (34) has no prefecture 99 or 98, so these codes
    # exist nowhere in the real division table.
    block, within = divmod(i, 99)
    return f"{(3499 - block) * 100 + within + 1:06d}"


def _synthetic_squares(k: int, side: float, city: shapely.Geometry) -> list[shapely.Polygon]:
    """k squares of ``side`` on a grid around ``city`` (the real counties), nearest first.

    The grid starts at the city's south-west corner and skips the cells that overlap it, so the
    made-up counties never overlap the real ones and neighbouring squares share their borders.
    """
    xmin, ymin, xmax, ymax = city.bounds
    nx, ny = math.ceil((xmax - xmin) / side), math.ceil((ymax - ymin) / side)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    reach = math.ceil(math.sqrt(k)) + 1
    ij = np.array([(i, j) for i in range(-reach, nx + reach) for j in range(-reach, ny + reach)])
    x0, y0 = xmin + ij[:, 0] * side, ymin + ij[:, 1] * side
    squares = shapely.box(x0, y0, x0 + side, y0 + side)
    free = shapely.area(shapely.intersection(squares, city)) == 0
    squares, x0, y0 = squares[free], x0[free], y0[free]
    dist = np.round(np.hypot(x0 + side / 2 - cx, y0 + side / 2 - cy), 3)
    angle = np.round(np.arctan2(y0 + side / 2 - cy, x0 + side / 2 - cx), 9)
    return list(squares[np.lexsort((angle, dist))[:k]])


def _real_size_limit(county: ref.RealCounty) -> int:
    return county.n_villages + EXTRA_VILLAGES_PER_TOWNSHIP * len(county.townships)


def _make_counties(villages: int | None, k: int) -> list[_County]:
    real = ref.real_counties()
    outlines = ref.county_outlines(CRS_METRIC)
    n_real = min(k, len(REAL_COUNTIES))
    if villages is None:  # real counties at their real size, made-up ones at 400 villages
        sizes = [real[REAL_COUNTIES[i]].n_villages for i in range(n_real)]
        sizes += [VILLAGES_PER_COUNTY] * (k - n_real)
        side = math.sqrt(AREA_PER_VILLAGE * VILLAGES_PER_COUNTY)
    else:
        sizes = _split(villages, k)
        side = math.sqrt(AREA_PER_VILLAGE * villages / k)
    city = shapely.union_all([outlines[code] for code in REAL_COUNTIES])
    squares = _synthetic_squares(k - n_real, side, city)
    synth_names = _synthetic_county_names()
    out = []
    for i, n in enumerate(sizes):
        if i < n_real:
            county = real[REAL_COUNTIES[i]]
            if n > _real_size_limit(county):
                raise ValueError(
                    _(
                        "{county} holds at most {most} villages ({real} real, {extra} made-up "
                        "ones in each of its {townships} townships): ask for more counties"
                    ).format(
                        county=county.name,
                        most=_real_size_limit(county),
                        real=county.n_villages,
                        extra=EXTRA_VILLAGES_PER_TOWNSHIP,
                        townships=len(county.townships),
                    )
                )
            # Tiny counties keep the first real townships: each township needs >= 2 villages.
            towns = county.townships[: max(1, min(len(county.townships), n // 2))]
            out.append(_County(i, county.code, county.name, n, outlines[county.code], towns))
        else:
            j = i - n_real
            code = _synthetic_county_code(j)
            out.append(_County(i, code, synth_names[j], n, squares[j], None))
    return out


# --------------------------------------------------------------------------------------------
# Geometry


def _points_in(rng: np.random.Generator, poly: shapely.Geometry, n: int) -> np.ndarray:
    """n uniform random points inside a polygon (rejection from its bounding box)."""
    xmin, ymin, xmax, ymax = poly.bounds
    chunks, need = [], n
    while need > 0:
        cand = rng.uniform((xmin, ymin), (xmax, ymax), size=(max(16, 3 * need), 2))
        cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])][:need]
        chunks.append(cand)
        need -= len(cand)
    return np.vstack(chunks)


def _spread_points(
    rng: np.random.Generator, n: int, region: shapely.Geometry, tries: int = 12
) -> np.ndarray:
    """Mitchell's best-candidate points in a region: random but evenly spread (township seats)."""
    cand = _points_in(rng, region, n * tries).reshape(n, tries, 2)
    pts = np.empty((n, 2))
    pts[0] = cand[0, 0]
    for i in range(1, n):
        d2 = ((cand[i][:, None, :] - pts[None, :i, :]) ** 2).sum(-1).min(axis=1)
        pts[i] = cand[i][np.argmax(d2)]
    return pts


def _inner_points(cells: np.ndarray) -> np.ndarray:
    """A point inside each cell: its centroid, or a point on its surface where a concave cell
    (along a real outline) has its centroid outside."""
    pts = shapely.centroid(cells)
    outside = ~shapely.contains(cells, pts)
    pts[outside] = shapely.point_on_surface(cells[outside])
    return shapely.get_coordinates(pts)


def _one_piece(cells: np.ndarray, points: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The cells as single polygons.

    A Voronoi cell clipped to a concave container (a real outline, or a township along it) can
    fall apart: the part holding the cell's point stays, every other part joins the cell of the
    same group that shares the longest border with it.
    """
    split = np.flatnonzero(shapely.get_num_geometries(cells) > 1)
    if not len(split):
        return cells
    cells = cells.copy()
    strays: list[tuple[int, shapely.Geometry]] = []
    for i in split:
        parts = shapely.get_parts(cells[i])
        parts = parts[shapely.area(parts) > 0]  # clipping can leave lines and points
        own = int(np.argmin(shapely.distance(parts, shapely.points(points[i]))))
        cells[i] = parts[own]
        strays += [(int(i), p) for k, p in enumerate(parts) if k != own]
    for i, part in strays:
        same = np.flatnonzero((group == group[i]) & (np.arange(len(cells)) != i))
        if not len(same):  # nobody to give it to: the container itself is in pieces
            cells[i] = shapely.union(cells[i], part)
            continue
        shared = shapely.area(shapely.intersection(cells[same], shapely.buffer(part, 1.0)))
        j = same[np.argmax(shared)] if shared.max() > 0 else same[0]
        cells[j] = shapely.union(cells[j], part)
    return cells


def _cells(points: np.ndarray, group: np.ndarray, containers: np.ndarray) -> np.ndarray:
    """Voronoi cells of points, each group's clipped to its container; in the order of points.

    ``group`` must be sorted (points of a group together). One vectorised GEOS call for all
    groups: ``ordered=True`` keeps cells in the order of their generating points.
    """
    mp = shapely.multipoints(points, indices=group)
    vor = shapely.voronoi_polygons(mp, extend_to=containers, ordered=True)
    parts = shapely.get_parts(vor)
    if len(parts) != len(points):  # duplicate points would merge cells; never with float draws
        raise RuntimeError("Voronoi cells do not match their points")
    return _one_piece(shapely.intersection(parts, containers[group]), points, group)


def _lloyd(points: np.ndarray, group: np.ndarray, containers: np.ndarray, rounds: int):
    """Cells after ``rounds`` Lloyd relaxations: evens out village sizes like real ones."""
    cells = _cells(points, group, containers)
    for _round in range(rounds):
        points = _inner_points(cells)
        cells = _cells(points, group, containers)
    return points, cells


def _township_names(rng: np.random.Generator, t: int, county_name: str) -> list[str]:
    taken = {county_name[:-1]}
    out = []
    while len(out) < t:
        if rng.random() < 0.55:
            a, b = rng.choice(len(nm.PLACE_CHARS), size=2, replace=False)
            stem = nm.PLACE_CHARS[a] + nm.PLACE_CHARS[b]
        else:  # 李集, 王庄, 曹村 …: the market-town pattern of the Huaibei plain
            stem = nm.SURNAMES[_surname_index(rng)] + "集庄楼店桥湖"[rng.integers(6)]
        if stem in taken:
            continue
        taken.add(stem)
        out.append(stem + ("乡" if rng.random() < 0.15 else "镇"))
    return out


def _county_seat(rng: np.random.Generator, c: _County, region: shapely.Geometry) -> np.ndarray:
    """Near the middle of the county, inside it."""
    centre = shapely.centroid(c.outline)
    if not shapely.contains(region, centre):
        centre = shapely.point_on_surface(region)
    centre = shapely.get_coordinates(centre)[0]
    for _try in range(100):
        seat = centre + rng.uniform(-0.08, 0.08, size=2) * c.scale
        if shapely.contains_xy(region, *seat):
            return seat
    return centre


def _build_townships(c: _County, rng: np.random.Generator) -> None:
    """County seat, township ids, names, seats and polygons."""
    inset = shapely.buffer(c.outline, -0.05 * c.scale)  # seats kept off the very edge
    region = inset if inset.area > 0.2 * c.outline.area else c.outline
    c.seat = _county_seat(rng, c, region)
    t = len(c.real) if c.real is not None else None
    if t is None:
        t = max(1, min(round(c.n_villages / VILLAGES_PER_TOWNSHIP), c.n_villages // 2))
    seats = _spread_points(rng, t, region)
    # Number townships north to south, west to east, as code tables tend to be.
    order = np.lexsort((seats[:, 0], -np.round(seats[:, 1] / (c.scale / 6))))
    c.t_seats = seats[order]
    c.t_polys = _cells(c.t_seats, np.zeros(t, dtype=int), np.array([c.outline]))
    if c.real is not None:
        # Real townships hold 4 to 30 villages: the larger cells go to those with more, so that
        # villages come out of similar size.
        by_area = np.argsort(-shapely.area(c.t_polys), kind="stable")
        by_count = np.argsort([-len(town.villages) for town in c.real], kind="stable")
        cell = np.empty(t, dtype=int)
        cell[by_count] = by_area
        c.t_seats, c.t_polys = c.t_seats[cell], c.t_polys[cell]
        c.t_ids = [town.code for town in c.real]
        c.t_names = [town.name for town in c.real]
    else:
        c.t_names = _township_names(rng, t, c.name)
        town_no, xiang_no = 100, 200
        for name in c.t_names:
            if name.endswith("乡"):
                c.t_ids.append(f"{c.code}{xiang_no:03d}")
                xiang_no += 1
            else:
                c.t_ids.append(f"{c.code}{town_no:03d}")
                town_no += 1
    inside = shapely.contains_xy(c.t_polys, c.seat[0], c.seat[1])
    c.seat_township = int(np.argmax(inside)) if inside.any() else 0


def _real_villages_kept(
    rng: np.random.Generator, towns: tuple[ref.RealTownship, ...], n: int
) -> list[list[ref.RealVillage]]:
    """Each township's real villages when the county has room for only ``n`` of them: a random
    subset, at least two a township (one where there are fewer than two a township to give)."""
    kept = [list(town.villages) for town in towns]
    drop = sum(len(k) for k in kept) - n
    if drop <= 0:
        return kept
    floor = min(2, n // len(towns))
    count = [len(k) for k in kept]
    gone: set[tuple[int, int]] = set()
    everyone = [(i, j) for i, k in enumerate(kept) for j in range(len(k))]
    for x in rng.permutation(len(everyone)):
        i, j = everyone[x]
        if drop and count[i] > floor:
            gone.add((i, j))
            count[i] -= 1
            drop -= 1
    return [[v for j, v in enumerate(k) if (i, j) not in gone] for i, k in enumerate(kept)]


def _build_villages(c: _County, rng: np.random.Generator) -> None:
    """Village polygons, ids and names: real ones first, synthetic ones where the county has more
    villages than it really has."""
    t = len(c.t_ids)
    area = shapely.area(c.t_polys) * rng.lognormal(0.0, 0.25, size=t)
    if c.real is not None:
        kept = _real_villages_kept(rng, c.real, c.n_villages)
        extra_total = c.n_villages - sum(len(k) for k in kept)
        extra = _capped_shares(extra_total, area, EXTRA_VILLAGES_PER_TOWNSHIP)
        counts = np.array([len(k) for k in kept]) + extra
    else:  # villages per township: proportional to area with some noise, at least 2 each
        counts = _largest_remainder(c.n_villages, area, minimum=min(2, c.n_villages // t))
    pts = np.vstack([_points_in(rng, c.t_polys[i], counts[i]) for i in range(t)])
    group = np.repeat(np.arange(t), counts)
    _, cells = _lloyd(pts, group, c.t_polys, rounds=2)
    xy = _inner_points(cells)

    # Communities (社区) take the cells nearest the township seat, villages the others in reading
    # order: real ones by their code, made-up ones (numbered 600… here, 201… in made-up
    # townships, whose communities are 001…) in random places among them.
    v_ids, v_names, v_kind, v_order = [], [], [], []
    start = 0
    for i in range(t):
        idx = np.arange(start, start + counts[i])
        start += counts[i]
        near = idx[np.argsort(np.hypot(*(xy[idx] - c.t_seats[i]).T), kind="stable")]
        if c.real is not None:
            comm = [v for v in kept[i] if v.community]
            real = [v for v in kept[i] if not v.community]
            cells_comm = list(near[: len(comm)])
            rest = _reading_order([j for j in idx if j not in cells_comm], xy)
            slots = np.zeros(len(rest), dtype=bool)
            slots[_pick_k(rng, len(rest), int(extra[i]))] = True
            taken = {v.name for v in kept[i]}
            names = iter(_village_names(rng, int(extra[i]), 0, c.t_names[i], taken))
            real_iter, k_extra = iter(real), 0
            for j, v in zip(cells_comm, comm, strict=True):
                v_ids.append(v.code)
                v_names.append(v.name)
                v_kind.append("community")
                v_order.append(j)
            for j, synthetic in zip(rest, slots, strict=True):
                if synthetic:
                    v_ids.append(f"{c.t_ids[i]}{EXTRA_VILLAGE_FIRST + k_extra:03d}")
                    v_names.append(next(names))
                    k_extra += 1
                else:
                    v = next(real_iter)
                    v_ids.append(v.code)
                    v_names.append(v.name)
                v_kind.append("ordinary")
                v_order.append(j)
            continue
        n_comm = int(rng.random() < 0.75) + int(len(idx) >= 12 and rng.random() < 0.1)
        n_comm = min(n_comm, len(idx) - 1)
        comm_cells = list(near[:n_comm])
        rest = _reading_order([j for j in idx if j not in comm_cells], xy)
        names = _village_names(rng, len(rest), n_comm, c.t_names[i])
        for k, j in enumerate(comm_cells):
            v_ids.append(f"{c.t_ids[i]}{k + 1:03d}")
            v_names.append(names[len(rest) + k])
            v_kind.append("community")
            v_order.append(j)
        for k, j in enumerate(rest):
            v_ids.append(f"{c.t_ids[i]}{k + 201:03d}")
            v_names.append(names[k])
            v_kind.append("ordinary")
            v_order.append(j)
    # Villages sorted by id (the real codes of five towns of 埇桥区 do not begin with their
    # township's id, see reference.py, so the id order is not the township order).
    by_id = np.argsort(np.array(v_ids), kind="stable")
    o = np.array(v_order)[by_id]
    c.v_ids = [v_ids[k] for k in by_id]
    c.v_names = [v_names[k] for k in by_id]
    c.v_kind = [v_kind[k] for k in by_id]
    c.v_town, c.v_polys, c.v_xy = group[o], cells[o], xy[o]


def _reading_order(idx: list[int], xy: np.ndarray) -> list[int]:
    """North to south in 2.5 km bands, west to east within a band."""
    return sorted(idx, key=lambda j: (-round(xy[j, 1] / 2500), xy[j, 0]))


def _build_geometry(c: _County, seed: int) -> None:
    """Township seats and polygons, village polygons, village ids and names."""
    rng = _rng(seed, c.index, 0)
    _build_townships(c, rng)
    _build_villages(c, rng)


def _surname_index(rng: np.random.Generator) -> int:
    # Zipf-like: the head of the list (王李张刘陈) is far more common than the tail.
    n = len(nm.SURNAMES)
    return min(int(rng.pareto(1.1) * 6), n - 1) if rng.random() < 0.9 else int(rng.integers(n))


def _village_names(
    rng: np.random.Generator, n: int, n_comm: int, township: str, taken: set[str] | None = None
) -> list[str]:
    """n village names then n_comm community names, all distinct and none of ``taken``."""
    out: list[str] = []
    taken = set(taken or ())
    while len(out) < n:
        s = nm.SURNAMES[_surname_index(rng)]
        p = rng.random()
        if p < 0.55:
            base = s + nm.VILLAGE_SUFFIXES[rng.integers(len(nm.VILLAGE_SUFFIXES))]
        elif p < 0.70:
            base = nm.VILLAGE_PREFIXES[rng.integers(len(nm.VILLAGE_PREFIXES))] + s
        elif p < 0.82:
            base = (
                nm.VILLAGE_PREFIXES[rng.integers(len(nm.VILLAGE_PREFIXES))]
                + s
                + nm.VILLAGE_SUFFIXES[rng.integers(len(nm.VILLAGE_SUFFIXES))]
            )
        elif p < 0.92:
            base = nm.VILLAGE_PLACE_WORDS[rng.integers(len(nm.VILLAGE_PLACE_WORDS))]
        else:
            base = s + "家" + nm.VILLAGE_SUFFIXES[rng.integers(len(nm.VILLAGE_SUFFIXES))]
        name = base if base.endswith("村") else base + "村"
        if name not in taken:
            taken.add(name)
            out.append(name)
    stem = township[:-1] if township[-1] in "镇乡" else township
    comm = [stem + "社区"] if len(stem) <= 3 else []
    words = list(nm.COMMUNITY_WORDS)
    while len(comm) < n_comm:
        w = words.pop(int(rng.integers(len(words))))
        comm.append(w + "社区")
    return out + comm[:n_comm]


# --------------------------------------------------------------------------------------------
# Roads


def _jitter_line(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> shapely.LineString:
    """A road from a to b with one bend, ends exact so roads meet at their nodes."""
    v = b - a
    normal = np.array([-v[1], v[0]])
    mid = (a + b) / 2 + normal * rng.uniform(-0.08, 0.08)
    return shapely.LineString(np.vstack([a, mid, b]))


def _network_edges(
    rng: np.random.Generator, nodes: np.ndarray
) -> Iterator[tuple[int, int, float, float]]:
    """The edges (i, j, length, median length) of a road network joining the nodes: the
    minimum spanning tree of their Delaunay graph keeps it connected; some further short
    Delaunay edges add the loops real networks have."""
    n = len(nodes)
    if n < 2:
        return
    if n < 4:
        edges = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=int)
    else:
        tri = Delaunay(nodes).simplices
        e = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]])
        edges = np.unique(np.sort(e, axis=1), axis=0)
    length = np.hypot(*(nodes[edges[:, 0]] - nodes[edges[:, 1]]).T)
    g = coo_matrix((length, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    mst = minimum_spanning_tree(g).tocoo()
    in_mst = {(min(i, j), max(i, j)) for i, j in zip(mst.row, mst.col, strict=True)}
    med = float(np.median(length))
    for (i, j), ln in zip(edges, length, strict=True):
        if (int(i), int(j)) in in_mst or (ln < 1.2 * med and rng.random() < 0.35):
            yield int(i), int(j), float(ln), med


def _county_roads(c: _County, seed: int) -> None:
    """Provincial and county roads joining the county seat and township seats."""
    rng = _rng(seed, c.index, 1)
    nodes = np.vstack([c.seat[None, :], c.t_seats])
    s_no = [f"S{x}" for x in rng.permutation(np.arange(201, 499))[:200]]
    x_no = [f"X{x:03d}" for x in rng.permutation(np.arange(1, 999))]
    for i, j, ln, med in _network_edges(rng, nodes):
        provincial = i == 0 or (ln > med and rng.random() < 0.15)
        name = s_no.pop() if provincial else x_no.pop()
        line = _jitter_line(rng, nodes[i], nodes[j])
        c.roads.append((name, "provincial" if provincial else "county", line))


def _edge_point(poly: shapely.Polygon, start: np.ndarray, direction: tuple[int, int]) -> np.ndarray:
    """Where a ray from ``start`` (inside ``poly``) first leaves ``poly``."""
    xmin, ymin, xmax, ymax = poly.bounds
    reach = 2 * math.hypot(xmax - xmin, ymax - ymin)
    ray = shapely.LineString([start, start + np.array(direction) * reach])
    pts = shapely.get_coordinates(shapely.intersection(ray, poly.exterior))
    d = np.hypot(*(pts - start).T)
    pts, d = pts[d > 1.0], d[d > 1.0]
    return pts[np.argmin(d)] if len(pts) else start + np.array(direction) * 0.05 * reach


def _trunk_roads(counties: list[_County], seed: int) -> list[tuple[str, str, object]]:
    """National roads across every county through its seat (west-east and north-south, to the
    county's edge), and provincial links between county seats that connect the network: the
    minimum spanning tree of the seats' Delaunay graph, and some further short edges."""
    rng = _rng(seed, 1_000_000, 0)
    band = 60_000.0  # seats within a band share their road's number, as if it ran on
    rows = sorted({round(c.seat[1] / band) for c in counties}, reverse=True)  # north first
    cols = sorted({round(c.seat[0] / band) for c in counties})

    def name(pool: tuple[str, ...], i: int, base: int) -> str:
        return pool[i] if i < len(pool) else f"G{base + i}"

    out: list[tuple[str, str, object]] = []
    for c in counties:
        ew = name(nm.NATIONAL_EAST_WEST, rows.index(round(c.seat[1] / band)), 350)
        ns = name(nm.NATIONAL_NORTH_SOUTH, cols.index(round(c.seat[0] / band)), 250)
        for g, direction in ((ew, (-1, 0)), (ew, (1, 0)), (ns, (0, 1)), (ns, (0, -1))):
            end = _edge_point(c.outline, c.seat, direction)
            out.append((g, "national", _jitter_line(rng, c.seat, end)))
    seats = np.array([c.seat for c in counties])
    for s_no, (i, j, _a, _b) in enumerate(_network_edges(rng, seats), start=101):
        out.append((f"S{s_no}", "provincial", _jitter_line(rng, seats[i], seats[j])))
    return out


# --------------------------------------------------------------------------------------------
# Township adjacency


def _township_neighbours(polys: np.ndarray, min_shared_m: float = 200.0) -> np.ndarray:
    """Pairs (i, j), i < j, of polygons sharing a border of at least ``min_shared_m`` metres.

    Polygons are grown by 1 m so that borders computed separately (across county lines) still
    meet; the overlap of two grown neighbours is a ~2 m strip, so its area measures the shared
    border, while cells touching at a corner only overlap by a few m².
    """
    grown = shapely.buffer(polys, 1.0, quad_segs=2)
    tree = shapely.STRtree(grown)
    i, j = tree.query(grown, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    overlap = shapely.area(shapely.intersection(grown[i], grown[j]))
    keep = overlap > 2.0 * min_shared_m
    return np.column_stack([i[keep], j[keep]])


# --------------------------------------------------------------------------------------------
# People, postings and plans


class _Ids:
    """Unique serial numbers for one county: 6-digit police numbers, FJ auxiliary numbers."""

    def __init__(self, rng: np.random.Generator, county: int, need: int):
        width = max(4, len(str(3 * need)))
        self.prefix = f"{10 + county:02d}"  # 10… for county 1: never a leading zero
        self.width = width
        self.pool = list(rng.choice(10**width, size=min(10**width, need + 256), replace=False))

    def next(self) -> str:
        return f"{self.prefix}{int(self.pool.pop()):0{self.width}d}"


def _person(rng: np.random.Generator, male_share: float) -> str:
    s = nm.SURNAMES[_surname_index(rng)]
    chars = nm.GIVEN_MALE if rng.random() < male_share else nm.GIVEN_FEMALE
    k = 1 if rng.random() < 0.3 else 2
    return s + "".join(chars[i] for i in rng.integers(len(chars), size=k))


def _phone(rng: np.random.Generator) -> str:
    return nm.MOBILE_PREFIXES[rng.integers(len(nm.MOBILE_PREFIXES))] + f"{rng.integers(10**8):08d}"


def _station(township_name: str) -> str:
    stem = township_name[:-1] if township_name.endswith("镇") else township_name
    return stem + "派出所"


def _fmt(x: float, nd: int = 6) -> str:
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pick_k(rng: np.random.Generator, n: int, k: int, p: np.ndarray | None = None) -> np.ndarray:
    """k distinct indices of n, optionally weighted."""
    k = min(k, n)
    if p is not None:
        p = p / p.sum()
    return rng.choice(n, size=k, replace=False, p=p) if k else np.zeros(0, dtype=int)


def _populate(c: _County, majors: shapely.Geometry, nbrs: list[list[int]], seed: int) -> None:
    """Village attributes, officers, auxiliaries, history, plans and overrides of one county."""
    rng = _rng(seed, c.index, 2)
    n, t = len(c.v_ids), len(c.t_ids)
    town_v = [np.flatnonzero(c.v_town == i) for i in range(t)]
    station_id = [f"PS{tid}" for tid in c.t_ids]

    # --- villages: people and crime concentrate at township seats and along trunk roads.
    d_seat = np.hypot(*(c.v_xy - c.t_seats[c.v_town]).T) / 1000
    d_road = shapely.distance(shapely.points(c.v_xy), majors) / 1000
    kind = np.array(c.v_kind, dtype=object)
    comm = kind == "community"
    pop = np.clip(rng.lognormal(np.log(2300), 0.45, size=n), 600, 6000)
    pop[comm] = np.clip(pop[comm] * 1.6, 600, 6000)
    pop = np.round(pop / 10) * 10
    rate = (pop / 2500) * (1.2 + 7 * np.exp(-d_seat / 2.5) + 4 * np.exp(-d_road / 1.0))
    cases = rng.poisson(rate * rng.lognormal(-0.15, 0.7, size=n))
    ordinary = np.flatnonzero(~comm)
    key = ordinary[_pick_k(rng, len(ordinary), round(0.15 * n), cases[ordinary] + 2.0)]
    kind[key] = "key"
    complex_ = np.zeros(n, dtype=bool)
    complex_[_pick_k(rng, n, round(0.10 * n), 1 + cases / 5)] = True
    lon, lat = _to_lonlat(c.v_xy)
    c.villages = [
        {
            "village_id": c.v_ids[v],
            "name": c.v_names[v],
            "township_id": c.t_ids[c.v_town[v]],
            "station_id": station_id[c.v_town[v]],
            "kind": str(kind[v]),
            "cases": str(int(cases[v])),
            "complex": "true" if complex_[v] else "false",
            "population": str(int(pop[v])),
            "lon": f"{lon[v]:.6f}",
            "lat": f"{lat[v]:.6f}",
        }
        for v in range(n)
    ]

    # Separate streams: village attributes depend on the trunk roads (and so on the layout);
    # people do not, and must not shift when a Poisson draw takes more random numbers.
    _officers(c, _rng(seed, c.index, 3), town_v)
    _auxiliaries(c, _rng(seed, c.index, 4), town_v, nbrs)


@functools.cache
def _transformer() -> Transformer:
    # Building a Transformer costs ~0.1 s (PROJ database look-up): build it once.
    return Transformer.from_crs(CRS_METRIC, CRS_LONLAT, always_xy=True)


def _to_lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _transformer().transform(xy[:, 0], xy[:, 1])


def _officers(c: _County, rng: np.random.Generator, town_v: list) -> None:
    """Officers (~1 per 2.5 villages), last year's officer plan and the pair overrides."""
    n, t = len(c.v_ids), len(c.t_ids)
    m = max(1, round(n / 2.5))
    ids = _Ids(rng, c.index, 2 * m + 64)
    shares = np.array([s for _, s in CATEGORY_SHARES])
    cat_counts = _largest_remainder(m, shares)
    cats = [
        name for (name, _), k in zip(CATEGORY_SHARES, cat_counts, strict=True) for _ in range(k)
    ]
    # Station officers over townships in proportion to villages (at least one each when enough).
    n_station = int(cat_counts[0])
    v_per_t = np.array([len(x) for x in town_v], dtype=float)
    st_towns = (
        np.repeat(np.arange(t), _largest_remainder(n_station, v_per_t, minimum=1))
        if n_station >= t
        else np.sort(_pick_k(rng, t, n_station, v_per_t))
    )

    off: list[dict] = []

    def new_officer(cat: str, base_t: int | None) -> dict:
        days = float(rng.integers(12, 25)) / 2  # 6.0 … 12.0 in half days
        return {
            "id": ids.next(),
            "cat": cat,
            "base_t": base_t,  # station township, or None for the county seat
            "days": days,
            "maxv": int(rng.integers(3, 6)) if rng.random() < 0.7 else None,
            "active": True,
        }

    k_station = 0
    for cat in cats:
        if cat == "station":
            off.append(new_officer(cat, int(st_towns[k_station])))
            k_station += 1
        else:
            off.append(new_officer(cat, None))
    # ~2 % are about to leave (at least one from 10 officers up, so the sample has orphans).
    for j in _pick_k(rng, len(off), round(0.02 * len(off)) or int(len(off) >= 10)):
        off[j]["active"] = False

    def base_xy(o: dict) -> np.ndarray:
        return c.seat if o["base_t"] is None else c.t_seats[o["base_t"]]

    # Capacity certificate: all villages fit the active officers using only 1/SLACK of their
    # days. Where the greedy fails, the county gets another station officer and tries again.
    for _try in range(100):
        act = [o for o in off if o["active"]]
        bxy = np.array([base_xy(o) for o in act], dtype=float).reshape(-1, 2)
        days = np.array([o["days"] for o in act]) / SLACK
        maxv = np.array([o["maxv"] or 10**6 for o in act])
        order = rng.permutation(n)
        assign, _ = _greedy(order, c.v_xy, bxy, days, maxv, penalty_m=0.0)
        failed = np.flatnonzero(assign < 0)
        if len(failed) == 0:
            break
        for tw in sorted({int(c.v_town[v]) for v in failed}):
            o = new_officer("station", tw)
            o["maxv"] = None
            off.append(o)
    else:
        raise RuntimeError(f"county {c.code}: cannot reach the capacity slack")
    d_near = np.hypot(
        c.v_xy[:, None, 0] - bxy[None, :, 0], c.v_xy[:, None, 1] - bxy[None, :, 1]
    ).min(axis=1)
    c.capacity_days = float(sum(o["days"] for o in off if o["active"]))
    c.need_days = float(np.sum(_workload(d_near)))

    # Attributes that drive the soft rules.
    m = len(off)
    for o in off:
        o["native_t"] = None
        o["native_v"] = None
        share = 0.7 if o["cat"] == "organ" else 0.3
        if rng.random() < share:
            o["native_t"] = int(rng.integers(t))
            if rng.random() < 0.5:
                vs = town_v[o["native_t"]]
                o["native_v"] = int(vs[rng.integers(len(vs))])
        k = int(rng.choice(4, p=[0.45, 0.30, 0.15, 0.10]))
        base_t = o["base_t"] if o["base_t"] is not None else c.seat_township
        others = [x for x in range(t) if x != base_t]
        o["former"] = [others[i] for i in _pick_k(rng, len(others), k)]
        o["selected_v"] = None
    for j in _pick_k(rng, m, max(1, round(0.05 * m))):
        off[j]["selected_v"] = int(rng.integers(n))
    for o in off:
        o["prefs"] = []
        if rng.random() >= 0.6:
            continue
        base_t = o["base_t"] if o["base_t"] is not None else c.seat_township
        pool = [x for x in (o["native_t"], *o["former"], base_t) if x is not None]
        for _ in range(int(rng.integers(1, 4))):
            tw = pool[rng.integers(len(pool))] if rng.random() < 0.75 else int(rng.integers(t))
            if rng.random() < 0.5:
                pid = c.t_ids[tw]
            else:
                vs = town_v[tw]
                pid = c.v_ids[vs[rng.integers(len(vs))]]
            if pid not in o["prefs"]:
                o["prefs"].append(pid)

    # Last year's plan: every village with an officer (leaving ones too), near and balanced;
    # selected cadres (选派干部) already hold their village.
    bxy = np.array([base_xy(o) for o in off])
    days = np.array([o["days"] for o in off])
    maxv = np.array([o["maxv"] or 10**6 for o in off])
    pre = np.full(n, -1)
    for j, o in enumerate(off):
        if o["selected_v"] is not None and pre[o["selected_v"]] < 0:
            pre[o["selected_v"]] = j
    assign, _ = _greedy(rng.permutation(n), c.v_xy, bxy, days, maxv, 8000.0, pre)
    for v in np.flatnonzero(assign < 0):  # roughly respecting capacity: nearest officer
        assign[v] = int(np.argmin(np.hypot(*(bxy - c.v_xy[v]).T)))
    c.plan_officers = [
        {"village_id": c.v_ids[v], "officer_id": off[assign[v]]["id"]} for v in range(n)
    ]

    lon, lat = _to_lonlat(c.seat[None, :])
    for o in off:
        cat = o["cat"]
        if cat == "station":
            unit = _station(c.t_names[o["base_t"]])
        elif cat == "organ":
            unit = nm.ORGAN_UNITS[rng.integers(len(nm.ORGAN_UNITS))]
        else:
            unit = nm.CATEGORY_UNITS[cat]
        o["row"] = {
            "officer_id": o["id"],
            "name": _person(rng, 0.85),
            "category": cat,
            "county_id": c.code,
            "unit": unit,
            "phone": _phone(rng),
            "native_township_id": "" if o["native_t"] is None else c.t_ids[o["native_t"]],
            "native_village_id": "" if o["native_v"] is None else c.v_ids[o["native_v"]],
            "former_township_ids": ";".join(c.t_ids[x] for x in o["former"]),
            "selected_village_id": "" if o["selected_v"] is None else c.v_ids[o["selected_v"]],
            "preferences": ";".join(o["prefs"]),
            "available_days": f"{o['days']:.1f}",
            "max_villages": "" if o["maxv"] is None else str(o["maxv"]),
            "base_lon": "" if o["base_t"] is not None else f"{lon[0]:.6f}",
            "base_lat": "" if o["base_t"] is not None else f"{lat[0]:.6f}",
            "base_township_id": "" if o["base_t"] is None else c.t_ids[o["base_t"]],
            "status": "active" if o["active"] else "leaving",
        }
    c.officers = [o["row"] for o in off]

    # A handful of planners' overrides: conflicts of interest, known long trips, a bonus.
    pairs: dict[tuple[str, str], dict[str, str]] = {}

    def add(j: int, v: int, **kw: str) -> None:
        key = (off[j]["id"], c.v_ids[v])
        if key not in pairs:
            row = {"workload_days": "", "score": "", "forbidden": "false"}
            row.update(kw)
            pairs[key] = {"officer_id": key[0], "village_id": key[1], **row}

    natives = [j for j, o in enumerate(off) if o["native_v"] is not None]
    if natives:  # 回避: an officer's own home village
        j = natives[rng.integers(len(natives))]
        add(j, off[j]["native_v"], forbidden="true")
    stations = [j for j, o in enumerate(off) if o["cat"] == "station"]
    if stations:
        j = stations[rng.integers(len(stations))]
        vs = town_v[off[j]["base_t"]]
        add(j, int(vs[rng.integers(len(vs))]), forbidden="true")
    seat_based = [j for j, o in enumerate(off) if o["base_t"] is None]
    far = np.argsort(-np.hypot(*(c.v_xy - c.seat).T), kind="stable")[: max(4, n // 10)]
    for _ in range(2 if seat_based else 0):  # across the river: the road is longer than it looks
        j = seat_based[rng.integers(len(seat_based))]
        v = int(far[rng.integers(len(far))])
        w = float(_workload(np.hypot(*(c.v_xy[v] - c.seat)))) + 1.0
        add(j, v, workload_days=_fmt(round(w * 2) / 2))
    j = int(rng.integers(m))
    base_t = off[j]["base_t"] if off[j]["base_t"] is not None else c.seat_township
    vs = town_v[base_t]
    add(j, int(vs[rng.integers(len(vs))]), score="5")
    c.pairs = list(pairs.values())


def _greedy(
    order: np.ndarray,
    vxy: np.ndarray,
    bxy: np.ndarray,
    days: np.ndarray,
    maxv: np.ndarray,
    penalty_m: float,
    pre: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Villages in ``order`` to the nearest officer with room (days and count); ``penalty_m``
    metres per village already held spread the load. Returns officer per village (-1: none)."""
    m = len(bxy)
    used = np.zeros(m)
    count = np.zeros(m, dtype=int)
    assign = np.full(len(vxy), -1) if pre is None else pre.copy()
    for v in np.flatnonzero(assign >= 0):
        j = assign[v]
        used[j] += _workload(np.hypot(*(bxy[j] - vxy[v])))
        count[j] += 1
    for v in order:
        if assign[v] >= 0:
            continue
        d = np.hypot(bxy[:, 0] - vxy[v, 0], bxy[:, 1] - vxy[v, 1])
        w = _workload(d)
        ok = (used + w <= days + 1e-9) & (count < maxv)
        if not ok.any():
            continue
        j = int(np.argmin(np.where(ok, d + penalty_m * count, np.inf)))
        assign[v] = j
        used[j] += w[j]
        count[j] += 1
    return assign, used


def _auxiliaries(c: _County, rng: np.random.Generator, town_v: list, nbrs: list[list[int]]) -> None:
    """Auxiliaries (~1.1 per village), their service history and the current postings."""
    n, t = len(c.v_ids), len(c.t_ids)
    # Every township has more auxiliaries than villages, and every village is someone's home
    # before any village is home to two: a posting within the own township then always exists.
    homes, home_t = [], []
    for i in range(t):
        vs = town_v[i]
        k = len(vs) + max(1, round(0.1 * len(vs)))
        h = np.concatenate([rng.permutation(vs), rng.choice(vs, size=k - len(vs))])
        homes.append(h)
        home_t.append(np.full(k, i))
    home = np.concatenate(homes)
    home_t = np.concatenate(home_t)
    a = len(home)
    ids = _Ids(rng, c.index, a)
    aux_ids = [f"FJ{ids.next()}" for _ in range(a)]

    # Allowed (village, auxiliary) pairs: own or neighbouring township (same county), not home.
    tp = [(i, i, 0) for i in range(t)] + [(i, u, 1) for i in range(t) for u in nbrs[i]]
    tp_df = pd.DataFrame(tp, columns=["vt", "at", "nbr"])
    v_df = pd.DataFrame({"v": np.arange(n), "vt": c.v_town})
    a_df = pd.DataFrame({"a": np.arange(a), "at": home_t, "home": home})
    e = v_df.merge(tp_df, on="vt").merge(a_df, on="at")
    e = e[e["v"] != e["home"]].sort_values(["v", "a"], kind="stable").reset_index(drop=True)
    ev, ea, enb = e["v"].to_numpy(), e["a"].to_numpy(), e["nbr"].to_numpy()

    # Current postings: a min-cost matching, own township cheaper than a neighbour, with noise.
    w = 1.0 + 0.15 * enb + rng.random(len(e))
    row, col = min_weight_full_bipartite_matching(csr_matrix((w, (ev, ea)), shape=(n, a)))
    cur = np.full(n, -1)
    cur[row] = col
    if (cur < 0).any():
        raise RuntimeError(f"county {c.code}: no auxiliary for some village")
    # A quarter of postings began before 2024 and will exceed a 3-year tenure by 2027-01.
    old = rng.random(n) < 0.25
    start = np.where(
        old,
        rng.integers(_mi(2021, 1), _mi(2023, 10) + 1, size=n),
        rng.integers(_mi(2024, 3), _mi(2026, 6) + 1, size=n),
    )
    aux_start = np.full(a, -1)
    aux_start[cur] = start
    hist = [(cur[v], v, start[v], None) for v in range(n)]

    # Earlier postings, ended before the successor started; one per auxiliary at most, and
    # before that auxiliary's own current posting.
    first = np.searchsorted(ev, np.arange(n + 1))
    had_prev = np.zeros(a, dtype=bool)
    for v in np.flatnonzero(rng.random(n) < 0.6):
        cand = ea[first[v] : first[v + 1]]
        for x in cand[rng.permutation(len(cand))[:8]]:
            if x == cur[v] or had_prev[x]:
                continue
            limit = start[v] if aux_start[x] < 0 else min(start[v], aux_start[x])
            end = limit - 1 - int(rng.integers(0, 3))
            begin = max(end - int(rng.integers(12, 40)), _mi(2015, 1))
            if end - begin < 6:
                continue
            had_prev[x] = True
            hist.append((x, v, begin, end))
            break
    earliest = np.full(a, TODAY - 1)
    for x, _village, s, _end in hist:
        earliest[x] = min(earliest[x], s)

    leaving = np.zeros(a, dtype=bool)
    leaving[_pick_k(rng, a, max(1, round(0.03 * a)))] = True
    recommended: list[list[int]] = [[] for _ in range(a)]
    first_a = np.argsort(ea, kind="stable")
    ea_sorted = ea[first_a]
    bounds = np.searchsorted(ea_sorted, np.arange(a + 1))
    for x in np.flatnonzero(rng.random(a) < 0.3):
        vs = ev[first_a[bounds[x] : bounds[x + 1]]]
        recommended[x] = [int(vs[i]) for i in _pick_k(rng, len(vs), int(rng.integers(1, 3)))]
    c.auxiliaries = [
        {
            "auxiliary_id": aux_ids[x],
            "name": _person(rng, 0.6),
            "county_id": c.code,
            "home_village_id": c.v_ids[home[x]],
            "unit": _station(c.t_names[home_t[x]]),
            "phone": _phone(rng),
            "status": "leaving" if leaving[x] else "active",
            "recommended_village_ids": ";".join(c.v_ids[v] for v in recommended[x]),
            "hired": _month(int(rng.integers(_mi(2012, 1), earliest[x] + 1))),
        }
        for x in range(a)
    ]
    c.aux_history = [
        {
            "auxiliary_id": aux_ids[x],
            "village_id": c.v_ids[v],
            "start": _month(int(s)),
            "end": "" if end is None else _month(int(end)),
        }
        for x, v, s, end in hist
    ]
    c.plan_auxiliaries = [
        {"village_id": c.v_ids[v], "auxiliary_id": aux_ids[cur[v]]} for v in range(n)
    ]


# --------------------------------------------------------------------------------------------
# Writing


def _write_csv(path: Path, table: str, rows: list[dict[str, str]], sort: list[str]) -> None:
    """Columns in schema order (only those the rows carry), rows sorted by key, "\\n" lines."""
    cols = [col.name for col in TABLES[table].columns if rows and col.name in rows[0]]
    if not rows:
        cols = [col.name for col in TABLES[table].columns if col.required]
    df = pd.DataFrame(rows, columns=cols, dtype=object)
    df = df.sort_values(sort, kind="stable") if len(df) else df
    df.to_csv(path / f"{table}.csv", index=False, lineterminator="\n", encoding="utf-8")


def _write_geo(path: Path, counties: list[_County], roads: list[tuple[str, str, object]]) -> None:
    gpkg = path / GEO_FILE
    gpkg.unlink(missing_ok=True)  # layers are appended below; start from an empty file
    towns = gpd.GeoDataFrame(
        {
            "township_id": [x for c in counties for x in c.t_ids],
            "name": [x for c in counties for x in c.t_names],
        },
        geometry=np.concatenate([c.t_polys for c in counties]),
        crs=CRS_METRIC,
    )
    vills = gpd.GeoDataFrame(
        {
            "village_id": [x for c in counties for x in c.v_ids],
            "name": [x for c in counties for x in c.v_names],
        },
        geometry=np.concatenate([c.v_polys for c in counties]),
        crs=CRS_METRIC,
    )
    rds = gpd.GeoDataFrame(
        {"name": [r[0] for r in roads], "class": [r[1] for r in roads]},
        geometry=[r[2] for r in roads],
        crs=CRS_METRIC,
    )
    for layer, gdf, key in (
        ("townships", towns, "township_id"),
        ("villages", vills, "village_id"),
        ("roads", rds, None),
    ):
        if key:
            gdf = gdf.sort_values(key, kind="stable")
        gdf.to_crs(CRS_LONLAT).to_file(gpkg, layer=layer, driver="GPKG", engine="pyogrio")


def generate_bundle(
    out: str | Path, villages: int | None = None, counties: int | None = None, seed: int = 0
) -> dict[str, int]:
    """Write a bundle of ``villages`` villages in ``counties`` counties to ``out``.

    ``villages`` None: the real counties with all their real villages, made-up ones with 400
    each; ``counties`` None: one per ~400 villages (one when ``villages`` is None too). Returns
    the counts written: villages, townships, counties, officers, auxiliaries. Same arguments,
    same CSV bytes.
    """
    cs = _generate(out, villages, counties, seed)
    return {
        "villages": sum(len(c.v_ids) for c in cs),
        "townships": sum(len(c.t_ids) for c in cs),
        "counties": len(cs),
        "officers": sum(len(c.officers) for c in cs),
        "auxiliaries": sum(len(c.auxiliaries) for c in cs),
    }


def _generate(
    out: str | Path, villages: int | None, counties: int | None, seed: int
) -> list[_County]:
    if counties is not None:
        k = int(counties)
    elif villages is None:
        k = 1
    else:
        k = max(1, round(int(villages) / VILLAGES_PER_COUNTY))
    if k < 1:
        raise ValueError(_("counties must be at least 1"))
    if villages is not None and int(villages) < 2 * k:
        raise ValueError(
            _("{villages} villages are too few for {k} counties (2 a county at least)").format(
                villages=villages, k=k
            )
        )
    cs = _make_counties(None if villages is None else int(villages), k)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    for c in cs:
        _build_geometry(c, seed)
        _county_roads(c, seed)
    roads = [r for c in cs for r in c.roads] + _trunk_roads(cs, seed)

    # Township adjacency over the whole bundle (across county lines too).
    all_polys = np.concatenate([c.t_polys for c in cs])
    owner = np.concatenate([np.full(len(c.t_ids), i) for i, c in enumerate(cs)])
    offset = np.cumsum([0] + [len(c.t_ids) for c in cs])
    pairs = _township_neighbours(all_polys)
    all_tids = [x for c in cs for x in c.t_ids]
    nbr_rows = []
    for i, j in pairs:
        a, b = sorted((all_tids[i], all_tids[j]))  # each pair once, smaller id first
        nbr_rows.append({"township_id": a, "neighbour_id": b})

    # Auxiliaries serve their own county only: each county gets its inner adjacency lists.
    local: list[list[list[int]]] = [[[] for _ in c.t_ids] for c in cs]
    for i, j in pairs:
        ci = owner[i]
        if owner[j] == ci:
            local[ci][i - offset[ci]].append(int(j - offset[ci]))
            local[ci][j - offset[ci]].append(int(i - offset[ci]))

    majors = [r[2] for r in roads if r[1] in ("national", "provincial")]
    tree = shapely.STRtree(majors)
    for ci, c in enumerate(cs):
        near = np.sort(tree.query(shapely.buffer(shapely.envelope(c.outline), c.scale)))
        _populate(c, shapely.multilinestrings([majors[i] for i in near]), local[ci], seed)

    def rows(attr: str) -> list[dict[str, str]]:
        return [r for c in cs for r in getattr(c, attr)]

    lon, lat = _to_lonlat(np.concatenate([c.t_seats for c in cs]))
    townships = [
        {
            "township_id": tid,
            "name": name,
            "county_id": c.code,
            "county_name": c.name,
        }
        for c in cs
        for tid, name in zip(c.t_ids, c.t_names, strict=True)
    ]
    for row, x, y in zip(townships, lon, lat, strict=True):
        row["lon"], row["lat"] = f"{x:.6f}", f"{y:.6f}"

    _write_csv(out, "townships", townships, ["township_id"])
    _write_csv(out, "villages", rows("villages"), ["village_id"])
    _write_csv(out, "officers", rows("officers"), ["officer_id"])
    _write_csv(out, "auxiliaries", rows("auxiliaries"), ["auxiliary_id"])
    _write_csv(out, "township_neighbours", nbr_rows, ["township_id", "neighbour_id"])
    _write_csv(out, "aux_history", rows("aux_history"), ["auxiliary_id", "start"])
    _write_csv(out, "plan_officers", rows("plan_officers"), ["village_id"])
    _write_csv(out, "plan_auxiliaries", rows("plan_auxiliaries"), ["village_id"])
    _write_csv(out, "pairs", rows("pairs"), ["officer_id", "village_id"])
    _write_geo(out, cs, roads)
    return cs


def sample_bundle_path() -> Path:
    """The folder of the embedded sample county (``data/sample`` inside the package)."""
    return Path(str(resources.files("cunjing.data").joinpath("sample")))


def write_sample(out: str | Path) -> None:
    """Regenerate the embedded sample: 埇桥区 with its 25 real towns and 乡 and their 307 real
    villages."""
    generate_bundle(out, counties=1, seed=SAMPLE_SEED)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cunjing.data.generator", description="Write a synthetic bundle."
    )
    ap.add_argument("out", help="folder to write the bundle to")
    ap.add_argument(
        "--villages", type=int, default=None, help="default: the real counties' real villages"
    )
    ap.add_argument("--counties", type=int, default=None, help="default: one per ~400 villages")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        cs = _generate(args.out, args.villages, args.counties, args.seed)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    print(
        f"{sum(len(c.v_ids) for c in cs)} villages, {sum(len(c.t_ids) for c in cs)} townships, "
        f"{len(cs)} counties, {sum(len(c.officers) for c in cs)} officers, "
        f"{sum(len(c.auxiliaries) for c in cs)} auxiliaries -> {args.out} ({took:.1f} s)"
    )
    cap = sum(c.capacity_days for c in cs)
    need = sum(c.need_days for c in cs)
    worst = min(c.capacity_days / c.need_days for c in cs)
    print(
        f"active officers' days {cap:.0f} a month, villages' need {need:.0f} "
        f"(ratio {cap / need:.2f}, lowest county {worst:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
