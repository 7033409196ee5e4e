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
| ``officer_options(inst, incumbent, village)`` | 换人: who else could take a village, ranked |
| ``auxiliary_options(inst, incumbent_aux, village)`` | 换辅警: the same for its auxiliary |
| ``plan_folder(run)`` · ``read_plan_folder(path)`` | a plan folder in memory · from disk |
| ``plan_tables(folder, inst)`` | the tables a page shows of a plan (the reports' own) |

and ``SolveOptions``, ``Status``, ``changes_from``, ``apply_changes`` (a bundle as changes leave
it), ``read_incumbent``, ``read_assignment``,
``sample_path``, ``read_work_logs``, ``parse_month``, ``parse_quarter``, and the errors
``BundleError`` (bad input: located problems) and ``OutputError`` (a folder that cannot be
written).

Sub-packages, lowest first (a package imports only from lower ones): ``input``, ``solve``,
``output``; ``officers``, ``auxiliaries``, ``visits``; ``rotation``, ``whatif``; ``reports``;
``run``; ``web`` (the workbench, on this façade); ``cli``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

FACADE = {
    "load_bundle": "input.bundle",
    "sample_path": "input.bundle",
    "BundleError": "input.problems",
    "OutputError": "output.publish",
    "read_plan_folder": "input.plan_files",
    "read_work_logs": "input.work_logs",
    "parse_month": "input.workdays",
    "parse_quarter": "input.workdays",
    "plan_folder": "run.preview",
    "plan_tables": "run.preview",
    "officer_options": "whatif.options",
    "auxiliary_options": "whatif.options",
    "read_assignment": "input.plan_files",
    "read_incumbent": "input.plan_files",
    "SolveOptions": "solve.options",
    "Status": "solve.status",
    "changes_from": "whatif.changes",
    "apply_changes": "whatif.changes",
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
    "BundleError",
    "CalendarRun",
    "CheckRun",
    "ComplianceRun",
    "OutputError",
    "PlanRun",
    "RotationRun",
    "SolveOptions",
    "Status",
    "WhatIfRun",
    "apply_changes",
    "auxiliary_options",
    "changes_from",
    "check",
    "compliance",
    "explain",
    "load_bundle",
    "officer_options",
    "parse_month",
    "parse_quarter",
    "plan",
    "plan_folder",
    "plan_tables",
    "read_assignment",
    "read_incumbent",
    "read_plan_folder",
    "read_work_logs",
    "replan",
    "rotate",
    "sample_path",
    "sweep_transfers",
    "visit_calendar",
    "write_reports",
]

if TYPE_CHECKING:
    from .input.bundle import load_bundle, sample_path
    from .input.plan_files import read_assignment, read_incumbent, read_plan_folder
    from .input.problems import BundleError
    from .input.work_logs import read_work_logs
    from .input.workdays import parse_month, parse_quarter
    from .output.publish import OutputError
    from .reports.explain import explain
    from .reports.write import write_reports
    from .run.check import CheckRun, check
    from .run.plan import PlanRun, plan
    from .run.preview import plan_folder, plan_tables
    from .run.rotate import RotationRun, rotate
    from .run.visits import CalendarRun, ComplianceRun, compliance, visit_calendar
    from .run.whatif import WhatIfRun, replan, sweep_transfers
    from .solve.options import SolveOptions
    from .solve.status import Status
    from .whatif.changes import apply_changes, changes_from
    from .whatif.options import auxiliary_options, officer_options


def __getattr__(name: str) -> Any:
    module = FACADE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(FACADE))
