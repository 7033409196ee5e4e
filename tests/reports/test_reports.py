"""What the planner sees: plan.xlsx (and its round trip through ``cunjing check``), plan.gpkg
read by GDAL's ogrinfo, the public notice's columns, report.html in a real browser with no
network, ``cunjing report``."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
import shapely

from cunjing.constraints.registry import RULES
from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.plan_files import read_plan_folder
from cunjing.optimizer.input.schema import NOTICE_FILE
from cunjing.optimizer.output.xlsx import display_width
from cunjing.optimizer.reports import html as report_html
from cunjing.optimizer.reports.geopackage import village_geometry, village_table
from cunjing.optimizer.reports.map import hue_distance, neighbour_pairs, officer_colours
from cunjing.optimizer.reports.notice import NOTICE_COLUMNS, NOTICE_SHEET
from cunjing.optimizer.reports.words import reasons_in_words
from cunjing.optimizer.reports.workbook import (
    AUXILIARY_LIST_SHEET,
    AUXILIARY_SHEET,
    DIFF_SHEET,
    KPI_SHEET,
    LOAD_SHEET,
    OFFICER_SHEET,
    ROTATION_SHEET,
    RULE_SHEET,
)
from cunjing.optimizer.reports.write import AWAY_REPORTS, REPORT_FILES, write_reports
from cunjing.optimizer.run.annual import place_auxiliaries
from cunjing.optimizer.run.helper import HelperProcess
from cunjing.optimizer.solve.options import SolveOptions

from browser import open_offline, print_offline
from conftest import write_bundle
from report_parts import add_parts


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A 60-village county planned by ``cunjing plan`` (which writes the reports), and a copy
    with the parts other runs write (auxiliary plan, diff, rotation) and its reports."""
    root = tmp_path_factory.mktemp("reports")
    bundle = root / "bundle"
    generate_bundle(bundle, villages=60, counties=1, seed=7)
    plan = root / "plan"
    assert main(["plan", str(bundle), "--out", str(plan), "--time-limit", "20"]) == 0
    inst = load_bundle(bundle)
    full = root / "full"
    shutil.copytree(plan, full)
    for name in REPORT_FILES:
        (full / name).unlink()
    add_parts(full, inst, diff=True, rotation=True)
    write_reports(full, inst)
    return bundle, plan, full, inst


def sheet_frame(path, sheet) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, dtype=object).fillna("")


def test_plan_writes_every_report(planned):
    _, plan, _, _ = planned
    for name in REPORT_FILES:
        assert (plan / name).stat().st_size > 0, name


def test_workbook_sheets_headers_and_layout(planned):
    _, plan, full, _ = planned
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    # a plan run has no rotation and no diff: those sheets are left out, not left empty
    assert book.sheetnames == [
        OFFICER_SHEET,
        AUXILIARY_SHEET,
        LOAD_SHEET,
        RULE_SHEET,
        KPI_SHEET,
        AUXILIARY_LIST_SHEET,
    ]
    full_book = openpyxl.load_workbook(full / "plan.xlsx")
    assert full_book.sheetnames == [
        OFFICER_SHEET,
        AUXILIARY_SHEET,
        LOAD_SHEET,
        ROTATION_SHEET,
        DIFF_SHEET,
        RULE_SHEET,
        KPI_SHEET,
        AUXILIARY_LIST_SHEET,
    ]
    headers = {ws.title: [c.value for c in ws[1]] for ws in full_book}
    assert {"村编码", "警号", "民警姓名", "警种", "理由"} <= set(headers[OFFICER_SHEET])
    assert {"村编码", "辅警编号", "辅警姓名", "来源", "理由"} <= set(headers[AUXILIARY_SHEET])
    assert {"警号", "包村数", "每月已用天数", "每月可用天数"} <= set(headers[LOAD_SHEET])
    assert headers[ROTATION_SHEET] == [
        "村编码",
        "村名",
        "乡镇",
        "第1期",
        "第2期",
        "第3期",
        "交流次数",
    ]
    assert {"村编码", "角色", "调整前", "调整后", "原因"} <= set(headers[DIFF_SHEET])
    assert {"规则编号", "条款", "权重（分/村）", "决定村数"} <= set(headers[RULE_SHEET])
    for ws in full_book:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title
        for j, cell in enumerate(ws[1], start=1):
            width = ws.column_dimensions[cell.column_letter].width
            texts = [str(r[0]) for r in ws.iter_cols(min_col=j, max_col=j, values_only=True)]
            # every cell fits (the widest Chinese text counts double), up to the wrap width
            assert width >= min(60, max(display_width(t) for t in texts if t != "None")), (
                ws.title,
                cell.value,
            )
    # ids stay text (leading zeros and long codes survive Excel)
    assert isinstance(full_book[OFFICER_SHEET]["A2"].value, str)


def test_workbook_contents_agree_with_the_plan_files(planned):
    _, plan, full, inst = planned
    csv = pd.read_csv(plan / "officer_plan.csv", dtype=str, keep_default_na=False)
    sheet = sheet_frame(plan / "plan.xlsx", OFFICER_SHEET)
    assert sheet["村编码"].tolist() == csv["village_id"].tolist()
    assert sheet["警号"].tolist() == csv["officer_id"].tolist()
    assert sheet["理由"].tolist() == [reasons_in_words(r) for r in csv["reasons"]]
    # days used per officer are the sum of his villages' workload
    load = sheet_frame(plan / "plan.xlsx", LOAD_SHEET).set_index("警号")
    days = csv.assign(d=csv["workload_days"].astype(float)).groupby("officer_id")["d"].sum()
    for officer, d in days.items():
        assert load.at[officer, "每月已用天数"] == pytest.approx(d, abs=0.01)
        assert load.at[officer, "包村数"] == (csv["officer_id"] == officer).sum()
    assert len(load) == len(inst.officers)
    # every rule with what it decided, as the KPIs count it
    rules = sheet_frame(plan / "plan.xlsx", RULE_SHEET).set_index("规则编号")
    assert list(rules.index) == list(RULES)
    summary = pd.read_json(plan / "summary.json", typ="series")
    for rid, k in summary["kpis"]["officer"]["rules"].items():
        assert rules.at[rid, "决定村数"] == k["matched"]
    kpis = sheet_frame(plan / "plan.xlsx", KPI_SHEET).set_index("键")
    assert kpis.at["villages", "值"] == 60
    assert kpis.at["covered_by_officer", "值"] == summary["kpis"]["covered_by_officer"]
    # the rotation: a row per village, its auxiliary each period, arrivals marked
    rotation = sheet_frame(full / "plan.xlsx", ROTATION_SHEET).set_index("村编码")
    rot = pd.read_csv(full / "rotation.csv", dtype={"village_id": str, "auxiliary_id": str})
    assert len(rotation) == rot["village_id"].nunique() == 60
    for r in rot.itertuples():
        cell = rotation.at[r.village_id, f"第{r.period}期"]
        assert r.auxiliary_id in cell and cell.endswith("（调入）") == bool(r.moved)
    moves = rot.groupby("village_id")["moved"].sum()
    assert (rotation["交流次数"] == moves.reindex(rotation.index)).all()


def test_reasons_read_in_words():
    assert reasons_in_words("OFF-PREF:1;OFF-KEY") == "民警第1志愿；" + RULES["OFF-KEY"].summary_zh
    assert reasons_in_words("AUX-FAMILIAR:same_township;AUX-FAMILIAR:recommended") == (
        "本乡镇辅警；派出所推荐"
    )
    assert reasons_in_words("OFF-ORIGIN") == RULES["OFF-ORIGIN"].summary_zh
    assert reasons_in_words("") == ""
    assert reasons_in_words("NEW-RULE:x") == "NEW-RULE（x）"  # unknown ids are kept, not lost


def test_edited_workbook_is_judged_by_check(planned, tmp_path, capsys, english):
    bundle, plan, _, _ = planned
    edited = tmp_path / "plan.xlsx"
    shutil.copy(plan / "plan.xlsx", edited)
    capsys.readouterr()
    assert main(["check", str(bundle), str(edited)]) == 0
    assert "every hard rule holds" in capsys.readouterr().out
    # the planner empties one village's officer and gives all of another officer's villages
    # to a single officer, in Excel
    book = openpyxl.load_workbook(edited)
    ws = book[OFFICER_SHEET]
    head = [c.value for c in ws[1]]
    vcol, ocol = head.index("村编码") + 1, head.index("警号") + 1
    emptied = ws.cell(row=2, column=vcol).value
    ws.cell(row=2, column=ocol).value = None
    busy = ws.cell(row=3, column=ocol).value
    for row in range(4, ws.max_row + 1):
        ws.cell(row=row, column=ocol).value = busy
    book.save(edited)
    assert main(["check", str(bundle), str(edited)]) == 1
    out = capsys.readouterr().out
    assert "OFF-COVER" in out and emptied in out
    assert f"OFF-LOAD: officer {busy}" in out


def test_geopackage_opens_in_gdal(planned):
    _, _, full, inst = planned
    run = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(full / "plan.gpkg")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "ERROR" not in run.stderr
    for layer in ("villages (Polygon)", "townships (Polygon)", "officer_bases (Point)"):
        assert layer in run.stdout
    run = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(full / "plan.gpkg"), "villages"],
        capture_output=True,
        text=True,
    )
    assert "Feature Count: 60" in run.stdout
    for field in (
        "officer_name",
        "officer_reasons",
        "officer_score",
        "auxiliary_name",
        "relation",
        "auxiliary_reasons",
        "changed",
    ):
        assert f"{field}: " in run.stdout
    csv = pd.read_csv(full / "officer_plan.csv", dtype=str, keep_default_na=False)
    v, officer = csv.at[0, "village_id"], csv.at[0, "officer_name"]
    run = subprocess.run(
        [
            "ogrinfo",
            "-ro",
            str(full / "plan.gpkg"),
            "-sql",
            f"SELECT officer_name FROM villages WHERE village_id = '{v}'",
        ],
        capture_output=True,
        text=True,
    )
    assert f"officer_name (String) = {officer}" in run.stdout
    bases = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(full / "plan.gpkg"), "officer_bases"],
        capture_output=True,
        text=True,
    )
    assert f"Feature Count: {len(inst.officers)}" in bases.stdout


def test_public_notice_holds_only_names_units_and_phones(planned):
    _, plan, full, inst = planned
    book = openpyxl.load_workbook(full / NOTICE_FILE)
    assert book.sheetnames == [NOTICE_SHEET]
    notice = sheet_frame(full / NOTICE_FILE, NOTICE_SHEET)
    assert list(notice.columns) == list(NOTICE_COLUMNS.values())
    assert list(notice.columns) == [
        "乡镇",
        "村名",
        "包村民警",
        "民警单位",
        "民警电话",
        "驻村辅警",
        "辅警单位",
        "辅警电话",
    ]
    assert len(notice) == 60
    # nothing else about the people: no ids, home villages, native places, wishes
    cells = set(notice.astype(str).to_numpy().ravel())
    off, aux = inst.officers, inst.auxiliaries
    private = set(off.index) | set(aux.index) | set(aux["home_village_id"])
    private |= {x for x in off["native_village_id"].fillna("") if x}
    private |= {p for prefs in off["preferences"] for p in prefs}
    assert not cells & private
    # the phones are the people's own
    csv = pd.read_csv(full / "officer_plan.csv", dtype=str, keep_default_na=False)
    phone = off["phone"].astype(str).reindex(csv["officer_id"]).tolist()
    # (real village names repeat in other townships: 赵楼村, 大王村, …)
    place = zip(csv["township_name"], csv["village_name"], strict=True)
    by_village = dict(zip(place, phone, strict=True))
    for town, name, p in zip(notice["乡镇"], notice["村名"], notice["民警电话"], strict=True):
        assert str(p) == by_village[town, name]
    # a plan folder without auxiliaries (a hand-made officer plan) has the officer part only
    officers = plan.parent / "officers-only"
    if not officers.exists():
        shutil.copytree(plan, officers)
        (officers / "auxiliary_plan.csv").unlink()
        write_reports(officers, inst)
    officer_only = sheet_frame(officers / NOTICE_FILE, NOTICE_SHEET)
    assert list(officer_only.columns) == ["乡镇", "村名", "包村民警", "民警单位", "民警电话"]


def test_report_command_regenerates_every_report_or_none(planned, tmp_path, monkeypatch, capsys):
    _, _, full, _ = planned
    folder = tmp_path / "plan"
    shutil.copytree(full, folder)
    before = {n: (folder / n).read_bytes() for n in REPORT_FILES}
    # one report failing half-way: every previous report stays as it was
    write_html = report_html.write_html

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_html, "write_html", broken)
    assert main(["report", str(folder)]) == 3
    assert "disk full" in capsys.readouterr().err
    assert {n: (folder / n).read_bytes() for n in REPORT_FILES} == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp")]
    # and regenerated when all succeed
    monkeypatch.setattr(report_html, "write_html", write_html)
    for name in REPORT_FILES:
        (folder / name).unlink()
    assert main(["report", str(folder)]) == 0
    out = capsys.readouterr().out
    for name in REPORT_FILES:
        assert (folder / name).exists() and f"已写入 {folder / name}" in out
    assert openpyxl.load_workbook(folder / "plan.xlsx").sheetnames[:2] == [
        OFFICER_SHEET,
        AUXILIARY_SHEET,
    ]
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp")]


def test_report_command_rejects_what_is_not_a_plan(planned, tmp_path, capsys):
    _, _, full, _ = planned
    assert main(["report", str(tmp_path)]) == 2
    assert "不是方案文件夹" in capsys.readouterr().err
    # a plan of another bundle: said with file, row and column, and nothing written
    folder = tmp_path / "other"
    shutil.copytree(full, folder)
    before = (folder / "plan.xlsx").read_bytes()
    assert main(["report", str(folder), "--bundle", str(write_bundle(tmp_path / "b"))]) == 2
    err = capsys.readouterr().err
    assert "officer_plan.csv:2:village_id:" in err and "Traceback" not in err
    assert (folder / "plan.xlsx").read_bytes() == before


def test_reports_of_a_bundle_without_polygons(tmp_path):
    """Villages given as points only (no geo.gpkg): the map and the GeoPackage use points."""
    bundle = write_bundle(tmp_path / "b")
    out = tmp_path / "plan"
    assert main(["plan", str(bundle), "--out", str(out)]) == 0
    run = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(out / "plan.gpkg")], capture_output=True, text=True
    )
    assert "villages (Point)" in run.stdout and "townships (Point)" in run.stdout
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "一村" in text and '<circle class="v"' in text  # villages as dots


def map_colours(html_text: str) -> dict[str, str]:
    """Officer id -> the colour of his villages, from the page's map data."""
    import json
    import re

    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html_text)
    data = json.loads(found.group(1)) if found else {"officers": {}}
    return {o: x["colour"] for o, x in data["officers"].items()}


def palette_pixels(png, palette) -> dict[str, int]:
    """Pixels of each of the map's village colours in a screenshot (fills, exactly)."""
    from PIL import Image

    im = Image.open(png).convert("RGB")
    colours = im.getcolors(maxcolors=im.width * im.height)
    wanted = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)): c for c in palette}
    return {wanted[rgb]: n for n, rgb in colours if rgb in wanted}


def palette_height(png, palette) -> int:
    """Rows of a screenshot from the first to the last with a village fill."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(png).convert("RGB")).astype(np.int64)
    code = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    rows = np.flatnonzero(np.isin(code, [int(c[1:], 16) for c in palette]).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def test_report_opens_offline_in_a_browser_and_draws_the_villages(planned, tmp_path):
    _, _, full, _ = planned
    html = full / "report.html"
    text = html.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text  # nothing loaded from elsewhere
    run = open_offline(html, tmp_path / "report.png")
    assert run.console == []  # no error, no warning, nothing logged
    assert run.requests == []  # not one request left the page
    palette = sorted(set(map_colours(text).values()))
    fills = palette_pixels(run.screenshot, palette)
    big = {c: n for c, n in fills.items() if n >= 100}
    # every officer's villages in his own colour, and most of them big enough to see
    assert len(big) >= 0.8 * len(palette), (len(big), len(palette))
    # the map is fitted to the county: 埇桥区's real outline, twice as tall as wide, spans more
    # than half the page's height and covers some 8 % of the 1400 x 1000 page
    assert palette_height(run.screenshot, palette) >= 0.5 * 1000
    assert sum(fills.values()) >= 0.06 * 1400 * 1000, fills
    # the page carries the views, the township names and the what-if's changes
    for view in ("按包村民警", "按辅警来源", "按轮换交流次数"):
        assert f'"{view}"' in text  # in the map's JSON, as UTF-8
    assert 'class="changed"' in text and 'class="tl"' in text


def test_browser_check_catches_network_and_errors(tmp_path):
    """The browser test can fail: a page that loads from a CDN and throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><script src="https://cdn.plot.ly/plotly-3.0.0.min.js"></script>'
        "<script>Plotly.newPlot('x', [])</script></body></html>",
        encoding="utf-8",
    )
    run = open_offline(page, tmp_path / "bad.png", width=300, height=200)
    assert run.requests == ["https://cdn.plot.ly/plotly-3.0.0.min.js"]
    assert any("Plotly is not defined" in line for line in run.console)
    assert palette_pixels(run.screenshot, ["#6baed6"]) == {}


def test_reports_of_a_rotation_folder(planned, tmp_path):
    """A folder with a rotation (and a diff) but no annual plan: the reports show what it has,
    and a notice from an earlier run is not left behind, stale."""
    bundle, _, full, _ = planned
    folder = tmp_path / "rotation"
    shutil.copytree(full, folder)
    for name in ("officer_plan.csv", "auxiliary_plan.csv", "summary.json"):
        (folder / name).unlink()
    assert main(["report", str(folder), "--bundle", str(bundle)]) == 0
    book = openpyxl.load_workbook(folder / "plan.xlsx")
    assert book.sheetnames == [ROTATION_SHEET, DIFF_SHEET, RULE_SHEET, KPI_SHEET]
    assert not (folder / NOTICE_FILE).exists()
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert '"按轮换交流次数"' in text and '"按包村民警"' not in text


def test_neighbouring_officers_get_different_colours(planned):
    _, _, full, inst = planned
    table = village_table(read_plan_folder(full), inst)
    geoms = village_geometry(inst, table["village_id"]).to_numpy()
    officers = table["officer_id"].to_numpy(object)
    pairs = neighbour_pairs(geoms, shapely.get_coordinates(shapely.point_on_surface(geoms)))
    colour = officer_colours(officers, pairs)
    # every officer his own colour
    assert colour.is_unique and set(colour.index) == set(officers) - {""}
    a, b = officers[pairs[:, 0]], officers[pairs[:, 1]]
    differ = (a != b) & (a != "") & (b != "")
    assert differ.sum() > 20  # the county has many borders between officers' villages
    # and officers whose villages border each other in hues far apart
    gaps = [hue_distance(colour[x], colour[y]) for x, y in zip(a[differ], b[differ], strict=True)]
    assert min(gaps) >= 15, min(gaps)


def test_reports_of_a_hand_made_plan(tmp_path, capsys):
    """A planner's own officer_plan.csv with the two id columns only: the reports fill names,
    units and days from the bundle."""
    bundle = write_bundle(tmp_path / "b")
    folder = tmp_path / "hand"
    folder.mkdir()
    rows = "village_id,officer_id\nV1,100001\nV2,100001\nV3,100003\nV4,100002\nV5,100002\nV6,\n"
    (folder / "officer_plan.csv").write_text(rows, encoding="utf-8")
    assert main(["report", str(folder), "--bundle", str(bundle)]) == 0
    sheet = sheet_frame(folder / "plan.xlsx", OFFICER_SHEET)
    assert sheet["村名"].tolist() == ["一村", "二村", "三村", "四村", "五村", "六村"]
    load = sheet_frame(folder / "plan.xlsx", LOAD_SHEET).set_index("警号")
    assert load.at["100001", "所包村"] == "一村、二村" and load.at["100001", "包村数"] == 2
    notice = sheet_frame(folder / NOTICE_FILE, NOTICE_SHEET).set_index("村名")
    assert notice.at["一村", "包村民警"] == "张伟" and notice.at["六村", "包村民警"] == ""


def test_helper_process_writes_the_same_reports(planned, tmp_path):
    bundle, _, full, inst = planned
    here, there, asked = tmp_path / "here", tmp_path / "there", tmp_path / "asked"
    for folder in (here, there, asked):
        folder.mkdir()
    alone = write_reports(full, inst, out=here)
    with HelperProcess(bundle) as helper:
        # asked directly, it writes exactly the reports it is asked for
        assert helper.ask("reports", inst.fingerprint, (str(full), str(asked), AWAY_REPORTS))
        assert helper.answer() == list(AWAY_REPORTS)
        assert sorted(p.name for p in asked.iterdir()) == sorted(AWAY_REPORTS)
        helped = write_reports(full, inst, out=there, away=helper)
    assert [p.name for p in helped] == [p.name for p in alone] == list(REPORT_FILES)
    assert (there / "report.html").read_bytes() == (here / "report.html").read_bytes()
    for sheet in pd.ExcelFile(here / NOTICE_FILE).sheet_names:
        assert sheet_frame(there / NOTICE_FILE, sheet).equals(
            sheet_frame(here / NOTICE_FILE, sheet)
        )


def test_reports_are_written_here_when_the_helper_cannot(planned, tmp_path):
    _, _, full, inst = planned
    # a helper that loaded another bundle (here the sample) declines; so does one that is gone
    with HelperProcess(None) as other:
        assert other.ask("reports", inst.fingerprint, (str(full), str(tmp_path), AWAY_REPORTS))
        assert other.answer() is None
        written = write_reports(full, inst, out=tmp_path, away=other)
    assert [p.name for p in written] == list(REPORT_FILES)
    assert all((tmp_path / n).stat().st_size > 0 for n in REPORT_FILES)
    gone = HelperProcess(None)
    gone.close()
    assert not gone.alive and not gone.ask("reports", inst.fingerprint, ())
    (tmp_path / "again").mkdir()
    written = write_reports(full, inst, out=tmp_path / "again", away=gone)
    assert [p.name for p in written] == list(REPORT_FILES)


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "spawned"])
def test_helper_places_the_auxiliaries_as_the_county_would(planned, forked):
    """Forked with the bundle this process read (``cunjing plan``), or spawned to read it."""
    bundle, _, _, inst = planned
    options = SolveOptions(time_limit=20)
    here = place_auxiliaries(inst, list(inst.counties), options)
    with HelperProcess(bundle, inst if forked else None) as helper:
        assert helper.ask("auxiliaries", inst.fingerprint, (list(inst.counties), options))
        there = helper.answer()
    assert set(there) == set(here) == set(inst.counties)
    for county in inst.counties:
        assert there[county].status == here[county].status
        assert there[county].plan.equals(here[county].plan)


def test_plan_with_the_helper_is_the_plan_without(planned, tmp_path):
    bundle, plan, _, inst = planned  # planned without the helper (main's default)
    helped = tmp_path / "helped"
    assert main(["plan", str(bundle), "--out", str(helped), "--time-limit", "20"], helper=True) == 0
    for name in ("officer_plan.csv", "auxiliary_plan.csv"):
        assert (helped / name).read_bytes() == (plan / name).read_bytes(), name
    # the page the helper made is the one this process makes of the same folder
    here = tmp_path / "here"
    here.mkdir()
    write_reports(helped, inst, out=here, only=AWAY_REPORTS)
    assert (here / "report.html").read_bytes() == (helped / "report.html").read_bytes()
    assert sorted(p.name for p in helped.iterdir()) == sorted(p.name for p in plan.iterdir())


MAP_CHECK = """<script>
(function () {
  var m = window.cunjingMap, d = m.data;
  var town = Object.keys(d.townships).sort()[0];
  m.setTown(town);
  var listed = Array.prototype.map.call(
    document.querySelectorAll("#map-side .item[data-o]"), function (e) { return e.getAttribute("data-o"); });
  var officer = listed[0];
  m.selectOfficer(officer);
  var lit = Array.prototype.filter.call(document.querySelectorAll("#map-svg .v"),
    function (e) { return !e.classList.contains("faded"); }).map(function (e) { return +e.getAttribute("data-i"); });
  var detail = document.querySelector("#map-side .detail").textContent;
  var search = document.querySelector("#map-tools input[type=search]");
  search.value = d.villages[lit[0]].name;
  search.dispatchEvent(new Event("input"));
  var results = document.querySelectorAll("#map-results div").length;
  console.log("CHECK " + JSON.stringify({town: town, listed: listed, officer: officer, lit: lit,
    detail: detail, results: results}));
  m.setPaper("A3");
  m.printTown(true);
})();
</script></body>"""


def test_map_filters_a_township_shows_an_officer_searches_and_prints(planned, tmp_path):
    """The map's script, run in a real browser: the township filter lists exactly the officers
    holding a village there, clicking one lights exactly his villages of the township and lists
    his villages and days, a search finds a village, and the township prints on A3 landscape."""
    import json
    import re

    _bundle, plan, _, _inst = planned
    page = tmp_path / "map.html"
    page.write_text(
        (plan / "report.html").read_text(encoding="utf-8").replace("</body>", MAP_CHECK),
        encoding="utf-8",
    )
    run = open_offline(page, tmp_path / "map.png")
    lines = [c for c in run.console if "CHECK " in c]
    assert len(lines) == 1 and run.requests == [], run.console
    got = json.loads(lines[0].split("CHECK ", 1)[1].rsplit('"', 1)[0].replace('\\"', '"'))
    rows = pd.read_csv(plan / "officer_plan.csv", dtype=str, keep_default_na=False)
    order = rows["village_id"].tolist()  # the map's villages are the plan's, in its order
    town = rows[rows["township_id"] == got["town"]]
    assert sorted(got["listed"]) == sorted(set(town["officer_id"]) - {""})
    his = town[town["officer_id"] == got["officer"]]
    assert sorted(order[i] for i in got["lit"]) == sorted(his["village_id"])
    for name in rows.loc[rows["officer_id"] == got["officer"], "village_name"]:
        assert name in got["detail"]
    assert f"{rows.loc[rows['officer_id'] == got['officer']].shape[0]} 个村" in got["detail"]
    assert got["results"] >= 1
    pdf = print_offline(page, tmp_path / "map.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(
        abs(float(w) - 1190.55) < 2 and abs(float(h) - 841.89) < 2 for w, h in boxes
    )
    assert len(boxes) == 1  # one township, one sheet


def test_contact_boards_open_from_the_report_and_print_one_a4_sheet_a_village(planned, tmp_path):
    """§四(一) 警民联系牌 in the browser: report.html links to contact_boards.html, which opens
    offline with no error and prints one A4 portrait sheet for each village."""
    import re

    _bundle, plan, _, inst = planned
    assert 'href="contact_boards.html"' in (plan / "report.html").read_text(encoding="utf-8")
    boards = plan / "contact_boards.html"
    run = open_offline(boards, tmp_path / "boards.png", width=800, height=1100)
    assert run.requests == [] and run.console == [], run.console
    pdf = print_offline(boards, tmp_path / "boards.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == len(inst.villages)
    assert all(abs(float(w) - 595.28) < 2 and abs(float(h) - 841.89) < 2 for w, h in boxes)
