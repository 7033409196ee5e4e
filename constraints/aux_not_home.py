"""AUX-NOT-HOME (hard, §二(二) 不得在本村产生): never in the auxiliary's own home village."""

from __future__ import annotations

from .base import Rule

RULE = Rule(
    id="AUX-NOT-HOME",
    clause="§二(二) 不得在本村产生",
    kind="hard",
    subject="auxiliary",
    summary="never in the auxiliary's own home village",
    summary_zh="驻村辅警不得在本村产生",
)
