"""OFF-TRAFFIC (soft, §二(一) 交警沿交通线包村): traffic police take villages along traffic routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..optimizer.input.instance import Instance


from ..optimizer.i18n import N_
from .base import ROAD_CLASSES, Param, Rule, id_labels, weighted_points

RULE = Rule(
    id="OFF-TRAFFIC",
    clause="§二(一) 交警沿交通线包村",
    kind="soft",
    subject="officer",
    summary=N_("traffic police take villages along traffic routes"),
    statement=N_(
        "traffic police take villages along traffic routes: within {buffer_m} m of a road of "
        "the classes {road_classes}"
    ),
    weight=50.0,
    params={
        "buffer_m": Param(
            500.0,
            "a village lies along a traffic route when its area comes within this distance of a route road",
            minimum=0,
            maximum=20_000,
        ),
        "road_classes": Param(
            ("national", "provincial"),
            "road classes (geo.gpkg roads.class) that are traffic routes",
            items=ROAD_CLASSES,
        ),
    },
)


def match(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    """1 for a traffic officer on a village along a traffic route (given, or derived from roads
    buffered by ``buffer_m``)."""
    route = inst.villages["on_traffic_route"].reindex(pairs["village_id"]).to_numpy(bool)
    return ((pairs["category"].to_numpy(object) == "traffic") & route).astype(float)


def points(pairs: pd.DataFrame, inst: Instance, match: np.ndarray) -> np.ndarray:
    return weighted_points(RULE, match, inst)


def label(pairs: pd.DataFrame, inst: Instance) -> np.ndarray:
    return id_labels(RULE, len(pairs))
