"""The tables every report draws on: a plan folder's rows joined with the bundle's names, units,
kinds and days, so the workbook, the GeoPackage, the map and the notice say the same thing."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from ...constraints.registry import RULES
from ...constraints.registry import module as rule_module
from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from ..input.schema import CATEGORY_NAMES_ZH
from .words import RELATION_WORDS, column_in_words

KIND_NAMES_ZH = {"key": "重点村", "ordinary": "普通村", "community": "社区"}


def per_folder(make: Callable) -> Callable:
    """Make a table once per plan folder and bundle: the workbook, the GeoPackage, the page and
    the notice all draw on the same few (on the sample county a third of the reports' time went
    to making them again). Each caller gets its own copy to change."""

    @functools.wraps(make)
    def table(folder: PlanFolder, inst: Instance):
        held = folder.derived.get(make)
        if held is None or held[0] is not inst:
            held = folder.derived[make] = (inst, make(folder, inst))
        return None if held[1] is None else held[1].copy()

    return table


def _lookup(frame: pd.DataFrame, ids: pd.Series, column: str) -> np.ndarray:
    """``frame[column]`` for each id (index of ``frame``); "" where the id is empty or unknown."""
    if column not in frame.columns:
        return np.full(len(ids), "", dtype=object)
    return frame[column].reindex(ids.to_numpy(object)).fillna("").astype(str).to_numpy(object)


def _fill(out: pd.DataFrame, column: str, frame: pd.DataFrame, key: str, source: str) -> None:
    """Empty cells of ``out[column]`` from ``frame[source]`` by ``out[key]``."""
    given = out[column].fillna("").astype(str)
    out[column] = given.where(given != "", _lookup(frame, out[key], source)).to_numpy(object)


@per_folder
def villages_of(folder: PlanFolder, inst: Instance) -> pd.DataFrame:
    """Every village of the plan (else of the bundle): id, name, township, kind, county."""
    ids: list[str] = []
    for part in (folder.officers, folder.auxiliaries, folder.rotation):
        if part is not None:
            ids.extend(part["village_id"].tolist())
    ids = list(dict.fromkeys(ids)) or inst.villages.index.tolist()
    known = [v for v in ids if v in inst.villages.index]
    vil = inst.villages.loc[known]
    return pd.DataFrame(
        {
            "village_id": vil.index.to_numpy(object),
            "village_name": vil["name"].to_numpy(object),
            "township_id": vil["township_id"].to_numpy(object),
            "township_name": inst.townships.loc[vil["township_id"], "name"].to_numpy(object),
            "kind": vil["kind"].map(KIND_NAMES_ZH).fillna("").to_numpy(object)
            if "kind" in vil.columns
            else "",
            "county_id": vil["county_id"].to_numpy(object),
        }
    )


@per_folder
def officer_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """officer_plan.csv with the village kind, the officer's unit and phone, reasons in words."""
    plan = folder.officers
    if plan is None:
        return None
    out = plan.copy()
    # what a hand-made plan leaves out comes from the bundle
    _fill(out, "village_name", inst.villages, "village_id", "name")
    _fill(out, "township_id", inst.villages, "village_id", "township_id")
    _fill(out, "township_name", inst.townships, "township_id", "name")
    _fill(out, "officer_name", inst.officers, "officer_id", "name")
    _fill(out, "category", inst.officers, "officer_id", "category")
    out["kind"] = _lookup(inst.villages, out["village_id"], "kind")
    out["kind"] = out["kind"].map(KIND_NAMES_ZH).fillna("").to_numpy(object)
    out["officer_unit"] = _lookup(inst.officers, out["officer_id"], "unit")
    out["officer_phone"] = _lookup(inst.officers, out["officer_id"], "phone")
    out["category_zh"] = out["category"].map(CATEGORY_NAMES_ZH).fillna(out["category"])
    out["reasons_zh"] = column_in_words(out["reasons"])
    return out


@per_folder
def auxiliary_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """auxiliary_plan.csv with the township name, unit, phone, home village name, reasons in
    words and the relation in words."""
    plan = folder.auxiliaries
    if plan is None:
        return None
    out = plan.copy()
    _fill(out, "village_name", inst.villages, "village_id", "name")
    _fill(out, "township_id", inst.villages, "village_id", "township_id")
    _fill(out, "auxiliary_name", inst.auxiliaries, "auxiliary_id", "name")
    _fill(out, "home_village_id", inst.auxiliaries, "auxiliary_id", "home_village_id")
    out["township_name"] = _lookup(inst.townships, out["township_id"], "name")
    out["auxiliary_unit"] = _lookup(inst.auxiliaries, out["auxiliary_id"], "unit")
    out["auxiliary_phone"] = _lookup(inst.auxiliaries, out["auxiliary_id"], "phone")
    out["home_village_name"] = _lookup(inst.villages, out["home_village_id"], "name")
    out["relation_zh"] = out["relation"].map(RELATION_WORDS).fillna(out["relation"])
    if "exception" in out.columns:  # AUX-TOWNSHIP's named exception, with its reason
        reason = out["exception"].fillna("").astype(str)
        out["relation_zh"] = out["relation_zh"].where(reason == "", "例外：" + reason)
    if "supervisor_id" in out.columns:  # 责任区民警 who supervises the auxiliary (§三(三))
        sid = out["supervisor_id"].fillna("").astype(str)
        out["supervisor"] = (sid + " " + _lookup(inst.officers, sid, "name")).str.strip()
    out["reasons_zh"] = column_in_words(out["reasons"])
    return out


@per_folder
def officer_loads(folder: PlanFolder, inst: Instance) -> pd.DataFrame | None:
    """Each officer of the bundle: villages held (ids and names), days used of days available."""
    plan = folder.officers
    if plan is None:
        return None
    held = plan[plan["officer_id"] != ""]
    village_names = inst.villages["name"].reindex(held["village_id"]).fillna(held["village_id"])
    g = held.assign(
        days=pd.to_numeric(held["workload_days"], errors="coerce"),
        name=village_names.to_numpy(object),
    ).groupby("officer_id")
    names = g["name"].agg("、".join)
    off = inst.officers
    out = pd.DataFrame(
        {
            "officer_id": off.index.to_numpy(object),
            "officer_name": off["name"].to_numpy(object),
            "category_zh": off["category"].map(CATEGORY_NAMES_ZH).fillna("").to_numpy(object),
            "unit": off["unit"].fillna("").astype(str).to_numpy(object) if "unit" in off else "",
            "status": off["status"].map({"active": "在岗", "leaving": "调离"}).fillna("")
            if "status" in off
            else "",
        }
    )
    out["villages"] = g.size().reindex(out["officer_id"]).fillna(0).astype(int).to_numpy()
    out["village_names"] = names.reindex(out["officer_id"]).fillna("").to_numpy(object)
    out["days_used"] = g["days"].sum().reindex(out["officer_id"]).fillna(0.0).round(2).to_numpy()
    out["available_days"] = off["available_days"].astype(float).to_numpy()
    out["utilisation"] = np.where(
        out["available_days"] > 0, out["days_used"] / out["available_days"], np.nan
    )
    out["max_villages"] = off["max_villages"].to_numpy() if "max_villages" in off else np.nan
    # officers of the plan the bundle does not know (a hand-made plan) still show their load
    unknown = sorted(set(held["officer_id"]) - set(off.index))
    if unknown:
        extra = pd.DataFrame({"officer_id": unknown})
        extra["officer_name"] = held.groupby("officer_id")["officer_name"].first().reindex(unknown)
        extra["villages"] = g.size().reindex(unknown).to_numpy()
        extra["days_used"] = g["days"].sum().reindex(unknown).round(2).to_numpy()
        out = pd.concat([out, extra], ignore_index=True)
    return out.sort_values(["villages", "officer_id"], ascending=[False, True], ignore_index=True)


def villages_decided(folder: PlanFolder) -> dict[str, int]:
    """Per rule id: villages whose chosen officer or auxiliary meets it (from the reasons)."""
    counts: dict[str, int] = {}
    for part in (folder.officers, folder.auxiliaries):
        if part is None or "reasons" not in part.columns:
            continue
        for cell in part["reasons"]:
            for rid in {r.split(":")[0].strip() for r in str(cell).split(";") if r.strip()}:
                counts[rid] = counts.get(rid, 0) + 1
    return counts


NOT_JUDGED = "未检查"


def settings_text(rule, params) -> str:
    """A rule's parameters in force, each marked 文件 (the seed states it) or 本局 (the bureau's
    choice): ``periods=3（本局）；no_return_periods=2（本局）``."""
    shown = []
    for key, p in rule.params.items():
        v = params.get(key, p.default)
        v = "、".join(v) if isinstance(v, tuple) else v
        shown.append(f"{key}={v}（{'文件' if p.seed else '本局'}）")
    return "；".join(shown)


def _checks(folder: PlanFolder) -> dict[str, int] | None:
    """Per rule the run judged its plan by: violations found (summary.json's ``checks``, and
    rotation_summary.json's); None when the folder records none (a folder of an older run)."""
    found: dict[str, int] | None = None
    for record in (folder.summary, folder.rotation_summary):
        if isinstance(record, dict) and isinstance(record.get("checks"), dict):
            found = found or {}
            for rid, n in record["checks"].items():
                found[rid] = found.get(rid, 0) + int(n)
    return found


def rule_rows(folder: PlanFolder, inst: Instance) -> pd.DataFrame:
    """Each rule: its clause (or "the bureau's setting"), kind, the rule as stated with the
    values in force, its weight, and what it did in this plan: villages decided of possible for
    a soft rule, violations for a rule the run judged (未检查 for one it did not)."""
    kpis = folder.kpis
    rule_kpis: dict[str, dict] = {}
    for role in ("officer", "auxiliary"):
        block = kpis.get(role)
        if isinstance(block, dict) and isinstance(block.get("rules"), dict):
            rule_kpis.update(block["rules"])
    checks = _checks(folder) or {}
    by_reasons = villages_decided(folder)
    rows = []
    for rid, rule in RULES.items():
        settings = inst.policy.rule(rid)
        k = rule_kpis.get(rid, {}) if settings.enabled else {}
        module = rule_module(rid)
        values = (
            module.values_in_force(inst.policy)
            if hasattr(module, "values_in_force")
            else dict(settings.params)
        )
        made_hard = hasattr(module, "made_hard") and module.made_hard(inst.policy)
        judged = rule.kind == "hard" or made_hard
        soft = rule.kind == "soft" and not rule.cost
        # no matching bound for the auxiliaries' points: the villages whose reasons name it
        aux_soft = soft and settings.enabled and rule.subject == "auxiliary"
        if aux_soft and not k and folder.auxiliaries is not None:
            k = {"matched": by_reasons.get(rid, 0), "possible": ""}
        rows.append(
            {
                "rule": rid,
                "clause": rule.clause if rule.source == "seed" else _(rule.clause),
                "source": rule.source,
                "kind": "hard" if made_hard else rule.kind,
                "subject": rule.subject,
                "summary_zh": rule.text(values),
                "settings": settings_text(rule, settings.params),
                "enabled": settings.enabled,
                "weight": settings.weight if rule.kind == "soft" else np.nan,
                "decided": k.get("matched", NOT_JUDGED) if soft else "",
                "possible": k.get("possible", NOT_JUDGED) if soft else "",
                "points": k.get("points", np.nan),
                "violations": checks.get(rid, NOT_JUDGED) if judged else "",
            }
        )
    return pd.DataFrame(rows)


STATUS_WORDS = {
    "OPTIMAL": "最优（已证明）",
    "FEASIBLE": "可行",
    "PARTIAL": "部分方案（有未满足的硬性规则）",
    "INFEASIBLE": "无可行方案",
}
KPI_WORDS = {
    "interrupted": "中途停止",
    "status": "求解状态",
    "objective": "总分（民警与辅警安排）",
    "best_bound": "可能的最高总分",
    "gap": "与最高总分相差（比例）",
    "wall_seconds": "总用时（秒）",
    "build_seconds": "建模用时（秒）",
    "solve_seconds": "求解用时（秒）",
    "seed": "随机种子",
    "workers": "线程数",
    "time_limit": "时限（秒）",
    "input": "输入",
    "input_sha256": "输入指纹",
    "villages": "行政村",
    "covered_by_officer": "有包村民警的村",
    "covered_by_auxiliary": "有驻村辅警的村",
    "officer": "包村民警",
    "auxiliary": "驻村辅警",
    "rotation": "辅警轮换",
    "score": "得分",
    "points": "得分",
    "balance_penalty": "均衡扣分",
    "preference_rank_profile": "志愿满足（人）",
    "none": "未满足",
    "blocking_pairs": "彼此更合适却未配成的民警与村（对）",
    "by_preference": "民警更想去且村得分更高",
    "by_score": "双方得分都更高",
    "load": "工作量",
    "officers_with_villages": "包村民警人数",
    "officers_without": "未包村民警人数",
    "villages_per_officer": "每人包村数",
    "days_used": "每月已用天数",
    "utilisation": "天数使用率",
    "villages_histogram": "包村数分布（人）",
    "min": "最小",
    "median": "中位数",
    "max": "最大",
    "covered": "已安排",
    "uncovered": "未安排",
    "same_township": "本乡镇",
    "neighbour_township": "相邻乡镇",
    "exceptions": "例外（AUX-TOWNSHIP，另列原因）",
    "km_min": "离家最近（公里）",
    "km_median": "离家中位（公里）",
    "km_max": "离家最远（公里）",
    "recommended_honoured": "派出所推荐采纳",
    "incumbents": "原驻村辅警",
    "incumbents_kept": "原驻村辅警留任",
    "incumbents_must_leave": "原驻村辅警须离任",
    "incumbents_must_leave_by_rule": "须离任（按规则）",
    "periods": "期数",
    "moves": "交流人次",
}
# Shown on their own sheets (规则说明) or too long for a KPI list.
KPI_SKIP = {"rules", "examples", "policy", "versions", "counties", "diagnostics"}


def _kpi_label(path: list[str]) -> str:
    words = []
    for i, key in enumerate(path):
        if key.isdigit() and i and path[i - 1] == "preference_rank_profile":
            words.append(f"第{key}志愿")
        elif key.isdigit() and i and path[i - 1] == "villages_histogram":
            words.append(f"包{key}个村")
        else:
            words.append(KPI_WORDS.get(key, key))
    return " / ".join(words)


def _flatten(data: dict, path: list[str], rows: list[dict]) -> None:
    for key, value in data.items():
        key = str(key)
        if key in KPI_SKIP:
            continue
        here = [*path, key]
        if isinstance(value, dict):
            _flatten(value, here, rows)
        elif isinstance(value, list):
            continue  # lists (examples, per-period detail) have sheets or files of their own
        else:
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif key == "status" and value in STATUS_WORDS:
                value = f"{value} {STATUS_WORDS[value]}"
            elif key == "input" and value is None:
                value = "内置示例县"
            rows.append({"label": _kpi_label(here), "value": value, "key": ".".join(here)})


def kpi_rows(folder: PlanFolder) -> pd.DataFrame:
    """summary.json (and rotation_summary.json) as label / value / key rows."""
    rows: list[dict] = []
    summary = dict(folder.summary or {})
    kpis = summary.pop("kpis", {})
    _flatten(summary, [], rows)
    _flatten(kpis, [], rows)
    if folder.rotation_summary:
        _flatten(folder.rotation_summary, ["rotation"], rows)
    frame = pd.DataFrame(rows, columns=["label", "value", "key"])
    # one column of mixed numbers and words: numbers stay numbers, the rest is text
    frame["value"] = frame["value"].map(lambda v: "" if v is None else v).astype(object)
    return frame
