"""Why villages stay without an officer, in the planner's words, with a counting proof."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..input.instance import Instance
from .model import OfficerProblem


def diagnose_uncovered(
    inst: Instance,
    problem: OfficerProblem,
    plan: pd.DataFrame,
    eligible: pd.DataFrame,
    table: pd.DataFrame,
) -> list[dict]:
    """Why villages stay without an officer, in the planner's words, with a counting proof.

    S: the uncovered villages and every village that only their possible officers N(S) can
    cover. N(S) has D days and K places; S's villages need at least their cheapest workload
    each. If the cheapest t villages of S already use up D (or t > K), at most t can be covered.
    """
    out: list[dict] = []
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
            reasons = (
                "; ".join(f"{n} officer(s): {r}" for r, n in why.items())
                or "the county has no officers"
            )
            out.append(
                {
                    "rule": "OFF-COVER",
                    "message": f"village {v} {name} ({tw}) has no "
                    f"officer who may cover it ({reasons})",
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
                limit = f"holds {n} of at most {int(mx)} villages"
            else:
                limit = f"uses {d:.2f} of {off['available_days']:g} days, needs {w:.2f} more"
            parts.append(f"{o} {off['name']} {limit}")
            ids.append(o)
        shown = "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")
        out.append(
            {
                "rule": "OFF-LOAD",
                "message": f"village {v} {name} ({tw}) has no officer: "
                f"the {len(parts)} officer(s) who could take it are full ({shown})",
                "ids": ids,
            }
        )
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
            "message": f"{len(uncovered)} village(s) have no officer who may cover them",
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
        "message": (
            f"{len(s_set)} villages can only be covered by the same {len(n_set)} "
            f"officers, who have {days:g} days a month and {places_total} places; the "
            f"villages need at least {cheapest.sum():.2f} days, so at most {t} of them "
            f"can have an officer ({short} short)"
        ),
        "ids": [*s_set, *sorted(n_set)],
        "villages": s_set,
        "officers": sorted(n_set),
        "days": days,
        "places": places_total,
        "at_most": t,
        "short": short,
    }
