"""VISIT-LOG (record, §五(一), §五(三)): every visit has a work log; compliance is checked monthly (月考评) and quarterly (季考核)."""

from __future__ import annotations

from .base import Param, Rule

RULE = Rule(
    id="VISIT-LOG",
    clause="§五(一), §五(三)",
    kind="record",
    subject="visit",
    summary="every visit has a work log; compliance is checked monthly (月考评) and quarterly (季考核)",
    summary_zh="每次驻村均录入工作日志，月考评、季考核",
    params={
        "monthly_pass_ratio": Param(
            1.0, "a month passes when logged days reach this share of the required days", minimum=0
        ),
        "quarterly_pass_months": Param(
            3, "a quarter passes when this many of its months pass", minimum=0, maximum=3
        ),
    },
)
