"""AUX-TOWNSHIP (hard, §二(二) 原则上从本乡镇或相邻乡镇产生): the auxiliary comes from the village's own township or a neighbouring township."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="AUX-TOWNSHIP",
    clause="§二(二) 原则上从本乡镇或相邻乡镇产生",
    kind="hard",
    subject="auxiliary",
    summary="the auxiliary comes from the village's own township or a neighbouring township",
    summary_zh="驻村辅警原则上从本乡镇或相邻乡镇产生",
    params={
        "allow_neighbours": Param(
            True, "a neighbouring township's auxiliaries may serve (false: own township only)"
        ),
        "across_counties": Param(
            False,
            "a neighbouring township across a county line counts as a neighbour (counties plan their own auxiliaries, so off by default)",
        ),
    },
)
