"""Short text summaries printed on the terminal."""

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
