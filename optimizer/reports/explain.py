"""Why a village got its officer (``cunjing explain``): the pair's points by rule, and for each
officer who would score more there, why he was not chosen: he is full (which limit), and what
making room would displace; or the load-balance deduction outweighs the gain.

Computed from the plan and its bundle alone, so it explains any plan folder: the annual plan, a
what-if, an adopted workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...constraints import off_life
from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import bundle_of, read_plan_folder
from ..input.problems import BundleError
from ..officers.explain import EXPLAIN_NEXT
from ..officers.model import officers_in_scope
from ..officers.pairs import SOFT_RULES, build_pairs, reasons
from ..whatif.changes import Change, apply_changes
from .words import category_word, person, reasons_in_words, rule_name


def find_village(plan: pd.DataFrame, inst: Instance, given: str) -> str:
    """The village a planner named: its code, or its name (one village of that name in the plan;
    a name several villages share is refused with their codes and townships)."""
    given = given.strip()
    ids = set(plan["village_id"])
    if given in ids:
        return given
    names = inst.villages["name"].reindex(sorted(ids)).fillna("")
    hits = names.index[names == given].tolist()
    if not hits:  # "张庄" for "张庄村"
        hits = names.index[names.str.removesuffix("村") == given.removesuffix("村")].tolist()
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise BundleError.single(
            "officer_plan.csv",
            _("no village '{village}' in the plan (give its code or its name)").format(
                village=given
            ),
        )
    town = inst.villages["township_id"].map(inst.townships["name"])
    listed = _(", ").join(person(town.get(v, ""), v) for v in hits)
    raise BundleError.single(
        "officer_plan.csv",
        _("{n} villages of the plan are called '{village}': {listed}; give the code").format(
            n=len(hits), village=given, listed=listed
        ),
    )


@dataclass
class _County:
    """What explaining a village of one county needs: the officers who may hold villages, the
    plan's load of each, and the load-balance deduction of a plan's counts."""

    inst: Instance
    officers: pd.DataFrame
    used_days: pd.Series
    count: pd.Series
    villages: int

    def has_room(self, officer: str, days: float) -> bool:
        off = self.officers.loc[officer]
        most = off["max_villages"]
        fits = self.used_days.get(officer, 0.0) + days <= float(off["available_days"]) + 1e-9
        return fits and (pd.isna(most) or self.count.get(officer, 0) + 1 <= int(most))

    def limit(self, officer: str, days: float) -> str:
        """Why the officer cannot take one more village of ``days`` days."""
        off = self.officers.loc[officer]
        n, used = int(self.count.get(officer, 0)), float(self.used_days.get(officer, 0.0))
        most = off["max_villages"]
        if pd.notna(most) and n + 1 > int(most):
            return _("he holds {n} villages, his most").format(n=n)
        return _(
            "he holds {n} village(s) on {used:.2f} of his {days:g} days a month; this village "
            "needs {need:.2f} more"
        ).format(n=n, used=used, days=float(off["available_days"]), need=days)

    def penalty(self, counts: pd.Series) -> float:
        return off_life.balance_penalty(self.inst, counts, self.officers, self.villages)


def _county(inst: Instance, plan: pd.DataFrame, county: str) -> tuple[Instance, _County]:
    sub = inst.county(county) if len(inst.counties) > 1 else inst
    scope = officers_in_scope(sub)
    scope = scope[scope["county_id"] == county]
    held = plan[(plan["officer_id"] != "") & plan["village_id"].isin(sub.villages.index)]
    pairs = build_pairs(sub, held[["officer_id", "village_id"]])
    used = pairs.groupby("officer_id")["workload_days"].sum()
    count = pairs.groupby("officer_id").size()
    n_v = int((sub.villages["county_id"] == county).sum())
    return sub, _County(sub, scope, used, count, n_v)


def _name(inst: Instance, officer: str) -> str:
    return person(inst.officers["name"].get(officer, ""), officer)


def _rule_points(row: pd.Series, base: pd.Series | None = None) -> str:
    parts = []
    for rid in SOFT_RULES:
        d = row[f"p:{rid}"] - (base[f"p:{rid}"] if base is not None else 0.0)
        if abs(d) >= 0.005:
            parts.append(f"{rule_name(rid)} {d:+.2f}")
    extra = row.get("extra", 0.0) - (base.get("extra", 0.0) if base is not None else 0.0)
    if abs(extra) >= 0.005:
        parts.append(_("pairs.csv {points:+.2f}").format(points=extra))
    return _(", ").join(parts) or "0"


def explain_village(inst: Instance, plan: pd.DataFrame, summary: dict, given: str) -> list[str]:
    """Why a village (code or name) got its officer, and why each officer who would score more
    there did not get it."""
    village = find_village(plan, inst, given)
    county = inst.villages.at[village, "county_id"]
    sub, c = _county(inst, plan, county)
    officer_of = plan.set_index("village_id")["officer_id"]
    current = officer_of.get(village, "")
    grid = pd.DataFrame({"officer_id": c.officers.index.to_numpy(object), "village_id": village})
    here = build_pairs(sub, grid).set_index("officer_id")
    town = inst.townships.at[inst.villages.at[village, "township_id"], "name"]
    lines = [
        _("{name} ({id}, {township})").format(
            name=inst.villages.at[village, "name"], id=village, township=town
        )
    ]
    mine = None
    if not current:
        lines.append("  " + _("has no liaison officer in this plan; see summary.json diagnostics"))
    else:
        mine = (
            here.loc[current]
            if current in here.index
            else build_pairs(sub, pd.DataFrame({"officer_id": [current], "village_id": [village]}))
            .set_index("officer_id")
            .loc[current]
        )
        why = reasons(sub, mine.to_frame().T.reset_index(names="officer_id"))[0]
        lines.append(
            "  "
            + _(
                "liaison officer {officer} ({category}): score {score:.2f}, {days:.2f} days a "
                "month, {km:.1f} km from his base; reasons: {reasons}"
            ).format(
                officer=_name(inst, current),
                category=category_word(str(inst.officers["category"].get(current, ""))),
                score=mine["score"],
                days=mine["workload_days"],
                km=mine["km"],
                reasons=reasons_in_words(why) or _("none beyond distance"),
            )
        )
        lines.append("  " + _("points by rule: {points}").format(points=_rule_points(mine)))
    s0 = float(mine["score"]) if mine is not None else 0.0
    others = here[here["eligible"] & (here.index != current)].sort_values(
        "score", ascending=False, kind="stable"
    )
    # a village without an officer: every officer who may cover it, and why he does not
    better = others if mine is None else others[others["score"] > s0 + 0.005]
    if better.empty:
        lines.append(
            "  "
            + _("no other officer who may cover it would score more here")
            + (
                _("; the next: {officers}").format(
                    officers=_(", ").join(
                        f"{_name(inst, o)} {r['score']:.2f}"
                        for o, r in others.head(EXPLAIN_NEXT).iterrows()
                    )
                )
                if len(others)
                else ""
            )
        )
    else:
        header = (
            _("{n} officer(s) may cover it; why each does not:")
            if mine is None
            else _("{n} officer(s) would score more here; why each is not chosen:")
        )
        lines.append("  " + header.format(n=len(better)))
    for i, (officer, row) in enumerate(better.head(EXPLAIN_NEXT).iterrows(), start=1):
        gain = float(row["score"]) - s0
        lines.append(
            f"  {i}. "
            + _("{officer}: score {score:.2f} ({gain:+.2f}: {rules}); {why}").format(
                officer=_name(inst, officer),
                score=row["score"],
                gain=gain,
                rules=_rule_points(row, mine),
                why=_why_not(sub, c, plan, village, current, officer, row, gain),
            )
        )
    if len(better) > EXPLAIN_NEXT:
        lines.append("  " + _("… and {n} more").format(n=len(better) - EXPLAIN_NEXT))
    status = summary.get("status")
    if status == "OPTIMAL":
        lines.append("  " + _("the plan is the best possible: no exchange raises the total score"))
    return lines


def _why_not(
    sub: Instance,
    c: _County,
    plan: pd.DataFrame,
    village: str,
    current: str,
    officer: str,
    row: pd.Series,
    gain: float,
) -> str:
    """Why ``officer`` (who would score ``gain`` more at ``village``) does not hold it."""
    need = float(row["workload_days"])
    if c.has_room(officer, need):
        before = c.count.reindex(c.officers.index).fillna(0)
        after = before.copy()
        after[officer] += 1
        if current in after.index:
            after[current] -= 1
        cost = c.penalty(after) - c.penalty(before)
        if gain - cost <= 0.005:
            return _(
                "he has room, but one more village puts him above his fair share of the load: "
                "{cost:.2f} points deducted for uneven load, more than the {gain:.2f} gained"
            ).format(cost=cost, gain=gain)
        return _(
            "he has room: giving him the village would raise the score by {net:.2f} (this plan "
            "is not the best possible)"
        ).format(net=gain - cost)
    limit = c.limit(officer, need)
    # making room: he gives up one of his villages, which another officer with room then takes
    his = plan.loc[(plan["officer_id"] == officer) & (plan["village_id"] != village), "village_id"]
    if his.empty:
        return limit
    grid = pd.DataFrame(
        {
            "officer_id": np.repeat(c.officers.index.to_numpy(object), len(his)),
            "village_id": np.tile(his.to_numpy(object), len(c.officers)),
        }
    )
    pairs = build_pairs(sub, grid)
    own = pairs[pairs["officer_id"] == officer].set_index("village_id")
    used = float(c.used_days.get(officer, 0.0))
    avail = float(c.officers.at[officer, "available_days"])
    best = None  # (net, village, his score there, taker, taker's score)
    for u in his:
        if used - float(own.at[u, "workload_days"]) + need > avail + 1e-9:
            continue  # giving up u would not free enough days
        alt = pairs[
            (pairs["village_id"] == u) & pairs["eligible"] & (pairs["officer_id"] != officer)
        ].sort_values("score", ascending=False, kind="stable")
        taker = next(
            (
                (o, float(s))
                for o, s, w in zip(
                    alt["officer_id"], alt["score"], alt["workload_days"], strict=True
                )
                if c.has_room(o, float(w))
            ),
            None,
        )
        loss = float(own.at[u, "score"]) - (taker[1] if taker else 0.0)
        net = gain - loss if taker else -np.inf
        if best is None or net > best[0]:
            best = (net, u, float(own.at[u, "score"]), taker)
    if best is None:
        return limit + _("; giving up one of his villages would not free enough days")
    net, u, score_u, taker = best
    u_name = person(sub.villages.at[u, "name"], u)
    if taker is None:
        return limit + _(
            "; to make room he would have to give up {village}, which no other officer with "
            "room may take"
        ).format(village=u_name)
    return limit + _(
        "; to make room he would have to give up {village} (he scores {score:.2f} there; the "
        "best officer with room, {taker}, {taker_score:.2f}): {loss:.2f} lost there against "
        "{gain:.2f} gained here"
    ).format(
        village=u_name,
        score=score_u,
        taker=_name(sub, taker[0]),
        taker_score=taker[1],
        loss=score_u - taker[1],
        gain=gain,
    )


def explain(folder, village: str, inst: Instance | None = None) -> list[str]:
    """``explain_village`` for a plan folder (the annual plan, a what-if, an adopted workbook);
    ``inst``: its bundle (default: the one its summary.json names)."""
    plan = read_plan_folder(folder)
    if plan.officers is None:
        raise BundleError.single(str(folder), _("not a plan folder (no officer_plan.csv)"))
    if inst is None:
        from ..input.bundle import load_bundle

        bundle = bundle_of(Path(folder))
        if bundle is not None and not Path(bundle).exists():
            raise BundleError.single(
                str(bundle), _("the plan's bundle is not there any more; give it with --bundle")
            )
        inst = load_bundle(bundle)
    table = plan.officers[["village_id", "officer_id"]].copy()
    table["officer_id"] = table["officer_id"].fillna("").astype(str)
    changes = (plan.summary.get("whatif") or {}).get("change_list")
    if changes:  # a what-if's plan: its bundle as the changes left it
        table["pinned"] = False
        inst, _effects = apply_changes(inst, table, [Change(**c) for c in changes])
    return explain_village(inst, table[["village_id", "officer_id"]], plan.summary, village)
