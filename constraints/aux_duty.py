"""AUX-DUTY (record, §三(三) 一般不得参与派出所值班备勤): resident auxiliaries do no station duty.

驻村辅警要确保驻村工作专职化…一般不得参与派出所值班备勤工作: "normally", so a roster that puts a
resident auxiliary on station duty is not refused but reported, with the dates, whenever the
bundle gives the rosters (``auxiliary_duty.csv``): by ``cunjing compliance`` for its months.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..optimizer.i18n import N_
from .base import Rule

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance

RULE = Rule(
    id="AUX-DUTY",
    clause="§三(三) 一般不得参与派出所值班备勤",
    kind="record",
    subject="visit",
    summary=N_(
        "resident auxiliaries do no station duty (值班备勤); rosters that say so are reported"
    ),
)

COLUMNS = ["month", "auxiliary_id", "village_id", "days", "dates", "duty"]


def on_duty(inst: Instance, auxiliary_of: dict[str, str], months: list[str]) -> pd.DataFrame:
    """Per resident auxiliary of the plan and month (YYYY-MM): his days on the duty roster."""
    duty = inst.auxiliary_duty
    if duty.empty:
        return pd.DataFrame(columns=COLUMNS)
    village_of = {a: v for v, a in auxiliary_of.items() if a}
    rows = duty[duty["auxiliary_id"].isin(village_of)].assign(month=lambda d: d["date"].str[:7])
    rows = rows[rows["month"].isin(months)]
    out = [
        {
            "month": m,
            "auxiliary_id": a,
            "village_id": village_of[a],
            "days": int(grp["date"].nunique()),
            "dates": ";".join(sorted(set(grp["date"]))),
            "duty": ";".join(sorted({d for d in grp.get("duty", pd.Series(dtype=str)) if d})),
        }
        for (m, a), grp in rows.groupby(["month", "auxiliary_id"], sort=True)
    ]
    return pd.DataFrame(out, columns=COLUMNS)
