"""AUX-TENURE (hard, §二(二) 定期交流，不得在同一行政村长期驻村): no one stays in the same village longer than the tenure limit, nor returns to a village left recently.

Counting, in periods of ``rotation.period_months`` months:

- A stay is a run of consecutive periods of one auxiliary in one village. It may last at most
  ``periods`` periods. A stay that goes on from an open posting of ``aux_history.csv`` counts the
  periods already completed there: ``floor(months served / period_months)``. So whoever has
  reached the limit at the plan start leaves (§二(二) 定期交流), and a posting of 2 years and
  8 months may run one more year.
- After leaving a village, an auxiliary may not serve it again for ``no_return_periods``
  periods: a stay ending with period ``p`` allows a return from period ``p + no_return + 1``;
  a posting ended in month ``e`` allows a return in a period starting after
  ``e + no_return × period_months``. A return right after leaving is the same stay, so it is
  never a way around the limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..optimizer.i18n import N_, _
from .base import Assignment, Param, Rule, Violation

RULE = Rule(
    id="AUX-TENURE",
    clause="§二(二) 定期交流，不得在同一行政村长期驻村",
    kind="hard",
    subject="auxiliary",
    summary=N_(
        "no one stays in the same village longer than the tenure limit, nor returns to a "
        "village left recently"
    ),
    statement=N_(
        "定期交流: no auxiliary stays in one village more than {periods} periods in a row (a "
        "period is {period_months} months), nor returns to it within {no_return_periods} "
        "periods of leaving (limits the bureau sets: the seed says only 不得长期驻村)"
    ),
    params={
        "periods": Param(
            3,
            "most consecutive periods in one village (periods of rotation.period_months)",
            minimum=1,
            maximum=50,
        ),
        "no_return_periods": Param(
            2,
            "periods after leaving a village before the auxiliary may return to it",
            minimum=0,
            maximum=50,
        ),
    },
)

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


def values_in_force(policy) -> dict:
    """The rule's parameters with the period length they count in (for its statement)."""
    return {**policy.rule(RULE.id).params, "period_months": policy.get("rotation", "period_months")}


def limits(inst: Instance) -> tuple[int, int, int]:
    """(tenure periods T, no-return periods R, period months L)."""
    p = inst.policy.rule(RULE.id)
    return (
        int(p["periods"]),
        int(p["no_return_periods"]),
        int(inst.policy.get("rotation", "period_months")),
    )


def periods_left(inst: Instance, open_months: np.ndarray) -> np.ndarray:
    """Periods an open posting of ``open_months`` months may still run (T when there is none,
    i.e. ``open_months`` < 0): the limit less the periods completed."""
    t, _r, months = limits(inst)
    done = np.where(open_months >= 0, np.asarray(open_months) // months, 0)
    return np.maximum(t - done, 0)


def fewest_changes(left: np.ndarray, last: int, t: int) -> np.ndarray:
    """The fewest changes of auxiliary a village makes in periods 2..``last`` when the one of
    period 1 may serve ``left`` periods from period 1 (0: none) and every later one at most
    ``t``: ``ceil((last - left) / t)``, at least 0. (Counting from period 1 with the incumbent's
    periods left, the same formula counts period 1's change too.)"""
    return np.maximum(0, -((np.asarray(left) - last) // t))


def first_return_month(inst: Instance, last_month: np.ndarray) -> np.ndarray:
    """First month a period may start in for an auxiliary to return, given his last month there."""
    _t, r, months = limits(inst)
    return np.asarray(last_month) + r * months + 1


def why_not(pairs: pd.DataFrame, inst: Instance, period: int = 1) -> np.ndarray:
    """For the annual plan (period 1): "" when the pair may serve that period, else why not."""
    rec = inst.service
    t, _r, months = limits(inst)
    aux = pairs["auxiliary_id"].to_numpy(object)
    vil = pairs["village_id"].to_numpy(object)
    out = np.full(len(pairs), "", dtype=object)
    if not inst.policy.rule(RULE.id).enabled:
        return out  # switched off: anyone may stay and return
    first = rec.period_first_month(period)
    end = rec.pair_last_end(aux, vil)
    back = first_return_month(inst, end)
    for i in np.flatnonzero(back > first):
        out[i] = _(
            "left this village in {left}; no return before {back} (no_return_periods)"
        ).format(left=rec.month_text(int(end[i])), back=rec.month_text(int(back[i])))
    m = rec.pair_open_months(aux, vil)
    over = (m >= 0) & (periods_left(inst, m) < period)
    for i in np.flatnonzero(over):
        out[i] = _(
            "has served {served} months in this village; the tenure limit is {t} periods of "
            "{months} months"
        ).format(served=int(m[i]), t=t, months=months)
    return out


def check(inst: Instance, plan: Assignment) -> list[Violation]:
    """An annual plan keeps nobody past the limit and brings nobody back too soon; a rotation
    also within its periods (``check_rotation``)."""
    if plan.rotation:
        return check_rotation(inst, plan.rows)
    return check_period(inst, plan.rows)


def check_period(
    inst: Instance, plan: pd.DataFrame, period: int = 1, prefix: str = ""
) -> list[Violation]:
    """One period's pairs against the service before the plan."""
    given = plan[
        plan["auxiliary_id"].isin(inst.auxiliaries.index)
        & plan["village_id"].isin(inst.villages.index)
    ]
    why = why_not(given, inst, period)
    return [
        Violation(
            RULE.id,
            prefix
            + _("village {village}: auxiliary {auxiliary} {why}").format(
                village=v, auxiliary=a, why=w
            ),
            (v, a),
        )
        for v, a, w in zip(given["village_id"], given["auxiliary_id"], why, strict=True)
        if w
    ]


def stays(rotation: pd.DataFrame) -> pd.DataFrame:
    """The runs of consecutive periods of one auxiliary in one village: auxiliary_id,
    village_id, first, last (periods)."""
    r = rotation[rotation["auxiliary_id"].fillna("").astype(str) != ""]
    r = r.sort_values(["auxiliary_id", "village_id", "period"], kind="stable")
    a = r["auxiliary_id"].to_numpy(object)
    v = r["village_id"].to_numpy(object)
    p = r["period"].to_numpy(np.int64)
    new = np.ones(len(r), dtype=bool)
    new[1:] = (a[1:] != a[:-1]) | (v[1:] != v[:-1]) | (p[1:] != p[:-1] + 1)
    run = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    last = np.zeros(len(starts), dtype=np.int64)
    np.maximum.at(last, run, p)
    return pd.DataFrame(
        {"auxiliary_id": a[starts], "village_id": v[starts], "first": p[starts], "last": last}
    )


def check_rotation(inst: Instance, rotation: pd.DataFrame) -> list[Violation]:
    """Every stay within the limit (with the service before the plan), every return late enough."""
    rec = inst.service
    t, r, months = limits(inst)
    s = stays(rotation)
    if s.empty:
        return []
    aux = s["auxiliary_id"].to_numpy(object)
    vil = s["village_id"].to_numpy(object)
    first = s["first"].to_numpy(np.int64)
    last = s["last"].to_numpy(np.int64)
    m = rec.pair_open_months(aux, vil)
    goes_on = (first == 1) & (m >= 0)
    done = np.where(goes_on, m // months, 0)
    length = last - first + 1
    out: list[Violation] = []
    for i in np.flatnonzero(done + length > t):
        before = (
            _(" after {months} months before the plan").format(months=int(m[i]))
            if goes_on[i]
            else ""
        )
        out.append(
            Violation(
                RULE.id,
                _(
                    "auxiliary {auxiliary} stays in village {village} for periods "
                    "{first}..{last}{before}: {n} periods in a row, the limit is {t}"
                ).format(
                    auxiliary=aux[i],
                    village=vil[i],
                    first=first[i],
                    last=last[i],
                    before=before,
                    n=int(done[i] + length[i]),
                    t=t,
                ),
                (aux[i], vil[i]),
            )
        )
    # returns: the previous stay of the same pair in the plan, else the history
    prev_last = np.full(len(s), -(10**9), dtype=np.int64)
    same = (aux[1:] == aux[:-1]) & (vil[1:] == vil[:-1])
    prev_last[1:][same] = last[:-1][same]
    in_plan = prev_last > -(10**9)
    for i in np.flatnonzero(in_plan & (first - prev_last - 1 < r)):
        out.append(
            Violation(
                RULE.id,
                _(
                    "auxiliary {auxiliary} returns to village {village} in period {first}, {n} "
                    "period(s) after leaving it in period {left}; the policy asks for {r}"
                ).format(
                    auxiliary=aux[i],
                    village=vil[i],
                    first=first[i],
                    n=int(first[i] - prev_last[i] - 1),
                    left=int(prev_last[i]),
                    r=r,
                ),
                (aux[i], vil[i]),
            )
        )
    # before the plan: an open posting not continued ended the month before the plan
    hist_end = rec.pair_last_end(aux, vil)
    hist_end = np.where((m >= 0) & ~goes_on, rec.start - 1, hist_end)
    starts_month = rec.start + (first - 1) * months
    back = first_return_month(inst, hist_end)
    for i in np.flatnonzero(~in_plan & ~goes_on & (back > starts_month)):
        out.append(
            Violation(
                RULE.id,
                _(
                    "auxiliary {auxiliary} returns to village {village} in period {first} "
                    "({label}) after leaving it in {left}; no return before {back}"
                ).format(
                    auxiliary=aux[i],
                    village=vil[i],
                    first=first[i],
                    label=rec.period_label(int(first[i])),
                    left=rec.month_text(int(hist_end[i])),
                    back=rec.month_text(int(back[i])),
                ),
                (aux[i], vil[i]),
            )
        )
    return out
