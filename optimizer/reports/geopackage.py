"""plan.gpkg: the plan on the map, for QGIS or any GDAL tool.

Layers ``villages`` (the bundle's village polygons, or points where it has none, with the
officer, the auxiliary, their scores and reasons), ``townships`` (polygons or points) and
``officer_bases`` (points). Coordinates stay in the bundle's projected CRS (metres).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from .tables import auxiliary_rows, officer_loads, officer_rows, per_folder, villages_of


@per_folder
def village_table(folder: PlanFolder, inst: Instance) -> pd.DataFrame:
    """Per village: officer and auxiliary with scores and reasons, moves, and whether a
    what-if changed it. Shared by the GeoPackage and the HTML map."""
    table = villages_of(folder, inst)
    officers = officer_rows(folder, inst)
    if officers is not None:
        part = officers.drop_duplicates("village_id").set_index("village_id")
        ids = table["village_id"]
        table["officer_id"] = ids.map(part["officer_id"]).fillna("")
        table["officer_name"] = ids.map(part["officer_name"]).fillna("")
        table["category"] = ids.map(part["category_zh"]).fillna("")
        table["workload_days"] = ids.map(part["workload_days"]).astype(float)
        table["officer_km"] = ids.map(part["km"]).astype(float)
        table["officer_score"] = ids.map(part["score"]).astype(float)
        table["officer_reasons"] = ids.map(part["reasons_zh"]).fillna("")
        table["officer_rules"] = ids.map(part["reasons"]).fillna("")
    auxiliaries = auxiliary_rows(folder, inst)
    if auxiliaries is not None:
        part = auxiliaries.drop_duplicates("village_id").set_index("village_id")
        ids = table["village_id"]
        table["auxiliary_id"] = ids.map(part["auxiliary_id"]).fillna("")
        table["auxiliary_name"] = ids.map(part["auxiliary_name"]).fillna("")
        table["relation"] = ids.map(part["relation"]).fillna("")
        table["relation_zh"] = ids.map(part["relation_zh"]).fillna("未安排")
        table["auxiliary_score"] = ids.map(part["score"]).astype(float)
        table["auxiliary_reasons"] = ids.map(part["reasons_zh"]).fillna("")
        table["auxiliary_rules"] = ids.map(part["reasons"]).fillna("")
    if folder.rotation is not None:
        rot = folder.rotation
        moves = rot[rot["moved"]].groupby("village_id").size() if "moved" in rot else None
        table["rotation_moves"] = (
            table["village_id"].map(moves).fillna(0).astype(int) if moves is not None else 0
        )
    if folder.diff is not None:
        changed = folder.diff.groupby("village_id")["role"].agg(lambda r: ";".join(sorted(set(r))))
        table["changed"] = table["village_id"].map(changed).astype(object).fillna("")
    return table


def village_geometry(inst: Instance, ids: pd.Series) -> gpd.GeoSeries:
    """The villages' polygons from geo.gpkg, else points at their coordinates."""
    xy = inst.villages.loc[ids, ["x", "y"]].to_numpy(float)
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=inst.crs)
    if inst.geo.villages is None:
        return points
    shapes = inst.geo.villages.drop_duplicates("village_id").set_index("village_id").geometry
    geom = shapes.reindex(ids.to_numpy(object)).reset_index(drop=True)
    return gpd.GeoSeries(np.where(geom.isna(), points, geom), crs=inst.crs)


def township_frame(folder: PlanFolder, inst: Instance) -> gpd.GeoDataFrame:
    vil = villages_of(folder, inst)
    counts = vil.groupby("township_id").size()
    tw = inst.townships
    frame = pd.DataFrame(
        {
            "township_id": tw.index.to_numpy(object),
            "name": tw["name"].to_numpy(object),
            "county_id": tw["county_id"].to_numpy(object),
            "villages": counts.reindex(tw.index).fillna(0).astype(int).to_numpy(),
        }
    )
    points = gpd.points_from_xy(tw["x"].to_numpy(float), tw["y"].to_numpy(float))
    geom = gpd.GeoSeries(points, crs=inst.crs)
    if inst.geo.townships is not None:
        shapes = inst.geo.townships.drop_duplicates("township_id").set_index("township_id")
        poly = shapes.geometry.reindex(frame["township_id"].to_numpy(object)).reset_index(drop=True)
        geom = gpd.GeoSeries(np.where(poly.isna(), geom, poly), crs=inst.crs)
    return gpd.GeoDataFrame(frame, geometry=geom, crs=inst.crs)


def officer_base_frame(folder: PlanFolder, inst: Instance) -> gpd.GeoDataFrame:
    off = inst.officers
    has = np.isfinite(off["base_x"].to_numpy(float)) & np.isfinite(off["base_y"].to_numpy(float))
    off = off[has]
    frame = pd.DataFrame(
        {
            "officer_id": off.index.to_numpy(object),
            "name": off["name"].to_numpy(object),
            "category": off["category"].to_numpy(object),
            "unit": off["unit"].fillna("").astype(str).to_numpy(object) if "unit" in off else "",
        }
    )
    loads = officer_loads(folder, inst)
    if loads is not None:
        held = loads.set_index("officer_id")
        frame["villages"] = frame["officer_id"].map(held["villages"]).fillna(0).astype(int)
        frame["days_used"] = frame["officer_id"].map(held["days_used"]).fillna(0.0)
        frame["available_days"] = frame["officer_id"].map(held["available_days"])
    geom = gpd.points_from_xy(off["base_x"].to_numpy(float), off["base_y"].to_numpy(float))
    return gpd.GeoDataFrame(frame, geometry=geom, crs=inst.crs)


def write_geopackage(folder: PlanFolder, inst: Instance, path: Path) -> Path:
    """Write plan.gpkg with its three layers to ``path``."""
    table = village_table(folder, inst)
    villages = gpd.GeoDataFrame(
        table, geometry=village_geometry(inst, table["village_id"]), crs=inst.crs
    )
    layers = {
        "villages": villages,
        "townships": township_frame(folder, inst),
        "officer_bases": officer_base_frame(folder, inst),
    }
    for i, (name, frame) in enumerate(layers.items()):
        # GeoPackage 1.2: read without warnings by the GDAL of older QGIS and Debian stable
        options = {"dataset_options": {"VERSION": "1.2"}} if i == 0 else {}
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio", **options)
    return path
