"""The planner's policy file (``policy.toml``): rule switches, weights and parameters.

The rule modules declare every parameter (``RULE = Rule(..., params={...})`` in
``constraints/``): its default, meaning and range. This module turns those declarations into a
pydantic schema (``policy_model``), so the declarations stay the single source of each parameter
(a rule and its parameters live in one module, which the rules' own tests and ``cunjing policy``
read) and pydantic does the checking: types without coercion (``"2"`` is not 2, ``true`` is not
1), finite numbers within each parameter's range (``inf``, ``nan``, ``1e300`` and integers of
thousands of digits are refused), the values a list may hold (``categories = ["organs"]``), and
unknown keys. Every problem is reported at ``policy.toml:line:key``; hard rules a plan cannot do
without refuse ``enabled = false`` by name. The same models can drive a settings form.

The file is data only: TOML has no way to run code, and no key names a path.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel

from ...constraints.base import Param, Rule
from ...constraints.registry import RULES
from ..i18n import N_, _, language
from .problems import BundleError, ProblemLog

# The most a weight may be: a first wish is 100 points; a weight far above every other's would
# only make the solver's numbers large (the solvers count in hundredths, in 64-bit integers).
MAX_WEIGHT = 10_000.0
MAX_TEXT = 200  # characters of a text value
MAX_ITEMS = 50  # values of a list

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
        "period_months": Param(
            12, "length of one rotation period in months", minimum=1, maximum=120
        ),
        "periods": Param(
            5,
            "periods a rotation plans (cunjing rotate's default); the annual plan is its first "
            "period and leaves the periods after it room for AUX-TENURE and AUX-EXCHANGE",
            minimum=1,
            maximum=50,
        ),
    },
    "geo": {
        "adjacency_tolerance_m": Param(
            50.0,
            "townships whose boundaries come this close count as neighbours",
            minimum=0,
            maximum=10_000,
        ),
        "min_shared_border_m": Param(
            200.0,
            "and share at least this much boundary (a contact at one corner is no border)",
            minimum=0,
            maximum=100_000,
        ),
        "detour_factor": Param(
            1.3,
            "road distance as a multiple of the straight line, where no roads are given",
            minimum=1,
            maximum=5,
        ),
        "crs": Param("", "projected CRS for distances (e.g. 'EPSG:4548'); empty: the UTM zone"),
    },
    "solver": {
        "time_limit": Param(
            60.0, "seconds the solver may search (per county)", minimum=0, maximum=86_400
        ),
        "workers": Param(
            1,
            "CP-SAT threads per county (1 is deterministic and, measured, as fast on 2 cores; "
            "more run CP-SAT's deterministic interleaved portfolio). Use --jobs to solve "
            "counties side by side",
            minimum=1,
            maximum=256,
        ),
        "seed": Param(0, "random seed of the solver", minimum=0, maximum=2**31 - 1),
        "candidate_neighbours": Param(
            12,
            "nearest officers kept as candidates of each village in a what-if re-plan",
            minimum=1,
            maximum=1_000,
        ),
        "candidate_by_bound": Param(
            4,
            "officers of each village with the best Lagrangian bound in the first search of a "
            "large county (the proof then adds every pair that could still improve the plan)",
            minimum=1,
            maximum=1_000,
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
            maximum=10**9,
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


# ---------------------------------------------------------------- the schema


def _crs(value: str) -> str:
    if not value:
        return value
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(value)
    except CRSError:
        raise ValueError(
            _("must be a known CRS such as 'EPSG:4548', got '{value}'").format(value=value)
        ) from None
    if not crs.is_projected:
        raise ValueError(
            _("must be a projected CRS in metres such as 'EPSG:4548', got '{value}'").format(
                value=value
            )
        )
    return value


def _month(value: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if value and not (m and 1990 <= int(m.group(1)) <= 2200 and 1 <= int(m.group(2)) <= 12):
        raise ValueError(_("must be a month YYYY-MM, got '{value}'").format(value=value))
    return value


# Keys whose values have a form beyond their type.
_VALUE_CHECKS = {"crs": _crs, "start_month": _month}


def _number(p: Param, whole: bool) -> Any:
    """A validator of a number parameter: no bool, no text, finite, within the range; whole
    numbers only where the default is one. Raised before pydantic's own checks so that a huge
    integer or ``nan`` gets the planner's words, not a conversion error."""

    from pydantic import BeforeValidator
    from pydantic_core import PydanticCustomError

    def check(value: Any) -> Any:
        if value == "auto" and p.default == "auto":
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PydanticCustomError("int_type" if whole else "float_type", "wrong type")
        if whole and not isinstance(value, int):
            raise PydanticCustomError("int_type", "not a whole number")
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("finite_number", "not finite")
        if p.minimum is not None and value < p.minimum:
            raise PydanticCustomError("greater_than_equal", "too small", {"ge": p.minimum})
        if p.maximum is not None and value > p.maximum:
            raise PydanticCustomError("less_than_equal", "too large", {"le": p.maximum})
        return value if whole else float(value)

    return BeforeValidator(check)


def _annotation(name: str, p: Param) -> Any:
    """The pydantic type of a parameter: strict, finite and within its range."""
    from pydantic import AfterValidator, Field, StrictBool, StrictStr

    rng = {"ge": p.minimum, "le": p.maximum}
    if isinstance(p.default, bool):
        return StrictBool
    if isinstance(p.default, tuple):
        item = Literal[p.items] if p.items else Annotated[StrictStr, Field(max_length=MAX_TEXT)]
        return Annotated[list[item], Field(max_length=MAX_ITEMS)]  # type: ignore[valid-type]
    if p.choices:
        return Literal[p.choices]  # type: ignore[valid-type]
    if isinstance(p.default, int):
        return Annotated[int, Field(**rng), _number(p, True)]
    if isinstance(p.default, float):
        return Annotated[float, Field(**rng), _number(p, False)]
    if p.default == "auto":  # a number, or "auto" (see the parameter's doc)
        return Annotated[float | Literal["auto"], _number(p, False)]
    check = _VALUE_CHECKS.get(name)
    text = Annotated[StrictStr, Field(max_length=MAX_TEXT)]
    return Annotated[text, AfterValidator(check)] if check else text


def _model(name: str, params: Mapping[str, Param], extra: dict | None = None) -> type[BaseModel]:
    from pydantic import ConfigDict, Field, create_model

    fields: dict[str, Any] = dict(extra or {})
    for key, p in params.items():
        default = list(p.default) if isinstance(p.default, tuple) else p.default
        fields[key] = (_annotation(key, p), Field(default=default, description=p.doc))
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def _rule_model(rule: Rule) -> type[BaseModel]:
    from pydantic import Field, StrictBool

    extra: dict[str, Any] = {"enabled": (StrictBool, Field(default=True))}
    if rule.kind == "soft":
        p = Param(rule.weight, "points per matched pair", minimum=0, maximum=MAX_WEIGHT)
        extra["weight"] = (_annotation("weight", p), Field(default=rule.weight))
    return _model(rule.id.replace("-", "_"), rule.params, extra)


@cache
def policy_model() -> type[BaseModel]:
    """The pydantic model of a whole policy file: ``[plan]``, ``[rotation]``, ``[geo]``,
    ``[solver]`` and ``[rules.ID]``, generated from the rule modules' declarations (pydantic
    is imported here: a run without a policy file, the defaults, needs neither it nor the
    0.4 s the models take to build)."""
    from pydantic import ConfigDict, Field, create_model

    rule_fields = {
        rid.replace("-", "_"): (_rule_model(rule), Field(default_factory=dict, alias=rid))
        for rid, rule in RULES.items()
    }
    rules = create_model(
        "Rules", __config__=ConfigDict(extra="forbid", validate_default=True), **rule_fields
    )
    sections = {
        section: (_model(section.title(), params), Field(default_factory=dict))
        for section, params in GLOBAL.items()
    }
    return create_model(
        "PolicyFile",
        __config__=ConfigDict(extra="forbid", validate_default=True),
        rules=(rules, Field(default_factory=dict)),
        **sections,
    )


# ---------------------------------------------------------------- reading


def default_policy() -> Policy:
    return _resolve({}, "defaults", ProblemLog(), {})


def load_policy(path: Path | None, label: str = "policy.toml") -> Policy:
    """Read a policy file (or the defaults when ``path`` is None); raise BundleError on problems."""
    if path is None:
        return default_policy()
    try:
        data = path.read_bytes()
        if len(data) > 1_000_000:
            raise BundleError.single(label, _("policy.toml is larger than 1 MB: not a policy"))
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = data.count(b"\n", 0, e.start) + 1
        raise BundleError.single(
            label, _("policy.toml must be UTF-8 text (this line is not)"), row
        ) from None
    except OSError as e:
        raise BundleError.single(
            label, _("cannot read the file: {reason}").format(reason=e.strerror or e)
        ) from None
    return parse_policy(text, label)


def _toml(text: str, label: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        row = int(m.group(1)) if m else 0
        col = f"column {m.group(2)}" if m else ""
        raise BundleError.single(
            label, _("not valid TOML: {reason}").format(reason=e), row, col
        ) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        raise BundleError.single(
            label, _("a number with thousands of digits: no setting is that large")
        ) from None
    except RecursionError:
        raise BundleError.single(label, _("values nested thousands deep: not a policy")) from None


def parse_policy(text: str, label: str = "policy.toml") -> Policy:
    log = ProblemLog()
    policy = _resolve(_toml(text, label), label, log, _key_lines(text))
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
                log.error(
                    label,
                    rows.get(dotted, 0),
                    dotted,
                    _("'{key}' is given a value above").format(key=p),
                )
                break
        else:
            try:
                node[parts[-1]] = _coerce_text(value)
            except ValueError:
                log.error(
                    label, rows.get(dotted, 0), dotted, _("a number with thousands of digits")
                )
                continue
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
    except (tomllib.TOMLDecodeError, RecursionError):
        return value


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of each key, so problems can point at it (tomllib keeps no positions)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("[") and not s.startswith("[["):
            table = tuple(p.strip().strip('"') for p in s.strip("[]").split("."))
            for k in range(1, len(table) + 1):
                lines.setdefault(table[:k], n)
        elif "=" in s and not s.startswith("#"):
            key = s.split("=", 1)[0].strip().strip('"')
            lines.setdefault((*table, *key.split(".")), n)
    return lines


def _limit(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def _problem(err: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """A pydantic error as (the key's path, the planner's message)."""
    loc = tuple(str(x) for x in err["loc"])
    kind, ctx = err["type"], err.get("ctx", {})
    items = [x for x in err["loc"] if isinstance(x, int)]
    path = tuple(x for x in loc if not x.isdigit())
    key = path[-1] if path else ""
    known_of = _known(path[:-1])
    if kind == "extra_forbidden":
        if len(path) == 1:
            msg = _("unknown section [{section}] (known: {known})").format(
                section=key, known=", ".join(known_of)
            )
        elif path[0] == "rules" and len(path) == 2:
            msg = _("unknown rule '{rule}' (rules are the ids of POLICY.md, e.g. OFF-PREF)").format(
                rule=key
            )
        elif path[0] == "rules" and key == "weight":
            rule = RULES[path[1]]
            msg = _("{rule} is a {kind} rule and has no weight").format(
                rule=rule.id, kind=_(rule.kind)
            )
        elif path[0] == "rules":
            msg = _("unknown key '{key}' for {rule} (known: {known})").format(
                key=key, rule=path[1], known=", ".join(known_of)
            )
        else:
            msg = _("unknown key '{key}' in [{section}] (known: {known})").format(
                key=key, section=path[0], known=", ".join(known_of)
            )
        return path, msg
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if path == ("rules",):
            return path, _("[rules] must be a table of rule ids")
        return path, _("[{table}] must be a table").format(table=".".join(path))
    what = {
        "bool_type": _("must be true or false"),
        "int_type": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "float_type": _("must be a number"),
        "finite_number": _("must be a finite number"),
        "string_type": _("must be a string"),
        "list_type": _("must be a list of strings"),
    }.get(kind)
    if what is None and kind == "greater_than_equal":
        what = _("must be at least {limit}").format(limit=_limit(ctx.get("ge")))
    elif what is None and kind == "less_than_equal":
        what = _("must be at most {limit}").format(limit=_limit(ctx.get("le")))
    elif what is None and kind == "literal_error":
        what = _("must be one of {choices}, got '{value}'").format(
            choices=ctx.get("expected", ""), value=err.get("input")
        )
    elif what is None and kind in ("string_too_long", "too_long"):
        what = _("is too long (at most {limit})").format(limit=ctx.get("max_length"))
    elif what is None and kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    elif what is None:
        what = err["msg"]
    if items:
        return path, _("'{key}' item {n}: {problem}").format(key=key, n=items[0] + 1, problem=what)
    return path, _("'{key}' {problem}").format(key=key, problem=what)


def _known(path: tuple[str, ...]) -> list[str]:
    """The keys a table of the policy knows."""
    if not path:
        return [*GLOBAL, "rules"]
    if path[0] == "rules" and len(path) == 2 and path[1] in RULES:
        rule = RULES[path[1]]
        return ["enabled", *(["weight"] if rule.kind == "soft" else []), *rule.params]
    if path[0] in GLOBAL and len(path) == 1:
        return list(GLOBAL[path[0]])
    return []


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _resolve(
    data: Mapping[str, Any], label: str, log: ProblemLog, lines: dict[tuple[str, ...], int]
) -> Policy:
    def where(path: tuple[str, ...]) -> int:
        for k in range(len(path), 0, -1):
            if path[:k] in lines:
                return lines[path[:k]]
        return 0

    if not data:
        return _from_declarations(label)
    from pydantic import ValidationError

    try:
        model = policy_model().model_validate(data)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            path, msg = _problem(err)
            log.error(label, where(path), ".".join(path), msg)
        return _defaults()
    except RecursionError:
        log.error(label, 0, "", _("values nested thousands deep: not a policy"))
        return _defaults()
    sections = {
        section: ReadOnlyDict(
            {k: _freeze(v) for k, v in getattr(model, section).model_dump().items()}
        )
        for section in GLOBAL
    }
    rules: dict[str, RuleSettings] = {}
    for rid, rule in RULES.items():
        given = getattr(model.rules, rid.replace("-", "_")).model_dump()
        enabled = given.pop("enabled")
        weight = float(given.pop("weight", rule.weight))
        if not enabled and rule.required:
            path = ("rules", rid, "enabled")
            log.error(
                label,
                where(path),
                ".".join(path),
                _("{rule} cannot be switched off: {why}").format(rule=rid, why=_(rule.required)),
            )
        rules[rid] = RuleSettings(enabled, weight, ReadOnlyDict(_num(rule, given)))
    return Policy(ReadOnlyDict(sections), ReadOnlyDict(rules), label)


def _from_declarations(label: str) -> Policy:
    """The defaults as the rules declare them (what the schema gives for an empty file; a test
    holds the two equal)."""
    sections = {
        section: ReadOnlyDict({k: _freeze(p.default) for k, p in params.items()})
        for section, params in GLOBAL.items()
    }
    rules = {
        rid: RuleSettings(
            True, float(rule.weight), ReadOnlyDict({k: p.default for k, p in rule.params.items()})
        )
        for rid, rule in RULES.items()
    }
    return Policy(ReadOnlyDict(sections), ReadOnlyDict(rules), label)


def _num(rule: Rule, values: dict[str, Any]) -> dict[str, Any]:
    """Lists as tuples; a float parameter given as a whole number as a float."""
    out = {}
    for k, v in values.items():
        p = rule.params[k]
        if isinstance(p.default, float) and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        out[k] = _freeze(v)
    return out


@cache
def _defaults() -> Policy:
    """The defaults, for a file whose problems are reported (nothing is planned with it)."""
    return _resolve({}, "defaults", ProblemLog(), {})


# ---------------------------------------------------------------- writing


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, tuple):
        return "[" + ", ".join(f'"{x}"' for x in v) + "]"
    return repr(v)


def _range(p: Param) -> str:
    if p.choices:
        return " | ".join(p.choices)
    if p.items:
        return _("any of {values}").format(values=", ".join(p.items))
    if p.minimum is not None and p.maximum is not None:
        return f"{_limit(p.minimum)}..{_limit(p.maximum)}"
    return ""


def _line(key: str, p: Param, rule: bool = True) -> str:
    origin = [_("policy text") if p.seed else _("bureau's choice")] if rule else []
    shown = "; ".join(m for m in [_range(p), *origin] if m)
    return f"{key} = {_toml_value(p.default)}  # {_(p.doc)}" + (f" [{shown}]" if shown else "")


RULE_KINDS = {"hard": N_("hard rule"), "soft": N_("soft rule"), "record": N_("record")}


def defaults_toml() -> str:
    """A policy.toml holding every key at its default, each with its meaning, its range and
    whether the policy text states it or the bureau chose it (in the planner's language: the
    parameters' docs are in the message catalogue)."""
    out = [
        "# "
        + _("cunjing policy: every key below is at its default; delete what you do not change."),
        "# "
        + _(
            "[a..b] is the range a value must lie in; [policy text] marks a default the seed "
            "document states, [bureau's choice] one it leaves to the bureau."
        ),
        "",
    ]
    for section, params in GLOBAL.items():
        out.append(f"[{section}]")
        for key, p in params.items():
            out.append(_line(key, p, rule=False))
        out.append("")
    for rid, rule in RULES.items():
        origin = _("bureau setting") if rule.source == "bureau" else rule.clause
        summary = rule.summary_zh if language() == "zh" else rule.summary
        out.append(f"[rules.{rid}]  # {_(RULE_KINDS[rule.kind])}, {origin}: {summary}")
        fixed = (
            "  # " + _("cannot be switched off: {why}").format(why=_(rule.required))
            if rule.required
            else ""
        )
        out.append(f"enabled = true{fixed}")
        if rule.kind == "soft":
            out.append(
                f"weight = {rule.weight!r}  # "
                + _("points per matched pair")
                + f" [0..{MAX_WEIGHT:g}]"
            )
        for key, p in rule.params.items():
            out.append(_line(key, p))
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
