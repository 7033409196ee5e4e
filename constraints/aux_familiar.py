"""AUX-FAMILIAR (soft, §二(二) 人熟、地熟、情况熟): prefer the own township over a neighbour, a short distance from home, the station's recommendations, and staying where rules allow."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="AUX-FAMILIAR",
    clause="§二(二) 人熟、地熟、情况熟",
    kind="soft",
    subject="auxiliary",
    summary="prefer the own township over a neighbour, a short distance from home, the station's recommendations, and staying where rules allow",
    summary_zh="人熟、地熟、情况熟：优先本乡镇、离家近、派出所推荐",
    weight=1.0,
    params={
        "same_township": Param(30.0, "points for serving in the own township", minimum=0),
        "per_km": Param(1.0, "points lost per km between home village and village", minimum=0),
        "recommended": Param(20.0, "points for a village the station recommends", minimum=0),
        "incumbent": Param(
            25.0, "points for keeping the incumbent auxiliary (plan_auxiliaries.csv)", minimum=0
        ),
    },
)
