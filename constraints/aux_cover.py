"""AUX-COVER (hard, §一): every village has exactly one resident auxiliary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Rule, Violation

RULE = Rule(
    id="AUX-COVER",
    clause="§一",
    kind="hard",
    subject="auxiliary",
    summary=N_("every village has exactly one resident auxiliary"),
    required=N_(
        "every village has its resident auxiliary (§一 辅警驻村): the placement is an "
        "assignment of auxiliaries to villages"
    ),
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def why_not(pairs: pd.DataFrame, inst: Instance, period: int = 1) -> np.ndarray:
    """Who may serve at all in ``period``: "" when the auxiliary is in service, else why not
    (status ``leaving``, hired after the period starts, leaving before it ends)."""
    rec = inst.service
    aux = pairs["auxiliary_id"].to_numpy(object)
    ok = rec.in_service(aux, period)
    out = np.full(len(pairs), "", dtype=object)
    for a in pd.unique(aux[~ok]):
        out[aux == a] = rec.why_out_of_service(a, period)
    return out


def _named(inst: Instance, village_ids) -> str:
    names = inst.villages["name"].reindex(list(village_ids)).fillna("")
    shown = ", ".join(f"{v} {n}".strip() for v, n in list(names.items())[:10])
    if len(names) > 10:
        return _("{shown} and {n} more").format(shown=shown, n=len(names) - 10)
    return shown


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """In every period of the plan: ``check_period``."""
    return [v for p, rows, prefix in plan.periods() for v in check_period(inst, rows, p, prefix)]


def check_period(
    inst: Instance, plan: pd.DataFrame, period: int = 1, prefix: str = ""
) -> list[Violation]:
    """Every village has exactly one auxiliary, one who is in the bundle and in service."""
    out: list[Violation] = []
    given = plan[plan["auxiliary_id"].fillna("").astype(str) != ""]
    missing = inst.villages.index.difference(given["village_id"])
    if len(missing):
        out.append(
            Violation(
                RULE.id,
                prefix
                + _("{n} village(s) without a resident auxiliary: {names}").format(
                    n=len(missing), names=_named(inst, missing)
                ),
                tuple(missing),
            )
        )
    dup = given[given.duplicated("village_id", keep=False)]
    for v, grp in dup.groupby("village_id"):
        out.append(
            Violation(
                RULE.id,
                prefix
                + _(
                    "village {village} has {n} resident auxiliaries ({ids}); it needs exactly one"
                ).format(village=v, n=len(grp), ids=", ".join(grp["auxiliary_id"])),
                (v, *grp["auxiliary_id"]),
            )
        )
    for v in given.loc[~given["village_id"].isin(inst.villages.index), "village_id"]:
        out.append(
            Violation(
                RULE.id,
                prefix + _("village {village} is not in the bundle").format(village=v),
                (v,),
            )
        )
    known = given[given["village_id"].isin(inst.villages.index)]
    why = why_not(known, inst, period)
    for v, a, w in zip(known["village_id"], known["auxiliary_id"], why, strict=True):
        if w:
            out.append(
                Violation(
                    RULE.id,
                    prefix
                    + _("village {village}: auxiliary {auxiliary} may not serve ({why})").format(
                        village=v, auxiliary=a, why=w
                    ),
                    (v, a),
                )
            )
    return out


def add_to_model(model, problem) -> None:
    """Every village one auxiliary; a village left without one costs more than any plan can
    gain, so the solver covers as many villages as possible first (a partial plan, not none)."""
    n_v = len(problem.villages)
    u = model.add_vars("uncovered", 0, 1, -problem.uncovered_penalty * np.ones(n_v, np.int64))
    x = model.var_groups["x"]
    rows = np.concatenate([problem.pair_village, np.arange(n_v)])
    cols = np.concatenate([np.arange(x.start, x.stop), np.arange(u.start, u.stop)])
    ones = np.ones(n_v, np.int64)
    model.add_rows("cover", rows, cols, np.ones(len(rows), np.int64), ones, ones)
