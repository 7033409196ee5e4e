"""How the malformed-input corpus was made: each case is the TINY bundle of ``tests/conftest.py``
with one thing broken the way real bureau spreadsheets break.

The folders under ``tests/malformed/`` are the corpus (open them, run ``cunjing validate`` on
them); ``CASES.toml`` says what each must report. This script only rebuilds the folders:

    python tests/malformed/make_corpus.py            # rebuild every case
    python tests/malformed/make_corpus.py CASE ...   # rebuild some

Binary files (workbooks, GeoPackages) are rebuilt too, so they differ byte-wise from the committed
ones (timestamps) but not in content.
"""

from __future__ import annotations

import codecs
import copy
import io
import shutil
import sqlite3
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import geopandas as gpd  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from shapely.geometry import Point, Polygon, box  # noqa: E402

from conftest import TINY, write_bundle, write_csv  # noqa: E402

CASES: dict[str, Callable[[Path], None]] = {}
CRS = "EPSG:4548"  # CGCS2000 / Gauss-Kruger CM 117E, metres; TINY lies around 117E 33.6N
X0, Y0 = 500_000.0, 3_716_000.0


def case(fn: Callable[[Path], None]) -> Callable[[Path], None]:
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def tiny(**changes: Callable[[dict], None]) -> dict:
    data = copy.deepcopy(TINY)
    for fn in changes.values():
        fn(data)
    return data


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    lines = [",".join(columns)]
    lines += [",".join(r.get(c, "") for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def township_squares(ids=("T1", "T2"), crs=CRS, geoms=None) -> gpd.GeoDataFrame:
    geoms = geoms or [box(X0 - 5000, Y0, X0, Y0 + 5000), box(X0, Y0, X0 + 5000, Y0 + 5000)]
    return gpd.GeoDataFrame({"township_id": list(ids)}, geometry=geoms, crs=crs)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns about a layer without CRS
        for name, gdf in layers.items():
            gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")
    con = sqlite3.connect(path)  # small pages keep the committed file small
    con.execute("PRAGMA page_size=512")
    con.execute("VACUUM")
    con.close()


# ---- the path itself -----------------------------------------------------------------------


@case
def empty_folder(d: Path) -> None:
    d.mkdir()
    (d / ".gitkeep").write_bytes(b"")  # git keeps no empty folders; hidden files are not read


@case
def zero_byte_files(d: Path) -> None:
    d.mkdir()
    for name in ("townships", "villages", "officers", "auxiliaries"):
        (d / f"{name}.csv").write_bytes(b"")


@case
def file_not_folder(d: Path) -> None:
    d.mkdir()
    write_csv(d / "villages.csv", TINY["villages"])  # the case runs on this file, not the folder


@case
def old_xls_workbook(d: Path) -> None:
    d.mkdir()
    (d / "bundle.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504)


@case
def folder_holding_a_workbook(d: Path) -> None:
    d.mkdir()
    _workbook(TINY).save(d / "bundle.xlsx")


@case
def copy_named_file(d: Path) -> None:
    write_bundle(d)
    (d / "villages.csv").rename(d / "villages (1).csv")  # how Windows names a second download


@case
def symlink_out_of_bundle(d: Path) -> None:
    write_bundle(d)
    (d / "villages.csv").unlink()
    (d / "villages.csv").symlink_to("../_outside/villages.csv")


@case
def symlink_dangling(d: Path) -> None:
    write_bundle(d)
    (d / "officers.csv").unlink()
    (d / "officers.csv").symlink_to("officers-2024.csv")


@case
def symlink_loop(d: Path) -> None:
    write_bundle(d)
    (d / "auxiliaries.csv").unlink()
    (d / "auxiliaries.csv").symlink_to("auxiliaries.csv")


@case
def folder_named_like_a_table(d: Path) -> None:
    write_bundle(d)
    (d / "officers.csv").unlink()
    (d / "officers.csv").mkdir()
    write_csv(d / "officers.csv" / "officers.csv", TINY["officers"])


# ---- encodings -----------------------------------------------------------------------------


@case
def utf16_tab_separated(d: Path) -> None:
    write_bundle(d)  # Excel's "Unicode Text" save: UTF-16 with a BOM, tabs between cells
    text = csv_text(TINY["villages"]).replace(",", "\t")
    (d / "villages.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


@case
def utf16_comma_separated(d: Path) -> None:
    write_bundle(d)  # accepted: UTF-16 with a BOM is unambiguous
    (d / "villages.csv").write_bytes(
        codecs.BOM_UTF16_LE + csv_text(TINY["villages"]).encode("utf-16-le")
    )


@case
def semicolon_separated(d: Path) -> None:
    write_bundle(d)  # Excel in a European locale
    (d / "officers.csv").write_text(
        csv_text(TINY["officers"]).replace(",", ";").replace("V1;T1", "V1 T1"), encoding="utf-8"
    )


@case
def mixed_encodings(d: Path) -> None:
    write_bundle(d)  # rows pasted from a GBK file into a UTF-8 one
    lines = csv_text(TINY["villages"]).splitlines(keepends=True)
    data = "".join(lines[:4]).encode("utf-8") + "".join(lines[4:]).encode("gbk")
    (d / "villages.csv").write_bytes(data)


@case
def bom_declares_utf8_but_gbk(d: Path) -> None:
    write_bundle(d)
    (d / "officers.csv").write_bytes(codecs.BOM_UTF8 + csv_text(TINY["officers"]).encode("gbk"))


@case
def bom_in_the_middle(d: Path) -> None:
    write_bundle(d)  # two UTF-8-with-BOM exports joined with `copy a.csv+b.csv`
    rows = TINY["villages"]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    part1 = csv_text(rows[:3], cols).encode("utf-8-sig")
    part2 = csv_text(rows[3:], cols).encode("utf-8-sig")
    (d / "villages.csv").write_bytes(part1 + part2)


@case
def zero_width_in_ids(d: Path) -> None:
    data = copy.deepcopy(TINY)  # ids pasted from a web page or a Word table
    data["officers"][1]["officer_id"] = "\u200b100002"
    data["auxiliaries"][2]["home_village_id"] = "V3\ufeff"
    write_bundle(d, data)


@case
def nul_bytes(d: Path) -> None:
    write_bundle(d)
    text = csv_text(TINY["villages"]).encode("utf-8")
    (d / "villages.csv").write_bytes(text.replace(b"V3,", b"V3\0\0\0,", 1))


@case
def workbook_saved_as_csv(d: Path) -> None:
    write_bundle(d)
    wb = Workbook()
    wb.active.append(list(TINY["officers"][0]))
    wb.save(d / "officers.csv")


@case
def undecodable_bytes(d: Path) -> None:
    write_bundle(d)
    text = csv_text(TINY["auxiliaries"]).encode("utf-8")
    (d / "auxiliaries.csv").write_bytes(text.replace("辅警3".encode(), b"\x80\xff\xfe\x80", 1))


# ---- CSV structure -------------------------------------------------------------------------


@case
def truncated_mid_row(d: Path) -> None:
    write_bundle(d)  # a download cut short: the last row ends mid-cell, no final line break
    text = csv_text(TINY["officers"])
    (d / "officers.csv").write_text(text[: text.index("王芳") + 2], encoding="utf-8")


@case
def truncated_in_quotes(d: Path) -> None:
    write_bundle(d)
    text = csv_text(TINY["villages"]).replace("四村", '"四村, 东片')
    (d / "villages.csv").write_text(text[: text.index("东片") + 2], encoding="utf-8")


@case
def unclosed_quote(d: Path) -> None:
    write_bundle(d)  # an opening quote never closed swallows the rest of the file
    (d / "villages.csv").write_text(
        csv_text(TINY["villages"]).replace(",三村,", ',"三村,'), encoding="utf-8"
    )


@case
def extra_cells(d: Path) -> None:
    write_bundle(d)  # a comma typed inside a name without quotes
    (d / "villages.csv").write_text(
        csv_text(TINY["villages"]).replace("五村", "五村,东组"), encoding="utf-8"
    )


@case
def title_row_above_header(d: Path) -> None:
    write_bundle(d)
    cols = len(TINY["villages"][0]) + 2
    title = "XX县行政村名单（2024年）" + "," * (cols - 1)
    (d / "villages.csv").write_text(title + "\n" + csv_text(TINY["villages"]), encoding="utf-8")


@case
def blank_header_name(d: Path) -> None:
    write_bundle(d)
    text = csv_text(TINY["villages"])
    header, rest = text.split("\n", 1)
    (d / "villages.csv").write_text(
        header.replace("township_id", "", 1) + "\n" + rest, encoding="utf-8"
    )


@case
def duplicate_header(d: Path) -> None:
    data = copy.deepcopy(TINY)
    write_bundle(d, data)
    text = csv_text(TINY["auxiliaries"])
    lines = text.splitlines()
    lines[0] += ",name"
    lines[1:] = [line + ",别名" for line in lines[1:]]
    (d / "auxiliaries.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@case
def trailing_empty_rows_and_columns(d: Path) -> None:
    write_bundle(d)  # accepted: what Excel leaves after deleting rows and columns
    lines = csv_text(TINY["townships"]).splitlines()
    lines = [line + ",,," for line in lines] + [",,,,,,,"] * 3
    (d / "townships.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


@case
def very_long_cell(d: Path) -> None:
    write_bundle(d)
    data = copy.deepcopy(TINY)
    data["villages"][1]["name"] = "二村 " + "x" * 140_000  # beyond csv's field limit
    write_csv(d / "villages.csv", data["villages"])


@case
def misspelled_optional_column(d: Path) -> None:
    write_bundle(d)  # accepted with a warning: the column is not read
    text = csv_text(TINY["officers"]).replace("available_days", "avaliable_days", 1)
    (d / "officers.csv").write_text(text, encoding="utf-8")


@case
def header_only(d: Path) -> None:
    write_bundle(d, villages=[])
    (d / "villages.csv").write_text("village_id,name,township_id\n", encoding="utf-8")


# ---- ids -----------------------------------------------------------------------------------


@case
def duplicate_id(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["officers"].append({**data["officers"][1], "name": "李强（二）"})
    write_bundle(d, data)


@case
def ids_with_spaces(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted with warnings: normalised
    data["villages"][0]["village_id"] = " V1 "
    data["officers"][2]["officer_id"] = "100 003"
    write_bundle(d, data)


@case
def ids_full_width(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted with warnings: normalised
    data["officers"][0]["officer_id"] = "１００００１"
    data["auxiliaries"][3]["home_village_id"] = "Ｖ４"
    data["villages"][3]["township_id"] = "Ｔ２\u3000"
    write_bundle(d, data)


@case
def ids_normalise_to_a_duplicate(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["villages"].append({**data["villages"][2], "village_id": "Ｖ３ ", "name": "三村新"})
    write_bundle(d, data)


@case
def ids_as_decimal_numbers(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted with warnings: a float column written by a script
    for o in data["officers"]:
        o["officer_id"] += ".0"
    data["plan_officers"] = [{"village_id": "V1", "officer_id": "100001"}]
    write_bundle(d, data)


@case
def ids_in_scientific_notation(d: Path) -> None:
    data = copy.deepcopy(TINY)  # Excel shows long numbers as 3.41302E+11 and saves them so
    data["officers"][1]["officer_id"] = "1.00002E+05"
    data["officers"][2]["officer_id"] = "3.41302E+11"
    write_bundle(d, data)


@case
def id_missing(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["auxiliaries"][4]["auxiliary_id"] = ""
    write_bundle(d, data)


@case
def id_with_a_list_separator(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["townships"][1]["township_id"] = "T2;T3"
    write_bundle(d, data)


@case
def excel_error_values(d: Path) -> None:
    data = copy.deepcopy(TINY)  # a VLOOKUP that found nothing, a deleted reference
    data["villages"][4]["township_id"] = "#N/A"
    data["villages"][1]["cases"] = "#REF!"
    data["auxiliaries"][0]["name"] = "#VALUE!"
    write_bundle(d, data)


@case
def month_as_excel_serial(d: Path) -> None:
    data = copy.deepcopy(TINY)  # a date cell whose format was lost: the day number remains
    data["auxiliaries"][1]["hired"] = "44256"
    write_bundle(d, data)


# ---- values and cross-table checks -----------------------------------------------------------


@case
def unknown_references(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["auxiliaries"][5]["home_village_id"] = "V60"
    data["officers"][1]["base_township_id"] = "T3"
    write_bundle(d, data)


@case
def self_neighbour(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted with a warning: the row is ignored
    data["township_neighbours"].append({"township_id": "T2", "neighbour_id": "T2"})
    write_bundle(d, data)


@case
def neighbours_listed_both_ways(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted: adjacency is symmetric, a cycle is no problem
    data["townships"].append({"township_id": "T3", "name": "丙镇", "county_id": "C1"})
    data["villages"].append({"village_id": "V7", "name": "七村", "township_id": "T3"})
    data["township_neighbours"] = [
        {"township_id": a, "neighbour_id": b}
        for a, b in (("T1", "T2"), ("T2", "T1"), ("T2", "T3"), ("T3", "T1"))
    ]
    write_bundle(d, data)


@case
def unknown_neighbour(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["township_neighbours"].append({"township_id": "T1", "neighbour_id": "T9"})
    write_bundle(d, data)


@case
def township_without_villages(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["townships"].append({"township_id": "T3", "name": "丙镇", "county_id": "C1"})
    write_bundle(d, data)


@case
def officer_with_zero_days(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["officers"][1]["available_days"] = "0"
    write_bundle(d, data)


@case
def officer_with_more_days_than_a_month(d: Path) -> None:
    data = copy.deepcopy(TINY)  # 80 typed for 8
    data["officers"][0]["available_days"] = "80"
    write_bundle(d, data)


@case
def negative_cases(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["villages"][3]["cases"] = "-30"
    write_bundle(d, data)


@case
def huge_numbers(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["villages"][0]["population"] = "1e30"
    data["officers"][2]["max_villages"] = "99999999999999999999"
    write_bundle(d, data)


@case
def not_a_number(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["officers"][2]["available_days"] = "7天"
    data["villages"][5]["cases"] = "nan"
    data["villages"][4]["cases"] = "inf"
    write_bundle(d, data)


@case
def lon_lat_swapped(d: Path) -> None:
    data = copy.deepcopy(TINY)
    v = data["villages"][2]
    v["lon"], v["lat"] = v["lat"], v["lon"]
    write_bundle(d, data)


@case
def two_open_postings(d: Path) -> None:
    data = copy.deepcopy(TINY)
    data["aux_history"] = [
        {"auxiliary_id": "FJ1", "village_id": "V2", "start": "2022-01", "end": ""},
        {"auxiliary_id": "FJ1", "village_id": "V3", "start": "2023-06", "end": ""},
    ]
    write_bundle(d, data)


@case
def required_table_missing(d: Path) -> None:
    write_bundle(d)
    (d / "auxiliaries.csv").unlink()


# ---- geo.gpkg ------------------------------------------------------------------------------


@case
def geo_point_for_polygon(d: Path) -> None:
    write_bundle(d)
    tw = township_squares(geoms=[Point(X0 - 2500, Y0 + 2500), box(X0, Y0, X0 + 5000, Y0 + 5000)])
    write_gpkg(d / "geo.gpkg", {"townships": tw})


@case
def geo_invalid_polygon(d: Path) -> None:
    write_bundle(d)
    bowtie = Polygon([(X0, Y0), (X0 + 5000, Y0 + 5000), (X0 + 5000, Y0), (X0, Y0 + 5000)])
    tw = township_squares(geoms=[box(X0 - 5000, Y0, X0, Y0 + 5000), bowtie])
    write_gpkg(d / "geo.gpkg", {"townships": tw})


@case
def geo_not_a_geopackage(d: Path) -> None:
    write_bundle(d)
    (d / "geo.gpkg").write_text("township_id,wkt\nT1,POLYGON((0 0,1 0,1 1,0 0))\n")


@case
def geo_zero_bytes(d: Path) -> None:
    write_bundle(d)
    (d / "geo.gpkg").write_bytes(b"")


@case
def geo_layer_without_crs(d: Path) -> None:
    write_bundle(d)
    write_gpkg(d / "geo.gpkg", {"townships": township_squares(crs=None)})


@case
def geo_ids_differ_from_csv(d: Path) -> None:
    write_bundle(d)
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2", "V3", "V-4"]},
        geometry=[Point(X0 - 1000 * i, Y0 + 1000) for i in range(1, 5)],
        crs=CRS,
    )
    write_gpkg(d / "geo.gpkg", {"townships": township_squares(), "villages": villages})


@case
def geo_missing_id_column(d: Path) -> None:
    write_bundle(d)
    tw = township_squares().rename(columns={"township_id": "code"})
    write_gpkg(d / "geo.gpkg", {"townships": tw})


@case
def geo_wrong_crs_declared(d: Path) -> None:
    write_bundle(d)  # metres labelled as degrees
    tw = township_squares()
    write_gpkg(d / "geo.gpkg", {"townships": tw.set_crs("EPSG:4326", allow_override=True)})


@case
def geo_null_id(d: Path) -> None:
    write_bundle(d)
    write_gpkg(d / "geo.gpkg", {"townships": township_squares(ids=("T1", None))})


@case
def geo_roads_as_polygons(d: Path) -> None:
    write_bundle(d)
    roads = gpd.GeoDataFrame(
        {"name": ["G343"], "class": ["national"]},
        geometry=[box(X0 - 4000, Y0 + 100, X0 + 4000, Y0 + 120)],
        crs=CRS,
    )
    write_gpkg(d / "geo.gpkg", {"townships": township_squares(), "roads": roads})


# ---- policy.toml ---------------------------------------------------------------------------


def _policy(d: Path, text: str, encoding: str = "utf-8") -> None:
    write_bundle(d)
    (d / "policy.toml").write_bytes(text.encode(encoding))


@case
def policy_unknown_keys(d: Path) -> None:
    _policy(d, "[solver]\nthreads = 4\n\n[rules.OFF-PREF]\nweigth = 10\n\n[output]\nformat = 1\n")


@case
def policy_wrong_types(d: Path) -> None:
    _policy(
        d,
        '[solver]\ntime_limit = "60s"\nworkers = 2.5\n\n[rules.OFF-TRAFFIC]\nenabled = "no"\n'
        "buffer_m = -100\n",
    )


@case
def policy_not_toml(d: Path) -> None:
    _policy(d, "[solver]\ntime_limit = 60\nworkers: 2\n")


@case
def policy_not_utf8(d: Path) -> None:
    _policy(d, "# 政策参数\n[solver]\ntime_limit = 60\n", encoding="gbk")


@case
def policy_unknown_crs(d: Path) -> None:
    _policy(d, '[geo]\ncrs = "EPSG:999999"\n')


@case
def policy_geographic_crs(d: Path) -> None:
    _policy(d, '[geo]\ncrs = "EPSG:4326"\n')


@case
def policy_non_finite_numbers(d: Path) -> None:
    _policy(d, "[geo]\ndetour_factor = inf\n\n[solver]\ntime_limit = nan\n")


@case
def policy_bad_start_month(d: Path) -> None:
    _policy(d, '[plan]\nstart_month = "2027-13"\n')


@case
def policy_array_of_tables(d: Path) -> None:
    _policy(d, '[[rules]]\nid = "OFF-PREF"\nweight = 5\n')


@case
def policy_numbers_out_of_range(d: Path) -> None:
    _policy(
        d,
        "[solver]\nseed = 4294967296\ntime_limit = 1e300\n\n[rules.VISIT-DAYS]\n"
        "visit_days_per_month = -inf\n\n[rules.AUX-TENURE]\nperiods = 99999999999999999999\n",
    )


@case
def policy_digits_beyond_python(d: Path) -> None:
    _policy(d, "[rules.AUX-TENURE]\nperiods = " + "9" * 5000 + "\n")


@case
def policy_nested_thousands_deep(d: Path) -> None:
    _policy(d, "[solver]\nseed = " + "[" * 3000 + "]" * 3000 + "\n")


@case
def policy_enum_typos(d: Path) -> None:
    _policy(
        d,
        '[rules.OFF-ORIGIN]\ncategories = ["organs"]\n\n[rules.OFF-TRAFFIC]\n'
        'road_classes = ["national", "nationl"]\n\n[rules.VISIT-DAYS]\nspacing = "weekly"\n',
    )


@case
def policy_required_rule_off(d: Path) -> None:
    _policy(d, "[rules.OFF-LOAD]\nenabled = false\n\n[rules.AUX-COVER]\nenabled = false\n")


# ---- one-workbook bundles ------------------------------------------------------------------


def _workbook(data: dict, numbers: tuple[str, ...] = ()) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in data.items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([float(r[c]) if c in numbers and r.get(c) else r.get(c, "") for c in cols])
    return wb


@case
def xlsx_merged_header(d: Path) -> None:
    d.mkdir()
    wb = _workbook(TINY)
    ws = wb["villages"]
    ws.insert_rows(1)
    ws["A1"] = "村基本信息"
    ws.merge_cells("A1:G1")
    wb.save(d / "bundle.xlsx")


@case
def xlsx_merged_cells_in_header(d: Path) -> None:
    d.mkdir()
    wb = _workbook(TINY)
    ws = wb["officers"]
    ws.merge_cells("B1:C1")  # 姓名 and 警种 under one merged heading
    wb.save(d / "bundle.xlsx")


@case
def xlsx_error_cells(d: Path) -> None:
    d.mkdir()
    wb = _workbook(TINY)
    wb["auxiliaries"]["D4"] = "#N/A"  # stored as an Excel error value, as a failed VLOOKUP
    wb["villages"]["E3"] = "#DIV/0!"
    wb.save(d / "bundle.xlsx")


@case
def xlsx_date_typed_cells(d: Path) -> None:
    import datetime as dt

    d.mkdir()
    data = copy.deepcopy(TINY)
    for a in data["auxiliaries"]:
        a["hired"] = ""
    wb = _workbook(data)
    ws = wb["auxiliaries"]
    ws["E2"] = dt.datetime(2021, 3, 1)  # accepted: a month typed as a date
    ws["B3"] = dt.datetime(2024, 3, 1)  # a name like "3-1" that Excel turned into a date
    wb.save(d / "bundle.xlsx")


@case
def xlsx_ids_as_numbers(d: Path) -> None:
    d.mkdir()  # accepted: Excel stores typed ids as numbers (100001.0)
    _workbook(TINY, numbers=("officer_id", "cases", "available_days")).save(d / "bundle.xlsx")


@case
def xlsx_not_a_workbook(d: Path) -> None:
    d.mkdir()
    (d / "bundle.xlsx").write_text(csv_text(TINY["villages"]), encoding="utf-8")


@case
def xlsx_empty_sheet(d: Path) -> None:
    d.mkdir()
    wb = _workbook(TINY)
    wb.remove(wb["officers"])
    wb.create_sheet("officers")
    wb.save(d / "bundle.xlsx")


@case
def xlsx_policy_sheet_conflict(d: Path) -> None:
    d.mkdir()
    wb = _workbook(TINY)
    ws = wb.create_sheet("policy")
    ws.append(["key", "value"])
    ws.append(["rules.OFF-PREF.weight", 5])
    ws.append(["rules.OFF-PREF.weight.max", 9])
    ws.append(["solver.workers", "two"])
    wb.save(d / "bundle.xlsx")


# ---- hostile files: bombs, devices, queries, terminal commands ---------------------------------
#
# Files an attacker (or an unlucky tool) makes: each must be refused within bounded memory and
# time, before it is unpacked or run. The archives are crafted small: what they declare is what
# the reader must not trust.


def _xlsx_bytes(data: dict | None = None) -> bytes:
    buf = io.BytesIO()
    _workbook(data or TINY).save(buf)
    return buf.getvalue()


def _sheet_part(table: str) -> str:
    return f"xl/worksheets/sheet{list(TINY).index(table) + 1}.xml"


def _with_part(xlsx: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part rewritten (the others copied as they are)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == part else data)
    return out.getvalue()


def _declare_size(xlsx: bytes, part: str, size: int) -> bytes:
    """The workbook with ``part``'s unpacked size declared as ``size`` in both of the zip's
    headers, the data left as it is: a size that lies."""
    data = bytearray(xlsx)
    name = part.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:  # local file headers: the name after 30 bytes
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:  # central directory entries: the name after 46 bytes
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@case
def xlsx_inflating_sheet(d: Path) -> None:
    d.mkdir()  # 2.7 MB that unpack to 619 MB of XML: the sheet's declared size is refused
    xlsx = _declare_size(_xlsx_bytes(), _sheet_part("villages"), 649_000_000)
    (d / "bundle.xlsx").write_bytes(xlsx)


@case
def xlsx_declared_size_lies(d: Path) -> None:
    d.mkdir()  # a sheet that declares 200 bytes and holds more: unpacking stops at 200
    xlsx = _declare_size(_xlsx_bytes(), _sheet_part("villages"), 200)
    (d / "bundle.xlsx").write_bytes(xlsx)


@case
def xlsx_entity_expansion(d: Path) -> None:
    d.mkdir()  # "billion laughs": entities that expand tenfold at each level

    def bomb(xml: bytes) -> bytes:
        levels = "".join(
            f'<!ENTITY e{i} "{"".join(f"&e{i - 1};" for _ in range(10))}">' for i in range(1, 9)
        )
        head = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e0 "ha">{levels}]>'
        body = xml.split(b"?>", 1)[-1].replace(b"<sheetData>", b"<sheetData>&e8;", 1)
        return head.encode() + body

    (d / "bundle.xlsx").write_bytes(_with_part(_xlsx_bytes(), _sheet_part("villages"), bomb))


@case
def xlsx_row_beyond_a_sheet(d: Path) -> None:
    d.mkdir()  # a row numbered past Excel's 1,048,576: padding up to it would fill the memory
    row = b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>V9</t></is></c></row>'
    xlsx = _with_part(
        _xlsx_bytes(),
        _sheet_part("villages"),
        lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>"),
    )
    (d / "bundle.xlsx").write_bytes(xlsx)


@case
def xlsx_cell_beyond_a_sheet(d: Path) -> None:
    d.mkdir()  # a cell in column XFE, one past Excel's last column XFD
    cell = b'<c r="XFE1" t="inlineStr"><is><t>x</t></is></c></row>'
    xlsx = _with_part(
        _xlsx_bytes(), _sheet_part("officers"), lambda xml: xml.replace(b"</row>", cell, 1)
    )
    (d / "bundle.xlsx").write_bytes(xlsx)


@case
def xlsx_formula_without_value(d: Path) -> None:
    d.mkdir()  # written by a program that does not calculate: a formula, no saved result
    wb = _workbook(TINY)
    ws = wb["villages"]
    ws["B4"] = '=CONCAT("三","村")'  # a required column: reported once, not also as missing
    ws["E6"] = "=1+1"
    wb.save(d / "bundle.xlsx")


@case
def xlsx_sheets_with_one_name(d: Path) -> None:
    d.mkdir()  # 'villages' and its full-width twin: which one is meant cannot be told
    wb = _workbook(TINY)
    twin = wb.copy_worksheet(wb["villages"])
    twin.title = "ｖｉｌｌａｇｅｓ"
    wb.save(d / "bundle.xlsx")


@case
def device_as_the_bundle(d: Path) -> None:
    d.mkdir()  # a link to a device named like a workbook: opening it never ends
    (d / "bundle.xlsx").symlink_to("/dev/zero")


@case
def tables_with_one_name(d: Path) -> None:
    write_bundle(d)  # villages.csv and a full-width twin (an older copy, say)
    rows = [dict(r, name=r["name"] + "（旧）") for r in TINY["villages"]]
    write_csv(d / "ｖｉｌｌａｇｅｓ.csv", rows)


@case
def header_with_too_many_columns(d: Path) -> None:
    write_bundle(d)  # a header beyond Excel's 16,384 columns (a million took a minute)
    text = csv_text(TINY["villages"])
    header, rest = text.split("\n", 1)
    extra = ",".join(f"c{i}" for i in range(20_000))
    (d / "villages.csv").write_text(header + "," + extra + "\n" + rest, encoding="utf-8")


@case
def row_with_too_many_cells(d: Path) -> None:
    write_bundle(d)  # one row of 20,000 cells
    lines = csv_text(TINY["officers"]).splitlines()
    lines[2] += "," * 20_000 + "x"
    (d / "officers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@case
def many_unknown_columns(d: Path) -> None:
    write_bundle(d)  # accepted: 40 columns the engine does not read, said in one warning
    text = csv_text(TINY["townships"])
    header, rest = text.split("\n", 1)
    rows = rest.strip().split("\n")
    header += "," + ",".join(f"备注{i}" for i in range(40))
    rows = [r + "," * 40 for r in rows]
    (d / "townships.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@case
def ids_of_invisible_characters(d: Path) -> None:
    data = copy.deepcopy(TINY)  # ids that normalise to nothing: not given
    data["auxiliaries"][6]["auxiliary_id"] = "\u200b"
    data["auxiliaries"][7]["auxiliary_id"] = "\u200d\ufeff"
    write_bundle(d, data)


@case
def control_characters_in_names(d: Path) -> None:
    data = copy.deepcopy(TINY)  # a terminal command (set the window title) and a bell
    data["officers"][0]["name"] = "张伟\x1b]0;owned\x07"
    data["villages"][1]["name"] = "二村\x1b[2J"
    data["auxiliaries"][2]["home_village_id"] = "V3\x1b"
    write_bundle(d, data)


@case
def formulas_in_names(d: Path) -> None:
    data = copy.deepcopy(TINY)  # accepted; written CSVs carry them as text (tests/output)
    data["officers"][1]["name"] = '=HYPERLINK("http://example.invalid","李强")'
    data["villages"][2]["name"] = "+三村"
    data["auxiliaries"][0]["name"] = "@SUM(1+1)"
    write_bundle(d, data)


@case
def implausible_months(d: Path) -> None:
    data = copy.deepcopy(TINY)  # 9999-12 moved the plan start to the year 10000
    data["aux_history"] = [
        {"auxiliary_id": "FJ1", "village_id": "V2", "start": "2022-01", "end": "9999-12"},
    ]
    data["auxiliaries"][3]["hired"] = "0202-03"
    write_bundle(d, data)


def _gpkg_sql(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.execute("VACUUM")
    con.close()


_REGISTER_VILLAGES = (
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
    "VALUES ('villages', 'features', 'villages', 4548)",
    "INSERT INTO gpkg_geometry_columns VALUES ('villages', 'geom', 'POINT', 4548, 0, 0)",
)


@case
def geo_layer_is_a_recursive_view(d: Path) -> None:
    write_bundle(d)  # a view whose query never ends: reading it never returned
    write_gpkg(d / "geo.gpkg", {"townships": township_squares()})
    _gpkg_sql(
        d / "geo.gpkg",
        "CREATE VIEW villages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT i AS fid, 'V1' AS village_id, NULL AS geom FROM n",
        *_REGISTER_VILLAGES,
    )


@case
def geo_computed_column(d: Path) -> None:
    write_bundle(d)  # a column computed on every read (here: 100 MB of zeros a row)
    write_gpkg(d / "geo.gpkg", {"townships": township_squares()})
    _gpkg_sql(
        d / "geo.gpkg",
        "CREATE TABLE villages (fid INTEGER PRIMARY KEY, geom BLOB, village_id TEXT, "
        "pad BLOB GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL)",
        *_REGISTER_VILLAGES,
    )


@case
def geo_attributes_layer(d: Path) -> None:
    write_bundle(d)  # the townships layer registered as a table without geometry
    write_gpkg(d / "geo.gpkg", {"townships": township_squares()})
    _gpkg_sql(
        d / "geo.gpkg",
        "UPDATE gpkg_contents SET data_type = 'attributes' WHERE table_name = 'townships'",
    )


def main(names: list[str]) -> None:
    outside = HERE / "_outside"
    outside.mkdir(exist_ok=True)
    write_csv(outside / "villages.csv", TINY["villages"])
    for name in names or list(CASES):
        target = HERE / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        CASES[name](target)
    print(f"{len(names or CASES)} case(s) written under {HERE}")


if __name__ == "__main__":
    main(sys.argv[1:])
