"""The synthetic bundle generator: determinism, the committed sample, structure, scale."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cunjing.data import generator
from cunjing.data.generator import (
    SAMPLE_SEED,
    generate_bundle,
    sample_bundle_path,
    write_sample,
)
from cunjing.data.reference import in_real_code_space
from cunjing.optimizer.input.schema import GEO_FILE, TABLES

CSV_TABLES = [
    "townships",
    "villages",
    "officers",
    "auxiliaries",
    "township_neighbours",
    "aux_history",
    "plan_officers",
    "plan_auxiliaries",
    "pairs",
]


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def csv_bytes(folder: Path) -> dict[str, bytes]:
    return {t: (folder / f"{t}.csv").read_bytes() for t in CSV_TABLES}


def to_metres(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(generator.CRS_METRIC)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three counties: 埇桥区, 萧县, 灵璧县 with their real townships."""
    out = tmp_path_factory.mktemp("city")
    counts = generate_bundle(out, villages=1200, counties=3, seed=11)
    assert counts["counties"] == 3
    assert counts["villages"] == 1200
    return out


# ---------------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_bundle(a, villages=500, counties=2, seed=3)
    generate_bundle(b, villages=500, counties=2, seed=3)
    generate_bundle(c, villages=500, counties=2, seed=4)
    assert csv_bytes(a) == csv_bytes(b)
    differs = [t for t, data in csv_bytes(c).items() if data != csv_bytes(a)[t]]
    assert {"villages", "officers", "auxiliaries", "aux_history"} <= set(differs)


def test_same_seed_same_city_of_real_and_made_up_counties(tmp_path: Path) -> None:
    # the real counties at their real size, two made-up ones of 400 villages around them
    a, b = tmp_path / "a", tmp_path / "b"
    counts = generate_bundle(a, counties=7, seed=8)
    assert generate_bundle(b, counties=7, seed=8) == counts
    assert counts["villages"] == 1193 + 2 * 400
    assert csv_bytes(a) == csv_bytes(b)
    for layer in ("townships", "villages", "roads"):
        ga, gb = (gpd.read_file(x / GEO_FILE, layer=layer) for x in (a, b))
        assert ga.drop(columns="geometry").equals(gb.drop(columns="geometry"))
        assert np.array_equal(
            shapely.get_coordinates(ga.geometry.values), shapely.get_coordinates(gb.geometry.values)
        )


def test_county_content_does_not_depend_on_later_counties(tmp_path: Path) -> None:
    # Each county has its own random streams: adding a county leaves county 1's villages and
    # people alone (only what hangs on the layout moves: lon/lat, trunk roads, cases).
    generate_bundle(tmp_path / "one", villages=400, counties=1, seed=5)
    generate_bundle(tmp_path / "two", villages=800, counties=2, seed=5)
    for table, key, cols in (
        ("villages", "township_id", ["village_id", "name", "township_id", "population"]),
        ("officers", "county_id", ["officer_id", "name", "category", "preferences", "unit"]),
        ("auxiliaries", "county_id", ["auxiliary_id", "name", "home_village_id", "hired"]),
        ("aux_history", "auxiliary_id", ["auxiliary_id", "village_id", "start", "end"]),
        ("plan_officers", "village_id", ["village_id", "officer_id"]),
    ):
        one = read(tmp_path / "one", table)
        two = read(tmp_path / "two", table)
        two = two[two[key].isin(one[key])].reset_index(drop=True)
        pd.testing.assert_frame_equal(one[cols], two[cols])


# ------------------------------------------------------------------------------------ the sample


def test_committed_sample_is_what_write_sample_writes(tmp_path: Path) -> None:
    committed = sample_bundle_path()
    assert committed.is_dir(), "data/sample missing: run write_sample(sample_bundle_path())"
    write_sample(tmp_path)
    assert csv_bytes(committed) == csv_bytes(tmp_path)
    for layer, key in (("townships", "township_id"), ("villages", "village_id")):
        old = gpd.read_file(committed / GEO_FILE, layer=layer)
        new = gpd.read_file(tmp_path / GEO_FILE, layer=layer)
        assert old[key].tolist() == new[key].tolist()
        assert np.allclose(
            shapely.get_coordinates(old.geometry.values),
            shapely.get_coordinates(new.geometry.values),
        )
    assert not (committed / "policy.toml").exists()


def test_sample_is_yongqiao_with_its_real_towns_and_villages() -> None:
    folder = sample_bundle_path()
    towns = read(folder, "townships")
    villages = read(folder, "villages")
    assert set(towns["county_id"]) == {"341302"}
    assert set(towns["county_name"]) == {"埇桥区"}
    # the Ministry's 24 towns and the Bureau's 北杨寨乡, no street
    ministry = reference_table("suzhou_anhui_townships.csv")
    ministry = ministry[(ministry["county_code"] == "341302") & (ministry["kind"] != "street")]
    assert set(towns["township_id"]) == set(ministry["township_code"]) | {"341302209"}
    assert len(towns) == 25 and {"符离镇", "苗庵镇", "北杨寨乡"} <= set(towns["name"])
    # every village-level unit of those towns and 乡, the streets' 社区 and the zones' left out
    assert len(villages) == len(real_rural_units("341302")) == 307
    assert set(villages["village_id"]) == set(real_rural_units("341302")["village_code"])
    assert (folder / GEO_FILE).stat().st_size < 3_000_000
    assert SAMPLE_SEED == 2021


def reference_table(name: str) -> pd.DataFrame:
    return pd.read_csv(Path(generator.__file__).with_name(name), dtype=str, keep_default_na=False)


def real_rural_units(county: str) -> pd.DataFrame:
    """The Bureau's units of a county's towns and 乡, with the township name as the Ministry
    writes it (苗安镇 -> 苗庵镇)."""
    v = reference_table("suzhou_anhui_villages.csv")
    v = v[v["county_code"] == county].copy()
    v["township_name"] = v["township_name"].replace({"苗安镇": "苗庵镇"})
    return v[v["township_name"].str.endswith(("镇", "乡"))]


def assert_real_villages(folder: Path, counties: list[str] | None = None) -> pd.DataFrame:
    """Every village whose id is a real code carries its real name and lies in its real township
    (by name); every other village is synthetic, numbered 600-999 under its township. Returns
    the villages with a column ``real``."""
    villages, towns = read(folder, "villages"), read(folder, "townships")
    ref_v = reference_table("suzhou_anhui_villages.csv").set_index("village_code")
    town_name = towns.set_index("township_id")["name"]
    real = villages["village_id"].isin(ref_v.index)
    rv = villages[real]
    expect = ref_v.loc[rv["village_id"]]
    assert (rv["name"].to_numpy() == expect["village_name"].map(short_name).to_numpy()).all()
    their_town = expect["township_name"].replace({"苗安镇": "苗庵镇"}).to_numpy()
    assert (rv["township_id"].map(town_name).to_numpy() == their_town).all()
    assert not expect["township_name"].str.endswith("街道").any()
    synth = villages[~real]
    assert (synth["village_id"].str[:9] == synth["township_id"]).all()
    in_real_county = synth["township_id"].str[:4] == "3413"
    assert synth.loc[in_real_county, "village_id"].str[9:].astype(int).between(600, 999).all()
    for county in counties or []:
        assert set(rv.loc[rv["township_id"].str[:6] == county, "village_id"]) <= set(
            real_rural_units(county)["village_code"]
        )
    return villages.assign(real=real)


def short_name(name: str) -> str:
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            return stem if stem.endswith("村") else stem + "村"
    for suffix in ("居民委员会", "居委会"):
        if name.endswith(suffix) and name.removesuffix(suffix).endswith("社区"):
            return name.removesuffix(suffix)
    return name


def test_sample_villages_are_real_with_their_real_township() -> None:
    folder = sample_bundle_path()
    villages = assert_real_villages(folder, ["341302"])
    assert villages["real"].all()
    named = villages.set_index("village_id")["name"]
    assert named["341302209200"] == "振北村"  # 振北村委会, 北杨寨乡
    assert named["341302102001"] == "六合居委会"  # a residents' committee keeps its name
    # 支河镇: the Bureau numbers it 341302120, the Ministry 341302121
    assert set(villages.loc[villages["village_id"].str[:9] == "341302120", "township_id"]) == {
        "341302121"
    }
    # communities are the residents' committees (社区, 居委会)
    comm = villages["kind"] == "community"
    assert (villages.loc[comm, "name"].str.contains("社区|居委会")).all()
    assert not villages.loc[~comm, "name"].str.contains("社区|居委会").any()


def real_outlines() -> gpd.GeoSeries:
    gj = gpd.read_file(Path(generator.__file__).with_name("suzhou_anhui_counties.geojson"))
    gj = gj.set_crs(4490, allow_override=True).to_crs(generator.CRS_METRIC)
    return gj.set_index(gj["gb"].str[3:]).geometry


def assert_inside_real_outlines(folder: Path) -> None:
    """Township and village polygons, township seats and village centres lie inside their
    real county's outline; seats inside their own township."""
    outline = real_outlines()
    towns, villages = read(folder, "townships"), read(folder, "villages")
    county = towns.set_index("township_id")["county_id"]
    polys = {
        layer: to_metres(gpd.read_file(folder / GEO_FILE, layer=layer))
        for layer in ("townships", "villages")
    }
    town_poly = polys["townships"].set_index("township_id").geometry
    vill_poly = polys["villages"].set_index("village_id").geometry
    vill_county = villages.set_index("village_id")["township_id"].map(county)
    for ids, geoms, of in (
        (town_poly.index, town_poly, county),
        (vill_poly.index, vill_poly, vill_county),
    ):
        real = of.loc[ids].isin(outline.index).to_numpy()
        shape = outline.loc[of.loc[ids][real]].to_numpy()
        outside = shapely.area(shapely.difference(geoms.to_numpy()[real], shape))
        assert outside.max() < 1.0  # m²: the reprojection's floating noise
    for table, key, of in ((towns, "township_id", county), (villages, "village_id", vill_county)):
        pts = gpd.GeoSeries(
            gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)), crs=4326
        ).to_crs(generator.CRS_METRIC)
        real = of.loc[table[key]].isin(outline.index).to_numpy()
        shape = outline.loc[of.loc[table[key]][real]].to_numpy()
        assert shapely.contains(shape, pts.to_numpy()[real]).all()
    seats = gpd.GeoSeries(
        gpd.points_from_xy(towns["lon"].astype(float), towns["lat"].astype(float)), crs=4326
    ).to_crs(generator.CRS_METRIC)
    assert shapely.contains(town_poly.loc[towns["township_id"]].to_numpy(), seats.to_numpy()).all()


def test_sample_lies_inside_the_real_outline_and_covers_it() -> None:
    folder = sample_bundle_path()
    assert_inside_real_outlines(folder)
    towns = to_metres(gpd.read_file(folder / GEO_FILE, layer="townships"))
    assert towns.geometry.union_all().area == pytest.approx(real_outlines()["341302"].area)


@pytest.fixture(scope="module")
def real_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cunjing sample OUT --counties 5``: the city with all its real villages."""
    out = tmp_path_factory.mktemp("real_city")
    generate_bundle(out, counties=5, seed=2)
    return out


def test_city_of_five_counties_has_every_real_village(real_city: Path) -> None:
    towns = read(real_city, "townships")
    assert towns.groupby("county_id")["county_name"].first().to_dict() == {
        "341302": "埇桥区",
        "341321": "砀山县",
        "341322": "萧县",
        "341323": "灵璧县",
        "341324": "泗县",
    }
    villages = assert_real_villages(real_city, list(generator.REAL_COUNTIES))
    assert villages["real"].all()
    for county in generator.REAL_COUNTIES:
        mine = villages["township_id"].map(towns.set_index("township_id")["county_id"]) == county
        assert set(villages.loc[mine, "village_id"]) == set(
            real_rural_units(county)["village_code"]
        )
    assert_inside_real_outlines(real_city)


def test_real_counties_shrink_to_real_subsets_and_grow_with_synthetic_villages(
    tmp_path: Path,
) -> None:
    generate_bundle(tmp_path / "small", villages=60, counties=1, seed=4)
    small = assert_real_villages(tmp_path / "small", ["341302"])
    assert small["real"].all() and len(small) == 60
    per_town = small.groupby("township_id").size()
    assert len(per_town) == 25 and per_town.min() >= 2
    generate_bundle(tmp_path / "large", villages=1000, counties=2, seed=4)
    large = assert_real_villages(tmp_path / "large", ["341302", "341322"])
    assert len(large) == 1000
    county = large["township_id"].str[:6]
    for code in ("341302", "341322"):
        real = set(large.loc[large["real"] & (county == code), "village_id"])
        assert real == set(real_rural_units(code)["village_code"])  # all of them, and more
        assert (~large["real"] & (county == code)).sum() == 500 - len(real)
    assert_inside_real_outlines(tmp_path / "large")
    with pytest.raises(ValueError, match="埇桥区至多容纳"):
        generate_bundle(tmp_path / "huge", villages=20_000, counties=1)
    assert not (tmp_path / "huge").exists()  # refused before writing anything


def test_no_synthetic_id_in_the_real_code_space(tmp_path: Path) -> None:
    generate_bundle(tmp_path, villages=3000, counties=7, seed=6)
    villages, towns = read(tmp_path, "villages"), read(tmp_path, "townships")
    ref_v = reference_table("suzhou_anhui_villages.csv")
    ref_t = reference_table("suzhou_anhui_townships.csv")
    real_codes = (
        set(ref_v["village_code"])
        | set(ref_v["township_code"])
        | set(ref_t["township_code"])
        | set(ref_v["county_code"])
        | set(ref_t["county_code"])
    )
    ids = pd.concat([villages["village_id"], towns["township_id"], towns["county_id"]])
    synthetic = ids[~ids.isin(real_codes)].unique()
    real = ids[ids.isin(real_codes)].unique()
    assert len(synthetic) > 1000 and len(real) > 1000
    assert not any(in_real_code_space(x) for x in synthetic)
    assert all(in_real_code_space(x) for x in real)
    # the code space itself: 统计用区划代码 numbers townships and villages below 600
    assert in_real_code_space("341302100201") and in_real_code_space("341302125301")
    assert not in_real_code_space("341302100600") and not in_real_code_space("349901100201")
    assert in_real_code_space("341399") and not in_real_code_space("349901")
    # made-up counties: Anhui has no prefecture 99
    assert set(towns["county_id"]) - set(generator.REAL_COUNTIES) == {"349901", "349902"}


# ------------------------------------------------------------------------------------- structure


def test_columns_follow_the_schema(city: Path) -> None:
    for table in CSV_TABLES:
        df = read(city, table)
        names = [c.name for c in TABLES[table].columns]
        assert set(TABLES[table].required_columns) <= set(df.columns), table
        assert list(df.columns) == [n for n in names if n in df.columns], table
    assert "on_traffic_route" not in read(city, "villages").columns
    text = (city / "villages.csv").read_text(encoding="utf-8")
    assert "\r" not in text


def test_county_counts_and_real_names(city: Path) -> None:
    towns = read(city, "townships")
    per_county = towns.groupby("county_id")["township_id"].count().to_dict()
    assert list(per_county) == ["341302", "341322", "341323"]
    assert per_county["341302"] == 25
    assert towns.loc[towns["county_id"] == "341302", "county_name"].unique().tolist() == ["埇桥区"]
    real = reference_table("suzhou_anhui_townships.csv")
    real = real[real["kind"] != "street"]
    # the Ministry's towns and 乡, and the one only the Bureau lists (北杨寨乡, 341302209)
    assert set(towns["township_id"]) == set(
        real.loc[real["county_code"].isin(per_county), "township_code"]
    ) | {"341302209"}
    assert_real_villages(city, list(per_county))


def test_synthetic_counties_after_the_real_five(tmp_path: Path) -> None:
    counts = generate_bundle(tmp_path, villages=60, counties=7, seed=1)
    assert counts["counties"] == 7
    towns = read(tmp_path, "townships")
    codes = towns["county_id"].unique().tolist()
    assert {"341302", "341321", "341322", "341323", "341324", "349901", "349902"} == set(codes)
    synth = towns[towns["county_id"].str.startswith("3499")]
    assert synth["county_name"].str.endswith("县").all()
    assert synth["name"].str[-1].isin(["镇", "乡"]).all()
    assert (synth["township_id"].str[:6] == synth["county_id"]).all()


def test_ids_unique_and_references_resolve(city: Path) -> None:
    towns, villages = read(city, "townships"), read(city, "villages")
    officers, aux = read(city, "officers"), read(city, "auxiliaries")
    for df, key in ((towns, "township_id"), (villages, "village_id")):
        assert df[key].is_unique and df[key].is_monotonic_increasing
    for df, key in ((officers, "officer_id"), (aux, "auxiliary_id")):
        assert df[key].is_unique and df[key].is_monotonic_increasing
    assert officers["officer_id"].str.fullmatch(r"\d{6}").all()
    assert aux["auxiliary_id"].str.fullmatch(r"FJ\d{6}").all()
    # real ids: checked against the reference (assert_real_villages); synthetic: prefixed
    assert assert_real_villages(city)["real"].sum() > 500
    assert set(villages["township_id"]) == set(towns["township_id"])  # every township has villages
    assert villages.groupby("township_id")["name"].apply(lambda s: s.is_unique).all()
    assert (villages["station_id"] == "PS" + villages["township_id"]).all()
    assert set(villages["kind"]) == {"key", "ordinary", "community"}
    assert villages["cases"].astype(int).ge(0).all()
    assert villages["population"].astype(int).between(600, 6000).all()
    lon, lat = villages["lon"].astype(float), villages["lat"].astype(float)
    assert lon.between(114, 120).all() and lat.between(31, 36).all()
    assert villages["lon"].str.fullmatch(r"\d+\.\d{6}").all()
    assert officers["phone"].str.fullmatch(r"1\d{10}").all()


def test_geometry_villages_inside_their_townships(city: Path) -> None:
    towns = gpd.read_file(city / GEO_FILE, layer="townships")
    vills = gpd.read_file(city / GEO_FILE, layer="villages")
    roads = gpd.read_file(city / GEO_FILE, layer="roads")
    assert towns.crs.to_epsg() == 4326 and vills.crs.to_epsg() == 4326
    assert set(roads["class"]) == {"national", "provincial", "county"}
    assert roads["name"].str.match(r"[GSX]\d+").all()
    towns, vills = to_metres(towns), to_metres(vills)
    assert vills.is_valid.all() and not vills.is_empty.any() and towns.is_valid.all()
    table = read(city, "villages").set_index("village_id")
    vills["township_id"] = table.loc[vills["village_id"], "township_id"].to_numpy()
    shape = towns.set_index("township_id").geometry
    home = shape.loc[vills["township_id"]].to_numpy()
    outside = shapely.area(shapely.difference(vills.geometry.to_numpy(), home))
    assert outside.max() < 1.0  # m²: floating noise of the reprojection only
    # The villages tile their township.
    union = vills.dissolve("township_id").geometry
    assert np.allclose(union.area.to_numpy(), shape.loc[union.index].area.to_numpy(), rtol=1e-6)
    # The csv's lon/lat is the polygon's centroid.
    pts = gpd.GeoSeries(
        gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)), crs=4326
    )
    pts = to_metres(gpd.GeoDataFrame(geometry=pts)).geometry.to_numpy()
    polys = vills.set_index("village_id").geometry.loc[table.index].to_numpy()
    assert shapely.contains(polys, pts).all()


def test_road_network_is_connected_across_counties(city: Path) -> None:
    import networkx as nx

    roads = to_metres(gpd.read_file(city / GEO_FILE, layer="roads"))
    g = nx.Graph()
    for line in roads.geometry:
        xy = np.round(shapely.get_coordinates(line), 1)
        g.add_edge(tuple(xy[0]), tuple(xy[-1]))
    assert nx.is_connected(g)


def test_township_neighbours_cross_county_lines(city: Path) -> None:
    towns, nbrs = read(city, "townships"), read(city, "township_neighbours")
    county = dict(zip(towns["township_id"], towns["county_id"], strict=True))
    assert (nbrs["township_id"] < nbrs["neighbour_id"]).all()
    assert not nbrs.duplicated().any()
    cross = nbrs["township_id"].map(county) != nbrs["neighbour_id"].map(county)
    assert cross.any() and not cross.all()
    g_deg = pd.concat([nbrs["township_id"], nbrs["neighbour_id"]]).value_counts()
    assert set(g_deg.index) == set(towns["township_id"])  # nobody is an island


def test_current_auxiliaries_from_own_or_neighbouring_township_not_home(city: Path) -> None:
    villages, aux = read(city, "villages"), read(city, "auxiliaries")
    plan, hist = read(city, "plan_auxiliaries"), read(city, "aux_history")
    nbrs = read(city, "township_neighbours")
    adj = set(zip(nbrs["township_id"], nbrs["neighbour_id"], strict=True))
    adj |= {(b, a) for a, b in adj}
    town = dict(zip(villages["village_id"], villages["township_id"], strict=True))
    home = dict(zip(aux["auxiliary_id"], aux["home_village_id"], strict=True))
    assert sorted(plan["village_id"]) == sorted(villages["village_id"])
    assert plan["auxiliary_id"].is_unique  # full-time: one village each
    relations = []
    for v, a in zip(plan["village_id"], plan["auxiliary_id"], strict=True):
        assert home[a] != v
        tv, ta = town[v], town[home[a]]
        assert tv == ta or (tv, ta) in adj
        relations.append(tv == ta)
    assert 0.6 < np.mean(relations) < 1.0  # mostly own township, some neighbours
    # Every township with its neighbours has more auxiliaries than villages.
    aux_town = aux["home_village_id"].map(town).value_counts()
    vil_town = villages["township_id"].value_counts()
    assert (aux_town.reindex(vil_town.index, fill_value=0) > vil_town).all()
    # The plan is the history's open postings.
    current = hist[hist["end"] == ""]
    assert set(zip(current["village_id"], current["auxiliary_id"], strict=True)) == set(
        zip(plan["village_id"], plan["auxiliary_id"], strict=True)
    )
    assert current["start"].between("2021-01", "2026-06").all()
    assert (current["start"] < "2024-01").mean() > 0.1  # some exceed a 3-year tenure by 2027


def test_history_is_consistent(city: Path) -> None:
    hist, aux = read(city, "aux_history"), read(city, "auxiliaries")
    ended = hist[hist["end"] != ""]
    assert len(ended) > 0.3 * len(hist[hist["end"] == ""])
    assert (ended["start"] <= ended["end"]).all()
    for _, g in hist.sort_values(["auxiliary_id", "start"]).groupby("auxiliary_id"):
        ends = g["end"].tolist()
        starts = g["start"].tolist()
        assert all(e != "" and e < s for e, s in zip(ends[:-1], starts[1:], strict=True))
    by_village = hist.sort_values(["village_id", "start"]).groupby("village_id")
    for _, g in by_village:
        if len(g) > 1:
            assert g["end"].iloc[0] < g["start"].iloc[1]  # the predecessor left first
    hired = dict(zip(aux["auxiliary_id"], aux["hired"], strict=True))
    assert (hist["start"] >= hist["auxiliary_id"].map(hired)).all()
    assert aux["hired"].between("2012-01", "2026-12").all()
    home = dict(zip(aux["auxiliary_id"], aux["home_village_id"], strict=True))
    recommended = aux[aux["recommended_village_ids"] != ""]
    assert 0.2 < len(recommended) / len(aux) < 0.4
    for a, ids in recommended[["auxiliary_id", "recommended_village_ids"]].itertuples(index=False):
        assert home[a] not in ids.split(";")


def test_officers_mix_and_capacity(city: Path) -> None:
    officers = read(city, "officers")
    share = officers["category"].value_counts(normalize=True)
    assert share["station"] == pytest.approx(0.40, abs=0.05)
    assert share["organ"] == pytest.approx(0.25, abs=0.05)
    assert share["domestic_security"] == pytest.approx(0.05, abs=0.03)
    days = officers["available_days"].astype(float)
    assert days.between(6, 12).all() and ((days * 2) % 1 == 0).all()
    station = officers["category"] == "station"
    assert (officers.loc[station, "base_township_id"] != "").all()
    assert (officers.loc[~station, "base_lon"] != "").all()
    assert (officers.loc[station, "unit"].str.endswith("派出所")).all()
    assert set(officers["status"]) == {"active", "leaving"}
    for lst in officers["former_township_ids"]:
        assert len([x for x in lst.split(";") if x]) <= 3
    assert_capacity(city)


@pytest.mark.parametrize("which", ["sample", "real_city"])
def test_real_counties_are_as_roomy(which: str, request: pytest.FixtureRequest) -> None:
    folder = sample_bundle_path() if which == "sample" else request.getfixturevalue(which)
    assert_capacity(folder)


def assert_capacity(folder: Path) -> None:
    """Every county's active officers can cover its villages 1.3 times over, and every township
    is home to more auxiliaries than it has villages."""
    officers, villages = read(folder, "officers"), read(folder, "villages")
    towns, aux = read(folder, "townships"), read(folder, "auxiliaries")
    town = villages.set_index("village_id")["township_id"]
    homes = aux["home_village_id"].map(town).value_counts()
    per_town = villages["township_id"].value_counts()
    assert (homes.reindex(per_town.index, fill_value=0) > per_town).all()
    seat = towns.set_index("township_id")[["lon", "lat"]].astype(float)
    county_of = villages["township_id"].map(towns.set_index("township_id")["county_id"])
    for county, offs in officers[officers["status"] == "active"].groupby("county_id"):
        base = np.where(
            (offs["base_township_id"] != "").to_numpy()[:, None],
            seat.reindex(offs["base_township_id"]).to_numpy(),
            offs[["base_lon", "base_lat"]].replace("", "nan").astype(float).to_numpy(),
        )
        vs = villages[county_of == county]
        vxy = vs[["lon", "lat"]].astype(float).to_numpy()
        km = np.hypot(
            (vxy[:, None, 0] - base[None, :, 0]) * 93.0,
            (vxy[:, None, 1] - base[None, :, 1]) * 111.0,
        ).min(axis=1)
        need = np.sum(2 + 2 * 2 * km / 30 / 8)
        assert offs["available_days"].astype(float).sum() >= 1.3 * need


def test_last_years_officer_plan(city: Path) -> None:
    officers, villages = read(city, "officers"), read(city, "villages")
    towns, plan = read(city, "townships"), read(city, "plan_officers")
    assert sorted(plan["village_id"]) == sorted(villages["village_id"])
    county = villages.set_index("village_id")["township_id"].map(
        towns.set_index("township_id")["county_id"]
    )
    off_county = officers.set_index("officer_id")["county_id"]
    assert (plan["village_id"].map(county) == plan["officer_id"].map(off_county)).all()
    load = plan["officer_id"].value_counts()
    assert 2.0 <= load.mean() <= 3.0
    leaving = set(officers.loc[officers["status"] == "leaving", "officer_id"])
    assert leaving & set(plan["officer_id"])  # the engine has orphans to reassign


def test_pairs_are_a_handful_of_overrides(city: Path) -> None:
    pairs, officers = read(city, "pairs"), read(city, "officers")
    assert not pairs.duplicated(["officer_id", "village_id"]).any()
    assert pairs["officer_id"].isin(officers["officer_id"]).all()
    n_counties = officers["county_id"].nunique()
    assert (pairs["forbidden"] == "true").sum() == 2 * n_counties
    assert (pairs["workload_days"] != "").sum() >= n_counties
    assert (pairs["score"] != "").sum() == n_counties


def test_too_few_villages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_bundle(tmp_path, villages=3, counties=2)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generator.main([str(tmp_path), "--villages", "120", "--seed", "9"]) == 0
    assert "120 villages" in capsys.readouterr().out
    assert len(read(tmp_path, "villages")) == 120
    assert generator.main([str(tmp_path), "--villages", "1", "--counties", "2"]) == 2


# ----------------------------------------------------------------------------------------- scale


def test_a_province_of_15000_villages_in_under_a_minute(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    counts = generate_bundle(tmp_path, villages=15_000, seed=0)
    took = time.perf_counter() - t0
    assert took < 60, f"{took:.1f} s"
    assert counts["villages"] == 15_000
    assert counts["counties"] >= 35
    assert len(read(tmp_path, "villages")) == 15_000
    assert counts["auxiliaries"] > counts["villages"]
    assert counts["officers"] >= counts["villages"] / 2.6
