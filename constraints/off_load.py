"""OFF-LOAD (hard, §五(一)): an officer's villages fit the officer's monthly days (visit days plus travel) and maximum number of villages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .base import Param, Rule, Violation

RULE = Rule(
    id="OFF-LOAD",
    clause="§五(一)",
    kind="hard",
    subject="officer",
    summary="an officer's villages fit the officer's monthly days (visit days plus travel) and maximum number of villages",
    summary_zh="包村民警所包村的驻村天数与路途时间不超过其每月可用天数",
    params={
        "visit_days_per_month": Param(
            2.0, "days each village needs in a month (§五(一): at least 2)", minimum=0
        ),
        "travel_speed_kmh": Param(
            30.0, "average travel speed between base and village, km/h", minimum=1
        ),
        "hours_per_day": Param(8.0, "travel hours that count as one working day", minimum=1),
        "default_available_days": Param(
            8.0,
            "monthly days for village work when an officer's available_days is not given",
            minimum=0,
        ),
        "default_max_villages": Param(
            0,
            "most villages an officer may hold when max_villages is not given; 0 = no limit",
            minimum=0,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance
    from ..optimizer.officers.model import OfficerProblem
    from ..optimizer.solve.linear_model import LinearModel


def add_to_model(model: LinearModel, problem: OfficerProblem) -> None:
    """Per officer: the villages' days fit his available days; their number his maximum (and
    no more than his cheapest eligible villages that fit his days: implied, and tightening)."""
    x = model.var_groups["x"]
    cols = np.arange(x.start, x.stop)
    n_o = len(problem.officers)
    zero = np.zeros(n_o, np.int64)
    model.add_rows("days", problem.pair_officer, cols, problem.workload, zero, problem.days)
    model.add_rows(
        "count", problem.pair_officer, cols, np.ones(len(cols), np.int64), zero, problem.limit
    )


def loads(inst: Instance, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per officer of the plan: villages, days used (in the solver's hundredths, summed exactly),
    days available and maximum villages."""
    used = pairs.assign(c=np.round(pairs["workload_days"].to_numpy(float) * 100).astype(np.int64))
    g = used.groupby("officer_id").agg(villages=("village_id", "size"), centi=("c", "sum"))
    off = inst.officers.reindex(g.index)
    g["days_used"] = g["centi"] / 100.0
    g["available_days"] = off["available_days"].to_numpy(float)
    g["max_villages"] = off["max_villages"]
    return g.drop(columns="centi")


def check(inst: Instance, plan: pd.DataFrame) -> list[Violation]:
    """No officer holds more days of villages than he has, or more villages than his maximum."""
    from ..optimizer.officers.pairs import build_pairs

    given = plan[plan["officer_id"].fillna("").astype(str) != ""]
    given = given[
        given["officer_id"].isin(inst.officers.index)
        & given["village_id"].isin(inst.villages.index)
    ]
    load = loads(inst, build_pairs(inst, given))
    out: list[Violation] = []
    avail_centi = np.round(load["available_days"].to_numpy(float) * 100)
    over = load[np.round(load["days_used"].to_numpy(float) * 100) > avail_centi]
    for o, row in over.iterrows():
        out.append(
            Violation(
                RULE.id,
                f"officer {o} {inst.officers.at[o, 'name']} needs "
                f"{row['days_used']:.2f} days a month for {row['villages']} villages "
                f"but has {row['available_days']:g}",
                (o,),
            )
        )
    mx = load["max_villages"]
    many = load[mx.notna() & (load["villages"] > mx.fillna(0))]
    for o, row in many.iterrows():
        out.append(
            Violation(
                RULE.id,
                f"officer {o} {inst.officers.at[o, 'name']} holds "
                f"{row['villages']} villages, more than his maximum of "
                f"{int(row['max_villages'])}",
                (o,),
            )
        )
    return out
