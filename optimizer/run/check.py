"""Judging any plan by the rule modules alone, without the solver (``cunjing check``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...constraints.base import Violation
from ...constraints.registry import RULES, module
from ..input.instance import Instance
from ..input.problems import BundleError, ProblemLog
from ..input.tables import normalise_text


def hard_violations(inst: Instance, subject: str, plan: pd.DataFrame) -> list[Violation]:
    """Every enabled hard rule of ``subject`` ("officer", "auxiliary") on a plan, by the rule
    modules' own ``check`` (never the solver's word)."""
    out: list[Violation] = []
    for rid, rule in RULES.items():
        if rule.subject != subject or rule.kind != "hard" or not inst.policy.rule(rid).enabled:
            continue
        mod = module(rid)
        if hasattr(mod, "check"):
            out.extend(mod.check(inst, plan))
    return out


def check_officer_plan(inst: Instance, plan: pd.DataFrame) -> list[Violation]:
    """OFF-COVER and OFF-LOAD on a plan of (village_id, officer_id) rows."""
    return hard_violations(inst, "officer", plan)


PLAN_SHEETS = {
    "officer": ("包村民警安排", "officer_plan"),
    "auxiliary": ("驻村辅警安排", "auxiliary_plan"),
}
HEADERS = {
    "village_id": ("village_id", "村编码"),
    "officer_id": ("officer_id", "警号", "包村民警警号"),
    "auxiliary_id": ("auxiliary_id", "辅警编号", "驻村辅警编号"),
}


def _normalise_plan(
    df: pd.DataFrame, label: str, needed: tuple[str, ...], first_row: int = 2
) -> pd.DataFrame:
    names = {}
    for col in df.columns:
        h = normalise_text(str(col))
        for canon, aliases in HEADERS.items():
            if h in aliases or h.lower() == canon:
                names[col] = canon
    df = df.rename(columns=names)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise BundleError.single(label, f"required column '{missing[0]}' is missing", 1, missing[0])
    out = (
        df[list(needed)]
        .astype(object)
        .fillna("")
        .map(
            lambda v: normalise_text(
                str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            )
        )
    )
    out["_row"] = range(first_row, first_row + len(out))
    return out


def read_plan(path: Path, role: str = "officer", optional: bool = False) -> pd.DataFrame | None:
    """A plan's rows (village_id and officer_id or auxiliary_id) from a plan folder, its CSV or
    the workbook ``plan.xlsx`` a planner edited. None when the plan has no such part."""
    key = "officer_id" if role == "officer" else "auxiliary_id"
    sheet, stem = PLAN_SHEETS[role]
    path = Path(path)
    if path.is_dir():
        xlsx, csv = path / "plan.xlsx", path / f"{stem}.csv"
        if csv.exists():
            path = csv
        elif xlsx.exists():
            path = xlsx
        else:
            return None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            book = pd.read_excel(path, sheet_name=None, dtype=object)
        except Exception as e:
            raise BundleError.single(path.name, f"cannot read the workbook: {e}") from None
        frame = book.get(sheet, book.get(stem))
        if frame is None:
            return None
        return _normalise_plan(frame, f"{path.name}[{sheet}]", ("village_id", key))
    if not path.exists():
        raise BundleError.single(str(path), "no such file or folder")
    log = ProblemLog()
    from ..input.tables import decode

    try:
        text = decode(path.read_bytes(), path.name)
    except BundleError as e:
        log.problems.extend(e.problems)
        log.raise_if_errors()
        raise
    import io

    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if optional and not _has_column(frame, key):
        return None  # a file of the other role's plan
    return _normalise_plan(frame, path.name, ("village_id", key))


def _has_column(frame: pd.DataFrame, key: str) -> bool:
    heads = {normalise_text(str(c)) for c in frame.columns}
    return bool(heads & {key, *HEADERS[key]})
