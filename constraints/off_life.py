"""OFF-LIFE (soft, §二(一) 根据民警工作、生活实际): fit the officer's work and life: short travel from the base, a fair share of villages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance
    from ..optimizer.solve.linear_model import LinearModel

from ..optimizer.i18n import N_
from .base import OfficerModelData, Param, Rule

RULE = Rule(
    id="OFF-LIFE",
    clause="§二(一) 根据民警工作、生活实际",
    kind="soft",
    subject="officer",
    summary=N_(
        "fit the officer's work and life: short travel from the base, a fair share of villages"
    ),
    statement=N_(
        "fit the officer's work and life: {per_km} points lost per km from his base, "
        "{per_extra_village} points lost for each village beyond his fair share of the county's "
        "villages (by available days)"
    ),
    weight=1.0,
    cost=True,
    params={
        "per_km": Param(
            3.0,
            "points lost per km between the officer's base and the village (3: a first wish, "
            "100 points, is worth 33 km more travel)",
            minimum=0,
            maximum=1_000,
        ),
        "per_extra_village": Param(
            20.0,
            "points lost for each village beyond the officer's fair share (by available days)",
            minimum=0,
            maximum=10_000,
        ),
    },
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """The travel part is measured in km, not as a 0..1 match (see ``points``)."""
    return pairs["km"].to_numpy(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    """Points lost for travel: per_km for each km between the officer's base and the village."""
    r = inst.policy.rule(RULE.id)
    w = inst.policy.weight(RULE.id)
    return -w * r["per_km"] * np.nan_to_num(pairs["km"].to_numpy(float))


def fair_share(inst: Instance, officers: pd.DataFrame, villages: int) -> np.ndarray:
    """Each officer's fair share of the county's villages, by available days (rounded up): the
    load above which OFF-LIFE's per_extra_village applies."""
    days = officers["available_days"].to_numpy(float)
    total = days.sum()
    if total <= 0:
        return np.zeros(len(officers), dtype=np.int64)
    return np.ceil(villages * days / total - 1e-9).astype(np.int64)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    km = np.nan_to_num(pairs["km"].to_numpy(float))
    return np.char.add(f"{RULE.id}:", np.char.add(np.round(km, 1).astype(str), "km"))


def add_to_model(model: LinearModel, problem: OfficerModelData) -> None:
    """Load balance: each village beyond an officer's fair share costs per_extra_village."""
    if problem.extra_village_cost <= 0:
        return
    n_o = len(problem.officers)
    over_max = np.maximum(problem.limit - problem.share, 0)
    e = model.add_vars("extra", 0, over_max, -problem.extra_village_cost * np.ones(n_o, np.int64))
    x = model.var_groups["x"]
    rows = np.concatenate([problem.pair_officer, np.arange(n_o)])
    cols = np.concatenate([np.arange(x.start, x.stop), np.arange(e.start, e.stop)])
    coef = np.concatenate([np.ones(len(problem.pair_officer), np.int64), -np.ones(n_o, np.int64)])
    model.add_rows("balance", rows, cols, coef, np.full(n_o, -(2**40), np.int64), problem.share)


def balance_penalty(
    inst: Instance, counts: pd.Series, officers: pd.DataFrame, villages: int
) -> float:
    """Points lost for load imbalance by a plan (the same sum the model minimises)."""
    r = inst.policy.rule(RULE.id)
    w = inst.policy.weight(RULE.id)
    share = pd.Series(fair_share(inst, officers, villages), index=officers.index)
    extra = (counts.reindex(officers.index).fillna(0) - share).clip(lower=0)
    return float(w * r["per_extra_village"] * extra.sum())
