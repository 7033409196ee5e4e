"""AUX-EXCHANGE (hard, §二(二) 定期交流; design card): at most a share of all auxiliaries, and a count per township, move in one period."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="AUX-EXCHANGE",
    clause="§二(二) 定期交流; design card",
    kind="hard",
    subject="rotation",
    summary="at most a share of all auxiliaries, and a count per township, move in one period",
    summary_zh="每期交流人数不超过辅警总数的一定比例，每个乡镇不超过一定人数",
    params={
        "share": Param(
            0.4,
            "most villages, as a share of all auxiliaries, that change auxiliary in one period",
            minimum=0,
            maximum=1,
        ),
        "per_township": Param(
            8, "most villages of one township that change auxiliary in one period", minimum=0
        ),
    },
)
