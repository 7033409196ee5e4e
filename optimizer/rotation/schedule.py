"""When each village changes auxiliary: the rotation without names, a relaxation and a proof.

Forget who serves and keep only when each village's stints begin and end. Every rotation maps
to such a *schedule* with the same moves and the same exchange counts, so the fewest moves of a
schedule bound the fewest moves of any rotation from below. The schedule model is small (a few
options per village and period) and HiGHS solves it exactly in well under a second; its optimum
is the moves bound the rotation reports, and its schedule is where the staggered heuristic
starts.

Before any search, :func:`contradictions` counts: a covered village whose stints last at most T
periods needs at least ``floor(W / T)`` exchanges in any W consecutive periods (fewer in a window
from period 1, where its incumbent's periods left count). If a township's villages need more in
some window than its limit × W allows (or the county's more than its caps), the rules
contradict each other, and the message says so with the numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...constraints import aux_exchange, aux_tenure
from ..i18n import _
from ..input.instance import Instance
from ..solve.highs import solve_highs
from ..solve.linear_model import INF, LinearModel
from ..solve.status import Status
from .problem import RotationProblem


@dataclass
class Schedule:
    status: Status
    moves: int  # fewest changes of auxiliary over all villages and periods (a lower bound)
    uncovered: int  # village-periods no auxiliary can serve at all
    options: pd.DataFrame  # chosen stint options: village, first, last, new, exchange
    seconds: float
    forced_uncovered: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))


def stint_options(problem: RotationProblem) -> pd.DataFrame:
    """The stint pool without names: distinct (village, first, last, new, goes_on, exchange)."""
    df = pd.DataFrame(
        {
            "village": problem.s_village,
            "first": problem.s_first,
            "last": problem.s_last,
            "new": problem.s_new,
            "goes_on": problem.s_goes_on,
            "exchange": problem.s_exchange,
        }
    )
    df["departure"] = (df["exchange"] == 0) & (df["last"] < problem.periods)
    return (
        df.drop_duplicates()
        .sort_values(["village", "first", "last", "exchange"])
        .reset_index(drop=True)
    )


def uncoverable(problem: RotationProblem) -> np.ndarray:
    """(villages, periods + 1) bool: no stint at all covers the village in the period."""
    cover = np.zeros((len(problem.villages), problem.periods + 2), dtype=np.int64)
    np.add.at(cover, (problem.s_village, problem.s_first), 1)
    np.add.at(cover, (problem.s_village, problem.s_last + 1), -1)
    covered = np.cumsum(cover, axis=1)[:, : problem.periods + 1] > 0
    out = ~covered
    out[:, 0] = False
    return out


def exchange_rows(
    problem: RotationProblem, village: np.ndarray, exchange: np.ndarray, goes_on: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries of the exchange rows for columns with these attributes: per column ``k`` +1
    in its end's period where the end is an exchange, −1 in period 1 for the incumbent going on
    (the constant ``incumbent_exchange`` is on the right). Returns (columns, coefficients,
    county rows, township rows), rows counted from 0 as ``period − 1`` and
    ``township × periods + period − 1``."""
    k = np.arange(len(village))
    ends = exchange > 0
    t = problem.village_township[village]
    per = problem.periods
    cols = np.concatenate([k[ends], k[goes_on]])
    coef = np.concatenate([np.ones(int(ends.sum())), -np.ones(int(goes_on.sum()))]).astype(np.int64)
    county = np.concatenate([exchange[ends] - 1, np.zeros(int(goes_on.sum()), np.int64)])
    town = np.concatenate([t[ends] * per + exchange[ends] - 1, t[goes_on] * per])
    return cols, coef, county, town


def exchange_constants(problem: RotationProblem) -> tuple[np.ndarray, np.ndarray]:
    """Exchanges in period 1 if every incumbent in service left (county, per township)."""
    inc = problem.incumbent_exchange
    county = np.zeros(problem.periods, dtype=np.int64)
    county[0] = int(inc.sum())
    town = np.zeros((len(problem.townships), problem.periods), dtype=np.int64)
    town[:, 0] = np.bincount(problem.village_township[inc], minlength=len(problem.townships))
    return county, town.ravel()


def schedule_model(problem: RotationProblem, options: pd.DataFrame, forced: np.ndarray):
    """max −Σ new  s.t. every coverable village-period covered once, exchange limits,
    departures no more than the auxiliaries who leave the service."""
    m = LinearModel()
    per = problem.periods
    y = m.add_vars("y", 0, 1, -options["new"].to_numpy(np.int64))
    v = options["village"].to_numpy(np.int64)
    f = options["first"].to_numpy(np.int64)
    lst = options["last"].to_numpy(np.int64)
    length = lst - f + 1
    rows = np.repeat(v * per, length) + (
        np.repeat(f - 1, length)
        + np.arange(length.sum())
        - np.repeat(np.cumsum(length) - length, length)
    )
    cols = np.repeat(np.arange(len(options)), length) + y.start
    need = (~forced[:, 1:]).astype(np.int64).ravel()
    m.add_rows("cover", rows, cols, np.ones(len(rows), np.int64), need, need)
    ex = options["exchange"].to_numpy(np.int64)
    go = options["goes_on"].to_numpy(bool)
    cols, coef, county, town = exchange_rows(problem, v, ex, go)
    c_const, t_const = exchange_constants(problem)
    n_t = len(problem.townships)
    m.add_rows("cap", county, cols + y.start, coef, np.full(per, -INF), problem.cap[1:] - c_const)
    m.add_rows(
        "township_cap",
        town,
        cols + y.start,
        coef,
        np.full(n_t * per, -INF),
        np.repeat(problem.per_township, per) - t_const,
    )
    dep = options["departure"].to_numpy(bool)
    if dep.any():
        serve = problem.in_service
        # row r: departures in period r + 1, no more than the auxiliaries leaving then
        leavers = [int((serve[:, r] & ~serve[:, r + 1]).sum()) if r >= 1 else 0 for r in range(per)]
        m.add_rows(
            "departures",
            lst[dep],  # a stint ending with period `last` departs in period last + 1
            np.flatnonzero(dep) + y.start,
            np.ones(int(dep.sum()), np.int64),
            np.zeros(per, np.int64),
            np.array(leavers, np.int64),
        )
    return m


def solve_schedule(
    problem: RotationProblem,
    time_limit: float = 30.0,
    seed: int = 0,
    mass: np.ndarray | None = None,
    max_moves: int | None = None,
) -> Schedule:
    """The schedule of fewest moves (HiGHS; its LP is all but integral, so this takes a
    fraction of a second). With ``mass`` (a weight per option of ``stint_options``) and
    ``max_moves``: among schedules of at most that many moves, the one of most weight, which
    rounds an LP solution of the full model to a schedule."""
    t0 = time.perf_counter()
    options = stint_options(problem)
    forced = uncoverable(problem)
    model = schedule_model(problem, options, forced)
    if mass is not None:
        model.cost[0] = np.round(np.asarray(mass, float) * 1000).astype(np.int64)
        new = np.flatnonzero(options["new"].to_numpy(bool))
        model.add_rows(
            "moves", np.zeros(len(new)), new, np.ones(len(new)), [0], [int(max_moves or 0)]
        )
    res = solve_highs(model, time_limit, seed=seed, threads=1, rel_gap=None, abs_gap=None)
    seconds = time.perf_counter() - t0
    if res.x is None:
        return Schedule(res.status, -1, int(forced.sum()), options.iloc[[]], seconds, forced)
    chosen = options.iloc[np.flatnonzero(res.x[: len(options)] > 0)].reset_index(drop=True)
    moves = int(chosen["new"].sum())
    return Schedule(res.status, moves, int(forced.sum()), chosen, seconds, forced)


# --------------------------------------------------------------------------------------------
# The contradiction check


def periods_left(problem: RotationProblem) -> np.ndarray:
    """Per village: periods its incumbent may still serve from period 1 (0: none)."""
    k = np.zeros(len(problem.villages), dtype=np.int64)
    go = problem.s_goes_on
    np.maximum.at(k, problem.s_village[go], problem.s_last[go])
    return k


def least_exchanges(problem: RotationProblem, q1: int, q2: int) -> np.ndarray:
    """Per village: the fewest exchanges any rotation covering it makes in periods q1..q2."""
    t = problem.tenure
    w = q2 - q1 + 1
    if q1 >= 2:
        return np.full(len(problem.villages), w // t, dtype=np.int64)
    k = periods_left(problem)
    with_inc = aux_tenure.fewest_changes(k, q2, t)
    without = (q2 - 1) // t  # a newcomer of period 1 is no exchange
    return np.where(problem.incumbent_exchange, with_inc, without).astype(np.int64)


def latest_exchanges(problem: RotationProblem) -> np.ndarray:
    """(villages, periods + 1): exchanges when every village keeps each auxiliary as long as
    the limit allows, the fewest any period can have forced upon it by then."""
    per, t = problem.periods, problem.tenure
    k = periods_left(problem)
    out = np.zeros((len(problem.villages), per + 1), dtype=np.int64)
    for i in range(len(problem.villages)):
        p = k[i] + 1 if problem.incumbent_exchange[i] else 1 + t
        while p <= per:
            out[i, p] = 1
            p += t
    return out


def contradictions(inst: Instance, problem: RotationProblem) -> list[dict]:
    """Windows of periods in which AUX-TENURE forces more exchanges than AUX-EXCHANGE allows,
    per township and for the county: a proof by counting, with the numbers."""
    if not problem.exchange_on:
        return []
    per = problem.periods
    serve = problem.in_service
    leavers = np.zeros(per + 1, dtype=np.int64)
    for q in range(2, per + 1):
        leavers[q] = int((serve[:, q - 1] & ~serve[:, q]).sum())
    latest = latest_exchanges(problem)
    by_period = _(", ").join(
        _("period {p}: {forced} forced, at most {most}").format(
            p=p, forced=int(latest[:, p].sum()), most=int(problem.cap[p])
        )
        for p in range(1, per + 1)
    )
    # a village no one can serve in some period is AUX-COVER's problem, not counted here
    open_gaps = uncoverable(problem)[:, 1:].any(axis=1)
    found: list[tuple] = []
    for q1 in range(1, per + 1):
        for q2 in range(q1, per + 1):
            need = np.where(open_gaps, 0, least_exchanges(problem, q1, q2))
            slack = int(leavers[q1 : q2 + 1].sum()) if q1 >= 1 else 0
            w = q2 - q1 + 1
            allow_c = int(problem.cap[q1 : q2 + 1].sum())
            total = int(need.sum()) - slack
            if total > allow_c:
                found.append((total - allow_c, "county", q1, q2, total, allow_c, slack))
            per_t = np.bincount(
                problem.village_township, weights=need, minlength=len(problem.townships)
            )
            lim = problem.per_township * w
            for ti in np.flatnonzero(per_t - slack > lim):
                found.append(
                    (
                        int(per_t[ti]) - slack - int(lim[ti]),
                        problem.townships[ti],
                        q1,
                        q2,
                        int(per_t[ti]) - slack,
                        int(lim[ti]),
                        slack,
                    )
                )
    if not found:
        return []
    # the worst window of each township (and of the county)
    best: dict = {}
    for f in found:
        if f[1] not in best or f[0] > best[f[1]][0]:
            best[f[1]] = f
    t_lim = problem.tenure
    out = []
    for key, (excess, _where, q1, q2, need, allow, slack) in sorted(
        best.items(), key=lambda x: -x[1][0]
    ):
        span = (
            _("period {p}").format(p=q1)
            if q1 == q2
            else _("periods {first}..{last}").format(first=q1, last=q2)
        )
        left = _(" and the periods their incumbents have left") if q1 == 1 else ""
        less = _(" (less {n} who leave the service)").format(n=slack) if slack else ""
        if key == "county":
            n_v = len(problem.villages)
            share = aux_exchange.shares(inst.policy)[0]
            msg = _(
                "county {county}: in {span} its {villages} villages need at least {need} "
                "exchanges{less} (AUX-TENURE: at most {tenure} periods in one village{left}); "
                "AUX-EXCHANGE allows at most {allow} (share {share:g} of the auxiliaries in "
                "service each period); per period, keeping everyone as long as allowed: "
                "{by_period}"
            ).format(
                county=_("{name} ({id})").format(
                    name=inst.county_names.get(problem.county, problem.county), id=problem.county
                ),
                span=span,
                villages=n_v,
                need=need,
                less=less,
                tenure=t_lim,
                left=left,
                allow=allow,
                share=share,
                by_period=by_period,
            )
            ids = [problem.county]
        else:
            ti = problem.townships.get_loc(key)
            in_t = problem.village_township == ti
            name = inst.townships.at[key, "name"]
            forced = _(", ").join(
                _("period {p}: {n}").format(p=p, n=int(latest[in_t, p].sum()))
                for p in range(1, per + 1)
            )
            msg = _(
                "township {name} ({id}): in {span} its {villages} villages need at least {need} "
                "exchanges{less} (AUX-TENURE: at most {tenure} periods in one village{left}); "
                "AUX-EXCHANGE allows {per_period} a period, {allow} in all; forced per period "
                "when everyone stays as long as allowed: {forced}"
            ).format(
                name=name,
                id=key,
                span=span,
                villages=int(in_t.sum()),
                need=need,
                less=less,
                tenure=t_lim,
                left=left,
                per_period=int(problem.per_township[ti]),
                allow=allow,
                forced=forced,
            )
            ids = [key]
        out.append(
            {
                "rule": "AUX-EXCHANGE",
                "message": msg,
                "ids": ids,
                "periods": [q1, q2],
                "need": need,
                "allowed": allow,
                "excess": excess,
            }
        )
    return out
