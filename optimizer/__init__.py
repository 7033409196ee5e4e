"""cunjing's engine, for notebooks, scripts and the workbench.

    from cunjing.optimizer import load_bundle, plan
    inst = load_bundle()                 # the embedded sample county
    run = plan(inst)                     # a PlanRun: run.officer_plan, run.summary(), run.write(out)

The names below load their modules on first use (importing a sub-module stays cheap):

| name | returns |
| --- | --- |
| ``load_bundle(path=None)`` | the validated bundle (``Instance``) |
| ``plan(inst, options=None, …)`` | ``PlanRun``: the annual plan of every county |
| ``replan(inst, incumbent, changes, options=None, …)`` | ``WhatIfRun``: a what-if |
| ``rotate(inst, periods, options=None, …)`` | ``RotationRun``: the auxiliaries' rotation |
| ``visit_calendar(inst, plan, month, options=None, …)`` | ``CalendarRun`` |
| ``compliance(inst, logs, months, officer_plan, …)`` | ``ComplianceRun`` |
| ``check(inst, path)`` | ``CheckRun``: every hard rule on a plan folder or file |
| ``explain(plan_dir, village)`` | why the village got its officer, in lines |
| ``sweep_transfers(inst, incumbent, …)`` | ``SweepRun``: every officer's transfer, by harm |
| ``write_reports(folder, inst)`` | the reports of a plan folder |

and ``SolveOptions``, ``Status``, ``changes_from``, ``read_incumbent``, ``read_assignment``.

Sub-packages, lowest first (a package imports only from lower ones): ``input``, ``solve``,
``output``; ``officers``, ``auxiliaries``, ``visits``; ``rotation``, ``whatif``; ``reports``;
``run``; ``cli`` and ``web``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

FACADE = {
    "load_bundle": "input.bundle",
    "read_assignment": "input.plan_files",
    "read_incumbent": "input.plan_files",
    "SolveOptions": "solve.options",
    "Status": "solve.status",
    "changes_from": "whatif.changes",
    "plan": "run.plan",
    "PlanRun": "run.plan",
    "replan": "run.whatif",
    "WhatIfRun": "run.whatif",
    "rotate": "run.rotate",
    "RotationRun": "run.rotate",
    "visit_calendar": "run.visits",
    "CalendarRun": "run.visits",
    "compliance": "run.visits",
    "ComplianceRun": "run.visits",
    "check": "run.check",
    "explain": "reports.explain",
    "sweep_transfers": "run.whatif",
    "CheckRun": "run.check",
    "write_reports": "reports.write",
}
__all__ = [
    "CalendarRun",
    "CheckRun",
    "ComplianceRun",
    "PlanRun",
    "RotationRun",
    "SolveOptions",
    "Status",
    "WhatIfRun",
    "changes_from",
    "check",
    "compliance",
    "explain",
    "load_bundle",
    "plan",
    "read_assignment",
    "read_incumbent",
    "replan",
    "rotate",
    "sweep_transfers",
    "visit_calendar",
    "write_reports",
]

if TYPE_CHECKING:
    from .input.bundle import load_bundle
    from .input.plan_files import read_assignment, read_incumbent
    from .reports.explain import explain
    from .reports.write import write_reports
    from .run.check import CheckRun, check
    from .run.plan import PlanRun, plan
    from .run.rotate import RotationRun, rotate
    from .run.visits import CalendarRun, ComplianceRun, compliance, visit_calendar
    from .run.whatif import WhatIfRun, replan, sweep_transfers
    from .solve.options import SolveOptions
    from .solve.status import Status
    from .whatif.changes import changes_from


def __getattr__(name: str) -> Any:
    module = FACADE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(FACADE))
