"""AUX-TENURE (hard, §二(二) 定期交流，不得在同一行政村长期驻村): no one stays in the same village longer than the tenure limit, nor returns to a village left recently."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="AUX-TENURE",
    clause="§二(二) 定期交流，不得在同一行政村长期驻村",
    kind="hard",
    subject="auxiliary",
    summary="no one stays in the same village longer than the tenure limit, nor returns to a village left recently",
    summary_zh="定期交流，不得在同一行政村长期驻村",
    params={
        "periods": Param(
            3,
            "most consecutive periods in one village (periods of rotation.period_months)",
            minimum=1,
        ),
        "no_return_periods": Param(
            2, "periods after leaving a village before the auxiliary may return to it", minimum=0
        ),
    },
)
