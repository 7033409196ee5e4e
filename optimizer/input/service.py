"""The auxiliaries' service record, in months and plan periods.

Periods are numbered from 1: period ``p`` starts ``(p - 1) * period_months`` months after the
plan's first month (``inst.start_month``); period 0 is the situation at the plan start. Months are
counted as integers (``year * 12 + month - 1``) so that tenure and no-return are exact sums.

- The auxiliary in a village at the plan start (period 0) is the one of ``plan_auxiliaries.csv``,
  else the open posting (empty ``end``) of ``aux_history.csv``.
- Months served: an open posting has served from its ``start`` to the month before the plan.
- An auxiliary is in service in a period when his status is not ``leaving``, he was hired by the
  period's first month, and he does not leave (``leaves``) before its last month is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import _

if TYPE_CHECKING:
    from .instance import Instance


def month_index(month: str) -> int:
    """``"2027-01"`` -> 24312: months since year 0, so differences are month counts."""
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_or(col: pd.Series, default: int) -> np.ndarray:
    return np.array([month_index(m) if m else default for m in col.fillna("")], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class ServiceRecord:
    """What the rules need from the history, indexed for vectorised look-ups."""

    start: int  # month index of the plan's first month
    period_months: int
    incumbent: pd.Series  # village -> auxiliary at the plan start (villages without one absent)
    open_months: pd.Series  # (auxiliary, village) -> months served in the open posting
    last_end: pd.Series  # (auxiliary, village) -> last month of an ended posting
    hired: pd.Series  # auxiliary -> month index of hiring (very early when not given)
    leaves: pd.Series  # auxiliary -> first month out of service (very late when not given)
    leaving: pd.Series  # auxiliary -> bool, status leaving

    @staticmethod
    def month_text(index: int) -> str:
        """A month index as YYYY-MM."""
        return month_text(index)

    def period_first_month(self, period: int) -> int:
        return self.start + (period - 1) * self.period_months

    def period_last_month(self, period: int) -> int:
        return self.period_first_month(period) + self.period_months - 1

    def period_label(self, period: int) -> str:
        """``2027-01..2027-12``: the months a period covers, for messages."""
        return (
            f"{month_text(self.period_first_month(period))}.."
            f"{month_text(self.period_last_month(period))}"
        )

    def in_service(self, auxiliary_ids, period: int) -> np.ndarray:
        """Per auxiliary id: in service for the whole of ``period`` (unknown ids: False)."""
        ids = pd.Index(auxiliary_ids)
        known = ids.isin(self.hired.index)
        out = np.zeros(len(ids), dtype=bool)
        if known.any():
            k = ids[known]
            out[known] = (
                ~self.leaving.reindex(k).to_numpy(bool)
                & (self.hired.reindex(k).to_numpy() <= self.period_first_month(period))
                & (self.leaves.reindex(k).to_numpy() > self.period_last_month(period))
            )
        return out

    def why_out_of_service(self, auxiliary_id: str, period: int) -> str:
        """The reason an auxiliary is not in service in a period ("" when he is)."""
        if auxiliary_id not in self.hired.index:
            return _("not in auxiliaries.csv")
        if self.leaving[auxiliary_id]:
            return _("status leaving")
        if self.hired[auxiliary_id] > self.period_first_month(period):
            return _("hired {month}, after the period starts").format(
                month=month_text(int(self.hired[auxiliary_id]))
            )
        if self.leaves[auxiliary_id] <= self.period_last_month(period):
            return _("leaves {month}, before the period ends").format(
                month=month_text(int(self.leaves[auxiliary_id]))
            )
        return ""

    def pair_open_months(self, aux: np.ndarray, vil: np.ndarray) -> np.ndarray:
        """Months served before the plan in an open posting of the pair (-1: no open posting)."""
        key = pd.MultiIndex.from_arrays([aux, vil])
        return self.open_months.reindex(key).fillna(-1).to_numpy(np.int64)

    def pair_last_end(self, aux: np.ndarray, vil: np.ndarray) -> np.ndarray:
        """Last month of an ended posting of the pair (very early: none)."""
        key = pd.MultiIndex.from_arrays([aux, vil])
        return self.last_end.reindex(key).fillna(NEVER).to_numpy(np.int64)


NEVER = -(10**6)  # a month long before any plan
FOREVER = 10**7  # a month long after any plan


def service_record(inst: Instance) -> ServiceRecord:
    """The record of an instance (``Instance.service`` keeps it: instances are immutable)."""
    start = month_index(inst.start_month)
    period = int(inst.policy.get("rotation", "period_months"))
    hist = inst.aux_history
    aux = inst.auxiliaries
    open_rows = hist[hist["end"].fillna("") == ""]
    open_start = _month_or(open_rows["start"], start)
    open_months = pd.Series(
        np.maximum(start - open_start, 0),
        index=pd.MultiIndex.from_arrays(
            [open_rows["auxiliary_id"].to_numpy(object), open_rows["village_id"].to_numpy(object)]
        ),
        dtype=np.int64,
    )
    open_months = open_months.groupby(level=[0, 1]).max()
    ended = hist[hist["end"].fillna("") != ""]
    last_end = pd.Series(
        _month_or(ended["end"], NEVER),
        index=pd.MultiIndex.from_arrays(
            [ended["auxiliary_id"].to_numpy(object), ended["village_id"].to_numpy(object)]
        ),
        dtype=np.int64,
    )
    last_end = last_end.groupby(level=[0, 1]).max()
    # period 0: the incumbent plan, else the open posting
    inc = pd.Series(
        open_rows["auxiliary_id"].to_numpy(object), index=open_rows["village_id"].to_numpy(object)
    )
    inc = inc[~inc.index.duplicated(keep="last")]
    pa = inst.plan_auxiliaries
    planned = pd.Series(pa["auxiliary_id"].to_numpy(object), index=pa.index.to_numpy(object))
    planned = planned[planned.astype(str) != ""]
    incumbent = planned.combine_first(inc)
    incumbent = incumbent[incumbent.index.isin(inst.villages.index)]
    leaves_col = aux["leaves"] if "leaves" in aux.columns else pd.Series("", index=aux.index)
    return ServiceRecord(
        start=start,
        period_months=period,
        incumbent=incumbent.sort_index(),
        open_months=open_months,
        last_end=last_end,
        hired=pd.Series(_month_or(aux["hired"], NEVER), index=aux.index),
        leaves=pd.Series(_month_or(leaves_col, FOREVER), index=aux.index),
        leaving=aux["status"] == "leaving",
    )
