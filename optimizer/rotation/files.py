"""The files of a rotation folder (``cunjing rotate --out DIR``).

- ``rotation.csv``: period, village, auxiliary, moved (the contract), and beside them the
  county, township, names, the months of the period and whether the change counts as an
  exchange against AUX-EXCHANGE. No home villages: the file may be shown to the public.
- ``rotation_timeline.csv``: one row per auxiliary, his village at the plan start and in every
  period, his moves.
- ``rotation_moves.csv``: exchanges per county and period against the cap, and per township and
  period against its limit.
- ``rotation_summary.json``: status, objective, bound, gap, seconds, seed, workers, versions,
  the input's fingerprint, KPIs and diagnostics, per county and in all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...constraints import aux_exchange
from ..input.instance import Instance
from ..output.files import write_csv, write_json
from ..output.provenance import bundle_reference, versions
from ..solve.options import SolveOptions
from ..solve.status import worst
from .engine import RotationResult


def rotation_table(inst: Instance, results: list[RotationResult]) -> pd.DataFrame:
    frames = [r.rotation for r in results if len(r.rotation)]
    if not frames:
        return pd.DataFrame(
            columns=[
                "period",
                "months",
                "county_id",
                "township_id",
                "village_id",
                "village_name",
                "auxiliary_id",
                "auxiliary_name",
                "moved",
                "exchange",
            ]
        )
    rot = pd.concat(frames, ignore_index=True)
    ch = aux_exchange.changes(inst, rot).set_index(["village_id", "period"])
    rec = inst.service
    vil = inst.villages.reindex(rot["village_id"])
    out = pd.DataFrame(
        {
            "period": rot["period"].to_numpy(),
            "months": [rec.period_label(int(p)) for p in rot["period"]],
            "county_id": vil["county_id"].to_numpy(object),
            "township_id": vil["township_id"].to_numpy(object),
            "village_id": rot["village_id"].to_numpy(object),
            "village_name": vil["name"].to_numpy(object),
            "auxiliary_id": rot["auxiliary_id"].to_numpy(object),
            "auxiliary_name": inst.auxiliaries["name"]
            .reindex(rot["auxiliary_id"])
            .fillna("")
            .to_numpy(object),
            "moved": rot["moved"].to_numpy(bool),
            "exchange": ch["exchange"]
            .reindex(pd.MultiIndex.from_arrays([rot["village_id"], rot["period"]]))
            .to_numpy(bool),
        }
    )
    return out.sort_values(["county_id", "township_id", "village_id", "period"], kind="stable")


def timeline_table(inst: Instance, rot: pd.DataFrame, periods: int) -> pd.DataFrame:
    """One row per auxiliary of the rotated counties: start village, village per period."""
    rec = inst.service
    counties = sorted(rot["county_id"].unique()) if len(rot) else []
    aux = inst.auxiliaries[inst.auxiliaries["county_id"].isin(counties)]
    start = pd.Series(rec.incumbent.index.to_numpy(object), index=rec.incumbent.to_numpy(object))
    start = start[~start.index.duplicated()]
    out = pd.DataFrame(
        {
            "auxiliary_id": aux.index.to_numpy(object),
            "auxiliary_name": aux["name"].to_numpy(object),
            "county_id": aux["county_id"].to_numpy(object),
            "status": aux["status"].to_numpy(object),
            "start": start.reindex(aux.index).fillna("").to_numpy(object),
        }
    )
    placed = rot[rot["auxiliary_id"] != ""]
    wide = placed.pivot_table(
        index="auxiliary_id", columns="period", values="village_id", aggfunc="first"
    )
    prev = out["start"].to_numpy(object)
    moves = np.zeros(len(out), dtype=np.int64)
    for p in range(1, periods + 1):
        col = (
            wide[p].reindex(out["auxiliary_id"]).fillna("").to_numpy(object)
            if p in wide.columns
            else np.full(len(out), "", dtype=object)
        )
        out[f"period_{p}"] = col
        moves += (col != prev) & (col != "")
        prev = col
    out["moves"] = moves
    return out


def moves_table(inst: Instance, results: list[RotationResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        if not len(r.rotation):
            continue
        per_c, per_t = aux_exchange.move_counts(inst, r.rotation)
        for row in per_c.itertuples():
            rows.append(
                {
                    "scope": "county",
                    "county_id": row.county_id,
                    "township_id": "",
                    "township_name": "",
                    "period": row.period,
                    "moved": row.moved,
                    "exchanges": row.exchanges,
                    "limit": row.cap,
                    "within": row.exchanges <= row.cap,
                }
            )
        for row in per_t.itertuples():
            rows.append(
                {
                    "scope": "township",
                    "county_id": r.county,
                    "township_id": row.township_id,
                    "township_name": inst.townships["name"].get(row.township_id, ""),
                    "period": row.period,
                    "moved": row.moved,
                    "exchanges": row.exchanges,
                    "limit": row.limit,
                    "within": row.exchanges <= row.limit,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scope",
            "county_id",
            "township_id",
            "township_name",
            "period",
            "moved",
            "exchanges",
            "limit",
            "within",
        ],
    )


def _num(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def summary(
    inst: Instance,
    results: list[RotationResult],
    *,
    periods: int,
    options: SolveOptions,
    wall_seconds: float,
    violations: list[dict],
) -> dict:
    objective = sum(r.objective for r in results)
    bound = sum(r.best_bound for r in results)
    return {
        "status": worst(r.status for r in results),
        "objective": _num(objective),
        "best_bound": _num(bound),
        "gap": _num(abs(bound - objective) / max(1.0, abs(objective)))
        if np.isfinite(objective) and np.isfinite(bound)
        else None,
        "moves": int(sum(max(r.moves, 0) for r in results)),
        "moves_bound": int(sum(max(r.moves_bound, 0) for r in results)),
        "wall_seconds": round(wall_seconds, 3),
        "build_seconds": round(sum(r.build_seconds for r in results), 3),
        "solve_seconds": round(sum(r.solve_seconds for r in results), 3),
        "seed": options.seed,
        "workers": options.workers,
        "time_limit": options.time_limit,
        "periods": periods,
        "period_months": int(inst.policy.get("rotation", "period_months")),
        "start_month": inst.start_month,
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "objective_meaning": (
            "AUX-FAMILIAR points over all village-periods, less AUX-EXCHANGE.spread points per "
            "exchange in each county's and township's busiest period; moves are held at "
            "moves_bound, the fewest any rotation can make"
        ),
        "counties": [
            {
                "county_id": r.county,
                "status": r.status,
                "objective": _num(r.objective),
                "best_bound": _num(r.best_bound),
                "gap": _num(r.gap),
                "moves": r.moves,
                "moves_bound": r.moves_bound,
                "build_seconds": round(r.build_seconds, 3),
                "solve_seconds": round(r.solve_seconds, 3),
                "backend": r.backend,
                "kpis": r.kpis,
                "search": r.rounds,
            }
            for r in results
        ],
        "diagnostics": [d for r in results for d in r.diagnostics],
        "violations": violations,
    }


def write_rotation(
    out: Path, inst: Instance, results: list[RotationResult], summary_data: dict, periods: int
) -> None:
    rot = rotation_table(inst, results)
    write_csv(rot, out / "rotation.csv")
    write_csv(timeline_table(inst, rot, periods), out / "rotation_timeline.csv")
    write_csv(moves_table(inst, results), out / "rotation_moves.csv")
    write_json(summary_data, out / "rotation_summary.json")
