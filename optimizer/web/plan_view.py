"""What a plan's page shows, made once in the worker for each plan version and each previewed
re-plan: the headline, KPIs, the officers' and villages' tables (``view.json``) and, per bundle,
the map's township and village shapes in longitude/latitude (``geo.json``). The server then only
reads JSON and leaves out the personal fields for roles that may not see them
(``without_personal``).
"""

from __future__ import annotations

import colorsys
import json
import math
from pathlib import Path

import cunjing.optimizer as engine

VIEW_FILE = "web/view.json"
GEO_FILE = "web/geo.json"
# keys of view.json rows that carry personal data (籍贯, former postings, wishes, 户籍村, and
# the reasons, which name them: "native place", "first wish", "own township")
PERSONAL_OFFICER_KEYS = ("native_place", "former_townships", "wishes")
PERSONAL_VILLAGE_KEYS = ("reasons", "aux_reasons", "aux_relation", "aux_home")
GOLDEN_ANGLE = 137.508


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _num(v, digits: int = 2) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, digits)


def officer_colours(order: list[str]) -> dict[str, str]:
    """A distinct colour per officer: hues a golden angle apart along ``order`` (officers in
    map order, so neighbours differ most), three lightness steps."""
    colours = {}
    for i, officer in enumerate(order):
        hue = (i * GOLDEN_ANGLE) % 360 / 360
        light = (0.62, 0.50, 0.72)[i % 3]
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.65)
        colours[officer] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return colours


def build_view(inst, folder, direct: dict[str, set[str]] | None = None) -> dict:
    """The view of a plan folder (on disk or a run's in memory) of the bundle ``inst``.
    ``direct``: per role, the villages a what-if's changes themselves move (the other moves of
    its diff are knock-on moves)."""
    t = engine.plan_tables(folder, inst)
    summary = folder.summary or {}
    tw_names = inst.townships["name"].to_dict()
    vil_names = inst.villages["name"].to_dict()

    def names(ids, table) -> str:
        return "、".join(table.get(i, i) for i in ids if i)

    off_rows = t["officers"].fillna("")
    aux = t["auxiliaries"]
    # rows as dicts: a pandas look-up per village and officer took most of a preview's view
    aux = {} if aux is None else aux.drop_duplicates("village_id").set_index("village_id")
    aux = aux.to_dict("index") if len(aux) else {}
    villages = []
    for r in off_rows.itertuples(index=False):
        a = aux.get(r.village_id)
        villages.append(
            {
                "id": r.village_id,
                "name": r.village_name,
                "township_id": r.township_id,
                "township": r.township_name,
                "kind": _text(r.kind),
                "officer_id": r.officer_id,
                "officer": r.officer_name,
                "category": r.category_zh,
                "days": _num(r.workload_days),
                "km": _num(r.km, 1),
                "score": _num(r.score),
                "pinned": str(r.pinned).lower() in ("true", "1"),
                "reasons": r.reasons_zh,
                "auxiliary_id": _text(a["auxiliary_id"]) if a is not None else "",
                "auxiliary": _text(a["auxiliary_name"]) if a is not None else "",
                "aux_phone": _text(a["auxiliary_phone"]) if a is not None else "",
                "aux_relation": _text(a["relation_zh"]) if a is not None else "",
                "aux_home": _text(a["home_village_name"]) if a is not None else "",
                "aux_reasons": _text(a["reasons_zh"]) if a is not None else "",
                "aux_pinned": a is not None and str(a.get("pinned", "")).lower() in ("true", "1"),
            }
        )
    # officers in the order their first village lies on the map (west to east, south to north
    # in bands), so that the colours of neighbours are far apart on the wheel
    xy = dict(zip(inst.villages.index, zip(inst.villages["x"], inst.villages["y"], strict=True),
                  strict=True))  # fmt: skip
    first = {}
    held_by: dict[str, list[str]] = {}
    for v in villages:
        if v["officer_id"]:
            held_by.setdefault(v["officer_id"], []).append(v["id"])
        if v["officer_id"] and v["officer_id"] not in first and v["id"] in xy:
            x, y = xy[v["id"]]
            first[v["officer_id"]] = (round(y / 5000), x)
    order = sorted(first, key=lambda o: first[o])
    colours = officer_colours(order)
    loads = t["loads"]
    people = inst.officers.to_dict("index")
    places = {**tw_names, **vil_names}
    officers = []
    for r in loads.itertuples(index=False):
        o = people.get(r.officer_id, {})
        held = held_by.get(r.officer_id, [])
        officers.append(
            {
                "id": r.officer_id,
                "name": r.officer_name,
                "category": r.category_zh,
                "unit": _text(r.unit),
                "phone": _text(o.get("phone", "")),
                "status": _text(r.status),
                "villages": held,
                "village_names": _text(r.village_names),
                "days_used": _num(r.days_used),
                "available_days": _num(r.available_days),
                "colour": colours.get(r.officer_id, "#d9d9d9"),
                "native_place": names([o.get("native_township_id", "")], tw_names)
                + (
                    f"（{vil_names.get(o['native_village_id'], '')}）"
                    if o.get("native_village_id")
                    else ""
                ),
                "former_townships": names(o.get("former_township_ids") or (), tw_names),
                "wishes": names(o.get("preferences") or (), places),
            }
        )
    k = summary.get("kpis", {})
    rules = [
        {
            "rule": r.rule,
            "summary": r.summary_zh,
            "matched": int(r.decided) if _num(r.decided) is not None else None,
            "possible": int(r.possible) if _num(r.possible) is not None else None,
            "violations": int(r.violations) if _num(r.violations) is not None else 0,
        }
        for r in t["rules"].itertuples(index=False)
        if r.subject in ("officer", "auxiliary") and r.enabled
    ]
    diff = []
    if folder.diff is not None:
        off_names = inst.officers["name"].to_dict()
        aux_names = inst.auxiliaries["name"].to_dict()
        for r in folder.diff.fillna("").itertuples(index=False):
            people = off_names if r.role == "officer" else aux_names
            diff.append(
                {
                    "village_id": r.village_id,
                    "village": vil_names.get(r.village_id, r.village_id),
                    "role": r.role,
                    "before": r.before,
                    "before_name": people.get(r.before, ""),
                    "after": r.after,
                    "after_name": people.get(r.after, ""),
                    "reason": _text(r.reason),
                    "direct": r.village_id in (direct or {}).get(r.role, ()),
                }
            )
    # the change itself first, then its knock-on moves
    diff.sort(key=lambda d: not d["direct"])
    return plain(
        {
            "status": summary.get("status", ""),
            "objective": _num(summary.get("objective")),
            "best_bound": _num(summary.get("best_bound")),
            "village_count": k.get("villages", len(villages)),
            "covered_by_officer": k.get("covered_by_officer"),
            "covered_by_auxiliary": k.get("covered_by_auxiliary"),
            "wishes": (k.get("officer") or {}).get("preference_rank_profile", {}),
            "load": (k.get("officer") or {}).get("load", {}),
            "auxiliary": {
                key: k.get("auxiliary", {}).get(key)
                for key in ("same_township", "neighbour_township", "incumbents_kept", "incumbents")
            },
            "rules": rules,
            "diagnostics": [
                {"rule": d.get("rule", ""), "message": d.get("message", "")}
                for d in summary.get("diagnostics", [])
            ],
            "whatif": summary.get("whatif"),
            "townships": sorted(
                {(v["township_id"], v["township"]) for v in villages}, key=lambda t: t[0]
            ),
            "officers": officers,
            "villages": villages,
            "diff": diff,
        }
    )


def build_geo(inst) -> dict:
    """Townships and villages as GeoJSON in longitude/latitude, simplified for the screen; a
    bundle without polygons gives its villages' points."""
    import geopandas as gpd
    import shapely

    out = {}
    layers = {"townships": inst.geo.townships, "villages": inst.geo.villages}
    for name, layer in layers.items():
        if layer is None or len(layer) == 0:
            out[name] = None
            continue
        frame = gpd.GeoDataFrame(layer, geometry="geometry", crs=inst.crs)
        bounds = frame.total_bounds
        extent = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0)
        frame["geometry"] = shapely.simplify(
            frame.geometry.to_numpy(), extent / 3000.0, preserve_topology=True
        )
        frame = frame.to_crs("EPSG:4326")
        key = "township_id" if name == "townships" else "village_id"
        out[name] = json.loads(
            frame[[key, "name", "geometry"]]
            .rename(columns={key: "id"})
            .to_json(drop_id=True, to_wgs84=False)
        )
        _round_coordinates(out[name])
    if out.get("villages") is None:
        vil = inst.villages[["name", "lon", "lat"]].dropna()
        out["points"] = [
            {"id": vid, "name": r["name"], "lon": float(r["lon"]), "lat": float(r["lat"])}
            for vid, r in vil.iterrows()
            if str(r["lon"]) and str(r["lat"])
        ]
    return out


def _round_coordinates(collection: dict) -> None:
    """Six decimals of a degree is 0.1 m: the rest is bytes."""

    def walk(c):
        if isinstance(c, list) and c and isinstance(c[0], float):
            return [round(x, 6) for x in c]
        return [walk(x) for x in c]

    for f in collection["features"]:
        f["geometry"]["coordinates"] = walk(f["geometry"]["coordinates"])


def _json_default(value):
    """numpy's numbers and booleans as Python's; anything else as its text."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def plain(data):
    """``data`` with only what JSON holds (the engine's tables carry numpy numbers)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=_json_default))


def write_json(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    path.write_text(text, encoding="utf-8")


def without_personal(view: dict) -> dict:
    """The view for a role that sees names, units and phones only."""
    return {
        **view,
        "officers": [
            {k: v for k, v in o.items() if k not in PERSONAL_OFFICER_KEYS} for o in view["officers"]
        ],
        "villages": [
            {k: v for k, v in r.items() if k not in PERSONAL_VILLAGE_KEYS} for r in view["villages"]
        ],
        "diff": [{k: v for k, v in d.items() if k != "reason"} for d in view.get("diff", [])],
    }
