"""AUX-COVER (hard, §一): every village has exactly one resident auxiliary."""

from __future__ import annotations

from .base import Rule

RULE = Rule(
    id="AUX-COVER",
    clause="§一",
    kind="hard",
    subject="auxiliary",
    summary="every village has exactly one resident auxiliary",
    summary_zh="每个行政村都有一名驻村辅警",
)
