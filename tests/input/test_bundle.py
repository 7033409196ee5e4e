"""Loading bundles: tables, encodings, Chinese headers, workbooks, and every validation error."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle, save_bundle, table_frame
from cunjing.optimizer.input.problems import BundleError
from cunjing.optimizer.input.schema import TABLES

from conftest import TINY, write_bundle, write_csv


def problems_of(path) -> list[str]:
    with pytest.raises(BundleError) as e:
        load_bundle(path)
    return [str(p) for p in e.value.problems if p.severity == "error"]


def tiny_with(**changes) -> dict:
    data = copy.deepcopy(TINY)
    for table, fn in changes.items():
        fn(data.setdefault(table, []))
    return data


def test_tiny_bundle_loads_with_derived_fields(tiny):
    inst = load_bundle(tiny)
    assert list(inst.villages.index) == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert set(inst.villages["county_id"]) == {"C1"}
    assert inst.villages.at["V4", "on_traffic_route"]
    assert not inst.villages.at["V1", "on_traffic_route"]
    assert inst.villages.at["V3", "complex"]
    # the organ officer's base is a point, the station officer's is his township's seat
    assert inst.officers.at["100001", "base_x"] == pytest.approx(inst.townships.at["T1", "x"])
    km = inst.officer_village_km()
    assert km.loc["100001", "V1"] < km.loc["100001", "V4"]
    assert inst.adjacency.has_edge("T1", "T2")
    assert inst.auxiliaries.at["FJ4", "home_township_id"] == "T2"
    assert inst.start_month == "2027-01"
    assert len(inst.fingerprint) == 64


def test_every_table_round_trips(tmp_path):
    rows = tiny_with(
        aux_history=lambda t: t.extend(
            [
                {"auxiliary_id": "FJ1", "village_id": "V2", "start": "2023-03", "end": ""},
                {"auxiliary_id": "FJ2", "village_id": "V1", "start": "2020-01", "end": "2022-12"},
            ]
        ),
        plan_officers=lambda t: t.append(
            {"village_id": "V1", "officer_id": "100001", "pinned": "true"}
        ),
        plan_auxiliaries=lambda t: t.append({"village_id": "V2", "auxiliary_id": "FJ1"}),
        pairs=lambda t: t.append(
            {
                "officer_id": "100003",
                "village_id": "V6",
                "workload_days": "3.5",
                "score": "10",
                "forbidden": "false",
            }
        ),
    )
    first = load_bundle(write_bundle(tmp_path / "a", rows))
    second = load_bundle(save_bundle(first, tmp_path / "b"))
    for name in TABLES:
        pd.testing.assert_frame_equal(table_frame(first, name), table_frame(second, name))
    assert second.plan_officers.at["V1", "pinned"]
    assert second.pairs.iloc[0]["workload_days"] == 3.5


def test_chinese_headers_and_values(tmp_path):
    folder = write_bundle(tmp_path / "zh")
    zh = {
        "village_id": "村编码",
        "name": "村名",
        "township_id": "乡镇编码",
        "kind": "类型",
        "cases": "案件数",
        "complex": "社情复杂",
        "on_traffic_route": "交通线",
        "lon": "经度",
        "lat": "纬度",
    }
    kinds = {"key": "重点村", "ordinary": "普通村", "community": "社区"}
    rows = [
        {zh[k]: (kinds[v] if k == "kind" else ("是" if v == "true" else v)) for k, v in r.items()}
        for r in TINY["villages"]
    ]
    write_csv(folder / "villages.csv", rows)
    offs = [
        {
            ("警号" if k == "officer_id" else "警种" if k == "category" else k): (
                {"station": "派出所", "traffic": "交警", "organ": "机关"}[v]
                if k == "category"
                else v
            )
            for k, v in r.items()
        }
        for r in TINY["officers"]
    ]
    write_csv(folder / "officers.csv", offs)
    inst = load_bundle(folder)
    assert inst.villages.at["V1", "kind"] == "key"
    assert inst.villages.at["V6", "kind"] == "community"
    assert inst.villages.at["V3", "complex"]
    assert inst.officers.at["100002", "category"] == "traffic"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    folder = write_bundle(tmp_path / encoding)
    write_csv(folder / "villages.csv", TINY["villages"], encoding=encoding)
    write_csv(folder / "officers.csv", TINY["officers"], encoding=encoding)
    inst = load_bundle(folder)
    assert inst.villages.at["V2", "name"] == "二村"
    assert inst.officers.at["100001", "name"] == "张伟"


def test_one_workbook_bundle(tmp_path):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in TINY.items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            # Excel stores numbers typed into a cell as numbers; ids must still read as text
            ws.append(
                [
                    float(r[c]) if c in ("cases", "available_days") and r.get(c) else r.get(c, "")
                    for c in cols
                ]
            )
    ws = wb.create_sheet("policy")
    ws.append(["key", "value"])
    ws.append(["rules.OFF-PREF.weight", 55])
    path = tmp_path / "bundle.xlsx"
    wb.save(path)
    inst = load_bundle(path)
    assert len(inst.villages) == 6
    assert inst.villages.at["V4", "cases"] == 30
    assert inst.policy.weight("OFF-PREF") == 55.0
    folder = load_bundle(write_bundle(tmp_path / "csv"))
    for name in ("townships", "villages", "officers", "auxiliaries"):
        pd.testing.assert_frame_equal(table_frame(inst, name), table_frame(folder, name))


def test_workbook_problems_name_the_sheet(tmp_path):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in TINY.items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c, "") for c in cols])
    wb["villages"]["A3"] = "V1"  # duplicate id on Excel row 3
    path = tmp_path / "b.xlsx"
    wb.save(path)
    msgs = problems_of(path)
    assert any(
        m.startswith("b.xlsx[villages]:3:village_id: 二村（V1）：village_id 'V1' 重复")
        for m in msgs
    ), msgs


CASES = [
    (
        "missing required column",
        lambda d: [r.pop("township_id") for r in d["villages"]],
        "villages.csv:1:township_id: 缺少必填列“township_id”[乡镇编码]",
    ),
    (
        "duplicate id",
        lambda d: d["villages"].append({**d["villages"][0], "name": "重复"}),
        "villages.csv:8:village_id: 重复（V1）：village_id 'V1' 重复（第一次出现在第 2 行）",
    ),
    (
        "unknown township",
        lambda d: d["villages"][1].update(township_id="T9"),
        "villages.csv:3:township_id: 二村（V2）：未知的乡镇“T9”",
    ),
    (
        "unknown category",
        lambda d: d["officers"][0].update(category="巡警"),
        "officers.csv:2:category: 张伟（100001）：无法识别的 category（警种）“巡警”（可填：刑警（criminal）、",
    ),
    (
        "negative number",
        lambda d: d["villages"][0].update(cases="-3"),
        "villages.csv:2:cases: 一村（V1）：不能小于 0，实为 -3",
    ),
    (
        "non-numeric number",
        lambda d: d["officers"][1].update(available_days="八天"),
        "officers.csv:3:available_days: 李强（100002）：'八天' 不是数字",
    ),
    (
        "bad month",
        lambda d: d["auxiliaries"][0].update(hired="2021-13"),
        "auxiliaries.csv:2:hired: 辅警1（FJ1）：'2021-13' 不是年月（应为 YYYY-MM）",
    ),
    (
        "unknown home village",
        lambda d: d["auxiliaries"][2].update(home_village_id="V99"),
        "auxiliaries.csv:4:home_village_id: 辅警3（FJ3）：未知的户籍村“V99”",
    ),
    (
        "preference naming nothing known",
        lambda d: d["officers"][0].update(preferences="V1;X7"),
        "officers.csv:2:preferences: 张伟（100001）：未知的意愿中的行政村或乡镇“X7”",
    ),
    (
        "unknown county",
        lambda d: d["officers"][2].update(county_id="C9"),
        "officers.csv:4:county_id: 王芳（100003）：未知的县区（townships.csv 中没有）“C9”",
    ),
    (
        "unknown officer in the incumbent plan",
        lambda d: d.setdefault("plan_officers", []).append({"village_id": "V1", "officer_id": "7"}),
        "plan_officers.csv:2:officer_id: 一村（V1）：未知的民警“7”",
    ),
    (
        "not a yes/no",
        lambda d: d["villages"][2].update(complex="maybe"),
        "villages.csv:4:complex: 三村（V3）：'maybe' 不是是/否",
    ),
    (
        "history ending before it starts",
        lambda d: d.setdefault("aux_history", []).append(
            {"auxiliary_id": "FJ1", "village_id": "V2", "start": "2024-05", "end": "2023-01"}
        ),
        "aux_history.csv:2:end: 辅警1（FJ1）：结束早于开始",
    ),
    (
        "latitude out of range",
        lambda d: d["villages"][0].update(lat="133.6"),
        "villages.csv:2:lat: 一村（V1）：纬度须在 -90 到 90 之间",
    ),
]


@pytest.mark.parametrize(("what", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_validation_error_is_located(tmp_path, what, change, expected):
    data = copy.deepcopy(TINY)
    change(data)
    msgs = problems_of(write_bundle(tmp_path / "b", data))
    assert any(m.startswith(expected) for m in msgs), (what, msgs)


def test_all_problems_are_reported_at_once(tmp_path):
    data = copy.deepcopy(TINY)
    data["villages"][0]["cases"] = "many"
    data["officers"][0]["category"] = "?"
    data["auxiliaries"][0]["home_village_id"] = "nowhere"
    msgs = problems_of(write_bundle(tmp_path / "b", data))
    assert len(msgs) == 3
    assert {m.split(":")[0] for m in msgs} == {"villages.csv", "officers.csv", "auxiliaries.csv"}


def test_missing_required_table(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "officers.csv").unlink()
    assert problems_of(folder) == ["officers.csv: 输入数据缺少这张必需的表"]


def test_ids_are_normalised_with_a_warning(tmp_path):
    data = copy.deepcopy(TINY)
    data["villages"][0]["village_id"] = " Ｖ１ "  # full-width and padded, as typed in Excel
    inst = load_bundle(write_bundle(tmp_path / "b", data))
    assert "V1" in inst.villages.index
    assert any(
        "已按规范形式读取" in str(w) and w.file == "villages.csv" and w.row == 2
        for w in inst.warnings
    )


def test_cli_validate_reports_lines_and_exit_codes(tmp_path, capsys):
    data = copy.deepcopy(TINY)
    data["villages"][1]["township_id"] = "T9"
    bad = write_bundle(tmp_path / "bad", data)
    assert main(["validate", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "villages.csv:3:township_id: 二村（V2）：未知的乡镇“T9”" in out
    assert "Traceback" not in out + err
    good = write_bundle(tmp_path / "good")
    assert main(["validate", str(good)]) == 0
    out, _ = capsys.readouterr()
    assert "6 个村" in out and "县 C1" in out and "T1 甲镇: 3 / 4" in out


def test_cli_validate_on_a_path_that_does_not_exist(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    out, err = capsys.readouterr()
    assert "nowhere: 文件或文件夹不存在" in out
    assert "Traceback" not in out + err


def test_symlink_out_of_the_bundle_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    outside = tmp_path / "secret.csv"
    write_csv(outside, TINY["villages"])
    (folder / "villages.csv").unlink()
    (folder / "villages.csv").symlink_to(outside)
    msgs = problems_of(folder)
    assert any("该文件指向输入数据文件夹之外" in m for m in msgs)


def test_policy_errors_name_line_and_key(tmp_path, english):
    folder = write_bundle(tmp_path / "b")
    (folder / "policy.toml").write_text(
        '[solver]\nworkers = 2\nthreads = 4\n\n[rules.OFF-PREF]\nweight = "high"\n'
        "[rules.OFF-NOPE]\nweight = 1\n",
        encoding="utf-8",
    )
    msgs = problems_of(folder)
    assert any(m.startswith("policy.toml:3:solver.threads: unknown key 'threads'") for m in msgs)
    assert any(
        m.startswith("policy.toml:6:rules.OFF-PREF.weight: 'weight' must be a number") for m in msgs
    )
    assert any(m.startswith("policy.toml:7:rules.OFF-NOPE: unknown rule") for m in msgs)


def test_policy_values_are_applied(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "policy.toml").write_text(
        "[rules.OFF-LOAD]\ndefault_available_days = 5.5\n[rules.OFF-TRAFFIC]\nenabled = false\n",
        encoding="utf-8",
    )
    data = copy.deepcopy(TINY)
    inst = load_bundle(folder)
    assert data["officers"][2]["available_days"] == "7"
    assert inst.policy.weight("OFF-TRAFFIC") == 0.0
    assert inst.policy.rule("OFF-LOAD")["default_available_days"] == 5.5


def test_default_available_days_fill_missing(tmp_path):
    data = copy.deepcopy(TINY)
    data["officers"][2]["available_days"] = ""
    inst = load_bundle(write_bundle(tmp_path / "b", data))
    assert inst.officers.at["100003", "available_days"] == 8.0


def test_not_a_bundle(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello")
    assert "输入数据应为一个存放 CSV 文件的文件夹" in problems_of(f)[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "这里没有输入数据文件" in problems_of(empty)[0]


def test_sample_path_exists():
    from cunjing.optimizer.input.bundle import sample_path

    assert isinstance(sample_path(), Path)
