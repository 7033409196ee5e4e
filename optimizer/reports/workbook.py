"""plan.xlsx: the plan as the county bureau's planners work with it, in Chinese.

Sheets: 包村民警安排, 驻村辅警安排, 民警工作量, 轮换计划 and 变更 (when the run wrote them),
规则说明, 指标. ``cunjing check BUNDLE plan.xlsx`` reads 包村民警安排 and 驻村辅警安排 back by
their 村编码 / 警号 / 辅警编号 columns (``check.read_plan``), so a planner may edit the plan here
and have it judged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from ..output.xlsx import Extras, add_sheet, new_workbook, save
from .tables import (
    auxiliary_rows,
    kpi_rows,
    officer_loads,
    officer_rows,
    rule_rows,
    villages_of,
)
from .words import KIND_WORDS, ROLE_WORDS, SUBJECT_WORDS

OFFICER_SHEET = "包村民警安排"
AUXILIARY_SHEET = "驻村辅警安排"
LOAD_SHEET = "民警工作量"
ROTATION_SHEET = "轮换计划"
DIFF_SHEET = "变更"
RULE_SHEET = "规则说明"
AUXILIARY_LIST_SHEET = "辅警名单"
YES_NO = {True: "是", False: "否"}
KPI_SHEET = "指标"

OFFICER_COLUMNS = {
    "village_id": "村编码",
    "village_name": "村名",
    "township_id": "乡镇编码",
    "township_name": "乡镇",
    "kind": "村类型",
    "officer_id": "警号",
    "officer_name": "民警姓名",
    "category_zh": "警种",
    "officer_unit": "单位",
    "workload_days": "每月工作量（天）",
    "km": "路程（公里）",
    "score": "得分",
    "reasons_zh": "理由",
    "reasons": "规则编号",
    "pinned_zh": "锁定",
}
AUXILIARY_COLUMNS = {
    "village_id": "村编码",
    "village_name": "村名",
    "township_id": "乡镇编码",
    "township_name": "乡镇",
    "auxiliary_id": "辅警编号",
    "auxiliary_name": "辅警姓名",
    "auxiliary_unit": "单位",
    "home_village_id": "户籍村编码",
    "home_village_name": "户籍村",
    "relation_zh": "来源",
    "supervisor": "指导监督民警（责任区民警）",
    "km": "离家（公里）",
    "score": "得分",
    "reasons_zh": "理由",
    "reasons": "规则编号",
    "pinned_zh": "锁定",
}
AUXILIARY_LIST_COLUMNS = {
    "auxiliary_id": "辅警编号",
    "name": "姓名",
    "unit": "单位",
    "status_zh": "状态",
    "home_village_name": "户籍村",
}
LOAD_COLUMNS = {
    "officer_id": "警号",
    "officer_name": "民警姓名",
    "category_zh": "警种",
    "unit": "单位",
    "status": "状态",
    "villages": "包村数",
    "village_names": "所包村",
    "days_used": "每月已用天数",
    "available_days": "每月可用天数",
    "utilisation_pct": "使用率（%）",
    "max_villages": "最多包村数",
}
ROTATION_COLUMNS = {
    "village_id": "村编码",
    "village_name": "村名",
    "township_name": "乡镇",
}  # then one column per period (第1期 …) and 交流次数
MOVED_MARK = "（调入）"
DIFF_COLUMNS = {
    "village_id": "村编码",
    "village_name": "村名",
    "township_name": "乡镇",
    "role_zh": "角色",
    "before_zh": "调整前",
    "after_zh": "调整后",
    "reason": "原因",
}
RULE_COLUMNS = {
    "rule": "规则编号",
    "clause": "条款",
    "source_zh": "来源",
    "kind_zh": "类型",
    "subject_zh": "对象",
    "summary_zh": "内容（按现行参数）",
    "enabled_zh": "启用",
    "weight": "权重（分/村）",
    "decided": "决定村数",
    "possible": "最多可能",
    "points": "得分",
    "violations": "违反条数",
    "settings": "参数（文件规定 / 本局设定）",
}
KPI_COLUMNS = {"label": "指标", "value": "值", "key": "键"}


def _chinese(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The columns the sheet shows, renamed, with numbers rounded as a planner reads them."""
    out = table[[c for c in columns if c in table.columns]].rename(columns=columns)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(2)
    return out


def _person(ids: pd.Series, names: pd.Series) -> pd.Series:
    """``id 姓名`` (just the id when the bundle does not know the person; "" stays "")."""
    named = ids.map(names).astype(object).fillna("")
    return (ids + " " + named).str.strip()


def rotation_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """One row per village, one column per period: its auxiliary (name and id), marked
    （调入） in the period he moved in, and the village's moves in all."""
    rot = folder.rotation
    if rot is None:
        return None
    rot = rot.copy()
    moved = rot["moved"] if "moved" in rot.columns else pd.Series(False, index=rot.index)
    names = rot["auxiliary_id"].map(inst.auxiliaries["name"]).fillna("")
    rot["cell"] = (names + " " + rot["auxiliary_id"]).str.strip() + moved.map(
        {True: MOVED_MARK, False: ""}
    )
    rot["moved"] = moved
    wide = rot.pivot_table(index="village_id", columns="period", values="cell", aggfunc="first")
    wide = wide.reindex(columns=sorted(wide.columns)).fillna("")
    wide.columns = [f"第{int(p)}期" for p in wide.columns]
    vil = villages_of(folder, inst).set_index("village_id")
    out = pd.DataFrame(
        {
            "village_id": wide.index.to_numpy(object),
            "village_name": wide.index.map(vil["village_name"]).fillna("").to_numpy(object),
            "township_name": wide.index.map(vil["township_name"]).fillna("").to_numpy(object),
        }
    )
    for col in wide.columns:
        out[col] = wide[col].to_numpy(object)
    out["交流次数"] = rot.groupby("village_id")["moved"].sum().reindex(wide.index).to_numpy(int)
    return out


def diff_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    diff = folder.diff
    if diff is None:
        return None
    out = diff.copy()
    for col in ("role", "before", "after", "reason"):
        if col not in out.columns:
            out[col] = ""
    vil = villages_of(folder, inst).set_index("village_id")
    out["village_name"] = out["village_id"].map(vil["village_name"]).fillna("")
    out["township_name"] = out["village_id"].map(vil["township_name"]).fillna("")
    out["role_zh"] = out["role"].map(ROLE_WORDS).fillna(out["role"])
    names = pd.concat([inst.officers["name"], inst.auxiliaries["name"]])
    names = names[~names.index.duplicated()]
    out["before_zh"] = _person(out["before"], names)
    out["after_zh"] = _person(out["after"], names)
    return out


def workbook_sheets(folder: PlanFolder, inst: Instance) -> dict[str, pd.DataFrame]:
    """The sheets of plan.xlsx, in order, with their Chinese headers."""
    sheets: dict[str, pd.DataFrame] = {}
    officers = officer_rows(folder, inst)
    if officers is not None:
        officers["pinned_zh"] = _yes_no(officers)
        sheets[OFFICER_SHEET] = _chinese(officers, OFFICER_COLUMNS)
    auxiliaries = auxiliary_rows(folder, inst)
    if auxiliaries is not None:
        auxiliaries["pinned_zh"] = _yes_no(auxiliaries)
        sheets[AUXILIARY_SHEET] = _chinese(auxiliaries, AUXILIARY_COLUMNS)
    loads = officer_loads(folder, inst)
    if loads is not None:
        loads["utilisation_pct"] = (loads["utilisation"] * 100).round(1)
        sheets[LOAD_SHEET] = _chinese(loads, LOAD_COLUMNS)
    rotation = rotation_rows(folder, inst)
    if rotation is not None:
        periods = {c: c for c in rotation.columns if c not in ROTATION_COLUMNS}
        sheets[ROTATION_SHEET] = _chinese(rotation, ROTATION_COLUMNS | periods)
    diff = diff_rows(folder, inst)
    if diff is not None:
        sheets[DIFF_SHEET] = _chinese(diff, DIFF_COLUMNS)
    rules = rule_rows(folder, inst)
    rules["kind_zh"] = rules["kind"].map(KIND_WORDS)
    rules["subject_zh"] = rules["subject"].map(SUBJECT_WORDS).fillna(rules["subject"])
    rules["enabled_zh"] = rules["enabled"].map({True: "是", False: "否"})
    rules["source_zh"] = rules["source"].map({"seed": "文件条款", "bureau": "本局设定"})
    sheets[RULE_SHEET] = _chinese(rules, RULE_COLUMNS)
    sheets[KPI_SHEET] = _chinese(kpi_rows(folder), KPI_COLUMNS)
    if auxiliaries is not None:
        sheets[AUXILIARY_LIST_SHEET] = _chinese(auxiliary_list(inst), AUXILIARY_LIST_COLUMNS)
    return sheets


def _yes_no(rows: pd.DataFrame) -> pd.Series:
    pinned = rows["pinned"] if "pinned" in rows.columns else pd.Series(False, index=rows.index)
    return pinned.fillna(False).astype(bool).map(YES_NO)


def auxiliary_list(inst: Instance) -> pd.DataFrame:
    """Every auxiliary of the bundle: what the 辅警编号 drop-down of 驻村辅警安排 offers."""
    aux = inst.auxiliaries
    return pd.DataFrame(
        {
            "auxiliary_id": aux.index.to_numpy(object),
            "name": aux["name"].to_numpy(object),
            "unit": aux["unit"].fillna("").to_numpy(object) if "unit" in aux else "",
            "status_zh": aux["status"].map({"active": "在岗", "leaving": "调离"}).fillna("")
            if "status" in aux
            else "",
            "home_village_name": aux["home_village_id"].map(inst.villages["name"]).fillna(""),
        }
    )


def _list_range(sheet: str, rows: int) -> str:
    """The cells of a sheet's first column under its header (a drop-down's source)."""
    return f"='{sheet}'!$A$2:$A${max(2, rows + 1)}"


def sheet_extras(sheets: dict[str, pd.DataFrame]) -> dict[str, Extras]:
    """What makes the plan sheets editable: 警号 and 辅警编号 offer the bundle's people (a typo
    is refused by Excel), 锁定 offers 是/否, ids stay text."""
    extras: dict[str, Extras] = {}
    ids = ("村编码", "乡镇编码", "警号", "辅警编号", "户籍村编码")
    if OFFICER_SHEET in sheets and LOAD_SHEET in sheets:
        extras[OFFICER_SHEET] = Extras(
            choices={
                "警号": _list_range(LOAD_SHEET, len(sheets[LOAD_SHEET])),
                "锁定": list(YES_NO.values()),
            },
            text_columns=ids,
            notes={
                "警号": "改警号即改包村民警（可从下拉列表中选，名单见“民警工作量”表）；"
                "改过的村在 cunjing adopt 时锁定",
                "锁定": "是：cunjing adopt 和调整试算时保持不变",
            },
        )
    if AUXILIARY_SHEET in sheets and AUXILIARY_LIST_SHEET in sheets:
        extras[AUXILIARY_SHEET] = Extras(
            choices={
                "辅警编号": _list_range(AUXILIARY_LIST_SHEET, len(sheets[AUXILIARY_LIST_SHEET])),
                "锁定": list(YES_NO.values()),
            },
            text_columns=ids,
            notes={"辅警编号": "改辅警编号即改驻村辅警（名单见“辅警名单”表）"},
        )
    return extras


def write_workbook(folder: PlanFolder, inst: Instance, path: Path) -> Path:
    """Write plan.xlsx to ``path``."""
    book = new_workbook()
    sheets = workbook_sheets(folder, inst)
    extras = sheet_extras(sheets)
    for title, table in sheets.items():
        add_sheet(book, title, table, extras=extras.get(title))
    save(book, path)
    return path
