"""AUX-FULLTIME (hard, §三(三) 专职化): an auxiliary is stationed in at most one village."""

from __future__ import annotations

from .base import Rule

RULE = Rule(
    id="AUX-FULLTIME",
    clause="§三(三) 专职化",
    kind="hard",
    subject="auxiliary",
    summary="an auxiliary is stationed in at most one village",
    summary_zh="驻村辅警专职化，只驻一个村",
)
