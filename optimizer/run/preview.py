"""A run's plan, looked at before it is written: the plan folder it would write, in memory, and
the tables a page shows of any plan folder (the reports' own tables, so the workbench, the
workbook and the map say the same). The workbench previews a re-plan this way and writes the
folder only when the planner accepts it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..input.instance import Instance
from ..input.plan_files import PlanFolder
from ..reports import tables
from .plan import PlanRun
from .whatif import WhatIfRun


def plan_folder(run: PlanRun | WhatIfRun, path: Path | None = None) -> PlanFolder:
    """The folder ``run.write`` would make, without writing it (``path``: where it would be)."""
    return PlanFolder(
        path=Path(path) if path is not None else Path(),
        summary=run.record,
        officers=run.officer_plan,
        auxiliaries=run.auxiliary_plan,
        rotation=None,
        rotation_summary=None,
        diff=run.diff if isinstance(run, WhatIfRun) else None,
    )


def plan_tables(folder: PlanFolder, inst: Instance) -> dict[str, pd.DataFrame | None]:
    """Villages with their officer (``officers``) and auxiliary (``auxiliaries``), officers
    with their loads (``loads``), rules with what they did (``rules``): names and words in
    Chinese, as the reports show them."""
    return {
        "officers": tables.officer_rows(folder, inst),
        "auxiliaries": tables.auxiliary_rows(folder, inst),
        "loads": tables.officer_loads(folder, inst),
        "rules": tables.rule_rows(folder, inst),
    }
