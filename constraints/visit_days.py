"""VISIT-DAYS (hard, §五(一)): each liaison officer is in each of his villages at least the monthly visit days, spread over the month."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="VISIT-DAYS",
    clause="§五(一)",
    kind="hard",
    subject="visit",
    summary="each liaison officer is in each of his villages at least the monthly visit days, spread over the month",
    summary_zh="每名包村民警每月在所包村工作不少于2天",
    params={
        "spacing": Param(
            "xun",
            "how visits spread over a month: 'xun' (one per 旬 of ten days) or 'half_month'",
            choices=("xun", "half_month"),
        ),
        "max_villages_per_day": Param(2, "most villages an officer visits on one day", minimum=1),
        "shared_day_km": Param(
            10.0, "two villages may share a day when they are at most this far apart", minimum=0
        ),
    },
)
