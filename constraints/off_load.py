"""OFF-LOAD (hard, §五(一)): an officer's villages fit the officer's monthly days (visit days plus travel) and maximum number of villages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import SCALE, Assignment, OfficerModelData, Param, Rule, Violation

RULE = Rule(
    id="OFF-LOAD",
    clause="§五(一)",
    kind="hard",
    subject="officer",
    summary=N_(
        "an officer's villages fit the officer's monthly days (visit days plus travel) and "
        "maximum number of villages"
    ),
    statement=N_(
        "an officer's villages fit his monthly days: each village's visit days "
        "(VISIT-DAYS) plus two trips a visit day at {travel_speed_kmh} km/h, {hours_per_day} "
        "hours a day; {default_available_days} days a month where an officer's are not given"
    ),
    required=N_(
        "the officer plan is made within each officer's days and maximum of villages; "
        "to loosen it, raise available_days or max_villages"
    ),
    params={
        "travel_speed_kmh": Param(
            30.0, "average travel speed between base and village, km/h", minimum=1, maximum=200
        ),
        "hours_per_day": Param(
            8.0, "travel hours that count as one working day", minimum=1, maximum=24
        ),
        "default_available_days": Param(
            8.0,
            "monthly days for village work when an officer's available_days is not given",
            minimum=0,
            maximum=31,
        ),
        "default_max_villages": Param(
            0,
            "most villages an officer may hold when max_villages is not given; 0 = no limit",
            minimum=0,
            maximum=10_000,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance
    from ..optimizer.solve.linear_model import LinearModel


def travel_days(inst: Instance, km: np.ndarray) -> np.ndarray:
    """The monthly days a village needs of its officer: VISIT-DAYS's visit days plus one round
    trip per visit day."""
    p = inst.policy.rule(RULE.id)
    visit = float(inst.policy.rule("VISIT-DAYS")["visit_days_per_month"])
    trips = visit * 2.0 * np.nan_to_num(km) / p["travel_speed_kmh"]
    return visit + trips / p["hours_per_day"]


def pair_days(
    inst: Instance,
    officer_ids: np.ndarray,
    village_ids: np.ndarray,
    given: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Km and monthly days of each (officer, village) pair, rounded to 0.01 as the solver
    counts them; pairs.csv's ``workload_days`` replaces the computed days where given."""
    if given is None:
        given = inst.pair_overrides(officer_ids, village_ids)
    km = np.round(inst.pair_km(officer_ids, village_ids), 2) if len(officer_ids) else np.zeros(0)
    days = np.round(travel_days(inst, km), 2)
    wl = given["workload_days"].to_numpy(float)
    return km, np.where(np.isnan(wl), days, np.round(wl, 2))


def add_to_model(model: LinearModel, problem: OfficerModelData) -> None:
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
    used = pairs.assign(c=np.round(pairs["workload_days"].to_numpy(float) * SCALE).astype(np.int64))
    g = used.groupby("officer_id").agg(villages=("village_id", "size"), centi=("c", "sum"))
    off = inst.officers.reindex(g.index)
    g["days_used"] = g["centi"] / SCALE
    g["available_days"] = off["available_days"].to_numpy(float)
    g["max_villages"] = off["max_villages"]
    return g.drop(columns="centi")


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """No officer holds more days of villages than he has, or more villages than his maximum."""
    given = plan.rows[
        plan.rows["officer_id"].isin(inst.officers.index)
        & plan.rows["village_id"].isin(inst.villages.index)
    ]
    oid, vid = given["officer_id"].to_numpy(object), given["village_id"].to_numpy(object)
    _km, days = pair_days(inst, oid, vid)
    load = loads(inst, pd.DataFrame({"officer_id": oid, "village_id": vid, "workload_days": days}))
    out: list[Violation] = []
    avail_centi = np.round(load["available_days"].to_numpy(float) * SCALE)
    over = load[np.round(load["days_used"].to_numpy(float) * SCALE) > avail_centi]
    for o, row in over.iterrows():
        out.append(
            Violation(
                RULE.id,
                _(
                    "officer {officer} {name} needs {days:.2f} days a month for {n} villages "
                    "but has {available:g}"
                ).format(
                    officer=o,
                    name=inst.officers.at[o, "name"],
                    days=row["days_used"],
                    n=int(row["villages"]),
                    available=row["available_days"],
                ),
                (o,),
            )
        )
    mx = load["max_villages"]
    many = load[mx.notna() & (load["villages"] > mx.fillna(0))]
    for o, row in many.iterrows():
        out.append(
            Violation(
                RULE.id,
                _(
                    "officer {officer} {name} holds {n} villages, more than his maximum of {most}"
                ).format(
                    officer=o,
                    name=inst.officers.at[o, "name"],
                    n=int(row["villages"]),
                    most=int(row["max_villages"]),
                ),
                (o,),
            )
        )
    return out
