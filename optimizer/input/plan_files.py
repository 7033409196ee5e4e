"""Reading a plan folder written by ``cunjing plan`` (or by hand): the officer plan and the bundle
it was made for.

``summary.json``'s ``input`` names the bundle (null: the embedded sample). ``officer_plan.csv`` is
read like a bundle table (Chinese headers, any encoding Excel saves), and every village and officer
it names must be in that bundle; problems are reported as ``file:row:column``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .instance import Instance
from .parse import parse_table
from .problems import BundleError, ProblemLog
from .schema import FLOAT, ID, TEXT, Column, Table

OFFICER_PLAN = Table(
    "officer_plan",
    (
        Column("village_id", ID, required=True, aliases=("村编码", "村代码")),
        Column("officer_id", ID, aliases=("警号",)),
        Column("village_name", TEXT, aliases=("村名",)),
        Column("township_id", ID, aliases=("乡镇编码",)),
        Column("officer_name", TEXT, aliases=("姓名",)),
        Column("category", TEXT, aliases=("警种",)),
        Column("workload_days", FLOAT, aliases=("工作量天数",)),
        Column("score", FLOAT, aliases=("得分",)),
        Column("reasons", TEXT, aliases=("理由",)),
    ),
    key=("village_id",),
    doc="the officer plan of a plan folder",
)

AUXILIARY_PLAN = Table(
    "auxiliary_plan",
    (
        Column("village_id", ID, required=True, aliases=("村编码", "村代码")),
        Column("auxiliary_id", ID, aliases=("辅警编号",)),
    ),
    key=("village_id",),
    doc="the auxiliary plan of a plan folder",
)


@dataclass(frozen=True)
class PlanFolder:
    folder: Path
    bundle: Path | None  # None: the embedded sample
    officers: pd.DataFrame  # village_id, officer_id ("" = no officer)
    auxiliaries: pd.DataFrame | None  # village_id, auxiliary_id, when the folder has them
    summary: dict


def bundle_of(folder: Path) -> tuple[Path | None, dict]:
    """The bundle a plan folder was made for, from its ``summary.json``."""
    f = folder / "summary.json"
    if not folder.is_dir():
        raise BundleError.single(str(folder), "no such plan folder")
    if not f.is_file():
        raise BundleError.single(
            f"{folder.name}/summary.json",
            "the plan folder has no summary.json (cunjing plan writes it)",
        )
    try:
        summary = json.loads(f.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BundleError.single(f"{folder.name}/summary.json", f"not valid JSON: {e}") from None
    if not isinstance(summary, dict) or "input" not in summary:
        raise BundleError.single(
            f"{folder.name}/summary.json", "needs an 'input' key: the bundle the plan was made for"
        )
    given = summary["input"]
    if given is None:
        return None, summary
    path = Path(str(given))
    if not path.is_absolute() and not path.exists():
        path = folder / path  # a hand-made folder may name its bundle relative to itself
    return path, summary


def read_plan_table(f: Path, table: Table, inst: Instance, person: str) -> pd.DataFrame:
    """A plan table checked against the bundle: known villages and people, one row a village."""
    from .tables import read_csv_table

    log = ProblemLog()
    raw = read_csv_table(f, table, log)
    log.raise_if_errors()
    assert raw is not None
    frame = parse_table(raw, log)
    known = {"officer_id": set(inst.officers.index), "auxiliary_id": set(inst.auxiliaries.index)}
    header = raw.headers
    seen: dict[str, int] = {}
    for r, v, p in zip(frame["_row"], frame["village_id"], frame[person], strict=True):
        if v and v not in inst.villages.index:
            log.error(
                raw.label, r, header.get("village_id", "village_id"), f"unknown village '{v}'"
            )
        if p and p not in known[person]:
            what = person.removesuffix("_id")
            log.error(raw.label, r, header.get(person, person), f"unknown {what} '{p}'")
        if v in seen:
            log.error(
                raw.label,
                r,
                header.get("village_id", "village_id"),
                f"village '{v}' appears twice (first at row {seen[v]})",
            )
        seen.setdefault(v, r)
    log.raise_if_errors()
    return frame[["village_id", person]].reset_index(drop=True)


def read_plan_folder(folder: Path, inst: Instance) -> PlanFolder:
    """The officer (and, when present, auxiliary) plan of ``folder``, checked against ``inst``."""
    bundle, summary = bundle_of(folder)
    f = folder / "officer_plan.csv"
    if not f.is_file():
        raise BundleError.single(
            f"{folder.name}/officer_plan.csv", "the plan folder has no officer plan"
        )
    officers = read_plan_table(f, OFFICER_PLAN, inst, "officer_id")
    aux = folder / "auxiliary_plan.csv"
    auxiliaries = (
        read_plan_table(aux, AUXILIARY_PLAN, inst, "auxiliary_id") if aux.is_file() else None
    )
    return PlanFolder(folder, bundle, officers, auxiliaries, summary)
