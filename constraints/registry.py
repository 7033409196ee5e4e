"""All rules, in the order of POLICY.md, and the module of each."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import cast

from .base import HardRule, Rule, SoftPairRule

MODULES = (
    "off_cover",
    "off_load",
    "off_pref",
    "off_origin",
    "off_former",
    "off_traffic",
    "off_hotspot",
    "off_complex",
    "off_key",
    "off_cadre",
    "off_life",
    "off_continuity",
    "off_area",
    "aux_cover",
    "aux_fulltime",
    "aux_township",
    "aux_not_home",
    "aux_tenure",
    "aux_exchange",
    "aux_familiar",
    "visit_days",
    "visit_log",
    "aux_duty",
    "pub_board",
)


def module(rule_id: str) -> ModuleType:
    """The module of a rule id: ``OFF-PREF`` -> ``constraints.off_pref``."""
    return import_module(f"{__package__}.{rule_id.lower().replace('-', '_')}")


RULES: dict[str, Rule] = {
    m.RULE.id: m.RULE for m in (import_module(f"{__package__}.{name}") for name in MODULES)
}


def soft_rules(subject: str) -> list[SoftPairRule]:
    """The soft rules of ``subject`` ("officer"), in the order of POLICY.md."""
    return [
        cast(SoftPairRule, module(r.id))
        for r in RULES.values()
        if r.subject == subject and r.kind == "soft"
    ]


def hard_rules(*subjects: str) -> list[HardRule]:
    """The hard rules of the ``subjects``, in the order of POLICY.md."""
    return [
        cast(HardRule, module(r.id))
        for r in RULES.values()
        if r.subject in subjects and r.kind == "hard"
    ]


def judged_rules(policy, *subjects: str) -> list[HardRule]:
    """The rules a plan of the ``subjects`` is judged by under ``policy``: every hard rule
    switched on, and the soft rules the bureau made hard (``made_hard``)."""
    out = []
    for r in RULES.values():
        if r.subject not in subjects or not policy.rule(r.id).enabled:
            continue
        m = module(r.id)
        if r.kind == "hard" or (hasattr(m, "made_hard") and m.made_hard(policy)):
            out.append(cast(HardRule, m))
    return out
