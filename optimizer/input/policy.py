"""The planner's policy file (``policy.toml``): rule switches, weights and parameters.

Every key has a documented default (the rule modules declare theirs); unknown keys and values of
the wrong type are errors at ``policy.toml:line:key``. The file is data only: TOML has no way to
run code, and no key names a path.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...constraints.base import Param
from ...constraints.registry import RULES
from ..i18n import N_, _, language
from .problems import BundleError, ProblemLog

# Settings that belong to no single rule.
GLOBAL: dict[str, dict[str, Param]] = {
    "plan": {
        "start_month": Param(
            "",
            "first month of the plan (YYYY-MM); tenure is counted to it. Empty: the January "
            "after the latest month in aux_history.csv",
        ),
    },
    "rotation": {
        "period_months": Param(12, "length of one rotation period in months", minimum=1),
    },
    "geo": {
        "adjacency_tolerance_m": Param(
            50.0, "townships whose boundaries come this close count as neighbours", minimum=0
        ),
        "min_shared_border_m": Param(
            200.0,
            "and share at least this much boundary (a contact at one corner is no border)",
            minimum=0,
        ),
        "detour_factor": Param(
            1.3,
            "road distance as a multiple of the straight line, where no roads are given",
            minimum=1,
        ),
        "crs": Param("", "projected CRS for distances (e.g. 'EPSG:4548'); empty: the UTM zone"),
    },
    "solver": {
        "time_limit": Param(60.0, "seconds the solver may search (per county)", minimum=0),
        "workers": Param(
            1,
            "CP-SAT threads per county (1 is deterministic and, measured, as fast on 2 cores; "
            "more run CP-SAT's deterministic interleaved portfolio). Use --jobs to solve "
            "counties side by side",
            minimum=1,
        ),
        "seed": Param(0, "random seed of the solver", minimum=0),
        "candidate_neighbours": Param(
            12,
            "nearest officers kept as candidates of each village in a what-if re-plan",
            minimum=1,
        ),
        "candidate_by_bound": Param(
            6,
            "officers of each village with the best Lagrangian bound in the first search of a "
            "large county (the proof then adds every pair that could still improve the plan)",
            minimum=1,
        ),
        "proof_backend": Param(
            "highs",
            "solver of the widened model that proves the pruning (measured on the sample: HiGHS "
            "2.6 s, CP-SAT 13 s)",
            choices=("cp-sat", "highs"),
        ),
        "prune_above_pairs": Param(
            20000,
            "counties with more eligible officer-village pairs start from candidates (with the "
            "proof that the rest cannot help); smaller ones take every pair",
            minimum=0,
        ),
    },
}


class ReadOnlyDict(dict):
    """A dict that refuses changes (settings are read-only) and still pickles, which a
    MappingProxy does not: counties travel to worker processes with their policy."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("policy settings are read-only")

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _refuse

    def __reduce__(self):
        return (ReadOnlyDict, (dict(self),))


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    weight: float
    params: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True)
class Policy:
    """Resolved settings: every key present, defaults filled in. Read-only."""

    sections: Mapping[str, Mapping[str, Any]]
    rules: Mapping[str, RuleSettings]
    source: str = "defaults"

    def get(self, section: str, key: str) -> Any:
        return self.sections[section][key]

    def rule(self, rule_id: str) -> RuleSettings:
        return self.rules[rule_id]

    def weight(self, rule_id: str) -> float:
        """The weight of a soft rule, 0 when the rule is switched off."""
        r = self.rules[rule_id]
        return r.weight if r.enabled else 0.0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {s: dict(v) for s, v in self.sections.items()}
        out["rules"] = {
            rid: {"enabled": r.enabled, "weight": r.weight, **dict(r.params)}
            for rid, r in self.rules.items()
        }
        return out


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def default_policy() -> Policy:
    return _resolve({}, "defaults", ProblemLog(), {})


def load_policy(path: Path | None, label: str = "policy.toml") -> Policy:
    """Read a policy file (or the defaults when ``path`` is None); raise BundleError on problems."""
    if path is None:
        return default_policy()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = path.read_bytes().count(b"\n", 0, e.start) + 1
        raise BundleError.single(
            label, "policy.toml must be UTF-8 text (this line is not)", row
        ) from None
    except OSError as e:
        raise BundleError.single(label, f"cannot read the file: {e.strerror or e}") from None
    return parse_policy(text, label)


def parse_policy(text: str, label: str = "policy.toml") -> Policy:
    log = ProblemLog()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        row = int(m.group(1)) if m else 0
        col = f"column {m.group(2)}" if m else ""
        raise BundleError.single(label, f"not valid TOML: {e}", row, col) from None
    policy = _resolve(data, label, log, _key_lines(text))
    log.raise_if_errors()
    return policy


def policy_from_mapping(
    values: Mapping[str, Any], label: str, rows: Mapping[str, int] | None = None
) -> Policy:
    """A policy from flat ``section.key`` / ``rules.ID.key`` pairs (the workbook's policy sheet);
    ``rows`` gives the row of each key for the problems."""
    rows = rows or {}
    log = ProblemLog()
    nested: dict[str, Any] = {}
    lines: dict[tuple[str, ...], int] = {}
    for dotted, value in values.items():
        parts = tuple(dotted.split("."))
        node = nested
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                log.error(label, rows.get(dotted, 0), dotted, f"'{p}' is given a value above")
                break
        else:
            node[parts[-1]] = _coerce_text(value)
            lines.setdefault(parts, rows.get(dotted, 0))
            for k in range(1, len(parts)):
                lines.setdefault(parts[:k], rows.get(dotted, 0))
    policy = _resolve(nested, label, log, lines)
    log.raise_if_errors()
    return policy


def _coerce_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of each key, so problems can point at it (tomllib keeps no positions)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("[") and not s.startswith("[["):
            table = tuple(p.strip().strip('"') for p in s.strip("[]").split("."))
            lines.setdefault(table, n)
        elif "=" in s and not s.startswith("#"):
            key = s.split("=", 1)[0].strip().strip('"')
            lines.setdefault((*table, *key.split(".")), n)
    return lines


def _check_value(name: str, param: Param, value: Any) -> tuple[Any, str | None]:
    want = param.type
    if want is bool:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if want is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "must be a number"
        value = float(value)
        if not math.isfinite(value):
            return None, "must be a finite number"
    elif want is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, "must be a whole number"
    elif want is str:
        if not isinstance(value, str):
            return None, "must be a string"
        if param.choices and value not in param.choices:
            return None, f"must be one of {', '.join(param.choices)}"
    elif want is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "must be a list of strings"
        value = tuple(value)
    if param.minimum is not None and value < param.minimum:
        return None, f"must be at least {param.minimum:g}"
    if param.maximum is not None and value > param.maximum:
        return None, f"must be at most {param.maximum:g}"
    check = _VALUE_CHECKS.get(name)
    err = check(value) if check and value != "" else None
    return (None, err) if err else (value, None)


def _crs_problem(value: str) -> str | None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(value)
    except CRSError:
        return f"must be a known CRS such as 'EPSG:4548', got '{value}'"
    if not crs.is_projected:
        return f"must be a projected CRS in metres such as 'EPSG:4548', got '{value}'"
    return None


def _month_problem(value: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    return None if m and 1 <= int(m.group(2)) <= 12 else f"must be a month YYYY-MM, got '{value}'"


# Keys whose values have a form beyond their type.
_VALUE_CHECKS = {"crs": _crs_problem, "start_month": _month_problem}


def _resolve(
    data: Mapping[str, Any], label: str, log: ProblemLog, lines: dict[tuple[str, ...], int]
) -> Policy:
    def where(*key: str) -> int:
        for k in range(len(key), 0, -1):
            if key[:k] in lines:
                return lines[key[:k]]
        return 0

    sections: dict[str, Mapping[str, Any]] = {}
    for section, params in GLOBAL.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            log.error(label, where(section), section, f"[{section}] must be a table")
            given = {}
        values = {k: _freeze(p.default) for k, p in params.items()}
        for key, value in given.items():
            if key not in params:
                known = ", ".join(params)
                log.error(
                    label,
                    where(section, key),
                    f"{section}.{key}",
                    f"unknown key '{key}' in [{section}] (known: {known})",
                )
                continue
            checked, err = _check_value(key, params[key], value)
            if err:
                log.error(label, where(section, key), f"{section}.{key}", f"'{key}' {err}")
            else:
                values[key] = checked
        sections[section] = ReadOnlyDict(values)

    rules_given = data.get("rules", {})
    if not isinstance(rules_given, dict):
        log.error(label, where("rules"), "rules", "[rules] must be a table of rule ids")
        rules_given = {}
    for rid in rules_given:
        if rid not in RULES:
            log.error(
                label,
                where("rules", rid),
                f"rules.{rid}",
                f"unknown rule '{rid}' (rules are the ids of POLICY.md, e.g. OFF-PREF)",
            )
    rules: dict[str, RuleSettings] = {}
    for rid, rule in RULES.items():
        given = rules_given.get(rid, {})
        if not isinstance(given, dict):
            log.error(label, where("rules", rid), f"rules.{rid}", f"[rules.{rid}] must be a table")
            given = {}
        enabled, weight = True, rule.weight
        params = {k: _freeze(p.default) for k, p in rule.params.items()}
        for key, value in given.items():
            loc = f"rules.{rid}.{key}"
            row = where("rules", rid, key)
            if key == "enabled":
                if isinstance(value, bool):
                    enabled = value
                else:
                    log.error(label, row, loc, "'enabled' must be true or false")
            elif key == "weight":
                if rule.kind != "soft":
                    log.error(label, row, loc, f"{rid} is a {rule.kind} rule and has no weight")
                elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    log.error(label, row, loc, "'weight' must be a number of at least 0")
                else:
                    weight = float(value)
            elif key in rule.params:
                checked, err = _check_value(key, rule.params[key], value)
                if err:
                    log.error(label, row, loc, f"'{key}' {err}")
                else:
                    params[key] = checked
            else:
                known = ", ".join(
                    ["enabled", *(["weight"] if rule.kind == "soft" else []), *rule.params]
                )
                log.error(label, row, loc, f"unknown key '{key}' for {rid} (known: {known})")
        rules[rid] = RuleSettings(enabled, weight, ReadOnlyDict(params))

    for section in data:
        if section not in GLOBAL and section != "rules":
            log.error(
                label,
                where(section),
                section,
                f"unknown section [{section}] (known: {', '.join([*GLOBAL, 'rules'])})",
            )
    return Policy(ReadOnlyDict(sections), ReadOnlyDict(rules), label)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, tuple):
        return "[" + ", ".join(f'"{x}"' for x in v) + "]"
    return repr(v)


RULE_KINDS = {"hard": N_("hard rule"), "soft": N_("soft rule"), "record": N_("record")}


def defaults_toml() -> str:
    """A policy.toml holding every key at its default, each with its documentation (in the
    planner's language: the parameters' docs are in the message catalogue)."""
    out = [
        "# "
        + _("cunjing policy: every key below is at its default; delete what you do not change."),
        "",
    ]
    for section, params in GLOBAL.items():
        out.append(f"[{section}]")
        for key, p in params.items():
            out.append(f"{key} = {_toml_value(p.default)}  # {_(p.doc)}")
        out.append("")
    for rid, rule in RULES.items():
        summary = rule.summary_zh if language() == "zh" else rule.summary
        out.append(f"[rules.{rid}]  # {_(RULE_KINDS[rule.kind])}, {rule.clause}: {summary}")
        out.append("enabled = true")
        if rule.kind == "soft":
            out.append(f"weight = {rule.weight!r}  # " + _("points per matched pair"))
        for key, p in rule.params.items():
            out.append(f"{key} = {_toml_value(p.default)}  # {_(p.doc)}")
        out.append("")
    return "\n".join(out)


def policy_toml(policy: Policy) -> str:
    """The resolved policy as a TOML file that loads back to the same settings."""
    out = []
    for section, values in policy.sections.items():
        out.append(f"[{section}]")
        out += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
        out.append("")
    for rid, r in policy.rules.items():
        out.append(f"[rules.{rid}]")
        out.append(f"enabled = {_toml_value(r.enabled)}")
        if RULES[rid].kind == "soft":
            out.append(f"weight = {r.weight!r}")
        out += [f"{k} = {_toml_value(v)}" for k, v in r.params.items()]
        out.append("")
    return "\n".join(out)
