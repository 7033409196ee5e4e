"""The visit calendar and compliance as tables for the workbook and the HTML report.

Either from a result in memory (``plan_calendar``, ``check_compliance``) or from the folder a
``cunjing calendar`` / ``cunjing compliance`` run wrote. Keys are the sheet names (the CSV files'
stems); ``COLUMNS_ZH`` gives Chinese column headers for planners' sheets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CALENDAR_FILES = {"calendar": "calendar.csv", "calendar_officers": "officers.csv"}
COMPLIANCE_FILES = (
    "compliance_villages",
    "scorecard_monthly",
    "scorecard_quarterly",
    "log_issues",
    "review",
)
# ids stay text: 警号 and 村编码 often start with zeros or exceed a float's digits
_ID_COLUMNS = {
    c: str for c in ("officer_id", "village_id", "township_id", "auxiliary_id", "person_id", "row")
}

COLUMNS_ZH = {
    "officer_id": "警号",
    "officer_name": "包村民警",
    "date": "日期",
    "weekday": "星期",
    "period": "旬",
    "village_id": "村编码",
    "village_name": "村名",
    "township_id": "乡镇编码",
    "township_name": "乡镇",
    "shared_day": "同日多村",
    "villages": "包村数",
    "visits_required": "应进村次数",
    "visits_planned": "计划进村次数",
    "days_used": "进村天数",
    "shared_days": "同日多村天数",
    "working_days": "工作日",
    "free_days": "可用工作日",
    "available_days": "每月可用天数",
    "status": "状态",
    "message": "说明",
    "month": "月份",
    "quarter": "季度",
    "required_days": "应进村天数",
    "logged_days": "日志进村天数",
    "dates": "进村日期",
    "periods": "进村旬",
    "spread": "分布达标",
    "auxiliary_id": "辅警编号",
    "auxiliary_days": "辅警日志天数",
    "logs_by_others": "他人日志数",
    "villages_short": "天数不足村数",
    "villages_not_spread": "分布不达标村数",
    "villages_unvisited": "无人进村村数",
    "passed": "考核通过",
    "score": "得分",
    "not_held_logs": "非所包村日志",
    "duplicate_logs": "重复日志",
    "overlap_logs": "时间重叠日志",
    "months": "月数",
    "months_passed": "通过月数",
    "mean_score": "平均得分",
    "source": "文件",
    "row": "行",
    "person_kind": "人员类别",
    "person_id": "人员编号",
    "person_name": "姓名",
    "issue": "问题",
    "detail": "详情",
    "reasons": "原因",
}


def calendar_frames(result_or_folder) -> dict[str, pd.DataFrame]:
    """{"calendar": one row per visit, "calendar_officers": one row per officer}."""
    if hasattr(result_or_folder, "frames"):
        return result_or_folder.frames()
    folder = Path(result_or_folder)
    return {
        name: pd.read_csv(
            folder / f, dtype=_ID_COLUMNS, encoding="utf-8-sig", keep_default_na=False
        )
        for name, f in CALENDAR_FILES.items()
    }


def compliance_frames(result_or_folder) -> dict[str, pd.DataFrame]:
    """{"compliance_villages", "scorecard_monthly", "log_issues", "review"} and, for a quarter,
    "scorecard_quarterly"."""
    if hasattr(result_or_folder, "frames"):
        return result_or_folder.frames()
    folder = Path(result_or_folder)
    return {
        name: pd.read_csv(
            folder / f"{name}.csv", dtype=_ID_COLUMNS, encoding="utf-8-sig", keep_default_na=False
        )
        for name in COMPLIANCE_FILES
        if (folder / f"{name}.csv").exists()
    }


def in_chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with Chinese headers (columns without a translation keep theirs)."""
    return frame.rename(columns=COLUMNS_ZH)
