"""Why villages stay without an officer, in the planner's words, with a counting proof."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import _
from ..input.instance import Instance
from .model import OfficerProblem


def diagnose_uncovered(
    inst: Instance,
    problem: OfficerProblem,
    plan: pd.DataFrame,
    eligible: pd.DataFrame,
    table: pd.DataFrame,
    proofs: list[dict] | None = None,
) -> list[dict]:
    """Why villages stay without an officer, in the planner's words, with a counting proof.

    ``proofs`` (the engine's ``shortage.diagnosis``: a counting certificate, the solver's proof,
    or the plain words that nothing is proven) come first, before each village's officers, so
    that those are never read as the proof; without them, the certificate below.

    S: the uncovered villages and every village that only their possible officers N(S) can
    cover. N(S) has D days and K places; S's villages need at least their cheapest workload
    each. If the cheapest t villages of S already use up D (or t > K), at most t can be covered.
    """
    out: list[dict] = list(proofs or [])
    uncovered = plan.loc[plan["officer_id"] == "", "village_id"].tolist()
    if not uncovered:
        return out
    used = (
        plan[plan["officer_id"] != ""]
        .groupby("officer_id")
        .agg(n=("village_id", "size"), days=("workload_days", "sum"))
    )
    for v in uncovered:
        who = eligible[eligible["village_id"] == v]
        name = inst.villages.at[v, "name"]
        tw = inst.townships.at[inst.villages.at[v, "township_id"], "name"]
        if who.empty:
            why = table.loc[table["village_id"] == v, "why_not"].value_counts()
            reasons = _("; ").join(
                _("{n} officer(s): {why}").format(n=n, why=r) for r, n in why.items()
            ) or _("the county has no officers")
            out.append(
                {
                    "rule": "OFF-COVER",
                    "message": _(
                        "{name} ({id}, {township}) has no officer who may cover it ({reasons})"
                    ).format(name=name, id=v, township=tw, reasons=reasons),
                    "ids": [v],
                }
            )
            continue
        parts, ids = [], [v]
        for o, w in zip(who["officer_id"], who["workload_days"], strict=True):
            off = inst.officers.loc[o]
            n = int(used["n"].get(o, 0))
            d = float(used["days"].get(o, 0.0))
            mx = off["max_villages"]
            if pd.notna(mx) and n >= int(mx):
                limit = _("holds {n} of at most {most} villages").format(n=n, most=int(mx))
            else:
                limit = _("uses {used:.2f} of {days:g} days, needs {need:.2f} more").format(
                    used=d, days=off["available_days"], need=w
                )
            parts.append(_("{name} ({id})").format(name=off["name"], id=o) + " " + limit)
            ids.append(o)
        shown = _("; ").join(parts[:5])
        if len(parts) > 5:
            shown += _("; and {n} more").format(n=len(parts) - 5)
        out.append(
            {
                "rule": "OFF-LOAD",
                "message": _(
                    "{name} ({id}, {township}) has no officer: the {n} officer(s) who could "
                    "take it are full ({shown})"
                ).format(name=name, id=v, township=tw, n=len(parts), shown=shown),
                "ids": ids,
            }
        )
    if proofs is None:
        cert = shortage_certificate(problem, eligible, uncovered)
        if cert:
            out.append(cert)
    return out


def shortage_certificate(
    problem: OfficerProblem, eligible: pd.DataFrame, uncovered: list[str]
) -> dict | None:
    """A set of villages and the officers who alone can cover them, whose days or places are
    too few: a proof by counting that at least ``short`` villages must stay uncovered."""
    officers_of = eligible.groupby("village_id")["officer_id"].agg(frozenset)
    n_set = frozenset().union(*(officers_of.get(v, frozenset()) for v in uncovered))
    s_set = [v for v, offs in officers_of.items() if offs <= n_set]
    s_set = sorted(set(s_set) | set(uncovered))
    if not n_set:
        return {
            "rule": "OFF-COVER",
            "message": _("{n} village(s) have no officer who may cover them").format(
                n=len(uncovered)
            ),
            "ids": sorted(uncovered),
            "villages": sorted(uncovered),
            "officers": [],
            "days": 0.0,
            "places": 0,
            "at_most": 0,
            "short": len(uncovered),
        }
    off = problem.officers.loc[sorted(n_set)]
    days = float(off["available_days"].sum())
    places = off["max_villages"].astype("Float64")
    places_total = int(places.fillna(len(s_set)).sum())
    cheapest = (
        eligible[eligible["village_id"].isin(s_set)]
        .groupby("village_id")["workload_days"]
        .min()
        .sort_values()
    )
    fit = int(np.searchsorted(np.cumsum(cheapest.to_numpy()), days + 1e-9, side="right"))
    t = min(fit, places_total, len(s_set))
    short = len(s_set) - t
    if short <= 0:
        return None
    return {
        "rule": "OFF-LOAD",
        "message": _(
            "{villages} villages can only be covered by the same {officers} officers, who have "
            "{days:g} days a month and {places} places; the villages need at least {need:.2f} "
            "days, so at most {most} of them can have an officer ({short} short)"
        ).format(
            villages=len(s_set),
            officers=len(n_set),
            days=days,
            places=places_total,
            need=cheapest.sum(),
            most=t,
            short=short,
        ),
        "ids": [*s_set, *sorted(n_set)],
        "villages": s_set,
        "officers": sorted(n_set),
        "days": days,
        "places": places_total,
        "at_most": t,
        "short": short,
    }
