"""OFF-COVER (hard, §一, §二(一)): every village in scope has exactly one liaison officer; no village without one (空白村)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from . import off_load
from .base import Assignment, OfficerModelData, Rule, Violation

RULE = Rule(
    id="OFF-COVER",
    clause="§一, §二(一)",
    kind="hard",
    subject="officer",
    summary=N_(
        "every village in scope has exactly one liaison officer; no village without one (空白村)"
    ),
    required=N_(
        "every village has its liaison officer (§一 村村有警, §二(一) 杜绝空白村): a plan "
        "without it is no plan"
    ),
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance
    from ..optimizer.solve.linear_model import LinearModel


def why_not(pairs: pd.DataFrame, inst: Instance, forbidden: np.ndarray) -> np.ndarray:
    """Who may cover a village at all: "" for an eligible pair, else the reason it is not."""
    off = inst.officers.reindex(pairs["officer_id"].to_numpy(object))
    status = off["status"].to_numpy(object)
    days = off["available_days"].to_numpy(float)
    same_county = off["county_id"].to_numpy(object) == pairs["county_id"].to_numpy(object)
    wl = pairs["workload_days"].to_numpy(float)
    out = np.full(len(pairs), "", dtype=object)
    # later checks win: the most basic reason is the one reported
    out[wl > days + 1e-9] = _("the village alone needs more days than the officer has")
    out[forbidden] = _("forbidden in pairs.csv")
    out[np.nan_to_num(days) <= 0] = _("the officer has no days available")
    out[status == "leaving"] = _("the officer is leaving")
    out[~same_county] = _("the officer belongs to another county")
    out[pd.isna(status)] = _("unknown officer")
    return out


def add_to_model(model: LinearModel, problem: OfficerModelData) -> None:
    """Every village exactly one officer. When full cover is not known to be possible, a village
    may stay uncovered at a cost above anything a plan can gain, so the solver covers as many
    villages as it can first (a partial plan, not none)."""
    n_v = len(problem.villages)
    x = model.var_groups["x"]
    rows, cols = problem.pair_village, np.arange(x.start, x.stop)
    if not problem.cover_all:
        u = model.add_vars("uncovered", 0, 1, -problem.uncovered_penalty * np.ones(n_v, np.int64))
        rows = np.concatenate([rows, np.arange(n_v)])
        cols = np.concatenate([cols, np.arange(u.start, u.stop)])
    model.add_rows(
        "cover",
        rows,
        cols,
        np.ones(len(rows), np.int64),
        np.ones(n_v, np.int64),
        np.ones(n_v, np.int64),
    )


def pair_why_not(inst: Instance, pairs: pd.DataFrame) -> np.ndarray:
    """``why_not`` of the given (officer_id, village_id) pairs of known people and villages."""
    oid = pairs["officer_id"].to_numpy(object)
    vid = pairs["village_id"].to_numpy(object)
    given = inst.pair_overrides(oid, vid)
    _km, days = off_load.pair_days(inst, oid, vid, given)
    facts = pd.DataFrame(
        {
            "officer_id": oid,
            "village_id": vid,
            "county_id": inst.villages["county_id"].reindex(vid).to_numpy(object),
            "workload_days": days,
        }
    )
    return why_not(facts, inst, given["forbidden"].fillna(False).to_numpy(bool))


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """Every village has exactly one officer, and one who may cover it."""
    out: list[Violation] = []
    rows = plan.rows
    given = rows[rows["officer_id"] != ""]
    missing = inst.villages.index.difference(given["village_id"])
    if len(missing):
        names = inst.villages.loc[missing, "name"]
        shown = ", ".join(f"{v} {n}" for v, n in list(names.items())[:10])
        if len(missing) > 10:
            shown = _("{shown} and {n} more").format(shown=shown, n=len(missing) - 10)
        out.append(
            Violation(
                RULE.id,
                _("{n} village(s) without a liaison officer (空白村): {names}").format(
                    n=len(missing), names=shown
                ),
                tuple(missing),
            )
        )
    dup = given[given.duplicated("village_id", keep=False)]
    for v, grp in dup.groupby("village_id"):
        out.append(
            Violation(
                RULE.id,
                _(
                    "village {village} has {n} liaison officers ({ids}); it needs exactly one"
                ).format(village=v, n=len(grp), ids=", ".join(grp["officer_id"])),
                (v, *grp["officer_id"]),
            )
        )
    unknown_v = given.loc[~given["village_id"].isin(inst.villages.index), "village_id"]
    for v in unknown_v:
        out.append(
            Violation(RULE.id, _("village {village} is not in the bundle").format(village=v), (v,))
        )
    known = given[given["village_id"].isin(inst.villages.index)]
    unknown_o = known.loc[~known["officer_id"].isin(inst.officers.index)]
    for v, o in zip(unknown_o["village_id"], unknown_o["officer_id"], strict=True):
        out.append(
            Violation(
                RULE.id,
                _("village {village}: officer {officer} is not in the bundle").format(
                    village=v, officer=o
                ),
                (v, o),
            )
        )
    pairs = known[known["officer_id"].isin(inst.officers.index)]
    reasons = pair_why_not(inst, pairs)
    for v, o, why in zip(pairs["village_id"], pairs["officer_id"], reasons, strict=True):
        if why:
            out.append(
                Violation(
                    RULE.id,
                    _("village {village}: officer {officer} may not cover it ({why})").format(
                        village=v, officer=o, why=why
                    ),
                    (v, o),
                )
            )
    return out
