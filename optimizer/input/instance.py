"""The immutable problem data every command works on, and what is derived from it once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd

from .geo import GeoLayers, TravelNetwork
from .policy import Policy
from .problems import Problem
from .schema import TABLES
from .service import ServiceRecord, service_record
from .workdays import MonthDays, month_days, parse_month


def _no_rows(table: str):
    """An empty table with its contract columns (optional tables a bundle may leave out)."""
    return lambda: pd.DataFrame(
        {c.name: pd.Series([], dtype=object) for c in TABLES[table].columns}
    )


ROAD_MARGIN_M = 20_000.0  # roads kept around a county when it is planned on its own


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated bundle. Tables are indexed by their id; treat them as read-only.

    Derived columns: ``villages.county_id``, ``x``/``y`` (metres in ``crs``), ``on_traffic_route``
    (given, else from roads); ``officers.base_x``/``base_y``, ``available_days`` and
    ``max_villages`` with policy defaults filled in; ``auxiliaries.home_township_id`` and
    ``home_x``/``home_y``; ``adjacency``, the township graph.
    """

    townships: pd.DataFrame
    villages: pd.DataFrame
    officers: pd.DataFrame
    auxiliaries: pd.DataFrame
    adjacency: nx.Graph
    township_neighbours: pd.DataFrame  # the given list; ``adjacency`` merges it with polygons
    aux_history: pd.DataFrame
    plan_officers: pd.DataFrame
    plan_auxiliaries: pd.DataFrame
    pairs: pd.DataFrame
    geo: GeoLayers
    network: TravelNetwork
    policy: Policy
    crs: str
    start_month: str  # YYYY-MM, the first month of the plan
    source: str
    fingerprint: str  # sha256 of the input files
    warnings: tuple[Problem, ...] = ()
    unavailable: pd.DataFrame = field(default_factory=_no_rows("unavailable"))  # officer days off
    holidays: pd.DataFrame = field(default_factory=_no_rows("holidays"))  # overrides the package
    # AUX-TOWNSHIP's named exceptions (auxiliary_id, village_id, reason)
    auxiliary_exceptions: pd.DataFrame = field(default_factory=_no_rows("auxiliary_exceptions"))
    # 责任区民警 (officer_id, village_id), given or derived (``derived`` column)
    responsibility_areas: pd.DataFrame = field(default_factory=_no_rows("responsibility_areas"))
    auxiliary_duty: pd.DataFrame = field(default_factory=_no_rows("auxiliary_duty"))
    followups: pd.DataFrame = field(default_factory=_no_rows("followups"))  # §五(三) 电话回访
    ratings: pd.DataFrame = field(default_factory=_no_rows("ratings"))  # §五(三) 群众评议

    @property
    def counties(self) -> list[str]:
        return sorted(self.townships["county_id"].unique().tolist())

    @cached_property
    def county_names(self) -> dict[str, str]:
        names = self.townships.groupby("county_id")["county_name"].first()
        return {c: (n or c) for c, n in names.items()}

    @cached_property
    def county_rows(self) -> dict[str, dict[str, np.ndarray]]:
        """Each table's row positions per county, found once (a province cut into its counties
        one by one would otherwise scan every table once a county). A row of a table that joins
        two parties (a pair, an incumbent pair) belongs to a county when both do."""
        of_township = self.townships["county_id"]
        of_village = self.villages["county_id"]
        of_officer = self.officers["county_id"]
        of_aux = self.auxiliaries["county_id"]

        def both(a: pd.Series, b: pd.Series) -> np.ndarray:
            a, b = a.to_numpy(object), b.to_numpy(object)
            return np.where(a == b, a, None)

        keys = {
            "townships": of_township.to_numpy(object),
            "villages": of_village.to_numpy(object),
            "officers": of_officer.to_numpy(object),
            "auxiliaries": of_aux.to_numpy(object),
            "township_neighbours": self.township_neighbours["township_id"]
            .map(of_township)
            .to_numpy(object),
            "aux_history": self.aux_history["auxiliary_id"].map(of_aux).to_numpy(object),
            "plan_officers": both(
                pd.Series(self.plan_officers.index).map(of_village),
                self.plan_officers["officer_id"].map(of_officer),
            ),
            "plan_auxiliaries": both(
                pd.Series(self.plan_auxiliaries.index).map(of_village),
                self.plan_auxiliaries["auxiliary_id"].map(of_aux),
            ),
            "pairs": both(
                self.pairs["officer_id"].map(of_officer), self.pairs["village_id"].map(of_village)
            ),
            "unavailable": self.unavailable["officer_id"].map(of_officer).to_numpy(object),
            "auxiliary_exceptions": both(
                self.auxiliary_exceptions["auxiliary_id"].map(of_aux),
                self.auxiliary_exceptions["village_id"].map(of_village),
            ),
            "responsibility_areas": self.responsibility_areas["village_id"]
            .map(of_village)
            .to_numpy(object),
            "auxiliary_duty": self.auxiliary_duty["auxiliary_id"].map(of_aux).to_numpy(object),
        }
        if self.geo.townships is not None:
            keys["geo_townships"] = (
                self.geo.townships["township_id"].map(of_township).to_numpy(object)
            )
        if self.geo.villages is not None:
            keys["geo_villages"] = self.geo.villages["village_id"].map(of_village).to_numpy(object)
        out: dict[str, dict[str, np.ndarray]] = {c: {} for c in self.counties}
        for table, key in keys.items():
            groups = pd.Series(np.arange(len(key))).groupby(pd.Series(key), sort=False).indices
            for c in out:
                out[c][table] = np.asarray(groups.get(c, np.empty(0, dtype=np.intp)))
        return out

    def county(self, county_id: str) -> Instance:
        """The part of the bundle one county plans on its own: its townships, villages, officers
        and auxiliaries (counties own their people, so a city or province decomposes by county).
        """
        rows = self.county_rows.get(county_id) or {}

        def part(frame: pd.DataFrame, table: str) -> pd.DataFrame:
            return frame.iloc[rows.get(table, np.empty(0, dtype=np.intp))]

        tw = part(self.townships, "townships")
        vil = part(self.villages, "villages")
        off = part(self.officers, "officers")
        aux = part(self.auxiliaries, "auxiliaries")
        adj = self.adjacency.subgraph(tw.index).copy()
        roads, network = self.geo.roads, self.network
        if roads is not None and len(vil):
            # the county's roads and a margin around it: a worker gets its county, not the
            # province's road network
            pts = np.vstack(
                [vil[["x", "y"]].to_numpy(float), off[["base_x", "base_y"]].to_numpy(float)]
            )
            pts = pts[~np.isnan(pts).any(axis=1)]
            lo, hi = pts.min(axis=0) - ROAD_MARGIN_M, pts.max(axis=0) + ROAD_MARGIN_M
            roads = roads.cx[lo[0] : hi[0], lo[1] : hi[1]]
            network = TravelNetwork(roads, self.network.detour)
        return replace(
            self,
            townships=tw,
            villages=vil,
            officers=off,
            auxiliaries=aux,
            adjacency=adj,
            township_neighbours=part(self.township_neighbours, "township_neighbours"),
            aux_history=part(self.aux_history, "aux_history"),
            plan_officers=part(self.plan_officers, "plan_officers"),
            plan_auxiliaries=part(self.plan_auxiliaries, "plan_auxiliaries"),
            pairs=part(self.pairs, "pairs"),
            unavailable=part(self.unavailable, "unavailable"),
            auxiliary_exceptions=part(self.auxiliary_exceptions, "auxiliary_exceptions"),
            responsibility_areas=part(self.responsibility_areas, "responsibility_areas"),
            auxiliary_duty=part(self.auxiliary_duty, "auxiliary_duty"),
            geo=GeoLayers(
                None if self.geo.townships is None else part(self.geo.townships, "geo_townships"),
                None if self.geo.villages is None else part(self.geo.villages, "geo_villages"),
                roads,
            ),
            network=network,
        )

    def distance_km(self, src_xy: np.ndarray, dst_xy: np.ndarray) -> np.ndarray:
        """Travel km between points (rows x, y in metres of ``crs``); NaN where unknown."""
        return self.network.distance_km(src_xy, dst_xy)

    def officer_village_km(self, officer_ids=None, village_ids=None) -> pd.DataFrame:
        off = self.officers if officer_ids is None else self.officers.loc[officer_ids]
        vil = self.villages if village_ids is None else self.villages.loc[village_ids]
        km = self.distance_km(off[["base_x", "base_y"]].to_numpy(), vil[["x", "y"]].to_numpy())
        return pd.DataFrame(km, index=off.index, columns=vil.index)

    def pair_km(self, officer_ids: np.ndarray, village_ids: np.ndarray) -> np.ndarray:
        """Travel km of each (officer, village) pair given, from one matrix per county block
        (never all officers by all villages)."""
        out = np.full(len(officer_ids), np.nan)
        county = self.officers["county_id"].reindex(officer_ids).to_numpy(object)
        for c in pd.unique(county):
            sel = np.flatnonzero(county == c)
            # hashed, not sorted: a county's 60,000 pairs' ids in a third of the time
            io, uo = pd.factorize(officer_ids[sel])
            iv, uv = pd.factorize(village_ids[sel])
            km = self.officer_village_km(uo, uv)
            out[sel] = km.to_numpy()[io, iv]
        return out

    def pair_overrides(self, officer_ids: np.ndarray, village_ids: np.ndarray) -> pd.DataFrame:
        """pairs.csv's ``workload_days``, ``score`` and ``forbidden`` for each pair given (NaN
        where not given; the last row of a pair listed twice)."""
        over = self.pairs.set_index(["officer_id", "village_id"])
        over = over[~over.index.duplicated(keep="last")]
        return over.reindex(pd.MultiIndex.from_arrays([officer_ids, village_ids]))

    def auxiliary_village_km(self, auxiliary_ids=None, village_ids=None) -> pd.DataFrame:
        aux = self.auxiliaries if auxiliary_ids is None else self.auxiliaries.loc[auxiliary_ids]
        vil = self.villages if village_ids is None else self.villages.loc[village_ids]
        km = self.distance_km(aux[["home_x", "home_y"]].to_numpy(), vil[["x", "y"]].to_numpy())
        return pd.DataFrame(km, index=aux.index, columns=vil.index)

    def month_days(
        self,
        month: str,
        spacing: str,
        weekends: bool = False,
        unavailable: pd.DataFrame | None = None,
    ) -> MonthDays:
        """A month's (YYYY-MM) working days by the bundle's holidays, split by ``spacing``,
        and the officers' days off (``unavailable.csv`` and the extra rows given)."""
        off = (
            self.unavailable if unavailable is None else pd.concat([self.unavailable, unavailable])
        )
        y, m = parse_month(month)
        days, _ = month_days(self.holidays, off, y, m, spacing, weekends)
        return days

    @cached_property
    def service(self) -> ServiceRecord:
        """The auxiliaries' service record in months and plan periods (``aux_history``)."""
        return service_record(self)

    def neighbour_townships(self, township_id: str) -> list[str]:
        return sorted(self.adjacency.neighbors(township_id))

    def summary(self) -> dict:
        """Counts per county, township and category (what ``cunjing validate`` prints)."""
        v, o, a = self.villages, self.officers, self.auxiliaries
        counties = []
        for cid in self.counties:
            cv, co, ca = (
                v[v["county_id"] == cid],
                o[o["county_id"] == cid],
                a[a["county_id"] == cid],
            )
            counties.append(
                {
                    "county_id": cid,
                    "name": self.county_names.get(cid, cid),
                    "townships": int((self.townships["county_id"] == cid).sum()),
                    "villages": len(cv),
                    "village_kinds": cv["kind"].value_counts().sort_index().to_dict(),
                    "officers": len(co),
                    "officer_categories": co["category"].value_counts().sort_index().to_dict(),
                    "officer_days": float(co["available_days"].sum()),
                    "auxiliaries": len(ca),
                    "leaving": int(
                        (co["status"] == "leaving").sum() + (ca["status"] == "leaving").sum()
                    ),
                }
            )
        per_township = (
            v.groupby("township_id")
            .size()
            .rename("villages")
            .to_frame()
            .join(a.groupby("home_township_id").size().rename("auxiliaries_at_home"))
            .fillna(0)
            .astype(int)
        )
        return {
            "villages": len(v),
            "townships": len(self.townships),
            "officers": len(o),
            "auxiliaries": len(a),
            "adjacency_edges": self.adjacency.number_of_edges(),
            "on_traffic_route": int(v["on_traffic_route"].sum()),
            "counties": counties,
            "townships_detail": [
                {"township_id": t, "name": self.townships.at[t, "name"], **row}
                for t, row in per_township.to_dict("index").items()
            ],
        }
