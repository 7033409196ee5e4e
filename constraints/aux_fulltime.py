"""AUX-FULLTIME (hard, §三(三) 专职化): an auxiliary is stationed in at most one village."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Rule, Violation

RULE = Rule(
    id="AUX-FULLTIME",
    clause="§三(三) 专职化",
    kind="hard",
    subject="auxiliary",
    summary=N_("an auxiliary is stationed in at most one village"),
    required=N_("a resident auxiliary serves one village full-time (§三(三) 专职化)"),
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """In every period of the plan: ``check_period``."""
    return [v for p, rows, prefix in plan.periods() for v in check_period(inst, rows, p, prefix)]


def check_period(
    inst: Instance, plan: pd.DataFrame, period: int = 1, prefix: str = ""
) -> list[Violation]:
    """No auxiliary is named for two villages (in one period)."""
    given = plan[plan["auxiliary_id"].fillna("").astype(str) != ""]
    dup = given[given.duplicated("auxiliary_id", keep=False)]
    out: list[Violation] = []
    for a, grp in dup.groupby("auxiliary_id", sort=True):
        name = inst.auxiliaries["name"].get(a, "")
        out.append(
            Violation(
                RULE.id,
                prefix
                + _(
                    "auxiliary {auxiliary} {name} is stationed in {n} villages ({ids}); a "
                    "resident auxiliary serves one"
                ).format(
                    auxiliary=a, name=name, n=len(grp), ids=", ".join(sorted(grp["village_id"]))
                ),
                (a, *sorted(grp["village_id"])),
            )
        )
    return out


def add_to_model(model, problem) -> None:
    """Each auxiliary in at most one village."""
    x = model.var_groups["x"]
    n_a = len(problem.auxiliaries)
    model.add_rows(
        "fulltime",
        problem.pair_aux,
        np.arange(x.start, x.stop),
        np.ones(problem.n_pairs, np.int64),
        np.zeros(n_a, np.int64),
        np.ones(n_a, np.int64),
    )
