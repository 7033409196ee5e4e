"""Reading work-log exports (工作日志): CSV or XLSX files, or a folder of them.

One row is one log: who wrote it (an officer's 警号, an auxiliary's 辅警编号, or a person id that
names either), the village, the date, and optionally hours, start and end time, activity. Headers
may be English or Chinese; problems are reported as ``file:row:column`` like a bundle's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import _
from .instance import Instance
from .parse import parse_table
from .problems import BundleError, ProblemLog
from .schema import DATE, FLOAT, ID, TEXT, TIME, Column, Table
from .tables import RawTable, read_csv_table, read_xlsx_sheets

WORK_LOGS = Table(
    "work_logs",
    (
        Column("officer_id", ID, aliases=("警号", "民警警号")),
        Column("auxiliary_id", ID, aliases=("辅警编号",)),
        Column("person_id", ID, aliases=("人员编号", "人员")),
        Column("village_id", ID, required=True, aliases=("村编码", "村代码")),
        Column("date", DATE, required=True, aliases=("日期", "工作日期", "进村日期")),
        Column("hours", FLOAT, minimum=0, aliases=("时长", "工时", "小时")),
        Column("start_time", TIME, aliases=("开始时间",)),
        Column("end_time", TIME, aliases=("结束时间",)),
        Column("activity", TEXT, aliases=("工作内容", "活动", "事项")),
        Column("log_id", ID, aliases=("日志编号",)),
    ),
    doc="work logs exported from the platform",
)

LOG_COLUMNS = [
    "source",
    "row",
    "person_kind",
    "person_id",
    "village_id",
    "date",
    "hours",
    "start_time",
    "end_time",
    "activity",
    "log_id",
]
LOG_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def log_files(path: Path) -> list[Path]:
    """The work-log files at ``path``: the file itself, or the regular files of a folder (a
    pipe or device among them is not opened)."""
    if path.is_dir():
        try:
            entries = sorted(path.iterdir())
        except OSError as e:
            raise BundleError.single(
                str(path), _("cannot read the folder: {reason}").format(reason=e.strerror or e)
            ) from None
        files = [f for f in entries if f.is_file() and f.suffix.lower() in LOG_SUFFIXES]
        if not files:
            raise BundleError.single(str(path), _("no work-log files here (.csv or .xlsx)"))
        return files
    if not path.exists():
        raise BundleError.single(str(path), _("no such file or folder"))
    if path.suffix.lower() not in LOG_SUFFIXES:
        raise BundleError.single(
            str(path), _("work logs are .csv or .xlsx files, or a folder of them")
        )
    return [path]


def _minutes(hhmm: str) -> float:
    if not hhmm:
        return np.nan
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _check(raw: RawTable, frame: pd.DataFrame, inst: Instance, log: ProblemLog) -> pd.DataFrame:
    """Who wrote each log, and every row problem at its file, row and column."""
    hdr = raw.headers

    def err(r: int, col: str, message: str) -> None:
        log.error(raw.label, int(r), hdr.get(col, col), message)

    officers, auxiliaries, villages = (
        set(inst.officers.index),
        set(inst.auxiliaries.index),
        set(inst.villages.index),
    )
    kinds, people = [], []
    for r, o, a, p, v in zip(
        frame["_row"],
        frame["officer_id"],
        frame["auxiliary_id"],
        frame["person_id"],
        frame["village_id"],
        strict=True,
    ):
        kind, who = "", ""
        given = [(c, x) for c, x in (("officer_id", o), ("auxiliary_id", a), ("person_id", p)) if x]
        if not given:
            err(
                r,
                "officer_id",
                _("give who wrote the log: officer_id (警号) or auxiliary_id (辅警编号)"),
            )
        elif len({x for _c, x in given}) > 1:
            err(r, given[1][0], _("the row names more than one person"))
        else:
            col, who = given[0]
            if col == "officer_id":
                kind = "officer" if who in officers else ""
                if not kind:
                    err(r, col, _("unknown officer '{id}'").format(id=who))
            elif col == "auxiliary_id":
                kind = "auxiliary" if who in auxiliaries else ""
                if not kind:
                    err(r, col, _("unknown auxiliary '{id}'").format(id=who))
            elif who in officers and who in auxiliaries:
                err(
                    r,
                    col,
                    _(
                        "'{id}' is both an officer and an auxiliary: use officer_id or auxiliary_id"
                    ).format(id=who),
                )
            elif who in officers or who in auxiliaries:
                kind = "officer" if who in officers else "auxiliary"
            else:
                err(r, col, _("unknown officer or auxiliary '{id}'").format(id=who))
        if v and v not in villages:
            err(r, "village_id", _("unknown village '{id}'").format(id=v))
        kinds.append(kind)
        people.append(who)
    start = frame["start_time"].map(_minutes)
    end = frame["end_time"].map(_minutes)
    one = (frame["start_time"] != "") ^ (frame["end_time"] != "")
    for r in frame.loc[one, "_row"]:
        err(r, "end_time", _("give both start_time and end_time, or neither"))
    back = (end <= start).fillna(False)
    for r in frame.loc[back, "_row"]:
        err(r, "end_time", _("ends before it starts"))
    hours = frame["hours"].astype(float)
    for r in frame.loc[(hours > 24).fillna(False), "_row"]:
        err(r, "hours", _("more than 24 hours in one log"))
    hours = hours.fillna((end - start) / 60.0)
    return pd.DataFrame(
        {
            "source": raw.label,
            "row": frame["_row"].astype(int),
            "person_kind": kinds,
            "person_id": people,
            "village_id": frame["village_id"],
            "date": frame["date"],
            "hours": hours,
            "start_time": frame["start_time"],
            "end_time": frame["end_time"],
            "activity": frame["activity"],
            "log_id": frame["log_id"],
        }
    )


def read_work_logs(path: Path, inst: Instance) -> pd.DataFrame:
    """All logs under ``path`` (LOG_COLUMNS; ``date`` YYYY-MM-DD, ``hours`` from the times when
    not given); raise BundleError listing every problem."""
    log = ProblemLog()
    parts = []
    for f in log_files(Path(path)):
        raws = (
            [read_csv_table(f, WORK_LOGS, log)]
            if f.suffix.lower() == ".csv"
            else read_xlsx_sheets(f, WORK_LOGS, log)
        )
        for raw in raws:
            if raw is None:
                continue
            if any(c not in raw.headers for c in WORK_LOGS.required_columns):
                continue  # reported by the reader
            if not {"officer_id", "auxiliary_id", "person_id"} & set(raw.headers):
                log.error(
                    raw.label,
                    1,
                    "",
                    _(
                        "needs a column naming who wrote each log: officer_id (警号), "
                        "auxiliary_id (辅警编号) or person_id (人员编号)"
                    ),
                )
                continue
            frame = parse_table(raw, log)
            parts.append(_check(raw, frame, inst, log))
            log.name_rows(raw.label, _writers(frame, inst))
    log.raise_if_errors()
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in LOG_COLUMNS})
    return pd.concat(parts, ignore_index=True)[LOG_COLUMNS]


def _writers(frame: pd.DataFrame, inst: Instance) -> dict[int, str]:
    """Each log's row -> who wrote it, by name and id, as problems name the row."""
    names = {
        **inst.auxiliaries["name"].to_dict(),
        **inst.officers["name"].to_dict(),
    }
    out = {}
    for r, o, a, p in zip(
        frame["_row"], frame["officer_id"], frame["auxiliary_id"], frame["person_id"], strict=True
    ):
        who = o or a or p
        if names.get(who):  # an unknown id is named by its own problem
            out[int(r)] = f"{names[who]}（{who}）"
    return out
