"""Compliance from work logs (VISIT-LOG): generated logs with planted shortfalls are found, each
kind, and nothing else; scorecards, thresholds, review list, the command and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cunjing.data.worklogs import KINDS, generate_work_logs, write_work_logs
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.input.work_logs import read_work_logs
from cunjing.optimizer.visits.calendar import plan_calendar
from cunjing.optimizer.visits.compliance import check_compliance

from conftest import write_bundle, write_csv
from plan_folders import variant, write_plan_folder

QUARTER = ["2027-01", "2027-02", "2027-03"]


@pytest.fixture(scope="module")
def sample():
    return load_bundle()


@pytest.fixture(scope="module")
def sample_plan(sample):
    return sample.plan_officers[["village_id", "officer_id"]].reset_index(drop=True)


def expected_review(
    logs: pd.DataFrame, planted, plan: pd.DataFrame, inst=None
) -> set[tuple[str, str]]:
    holder = dict(zip(plan["village_id"], plan["officer_id"], strict=True))
    people = {("officer", holder[v]) for (_, v) in planted.village_status()}
    if inst is not None:  # an unvisited village's auxiliary wrote no log either (§五(一))
        aux = inst.plan_auxiliaries["auxiliary_id"]
        people |= {
            ("auxiliary", aux[v])
            for (_, v), s in planted.village_status().items()
            if s == "unvisited" and v in aux.index
        }
    for i in planted.not_held + planted.duplicate + planted.overlap:
        o, a = logs.at[i, "officer_id"], logs.at[i, "auxiliary_id"]
        people.add(("officer", o) if o else ("auxiliary", a))
    return people


def found(res) -> tuple[dict, set]:
    v = res.villages
    statuses = {
        (m, vid): s
        for m, vid, s in zip(v["month"], v["village_id"], v["status"], strict=True)
        if s != "ok"
    }
    issues = {(int(r) - 2, i) for r, i in zip(res.issues["row"], res.issues["issue"], strict=True)}
    return statuses, issues


def planted_issues(planted) -> set:
    return (
        {(i, "not_held") for i in planted.not_held}
        | {(i, "duplicate") for i in planted.duplicate}
        | {(i, "overlap") for i in planted.overlap}
    )


def test_each_planted_problem_is_found_and_nothing_else(tmp_path, sample, sample_plan):
    logs, planted = generate_work_logs(
        sample, sample_plan, ["2027-03"], seed=5, problems={k: 2 for k in KINDS}
    )
    assert len(planted.not_held) == 4 and len(planted.overlap) == 4
    f = write_work_logs(logs, tmp_path / "logs.csv")
    read = read_work_logs(f, sample)
    assert len(read) == len(logs) and set(read["person_kind"]) == {"officer", "auxiliary"}
    res = check_compliance(sample, read, [(2027, 3)], sample_plan)
    statuses, issues = found(res)
    assert statuses == planted.village_status()
    assert issues == planted_issues(planted)
    review = set(zip(res.review["person_kind"], res.review["person_id"], strict=True))
    assert review == expected_review(logs, planted, sample_plan, sample)
    card = res.officers.set_index("officer_id")
    failing = {o for k, o in review if k == "officer"} & set(card.index)
    holders = {sample_plan.set_index("village_id").at[v, "officer_id"] for _, v in statuses}
    assert set(card.index[~card["passed"]]) == holders <= failing
    assert (card.loc[card["passed"], "score"] == 100).all()
    # a short village scores its share: 1 of 2 days
    (_, v), *_ = planted.short
    o = sample_plan.set_index("village_id").at[v, "officer_id"]
    assert card.at[o, "villages_short"] >= 1 and card.at[o, "score"] < 100


def test_clean_logs_flag_nothing(sample, sample_plan):
    logs, _ = generate_work_logs(sample, sample_plan, ["2027-03"], seed=9, problems={})
    frame = pd.DataFrame(
        {
            "source": "x",
            "row": range(2, len(logs) + 2),
            "person_kind": ["officer" if o else "auxiliary" for o in logs["officer_id"]],
            "person_id": logs["officer_id"].where(logs["officer_id"] != "", logs["auxiliary_id"]),
            "village_id": logs["village_id"],
            "date": logs["date"],
            "hours": logs["hours"],
            "start_time": logs["start_time"],
            "end_time": logs["end_time"],
            "activity": logs["activity"],
            "log_id": "",
        }
    )
    res = check_compliance(sample, frame, [(2027, 3)], sample_plan)
    assert (res.villages["status"] == "ok").all()
    assert res.issues.empty and res.review.empty and res.officers["passed"].all()


def test_quarter_command_with_xlsx_and_csv_exports(tmp_path, sample, sample_plan):
    # a quarter of six townships' villages, the plan given as a plan folder
    towns = sorted(sample.townships.index)[:6]
    plan = sample_plan[sample_plan["village_id"].map(sample.villages["township_id"]).isin(towns)]
    folder = write_plan_folder(tmp_path / "plan", sample, None, plan)
    logs, planted = generate_work_logs(sample, plan, QUARTER, seed=2)
    # January's officer logs as a workbook with Chinese headers, everything else as CSV
    jan = (logs["date"] < "2027-02") & (logs["officer_id"] != "")
    write_work_logs(logs[jan], tmp_path / "logs" / "2027-01.xlsx", chinese=True)
    write_work_logs(logs[~jan], tmp_path / "logs" / "2027-rest.csv")
    out = tmp_path / "out"
    args = ["compliance", "--logs", str(tmp_path / "logs"), "--quarter", "2027Q1"]
    # English: the CSV files are the machine tables
    assert main(["--lang", "en", *args, "--plan", str(folder), "--out", str(out)]) == 1
    q = pd.read_csv(
        out / "scorecard_quarterly.csv", dtype={"officer_id": str}, encoding="utf-8-sig"
    )
    assert len(q) == plan["officer_id"].nunique() and set(q["quarter"]) == {"2027Q1"}
    holder = plan.set_index("village_id")["officer_id"]
    holders = {holder[v] for _, v in planted.village_status()}
    assert set(q.loc[~q["passed"], "officer_id"]) == holders
    review = pd.read_csv(out / "review.csv", dtype=str, encoding="utf-8-sig")
    assert set(zip(review["person_kind"], review["person_id"], strict=True)) == expected_review(
        logs, planted, plan, sample
    )
    assert all(
        "季考核 not passed" in r
        for r, k in zip(review["reasons"], review["person_id"], strict=True)
        if k in holders
    )
    villages = pd.read_csv(out / "compliance_villages.csv", dtype=str, encoding="utf-8-sig")
    assert len(villages) == 3 * len(plan)
    issues = pd.read_csv(out / "log_issues.csv", dtype=str, encoding="utf-8-sig")
    # problems in January's officer logs point into the workbook, the rest into the CSV file
    assert set(issues["source"]) <= {"2027-01.xlsx[工作日志]", "2027-rest.csv"}
    assert len(issues) == len(planted.not_held) + len(planted.duplicate) + len(planted.overlap)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["period"] == "2027Q1" and summary["logs"] == len(logs)
    assert summary["thresholds"]["quarterly_pass_months"] == 3


# --------------------------------------------------------------- hand-made logs on TINY

TINY_PLAN = pd.DataFrame(
    {"village_id": ["V1", "V2", "V4", "V3"], "officer_id": ["100001", "100001", "100002", "100003"]}
)


def log_rows(*rows) -> list[dict]:
    keys = ["officer_id", "auxiliary_id", "village_id", "date", "start_time", "end_time", "hours"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


# a whole working day (8 h, VISIT-LOG hours_per_day) in the village each visit: logged time
# adds up to the days (§五(一) 每月进村时间累计不低于2天)
GOOD_MONTH = log_rows(
    ("100001", "", "V1", "2027-03-02", "08:30", "16:30", ""),
    ("100001", "", "V1", "2027-03-22", "08:30", "16:30", ""),
    ("100001", "", "V2", "2027-03-03", "08:30", "16:30", ""),
    ("100001", "", "V2", "2027-03-16", "08:30", "16:30", ""),
    ("100002", "", "V4", "2027-03-04", "", "", "8"),
    ("100002", "", "V4", "2027-03-25", "", "", "8"),
    ("100003", "", "V3", "2027-03-05", "", "", "8"),
    ("100003", "", "V3", "2027-03-26", "", "", "8"),
)


_TINY = {}


def tiny_check(
    tmp_path, rows, policy: str = "", months=((2027, 3),), quarter=None, auxiliary_plan=None
):
    if "inst" not in _TINY:  # one load for the module
        _TINY["inst"] = load_bundle(write_bundle(tmp_path / "b"))
    inst = variant(_TINY["inst"], policy)
    tmp_path.mkdir(parents=True, exist_ok=True)
    f = write_csv(tmp_path / "logs.csv", rows)
    return check_compliance(
        inst, read_work_logs(f, inst), list(months), TINY_PLAN, auxiliary_plan, quarter=quarter
    )


def test_a_compliant_month(tmp_path):
    res = tiny_check(tmp_path, GOOD_MONTH)
    assert (res.villages["status"] == "ok").all() and res.review.empty
    v2 = res.villages.set_index("village_id").loc["V2"]
    assert v2["dates"] == "2027-03-03;2027-03-16" and v2["periods"] == "上旬;中旬"


def test_hours_without_times_can_overlap(tmp_path):
    rows = [*GOOD_MONTH, *log_rows(("100002", "", "V4", "2027-03-04", "", "", "5"))]
    res = tiny_check(tmp_path, rows)
    assert set(res.issues["issue"]) == {"overlap"} and len(res.issues) == 2
    assert res.issues["detail"].iloc[0] == "一天内2条日志共13小时（超过12小时）"
    assert res.review["person_id"].tolist() == ["100002"]
    assert (res.villages["status"] == "ok").all()  # both logs still count as his day there


def test_thresholds_from_policy(tmp_path):
    # V1 short in March, everything fine in January and February
    rows = [
        *[{**r, "date": "2027-01" + r["date"][7:]} for r in GOOD_MONTH],
        *[{**r, "date": "2027-02" + r["date"][7:]} for r in GOOD_MONTH],
        *[r for r in GOOD_MONTH if r["date"] != "2027-03-22"],
    ]
    months = ((2027, 1), (2027, 2), (2027, 3))
    strict = tiny_check(tmp_path / "a", rows, months=months, quarter="2027Q1")
    assert strict.quarterly.set_index("officer_id").at["100001", "passed"] == False  # noqa: E712
    assert "2027-03 得分 75：1 个村天数不足" in strict.review["reasons"].iloc[0]
    lenient = tiny_check(
        tmp_path / "b",
        rows,
        "[rules.VISIT-LOG]\nmonthly_pass_ratio = 0.5\nspacing_counts = false\n",
        months=months,
        quarter="2027Q1",
    )
    assert lenient.officers["passed"].all() and lenient.review.empty
    two_of_three = tiny_check(
        tmp_path / "c", rows, "[rules.VISIT-LOG]\nquarterly_pass_months = 2\n", months, "2027Q1"
    )
    card = two_of_three.quarterly.set_index("officer_id")
    assert card.at["100001", "months_passed"] == 2 and card.at["100001", "passed"]


def test_half_month_spacing(tmp_path):
    # V2 on 3 and 16 March: two 旬, but with half months the 16th is the second half: fine;
    # V1 on 2 and 12 March: two 旬, one half month
    rows = [r if r["date"] != "2027-03-22" else {**r, "date": "2027-03-12"} for r in GOOD_MONTH]
    assert tiny_check(tmp_path / "a", rows).villages["status"].eq("ok").all()
    res = tiny_check(tmp_path / "b", rows, '[rules.VISIT-DAYS]\nspacing = "half_month"\n')
    bad = res.villages[res.villages["status"] != "ok"]
    assert bad["village_id"].tolist() == ["V1"] and bad["status"].tolist() == ["not_spread"]


def test_logs_of_an_engine_calendar_pass(tmp_path):
    inst = load_bundle(write_bundle(tmp_path / "b"))
    cal = plan_calendar(inst, TINY_PLAN, "2027-03").calendar
    rows = log_rows(
        *[
            (o, "", v, d, "", "", str(h))
            for o, v, d, h in zip(
                cal["officer_id"], cal["village_id"], cal["date"], cal["hours"], strict=True
            )
        ]
    )
    f = write_csv(tmp_path / "logs.csv", rows)
    res = check_compliance(inst, read_work_logs(f, inst), [(2027, 3)], TINY_PLAN)
    assert res.villages["status"].eq("ok").all() and res.officers["passed"].all()


def test_compliance_command_with_plan_folder(tmp_path):
    bundle = write_bundle(tmp_path / "b")
    inst = load_bundle(bundle)
    plan = write_plan_folder(tmp_path / "plan", inst, bundle, TINY_PLAN)
    logs = write_csv(tmp_path / "logs.csv", GOOD_MONTH)
    out = tmp_path / "out"
    args = ["compliance", "--logs", str(logs), "--month", "2027-03", "--plan", str(plan)]
    assert main(["--lang", "en", *args, "--out", str(out)]) == 0
    card = pd.read_csv(out / "scorecard_monthly.csv", dtype=str, encoding="utf-8-sig")
    assert sorted(card["officer_id"]) == ["100001", "100002", "100003"]
    assert not (out / "scorecard_quarterly.csv").exists()


def test_bad_logs_name_file_row_and_column(tmp_path, capsys):
    bundle = write_bundle(
        tmp_path / "b", plan_officers=[{"village_id": "V1", "officer_id": "100001"}]
    )
    rows = [
        {
            "警号": "100001",
            "辅警编号": "",
            "村编码": "V1",
            "日期": "2027-03-02",
            "开始时间": "09:00",
            "结束时间": "08:00",
        },
        {"警号": "", "辅警编号": "", "村编码": "V1", "日期": "2027-03-02"},
        {"警号": "100001", "辅警编号": "FJ1", "村编码": "V1", "日期": "2027-03-02"},
        {"警号": "999", "辅警编号": "", "村编码": "V9", "日期": "3月2日"},
        {
            "警号": "100001",
            "辅警编号": "",
            "村编码": "V1",
            "日期": "2027-03-02",
            "开始时间": "09:00",
        },
    ]
    logs = write_csv(tmp_path / "logs.csv", rows)
    out = tmp_path / "out"
    args = ["compliance", str(bundle), "--logs", str(logs), "--month", "2027-03", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    for line in (
        "logs.csv:2:结束时间: 张伟（100001）：结束早于开始",
        "logs.csv:3:警号: 请填写日志的填写人：警号（officer_id）或辅警编号（auxiliary_id）",
        "logs.csv:4:辅警编号: 张伟（100001）：此行写了不止一个人",
        "logs.csv:5:警号: 未知的民警“999”",
        "logs.csv:5:村编码: 未知的行政村“V9”",
        "logs.csv:5:日期: '3月2日' 不是日期（应为 YYYY-MM-DD）",
        "logs.csv:6:结束时间: 张伟（100001）：开始时间和结束时间须同时填写，或都不填",
    ):
        assert line in err
    assert not out.exists()
    no_village = write_csv(tmp_path / "x.csv", [{"officer_id": "100001", "date": "2027-03-02"}])
    assert main([*args[:3], str(no_village), *args[4:]]) == 2
    assert "x.csv:1:village_id: 缺少必填列“village_id”[村编码]" in capsys.readouterr().err
    assert main([*args[:5], "2027Q1", "--out", str(out)]) == 2
    assert "--month：'2027Q1' 不是年月" in capsys.readouterr().err


def test_generators_are_deterministic(tmp_path):
    from cunjing.data.rosters import generate_unavailable

    inst = load_bundle(write_bundle(tmp_path / "b"))
    a, _ = generate_work_logs(inst, TINY_PLAN, ["2027-03"], seed=4, problems={})
    b, _ = generate_work_logs(inst, TINY_PLAN, ["2027-03"], seed=4, problems={})
    pd.testing.assert_frame_equal(a, b)
    assert set(a["village_id"]) == set(TINY_PLAN["village_id"])
    r1 = generate_unavailable(inst.officers, "2027-03", seed=4, long_leave=1)
    r2 = generate_unavailable(inst.officers, "2027-03", seed=4, long_leave=1)
    pd.testing.assert_frame_equal(r1, r2)
    days = pd.concat([r1["date"], r1["start"], r1["end"]])
    assert days[days != ""].str.startswith("2027-03").all()


def test_logged_time_adds_up_to_days_not_dates(tmp_path):
    """§五(一) 每月进村时间累计: two half-hour logs are not two days; hours add up, 8 a day."""
    short = [r for r in GOOD_MONTH if r["village_id"] != "V3"] + log_rows(
        ("100003", "", "V3", "2027-03-05", "09:00", "09:30", ""),
        ("100003", "", "V3", "2027-03-26", "09:00", "09:30", ""),
    )
    v3 = tiny_check(tmp_path / "a", short).villages.set_index("village_id").loc["V3"]
    assert v3["visit_dates"] == 2 and v3["logged_days"] == 0.12 and v3["status"] == "short"
    # four half days on four dates: two days in all
    halves = [r for r in GOOD_MONTH if r["village_id"] != "V3"] + log_rows(
        *[("100003", "", "V3", f"2027-03-{d:02d}", "", "", "4") for d in (5, 9, 18, 26)]
    )
    v3 = tiny_check(tmp_path / "b", halves).villages.set_index("village_id").loc["V3"]
    assert v3["logged_days"] == 2.0 and v3["status"] == "ok"
    # a bureau that counts four hours as a day says so in the policy
    four = tiny_check(tmp_path / "c", halves, "[rules.VISIT-LOG]\nhours_per_day = 4\n")
    assert four.villages.set_index("village_id").at["V3", "logged_days"] == 4.0


def test_auxiliaries_without_logs_are_reported(tmp_path):
    """§五(一) 驻村辅警…应当做好工作日志: a resident auxiliary with no log in a month."""
    rows = [*GOOD_MONTH, *log_rows(("", "FJ2", "V1", "2027-03-02", "", "", "8"))]
    aux_plan = pd.DataFrame(
        {"village_id": ["V1", "V2", "V4"], "auxiliary_id": ["FJ2", "FJ3", "FJ5"]}
    )
    res = tiny_check(tmp_path, rows, auxiliary_plan=aux_plan)
    aux = res.auxiliaries.set_index("village_id")
    assert aux.at["V1", "status"] == "ok" and aux.at["V1", "logs"] == 1
    silent = set(aux.loc[aux["status"] == "no_logs", "auxiliary_id"])
    assert silent == {"FJ3", "FJ5"}
    reviewed = set(res.review.loc[res.review["person_kind"] == "auxiliary", "person_id"])
    assert reviewed == silent


def test_assessment_items_and_the_ranking_for_excellent_officers(tmp_path):
    """§五(三): phone follow-ups and residents' ratings join the visit score when the bureau
    gives them; the officers are ranked and the best proposed for 优秀包村民警."""
    rows = [r for r in GOOD_MONTH if r["village_id"] != "V3"] + log_rows(
        ("100003", "", "V3", "2027-03-05", "", "", "8")  # V3 short: visit score 50
    )
    data = {
        "followups": [
            {"person_id": "100001", "date": "2027-03-10", "result": "满意"},
            {"person_id": "100001", "date": "2027-03-11", "result": "基本满意"},
            {"person_id": "100002", "date": "2027-03-11", "result": "不满意"},
        ],
        "ratings": [
            {"person_id": "100001", "month": "2027-03", "score": "90"},
            {"person_id": "100003", "month": "2027-03", "score": "100"},
        ],
    }
    inst = load_bundle(write_bundle(tmp_path / "b", **data))
    f = write_csv(tmp_path / "logs.csv", rows)
    res = check_compliance(inst, read_work_logs(f, inst), [(2027, 3)], TINY_PLAN)
    a = res.assessment.set_index("officer_id")
    assert a.at["100001", "followups"] == 2 and a.at["100001", "followup_points"] == 80.0
    # 0.6 × 100 + 0.2 × 80 + 0.2 × 90
    assert a.at["100001", "assessment"] == 94.0
    # no rating for 100002: visits 100 and follow-ups 0 weigh 0.6 : 0.2
    assert a.at["100002", "assessment"] == 75.0
    # no follow-up for 100003: visits 50 and rating 100 weigh 0.6 : 0.2
    assert a.at["100003", "assessment"] == 62.5
    rank = res.ranking.set_index("officer_id")
    assert rank["rank"].to_dict() == {"100001": 1, "100002": 2, "100003": 3}
    assert rank["proposed_excellent"].tolist() == [True, False, False]
    assert "ranking" in res.frames() and "assessment" in res.frames()


def test_year_command_ranks_the_officers_over_the_whole_year(tmp_path, capsys):
    """§五(三) 年度评选优秀包村民警: ``--year`` judges the twelve months and ranks the officers
    by the year, not by a month."""

    def month(rows, m: int, officers) -> list[dict]:
        return [
            {**r, "date": f"2027-{m:02d}" + r["date"][7:]}
            for r in rows
            if r["officer_id"] in officers
        ]

    rows = (
        GOOD_MONTH + month(GOOD_MONTH, 4, {"100001", "100002"}) + month(GOOD_MONTH, 5, {"100001"})
    )
    bundle = write_bundle(tmp_path / "b")
    inst = load_bundle(bundle)
    plan = write_plan_folder(tmp_path / "plan", inst, bundle, TINY_PLAN)
    logs = write_csv(tmp_path / "logs.csv", rows)
    base = ["compliance", "--logs", str(logs), "--plan", str(plan)]
    out = tmp_path / "year"
    assert main([*base, "--year", "2027", "--out", str(out)]) == 1  # idle months to review
    printed = capsys.readouterr().out
    assert "建议评为优秀包村民警" in printed and "100001" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == "2027" and len(summary["months"]) == 12
    assert summary["proposed_excellent"] == ["100001"]
    assert summary["officer_months"] == 3 * 12
    with pd.ExcelFile(out / "compliance.xlsx") as book:
        assert "排名（优秀包村民警）" in book.sheet_names
    en = tmp_path / "year-en"
    assert main(["--lang", "en", *base, "--year", "2027", "--out", str(en)]) == 1
    rank = pd.read_csv(en / "ranking.csv", dtype={"officer_id": str}, encoding="utf-8-sig")
    assert rank["officer_id"].tolist() == ["100001", "100002", "100003"]
    assert rank["rank"].tolist() == [1, 2, 3] and (rank["months"] == 12).all()
    assert rank["proposed_excellent"].tolist() == [True, False, False]
    # in March alone all three are even
    march = tmp_path / "march"
    assert main(["--lang", "en", *base, "--month", "2027-03", "--out", str(march)]) == 0
    assert set(pd.read_csv(march / "ranking.csv", encoding="utf-8-sig")["rank"]) == {1}
