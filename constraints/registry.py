"""All rules, in the order of POLICY.md, and the module of each."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .base import Rule

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
    "aux_cover",
    "aux_fulltime",
    "aux_township",
    "aux_not_home",
    "aux_tenure",
    "aux_exchange",
    "aux_familiar",
    "visit_days",
    "visit_log",
)


def module(rule_id: str) -> ModuleType:
    """The module of a rule id: ``OFF-PREF`` -> ``constraints.off_pref``."""
    return import_module(f"{__package__}.{rule_id.lower().replace('-', '_')}")


RULES: dict[str, Rule] = {
    m.RULE.id: m.RULE for m in (import_module(f"{__package__}.{name}") for name in MODULES)
}
