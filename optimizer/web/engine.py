"""The one door into the engine. Every call the workbench makes into ``cunjing.optimizer`` is
here, so that the switch to the package's façade (``load_bundle``, ``plan``, ``replan``,
``check``, ``write_reports``) happens in this file alone. These functions run in the worker
processes (``workers.py``), never in the web server's event loop.
"""

from __future__ import annotations

import contextlib
import io
from argparse import Namespace
from pathlib import Path

# What the warm worker imports before its first task (the solver stack takes ~1 s).
WARM_MODULES = (
    "cunjing.optimizer.bundle",
    "cunjing.optimizer.plan_command",
    "cunjing.optimizer.whatif_command",
    "cunjing.optimizer.reports",
    "cunjing.optimizer.report_tables",
)


class InputProblems(Exception):
    """The bundle (or a change) is not usable: every problem as file, row, column, message."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _problems(error) -> list[dict]:
    return [
        {
            "file": str(p.file),
            "row": int(p.row),  # numpy integers from the readers: JSON wants Python's
            "column": str(p.column),
            "message": str(p.message),
            "severity": str(p.severity),
        }
        for p in sorted(error.problems, key=lambda p: (p.severity != "error", p.file, p.row))
    ]


@contextlib.contextmanager
def _engine_errors():
    from cunjing.optimizer.outputs import OutputError
    from cunjing.optimizer.problems import BundleError

    try:
        yield
    except BundleError as e:
        raise InputProblems(_problems(e)) from None
    except OutputError as e:
        raise InputProblems(
            [{"file": "", "row": 0, "column": "", "message": str(e), "severity": "error"}]
        ) from None


def load_bundle(bundle: Path):
    from cunjing.optimizer.bundle import load_bundle as load

    with _engine_errors():
        return load(bundle)


def validate(bundle: Path) -> dict:
    """A bundle's counts and warnings, or ``InputProblems`` with every problem found."""
    inst = load_bundle(bundle)
    return {
        "counts": {
            "townships": len(inst.townships),
            "villages": len(inst.villages),
            "officers": len(inst.officers),
            "auxiliaries": len(inst.auxiliaries),
        },
        "counties": dict(inst.county_names),
        "warnings": [
            {
                "file": str(w.file),
                "row": int(w.row),
                "column": str(w.column),
                "message": str(w.message),
            }
            for w in inst.warnings
        ],
        "fingerprint": inst.fingerprint,
    }


def _quiet(run, args: Namespace) -> int:
    """A command function with its terminal lines kept from the server's log."""
    with contextlib.redirect_stdout(io.StringIO()), _engine_errors():
        return run(args)


def plan(bundle: Path, out: Path, *, time_limit: float | None = None) -> dict:
    """The annual plan of a bundle into the plan folder ``out`` (every file of ``cunjing plan``)."""
    from cunjing.optimizer.plan_command import cmd_plan

    args = Namespace(
        bundle=bundle,
        out=out,
        time_limit=time_limit,
        seed=None,
        workers=None,
        jobs=1,
        scheduler=None,
        helper=False,
    )
    _quiet(cmd_plan, args)
    return read_summary(out)


def replan(
    bundle: Path, plan_dir: Path, out: Path, *, transfer: list[str], time_limit: float | None = None
) -> dict:
    """The what-if: officers leave, their villages are re-planned moving as few others as can
    be; the new plan folder (with ``diff.csv``) into ``out``."""
    from cunjing.optimizer.whatif_command import cmd_whatif

    args = Namespace(
        bundle=bundle,
        plan=plan_dir,
        out=out,
        transfer=transfer,
        set_days=None,
        set_key_village=None,
        add_officer=None,
        remove_auxiliary=None,
        add_auxiliary=None,
        changes=None,
        max_changes=None,
        sweep=None,
        jobs=None,
        time_limit=time_limit,
        seed=None,
        workers=None,
    )
    _quiet(cmd_whatif, args)
    return read_summary(out)


def read_summary(folder: Path) -> dict:
    import json

    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def plan_tables(bundle: Path, plan_dir: Path) -> dict:
    """The tables a plan's page shows, as the report modules make them (Chinese words)."""
    from cunjing.optimizer import report_tables
    from cunjing.optimizer.report_folder import read_plan_folder

    inst = load_bundle(bundle)
    folder = read_plan_folder(plan_dir)
    return {
        "instance": inst,
        "officer_rows": report_tables.officer_rows(folder, inst),
        "auxiliary_rows": report_tables.auxiliary_rows(folder, inst),
        "officer_loads": report_tables.officer_loads(folder, inst),
        "rules": report_tables.rule_rows(folder, inst),
        "summary": folder.summary,
        "diff": folder.diff,
    }
