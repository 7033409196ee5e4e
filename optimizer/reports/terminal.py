"""What the terminal prints of a run: short accounts in the planner's words and language.

One score (得分) everywhere: the points of the officer plan's pairs less the load-balance
deduction (``officers.kpis.plan_score``), the number ``plan``, ``check`` and ``whatif`` print
alike. Solver words (bound, gap) stay in summary.json; the headline says whether the plan is the
best there is, or at most how many points from it.
"""

from __future__ import annotations

from ..i18n import _, ngettext
from ..input.instance import Instance
from .words import category_word, kind_word, listing, rule_name


def _counts(d: dict, word=str) -> str:
    return listing(f"{word(k)} {v}" for k, v in d.items()) or _("(none)")


def bundle_summary_lines(inst: Instance, township_detail_limit: int = 60) -> list[str]:
    """What ``cunjing validate`` prints for a valid bundle: counts per county, township, category."""
    s = inst.summary()
    lines = [
        _("bundle {bundle}: valid").format(bundle=inst.source),
        "  "
        + _(
            "{counties} county(ies), {townships} townships, {villages} villages ({traffic} along "
            "traffic routes), {officers} officers, {auxiliaries} auxiliaries; {borders} township "
            "borders; the plan starts {start}"
        ).format(
            counties=len(s["counties"]),
            townships=s["townships"],
            villages=s["villages"],
            traffic=s["on_traffic_route"],
            officers=s["officers"],
            auxiliaries=s["auxiliaries"],
            borders=s["adjacency_edges"],
            start=inst.start_month,
        ),
    ]
    for c in s["counties"]:
        lines.append(
            "  "
            + _(
                "county {id} {name}: {townships} townships, {villages} villages ({kinds}), "
                "{officers} officers ({categories}; {days:g} days a month), {auxiliaries} "
                "auxiliaries, {leaving} leaving"
            ).format(
                id=c["county_id"],
                name=c["name"],
                townships=c["townships"],
                villages=c["villages"],
                kinds=_counts(c["village_kinds"], kind_word),
                officers=c["officers"],
                categories=_counts(c["officer_categories"], category_word),
                days=c["officer_days"],
                auxiliaries=c["auxiliaries"],
                leaving=c["leaving"],
            )
        )
    detail = s["townships_detail"]
    if len(detail) <= township_detail_limit:
        lines.append("  " + _("township: villages / auxiliaries living there"))
        for t in detail:
            lines.append(
                f"    {t['township_id']} {t['name']}: {t['villages']} / {t['auxiliaries_at_home']}"
            )
    else:
        lines.append("  " + _("({n} townships; per-township counts omitted)").format(n=len(detail)))
    if inst.warnings:
        lines.append("  " + _("{n} warning(s) above").format(n=len(inst.warnings)))
    return lines


def score_words(k: dict) -> str:
    """得分 and what makes it, from an officer plan's KPIs (``officer_kpis``)."""
    return _(
        "score {score:.2f} (pair points {points:.2f}, less {penalty:g} for uneven load)"
    ).format(score=k["objective"], points=k["score"], penalty=k["balance_penalty"])


def outcome_words(summary: dict) -> str:
    """Whether the plan is the best there is, in the planner's words (no bound, no gap)."""
    status = summary["status"]
    if status == "OPTIMAL":
        text = _("the plan is the best possible under the rules")
    elif status == "FEASIBLE":
        bound, objective = summary.get("best_bound"), summary.get("objective")
        if bound is None or objective is None:
            text = _("a plan was found; how close it is to the best possible is not proven")
        else:
            text = _(
                "a plan was found, at most {points:.2f} points below the best possible"
            ).format(points=max(0.0, bound - objective))
    elif status == "PARTIAL":
        text = _("a partial plan: some hard rules could not be kept (reasons below)")
    else:
        text = _("no plan: the hard rules contradict each other (reasons below)")
    if summary.get("interrupted"):
        text += _(" (stopped early: the best plan found so far)")
    return text


def rules_line(rules: dict) -> str:
    met = listing(f"{rule_name(rid)} {r['matched']}/{r['possible']}" for rid, r in rules.items())
    return _("rules met (of the most possible): {rules}").format(rules=met or _("(none)"))


def plan_lines(summary: dict) -> list[str]:
    """The terminal's account of an annual plan (its summary.json)."""
    k = summary["kpis"]
    off = k["officer"]
    lines = [
        _(
            "{outcome}: {officers} of {villages} villages have a liaison officer, {auxiliaries} a "
            "resident auxiliary"
        ).format(
            outcome=outcome_words(summary),
            officers=k["covered_by_officer"],
            villages=k["villages"],
            auxiliaries=k["covered_by_auxiliary"],
        ),
        score_words(off),
        _(
            "time {wall:.2f} s (model {build:.2f} s, solver {solve:.2f} s), seed {seed}, "
            "threads {workers}"
        ).format(
            wall=summary["wall_seconds"],
            build=summary["build_seconds"],
            solve=summary["solve_seconds"],
            seed=summary["seed"],
            workers=summary["workers"],
        ),
        rules_line(off["rules"]),
    ]
    prof = off["preference_rank_profile"]
    granted = listing(
        _("wish {rank}: {n}").format(rank=r, n=n) if r != "none" else _("none: {n}").format(n=n)
        for r, n in prof.items()
    )
    lines.append(_("officers by the wish they got: {granted}").format(granted=granted))
    load = off["load"]
    lines.append(
        _(
            "load: {lo:g}-{hi:g} villages per officer (median {median:g}), {dlo:g}-{dhi:g} days "
            "a month"
        ).format(
            lo=load["villages_per_officer"]["min"],
            hi=load["villages_per_officer"]["max"],
            median=load["villages_per_officer"]["median"],
            dlo=load["days_used"]["min"],
            dhi=load["days_used"]["max"],
        )
    )
    a = k.get("auxiliary")
    if a:
        km = a["km"]["median"]
        lines.append(
            _(
                "auxiliaries: {same} from the own township, {neighbour} from a neighbouring one; "
                "{kept} of {incumbents} incumbents stay ({leave} must leave by the rules)"
            ).format(
                same=a["same_township"],
                neighbour=a["neighbour_township"],
                kept=a["incumbents_kept"],
                incumbents=a["incumbents"],
                leave=a["incumbents_must_leave"],
            )
            + (
                _("; median {km:g} km from home").format(km=km)
                if km is not None and km == km  # unknown without coordinates (NaN)
                else ""
            )
        )
    lines += search_lines(summary.get("counties", []))
    lines += diagnostic_lines(summary["diagnostics"])
    return lines


def search_lines(counties: list[dict]) -> list[str]:
    """How a county's plan was searched, stage by stage, when it took more than the usual search
    (a short-handed or tight county) or fell back: which stage stopped, why, after how long."""
    lines = []
    for c in counties:
        if c.get("search"):
            lines.append(_("how the plan of {county} was searched:").format(county=c["name"]))
            lines += [f"  {note}" for note in c["search"]]
    return lines


def diagnostic_lines(diagnostics: list[dict], limit: int = 10) -> list[str]:
    lines = [f"  {d['rule']}: {d['message']}" for d in diagnostics[:limit]]
    if len(diagnostics) > limit:
        lines.append("  " + _("… {n} more in summary.json").format(n=len(diagnostics) - limit))
    return lines


def _person(person_id: str, names: dict) -> str:
    return names.get(person_id) or person_id or _("nobody")


def whatif_headline(summary: dict) -> str:
    """The change and what it does, in plain words: "万锋志调离：5个村改由张三、李四包；另有3个村
    顺带调整"."""
    w = summary["whatif"]
    moves = w.get("moves", [])
    forced = [m for m in moves if m["role"] == "officer" and m["forced"]]
    knock_on = [m for m in moves if m["role"] == "officer" and not m["forced"]]
    takers = list(dict.fromkeys(m["after_name"] or m["after"] for m in forced if m["after"]))
    what = _("; ").join(w["changes"])
    parts = []
    if forced:
        parts.append(
            ngettext(
                "{n} village now goes to {officers}",
                "{n} villages now go to {officers}",
                len(forced),
            ).format(n=len(forced), officers=listing(takers) or _("nobody"))
        )
    if knock_on:
        parts.append(
            ngettext(
                "{n} more village changes as a knock-on",
                "{n} more villages change as a knock-on",
                len(knock_on),
            ).format(n=len(knock_on))
        )
    aux = [m for m in moves if m["role"] == "auxiliary"]
    if aux:
        parts.append(
            ngettext(
                "{n} village changes auxiliary", "{n} villages change auxiliary", len(aux)
            ).format(n=len(aux))
        )
    if not parts:
        parts.append(_("no village changes"))
    return _("{change}: {effects}").format(change=what, effects=_("; ").join(parts))


def move_chains(moves: list[dict]) -> list[list[dict]]:
    """The officer moves as chains: a village a change freed goes to officer A, one of A's
    villages goes on to officer B, … (a move no chain reaches starts its own)."""
    officer = [m for m in moves if m["role"] == "officer"]
    by_before: dict[str, list[dict]] = {}
    for m in officer:
        by_before.setdefault(m["before"], []).append(m)
    used: set[int] = set()
    chains = []
    starts = [m for m in officer if m["forced"]] + [m for m in officer if not m["forced"]]
    for start in starts:
        if id(start) in used:
            continue
        chain, m = [], start
        while m is not None and id(m) not in used:
            used.add(id(m))
            chain.append(m)
            nxt = [x for x in by_before.get(m["after"], []) if id(x) not in used]
            m = nxt[0] if m["after"] and nxt else None
        chains.append(chain)
    return chains


def chain_words(chain: list[dict]) -> str:
    """``甲村: 单强 → 张伟刚; 张伟刚's 乙村 → 陈鹏峰``."""
    words = []
    for i, m in enumerate(chain):
        after = m["after_name"] or m["after"] or _("nobody")
        before = m["before_name"] or m["before"] or _("nobody")
        if i == 0:
            words.append(
                _("{village}: {before} → {after}").format(
                    village=m["village_name"] or m["village_id"], before=before, after=after
                )
            )
        else:
            words.append(
                _("{before}'s {village} → {after}").format(
                    village=m["village_name"] or m["village_id"], before=before, after=after
                )
            )
    return _("; ").join(words)


def whatif_lines(summary: dict) -> list[str]:
    w = summary["whatif"]
    lines = [whatif_headline(summary)]
    chains = move_chains(w.get("moves", []))
    for chain in chains[:20]:
        lines.append("  " + chain_words(chain))
    if len(chains) > 20:
        lines.append("  " + _("… {n} more in diff.csv").format(n=len(chains) - 20))
    for m in [m for m in w.get("moves", []) if m["role"] == "auxiliary"][:10]:
        lines.append(
            "  "
            + _("{village}: auxiliary {before} → {after}").format(
                village=m["village_name"] or m["village_id"],
                before=m["before_name"] or m["before"] or _("nobody"),
                after=m["after_name"] or m["after"] or _("nobody"),
            )
        )
    rules = w["score_by_rule"]
    by_rule = listing(
        f"{rule_name(r)} {d:+g}" for r, d in rules["change"].items() if abs(d) >= 0.005
    )
    lines.append(
        _("{outcome}; score {before:.2f} → {after:.2f} ({change:+.2f})").format(
            outcome=outcome_words(summary)
            if summary["status"] != "OPTIMAL"
            else _("the best re-plan that keeps the rest of the plan"),
            before=rules["score_before"],
            after=rules["score_after"],
            change=rules["score_after"] - rules["score_before"],
        )
    )
    if by_rule:
        lines.append("  " + _("points by rule: {rules}").format(rules=by_rule))
    more = [x for x in w["load_changes"] if x["villages_after"] > x["villages_before"]]
    if more:
        lines.append(
            _("more load: {officers}").format(
                officers=listing(
                    _(
                        "{name} {before}→{after} villages ({days_before:g}→{days_after:g} days)"
                    ).format(
                        name=x["name"] or x["officer_id"],
                        before=x["villages_before"],
                        after=x["villages_after"],
                        days_before=x["days_before"],
                        days_after=x["days_after"],
                    )
                    for x in more[:10]
                )
            )
        )
    lines += diagnostic_lines(summary["diagnostics"])
    return lines
