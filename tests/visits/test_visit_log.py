"""VISIT-LOG measures on hand-made logs: duplicates, overlaps, villages not held, day counts,
spread and scorecards (no bundle needed)."""

from __future__ import annotations

import pandas as pd

from cunjing.constraints.visit_log import (
    log_issues,
    monthly_scorecard,
    quarterly_scorecard,
    village_months,
)

OFFICER_OF = {"V1": "O1", "V2": "O1", "V3": "O2"}
AUX_OF = {"V1": "A1", "V2": "A2"}


def logs(*rows) -> pd.DataFrame:
    cols = ["person_kind", "person_id", "village_id", "date", "start_time", "end_time", "hours"]
    df = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)
    return df.assign(source="logs.csv", row=range(2, len(df) + 2), activity="走访", log_id="")


CLEAN = logs(
    ("officer", "O1", "V1", "2027-03-02", "09:00", "11:00", 2.0),
    ("officer", "O1", "V2", "2027-03-02", "13:00", "15:00", 2.0),  # two villages, one day
    ("officer", "O1", "V1", "2027-03-23", "09:00", "11:00", 2.0),
    ("officer", "O1", "V2", "2027-03-12", "09:00", "11:00", 2.0),
    ("officer", "O2", "V3", "2027-03-05", "", "", 3.0),
    ("officer", "O2", "V3", "2027-03-25", "", "", 3.0),
    ("auxiliary", "A1", "V1", "2027-03-02", "08:30", "17:00", 8.5),
)


def issues(frame: pd.DataFrame) -> list[tuple[int, str]]:
    got = log_issues(frame, OFFICER_OF, AUX_OF, 12.0)
    return sorted(zip(got["row"], got["issue"], strict=True))


def test_clean_logs_have_no_issues():
    assert issues(CLEAN) == []


def test_an_exact_copy_is_a_duplicate_but_a_second_visit_is_not():
    copy = CLEAN.iloc[[0]]
    later = CLEAN.iloc[[0]].assign(start_time="15:30", end_time="16:30", hours=1.0)
    frame = pd.concat([CLEAN, copy, later], ignore_index=True).assign(row=range(2, 11))
    assert issues(frame) == [(9, "duplicate")]


def test_overlapping_times_flag_both_logs():
    frame = pd.concat(
        [CLEAN, logs(("officer", "O1", "V2", "2027-03-23", "10:00", "12:00", 2.0))],
        ignore_index=True,
    ).assign(row=range(2, 10))
    got = log_issues(frame, OFFICER_OF, AUX_OF, 12.0)
    assert sorted(zip(got["row"], got["issue"], strict=True)) == [(4, "overlap"), (9, "overlap")]
    assert got["detail"].iloc[0].startswith("与 logs.csv:9 时间重叠（10:00–12:00，村 V2）")


def test_villages_not_held():
    frame = logs(
        ("officer", "O2", "V1", "2027-03-02", "", "", 2.0),
        ("auxiliary", "A1", "V3", "2027-03-02", "", "", 2.0),
    )
    got = log_issues(frame, OFFICER_OF, AUX_OF, 12.0)
    assert got["issue"].tolist() == ["not_held", "not_held"]
    assert got["detail"].tolist() == [
        "V1 的包村民警是 O1",
        "V3 在方案中没有驻村辅警",
    ]


def test_days_spread_and_scorecards():
    frame = pd.concat(
        [
            CLEAN,
            # O2 logs V3 twice more on one day: still one day; and a log of O1's in V3: not his
            logs(
                ("officer", "O2", "V3", "2027-03-05", "14:00", "15:00", 1.0),
                ("officer", "O1", "V3", "2027-03-09", "", "", 1.0),
            ),
        ],
        ignore_index=True,
    ).assign(row=range(2, 11))
    found = log_issues(frame, OFFICER_OF, AUX_OF, 12.0)
    # a bureau that counts two logged hours as a day in the village (hours_per_day = 2)
    villages = village_months(frame, found, OFFICER_OF, AUX_OF, [(2027, 3)], 2, "xun", 2.0)
    v = villages.set_index("village_id")
    assert v["logged_days"].to_dict() == {"V1": 2.0, "V2": 2.0, "V3": 3.5}
    assert v["visit_dates"].to_dict() == {"V1": 2, "V2": 2, "V3": 2}
    assert v.at["V3", "logs_by_others"] == 1 and v.at["V1", "auxiliary_days"] == 1
    assert v["status"].eq("ok").all()
    card = monthly_scorecard(villages, found, frame, 1.0, True).set_index("officer_id")
    assert card["passed"].all() and card.at["O1", "not_held_logs"] == 1
    # O1 without his 23 March visit: V1 short; the quarter with one bad month of three
    short = frame[frame["date"] != "2027-03-23"].reset_index(drop=True)
    found = log_issues(short, OFFICER_OF, AUX_OF, 12.0)
    villages = village_months(short, found, OFFICER_OF, AUX_OF, [(2027, 3)], 2, "xun", 2.0)
    assert villages.set_index("village_id").at["V1", "status"] == "short"
    card = monthly_scorecard(villages, found, short, 1.0, True)
    assert card.set_index("officer_id").at["O1", "score"] == 75.0
    months = pd.concat([card, card.assign(month="2027-01", passed=True)])
    q = quarterly_scorecard(months, 2).set_index("officer_id")
    assert q.at["O1", "months_passed"] == 1 and not q.at["O1", "passed"]
    assert q.at["O2", "passed"]
    # nobody logs V2 at all: unvisited, not merely short
    gone = frame[frame["village_id"] != "V2"].reset_index(drop=True)
    found = log_issues(gone, OFFICER_OF, AUX_OF, 12.0)
    villages = village_months(gone, found, OFFICER_OF, AUX_OF, [(2027, 3)], 2, "xun")
    assert villages.set_index("village_id").at["V2", "status"] == "unvisited"
