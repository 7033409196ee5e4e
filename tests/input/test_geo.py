"""Geometry: township adjacency, traffic routes, road distances, geometry checks."""

from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.geo import TravelNetwork, along_routes, township_adjacency, utm_crs
from cunjing.optimizer.input.problems import BundleError

from conftest import TINY, write_bundle

CRS = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E, metres
X0, Y0 = 500_000.0, 3_720_000.0


def square(ix: float, iy: float, size: float = 1000.0, gap: float = 0.0):
    x, y = X0 + ix * size, Y0 + iy * size
    return box(x + gap, y, x + size, y + size)


def test_adjacency_of_hand_drawn_polygons():
    polys = gpd.GeoSeries(
        [
            square(0, 0),  # 0
            square(1, 0),  # 1: shares a full side with 0
            square(1, 1),  # 2: shares a side with 1, touches 0 at a corner only
            square(2, 0, gap=30),  # 3: a 30 m sliver gap from 1, inside the 50 m tolerance
            square(3.2, 1),  # 4: 200 m beyond 3's corner region: no border
            square(2, 2, gap=120),  # 5: touches nothing; 120 m from 2's corner
        ],
        crs=CRS,
    )
    pairs = set(township_adjacency(polys, tolerance_m=50, min_border_m=200))
    assert (0, 1) in pairs and (1, 2) in pairs
    assert (0, 2) not in pairs, "a contact at one corner is not a border"
    assert (1, 3) in pairs, "a sliver gap inside the tolerance is a border"
    assert not any(5 in p for p in pairs)
    assert (3, 4) not in pairs
    # a wider gap than the tolerance is no border
    assert (1, 3) not in set(township_adjacency(polys, tolerance_m=20, min_border_m=200))


def test_traffic_route_flags_by_buffer():
    villages = gpd.GeoSeries([square(0, 0), square(0, 2), square(0, 4)], crs=CRS)
    road_y = Y0 + 1000 + 300  # 300 m above the first square, 700 m below the second
    roads = gpd.GeoDataFrame(
        {"name": ["G206", "X001"], "class": ["national", "county"]},
        geometry=[
            LineString([(X0 - 5000, road_y), (X0 + 5000, road_y)]),
            LineString([(X0 - 5000, Y0 + 4500), (X0 + 5000, Y0 + 4500)]),
        ],
        crs=CRS,
    )
    flags = along_routes(villages, roads, ("national", "provincial"), 500)
    assert flags.tolist() == [True, False, False]  # the county road is no traffic route
    assert along_routes(villages, roads, ("national",), 800).tolist() == [True, True, False]


def test_road_distance_follows_the_network():
    # an L-shaped road: A(0,0) -> (10 km, 0) -> (10 km, 10 km) = B
    roads = gpd.GeoDataFrame(
        {"name": ["S1", "S1"], "class": ["provincial"] * 2},
        geometry=[
            LineString([(X0, Y0), (X0 + 10_000, Y0)]),
            LineString([(X0 + 10_000, Y0), (X0 + 10_000, Y0 + 10_000)]),
        ],
        crs=CRS,
    )
    net = TravelNetwork(roads, detour=2.0)
    a, b = np.array([[X0, Y0]]), np.array([[X0 + 10_000, Y0 + 10_000]])
    # by road 20 km; straight line 14.1 km x 2.0 detour = 28.3 km: the road wins
    assert net.distance_km(a, b)[0, 0] == pytest.approx(20.0)
    no_roads = TravelNetwork(None, detour=1.3)
    assert no_roads.distance_km(a, b)[0, 0] == pytest.approx(np.hypot(10, 10) * 1.3)
    # a point 1 km off the road joins it at the nearest vertex
    c = np.array([[X0 + 10_000 + 1000, Y0 + 10_000]])
    assert net.distance_km(a, c)[0, 0] == pytest.approx(20.0 + 2.0)


def _geo_bundle(tmp_path, townships=None, villages=None, roads=None, crs=CRS):
    folder = write_bundle(tmp_path / "g")
    tw = (
        townships
        if townships is not None
        else gpd.GeoDataFrame(
            {"township_id": ["T1", "T2"]},
            geometry=[square(0, 0, 5000), square(1, 0, 5000)],
            crs=crs,
        )
    )
    tw.to_file(folder / "geo.gpkg", layer="townships", driver="GPKG")
    if villages is not None:
        villages.to_file(folder / "geo.gpkg", layer="villages", driver="GPKG")
    if roads is not None:
        roads.to_file(folder / "geo.gpkg", layer="roads", driver="GPKG")
    return folder


def test_geopackage_adjacency_merges_with_the_list(tmp_path):
    data = copy.deepcopy(TINY)
    data["townships"].append({"township_id": "T3", "name": "丙镇", "county_id": "C1"})
    data["villages"].append({"village_id": "V7", "name": "七村", "township_id": "T3"})
    data["township_neighbours"] = [{"township_id": "T3", "neighbour_id": "T2"}]
    folder = write_bundle(tmp_path / "g", data)
    gpd.GeoDataFrame(
        {"township_id": ["T1", "T2"]}, geometry=[square(0, 0, 5000), square(1, 0, 5000)], crs=CRS
    ).to_file(folder / "geo.gpkg", layer="townships", driver="GPKG")
    inst = load_bundle(folder)
    assert inst.adjacency.edges["T1", "T2"]["source"] == "polygons"
    assert inst.adjacency.edges["T2", "T3"]["source"] == "list"
    assert not inst.adjacency.has_edge("T1", "T3")


def test_villages_along_roads_from_the_geopackage(tmp_path):
    data = copy.deepcopy(TINY)
    for v in data["villages"]:
        v.pop("on_traffic_route", None)
    data["villages"][1]["on_traffic_route"] = "false"  # given values win over derived ones
    folder = write_bundle(tmp_path / "g", data)
    gpd.GeoDataFrame(
        {"township_id": ["T1", "T2"]}, geometry=[square(0, 0, 5000), square(1, 0, 5000)], crs=CRS
    ).to_file(folder / "geo.gpkg", layer="townships", driver="GPKG")
    vil = gpd.GeoDataFrame(
        {"village_id": [f"V{i}" for i in range(1, 7)]},
        geometry=[square(i % 3, i // 3, 1500) for i in range(6)],
        crs=CRS,
    )
    vil.to_file(folder / "geo.gpkg", layer="villages", driver="GPKG")
    road = gpd.GeoDataFrame(
        {"name": ["G343"], "class": ["national"]},
        geometry=[LineString([(X0 - 1000, Y0 + 700), (X0 + 9000, Y0 + 700)])],
        crs=CRS,
    )
    road.to_file(folder / "geo.gpkg", layer="roads", driver="GPKG")
    inst = load_bundle(folder)
    flags = inst.villages["on_traffic_route"].to_dict()
    assert flags == {"V1": True, "V2": False, "V3": True, "V4": False, "V5": False, "V6": False}
    assert inst.network.has_roads
    # village positions come from their polygons, in the layer's projected CRS
    assert inst.crs == CRS
    assert inst.villages.at["V1", "x"] == pytest.approx(X0 + 750)


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (
            Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)]),
            "geo.gpkg[townships]:2:geometry: 几何图形无效：Self-intersection",
        ),
        (Point(X0, Y0), "geo.gpkg[townships]:2:geometry: 这里需要面，却是点"),
        (Polygon(), "geo.gpkg[townships]:2:geometry: 几何图形为空"),
    ],
    ids=["self-intersecting", "point for a polygon", "empty"],
)
def test_bad_geometry_is_located(tmp_path, geometry, expected):
    tw = gpd.GeoDataFrame({"township_id": ["T1", "T2"]}, geometry=[square(0, 0), geometry], crs=CRS)
    folder = _geo_bundle(tmp_path, townships=tw)
    with pytest.raises(BundleError) as e:
        load_bundle(folder)
    msgs = [str(p) for p in e.value.problems]
    assert any(m.startswith(expected) for m in msgs), msgs


def test_missing_crs_and_unknown_ids(tmp_path):
    tw = gpd.GeoDataFrame({"township_id": ["T1", "T2"]}, geometry=[square(0, 0), square(1, 0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio warns about the missing CRS too
        folder = _geo_bundle(tmp_path, townships=tw)
    with pytest.raises(BundleError) as e:
        load_bundle(folder)
    assert any("图层没有坐标参考系（CRS）" in str(p) for p in e.value.problems)
    tw = gpd.GeoDataFrame(
        {"township_id": ["T1", "TX"]}, geometry=[square(0, 0), square(1, 0)], crs=CRS
    )
    with pytest.raises(BundleError) as e:
        load_bundle(_geo_bundle(tmp_path / "2", townships=tw))
    assert [str(p) for p in e.value.problems if p.severity == "error"] == [
        "geo.gpkg[townships]:2:township_id: 未知的乡镇“TX”"
    ]


@pytest.mark.parametrize(
    ("lon", "lat"), [(117.0, 33.6), (73.6, 39.4), (134.9, 48.2), (-70.6, -33.4), (10.0, 78.0)]
)
def test_utm_zone_is_the_one_geopandas_estimates(lon, lat):
    points = gpd.GeoSeries([Point(lon - 0.2, lat - 0.1), Point(lon + 0.2, lat + 0.1)], crs=4326)
    assert utm_crs(lon, lat) == points.estimate_utm_crs()
