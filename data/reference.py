"""The real division of Suzhou, Anhui (宿州市) that generated bundles are built on.

Three public tables ship with the package (provenance in the README, "The sample county"):

- ``suzhou_anhui_townships.csv``: township-level divisions (Ministry of Civil Affairs' code
  table, as of 2025-12-31): the ids and names of the townships.
- ``suzhou_anhui_villages.csv``: village-level units (National Bureau of Statistics' 统计用区划代码,
  2023): the ids and names of the villages.
- ``suzhou_anhui_counties.geojson``: coarse county outlines (CGCS2000, EPSG:4490).

The Bureau numbers five of 埇桥区's towns differently from the Ministry and writes 苗安镇 where
the Ministry writes 苗庵镇, so villages join their township by name, never by code prefix. The
rural system covers towns (镇) and 乡; streets (街道, urban sub-districts policed by community
officers) and development zones are left out with everything under them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

import pandas as pd
import shapely
from pyproj import Transformer

TOWNSHIPS_FILE = "suzhou_anhui_townships.csv"
VILLAGES_FILE = "suzhou_anhui_villages.csv"
OUTLINES_FILE = "suzhou_anhui_counties.geojson"
OUTLINES_CRS = "EPSG:4490"  # CGCS2000 geographic

# The Bureau's spelling -> the Ministry's, for the same town.
TOWNSHIP_ALIASES = {"苗安镇": "苗庵镇"}

# 统计用区划代码 numbers townships and villages with three digits each: 001-099 streets,
# 100-199 towns, 200-399 乡, 400-599 units like them (townships); 001-199 residents' committees,
# 200-399 villagers' committees, 400-599 units like them (villages). 600-999 are never assigned.
ASSIGNED_NUMBERS = 600


@dataclass(frozen=True)
class RealVillage:
    """One real village-level unit (村委会 or 社区) as it appears in a bundle."""

    code: str  # the Bureau's 12 digits
    name: str  # short form: 振北村委会 -> 振北村, 道东社区居委会 -> 道东社区
    community: bool  # 社区/居委会 (residents' committee) rather than a village


@dataclass(frozen=True)
class RealTownship:
    """A town or 乡 with its real villages, in the Bureau's code order."""

    code: str  # the Ministry's code; the Bureau's where only the Bureau lists the township
    name: str
    villages: tuple[RealVillage, ...]


@dataclass(frozen=True)
class RealCounty:
    code: str
    name: str
    townships: tuple[RealTownship, ...]

    @property
    def n_villages(self) -> int:
        return sum(len(t.villages) for t in self.townships)


def _read_csv(name: str) -> pd.DataFrame:
    with resources.as_file(resources.files("cunjing.data").joinpath(name)) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


@functools.cache
def ministry_townships() -> pd.DataFrame:
    """The Ministry's township table (every kind, streets included)."""
    return _read_csv(TOWNSHIPS_FILE)


@functools.cache
def bureau_villages() -> pd.DataFrame:
    """The Bureau's village table, with ``township_key``: the township's name as the Ministry
    writes it (the join key)."""
    df = _read_csv(VILLAGES_FILE)
    df["township_key"] = df["township_name"].replace(TOWNSHIP_ALIASES)
    return df


def short_village_name(name: str) -> str:
    """The name planners use: the committee suffix dropped (振北村委会 -> 振北村,
    找营村村民委员会 -> 找营村, 道东社区居委会 -> 道东社区); other units keep their name."""
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith("村") else stem + "村"
    for suffix in ("居民委员会", "居委会"):
        if name.endswith(suffix) and name[: -len(suffix)].endswith("社区"):
            return name[: -len(suffix)]
    return name


def _is_community(name: str) -> bool:
    return "社区" in name or name.endswith(("居委会", "居民委员会"))


def _rural(name: str) -> bool:
    return name.endswith(("镇", "乡"))


@functools.cache
def real_counties() -> dict[str, RealCounty]:
    """County code -> its towns and 乡 with their real villages, townships in code order.

    A township the Ministry lists gets the Ministry's code; one only the Bureau lists as a town
    or 乡 (埇桥区's 北杨寨乡) keeps the Bureau's code. Streets and development zones are out.
    """
    towns = ministry_townships()
    vills = bureau_villages()
    out: dict[str, RealCounty] = {}
    for county, tv in towns.groupby("county_code", sort=True):
        rural = tv[tv["kind"] != "street"]
        code_of = dict(zip(rural["name"], rural["township_code"], strict=True))
        vv = vills[(vills["county_code"] == county) & vills["township_key"].map(_rural)]
        for name, code in vv.groupby("township_key")["township_code"].first().items():
            if name not in code_of:
                if code in set(tv["township_code"]):
                    raise ValueError(f"{VILLAGES_FILE}: {name} has the code of another township")
                code_of[name] = code
        townships = []
        for name, code in sorted(code_of.items(), key=lambda kv: kv[1]):
            rows = vv[vv["township_key"] == name].sort_values("village_code")
            if rows.empty:
                raise ValueError(f"{VILLAGES_FILE}: no villages for {name} ({code})")
            villages = tuple(
                RealVillage(code=c, name=short_village_name(n), community=_is_community(n))
                for c, n in zip(rows["village_code"], rows["village_name"], strict=True)
            )
            townships.append(RealTownship(code=code, name=name, villages=villages))
        name = str(tv["county_name"].iloc[0])
        out[str(county)] = RealCounty(str(county), name, tuple(townships))
    return out


@functools.cache
def county_outlines(crs: str) -> dict[str, shapely.Polygon]:
    """County code -> its outline (the largest part) in ``crs``."""
    with resources.as_file(resources.files("cunjing.data").joinpath(OUTLINES_FILE)) as p:
        features = json.loads(p.read_text(encoding="utf-8"))["features"]
    to = Transformer.from_crs(OUTLINES_CRS, crs, always_xy=True)
    out = {}
    for f in features:
        geom = shapely.from_geojson(json.dumps(f["geometry"]))
        geom = shapely.transform(geom, lambda xy: _transform(to, xy))
        parts = shapely.get_parts(geom)
        out[f["properties"]["gb"][3:]] = parts[shapely.area(parts).argmax()]
    return out


def _transform(to: Transformer, xy):
    # EPSG:4490 is latitude-first; always_xy keeps (lon, lat) in and (x, y) out
    x, y = to.transform(xy[:, 0], xy[:, 1])
    return shapely.get_coordinates(shapely.points(x, y))


@functools.cache
def _real_codes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    towns, vills = ministry_townships(), bureau_villages()
    counties = frozenset(towns["county_code"]) | frozenset(vills["county_code"])
    townships = frozenset(towns["township_code"]) | frozenset(vills["township_code"])
    return counties, townships, frozenset(vills["village_code"])


def in_real_code_space(code: str) -> bool:
    """Whether ``code`` is, or could be, a real division code of Suzhou.

    Real: a code of either table, any county code of the city (3413xx), and any township or
    village code under a real county or township whose numbers (three digits each) lie in the
    ranges the Bureau's rules assign (below 600). Synthetic ids stay outside: synthetic counties
    are 3499xx, 3498xx, … (Anhui has no prefecture 98 or 99), synthetic villages of a real
    township are numbered 600-999.
    """
    counties, townships, villages = _real_codes()
    if code in counties or code in townships or code in villages:
        return True
    if not code.isdigit():
        return False
    if len(code) == 6:
        return code[:4] == "3413"
    if len(code) == 9:
        return code[:6] in counties and int(code[6:]) < ASSIGNED_NUMBERS
    if len(code) == 12:
        return (
            code[:6] in counties
            and int(code[6:9]) < ASSIGNED_NUMBERS
            and int(code[9:]) < ASSIGNED_NUMBERS
        )
    return False
