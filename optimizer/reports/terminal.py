"""What the terminal prints of a run: short accounts in the planner's words."""

from __future__ import annotations

from ..input.instance import Instance
from ..input.schema import CATEGORY_NAMES_ZH


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"


def bundle_summary_lines(inst: Instance, township_detail_limit: int = 60) -> list[str]:
    """What ``cunjing validate`` prints for a valid bundle: counts per county, township, category."""
    s = inst.summary()
    lines = [
        f"bundle {inst.source}: valid",
        f"  {len(s['counties'])} county(ies), {s['townships']} townships, {s['villages']} villages "
        f"({s['on_traffic_route']} along traffic routes), {s['officers']} officers, "
        f"{s['auxiliaries']} auxiliaries; {s['adjacency_edges']} township borders; "
        f"plan starts {inst.start_month}",
    ]
    for c in s["counties"]:
        cats = {
            f"{k}({CATEGORY_NAMES_ZH.get(k, k)})": v for k, v in c["officer_categories"].items()
        }
        lines.append(
            f"  county {c['county_id']} {c['name']}: {c['townships']} townships, "
            f"{c['villages']} villages ({_counts(c['village_kinds'])}), {c['officers']} officers "
            f"({_counts(cats)}; {c['officer_days']:g} days a month), {c['auxiliaries']} "
            f"auxiliaries, {c['leaving']} leaving"
        )
    detail = s["townships_detail"]
    if len(detail) <= township_detail_limit:
        lines.append("  township: villages / auxiliaries living there")
        for t in detail:
            lines.append(
                f"    {t['township_id']} {t['name']}: {t['villages']} / {t['auxiliaries_at_home']}"
            )
    else:
        lines.append(f"  ({len(detail)} townships; per-township counts omitted)")
    if inst.warnings:
        lines.append(f"  {len(inst.warnings)} warning(s) above")
    return lines


def plan_lines(summary: dict) -> list[str]:
    """The terminal's account of an annual plan (its summary.json)."""
    k = summary["kpis"]
    off = k["officer"]
    gap = summary["gap"]
    lines = [
        f"status {summary['status']}{' (interrupted: best plan so far)' if summary.get('interrupted') else ''}: "
        f"{k['covered_by_officer']} of {k['villages']} villages have a liaison officer, "
        f"{k['covered_by_auxiliary']} a resident auxiliary; score {summary['objective']:g}, "
        + (
            f"bound {summary['best_bound']:g}, gap {gap:.4%}"
            if gap is not None
            else "no bound proven"
        ),
        f"time {summary['wall_seconds']:.2f} s (model {summary['build_seconds']:.2f} s, "
        f"solver {summary['solve_seconds']:.2f} s), seed {summary['seed']}, "
        f"workers {summary['workers']}",
    ]
    rules = ", ".join(f"{rid} {r['matched']}/{r['possible']}" for rid, r in off["rules"].items())
    lines.append(f"rules met (of possible): {rules}")
    prof = off["preference_rank_profile"]
    lines.append(
        "wishes granted: "
        + ", ".join((f"{r}. choice {n}" if r != "none" else f"none {n}") for r, n in prof.items())
    )
    load = off["load"]
    lines.append(
        f"load: {load['villages_per_officer']['min']}-"
        f"{load['villages_per_officer']['max']} villages per officer (median "
        f"{load['villages_per_officer']['median']}), days used {load['days_used']['min']}"
        f"-{load['days_used']['max']}; blocking pairs: "
        f"{off['blocking_pairs']['by_preference']} by wish, "
        f"{off['blocking_pairs']['by_score']} by score"
    )
    a = k["auxiliary"]
    lines.append(
        f"auxiliaries: {a['same_township']} from the own township, "
        f"{a['neighbour_township']} from a neighbouring one; {a['incumbents_kept']} of "
        f"{a['incumbents']} incumbents stay ({a['incumbents_must_leave']} must leave by "
        f"the rules); home to village km median {a['km']['median']}"
    )
    for d in summary["diagnostics"][:10]:
        lines.append(f"  {d['rule']}: {d['message']}")
    if len(summary["diagnostics"]) > 10:
        lines.append(f"  … {len(summary['diagnostics']) - 10} more in summary.json")
    return lines


def whatif_lines(summary: dict) -> list[str]:
    w = summary["whatif"]
    lines = [
        f"what-if: {'; '.join(w['changes'])}",
        f"status {summary['status']}: {w['villages_changed']} village(s) change officer "
        f"({w['forced']} forced by the change), {w['auxiliary_changes']} change auxiliary",
    ]
    rules = w["score_by_rule"]
    by_rule = ", ".join(f"{r} {d:+g}" for r, d in rules["change"].items() if abs(d) >= 0.005)
    lines.append(
        f"score {rules['score_before']:g} -> {rules['score_after']:g}; by rule: "
        f"{by_rule or 'no change'}"
    )

    more = [x for x in w["load_changes"] if x["villages_after"] > x["villages_before"]]
    if more:
        lines.append(
            "more load: "
            + ", ".join(
                f"{x['officer_id']} {x['name']} {x['villages_before']}->{x['villages_after']} villages "
                f"({x['days_before']:g}->{x['days_after']:g} days)"
                for x in more[:10]
            )
        )
    for d in summary["diagnostics"][:10]:
        lines.append(f"  {d['rule']}: {d['message']}")
    return lines
