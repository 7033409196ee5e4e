"""What-if changes (an officer transfers, retires or is removed §二(一), §五(三); days change; a
village becomes a key village; officers or auxiliaries arrive or leave), and what they do to the
incumbent plan: the villages they orphan or touch, with the reason of each in words."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..i18n import _
from ..input.bundle import derive_auxiliaries, derive_officers
from ..input.instance import Instance
from ..input.limits import MAX_TABLE_BYTES, read_regular
from ..input.parse import parse_table
from ..input.problems import BundleError, ProblemLog
from ..input.schema import TABLES
from ..input.tables import decode, normalise_text, read_csv_table

KINDS = {
    "transfer": "transfer",
    "调离": "transfer",
    "退休": "transfer",
    "清退": "transfer",
    "set_days": "set_days",
    "调整天数": "set_days",
    "set_key_village": "set_key_village",
    "设为重点村": "set_key_village",
    "add_officer": "add_officer",
    "新增民警": "add_officer",
    "remove_auxiliary": "remove_auxiliary",
    "辅警离岗": "remove_auxiliary",
    "add_auxiliary": "add_auxiliary",
    "新增辅警": "add_auxiliary",
}


@dataclass(frozen=True)
class Change:
    kind: str  # transfer, set_days, set_key_village, add_officer
    target: str  # officer id, village id, or the CSV of new officers
    value: str = ""
    where: str = "command line"


@dataclass
class Effects:
    """What the changes do to the incumbent plan, with the reason of each in words."""

    orphaned: dict[str, str] = field(default_factory=dict)  # village -> why it lost its officer
    touched: dict[str, str] = field(default_factory=dict)  # village -> why it is re-planned
    new_officers: list[str] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    aux_orphaned: dict[str, str] = field(default_factory=dict)  # village -> why it lost its aux
    new_auxiliaries: list[str] = field(default_factory=list)


def changes_from(
    *,
    transfer: list[str] | None = None,
    set_days: list[str] | None = None,
    set_key_village: list[str] | None = None,
    add_officer: list[Path] | None = None,
    remove_auxiliary: list[str] | None = None,
    add_auxiliary: list[Path] | None = None,
    changes_file: Path | None = None,
) -> list[Change]:
    """The changes named one by one (``set_days`` as ``OFFICER_ID=DAYS``) and in a file."""
    out = [Change("transfer", normalise_text(o)) for o in transfer or []]
    for spec in set_days or []:
        if "=" not in spec:
            raise BundleError.single(
                "--set-days", _("'{spec}' is not OFFICER_ID=DAYS").format(spec=spec)
            )
        o, d = spec.split("=", 1)
        out.append(Change("set_days", normalise_text(o), normalise_text(d)))
    out += [Change("set_key_village", normalise_text(v)) for v in set_key_village or []]
    out += [Change("add_officer", str(p)) for p in add_officer or []]
    out += [Change("remove_auxiliary", normalise_text(a)) for a in remove_auxiliary or []]
    out += [Change("add_auxiliary", str(p)) for p in add_auxiliary or []]
    if changes_file is not None:
        out += read_changes_file(Path(changes_file))
    return out


def read_changes_file(path: Path) -> list[Change]:
    """``change,id,value`` rows (Chinese ``变更,编号,值`` too); add_officer names a CSV beside
    the changes file (never outside its folder)."""
    label = path.name
    if not path.is_file():
        raise BundleError.single(str(path), _("no such file"))
    rows = list(csv.reader(io.StringIO(decode(read_regular(path, label, MAX_TABLE_BYTES), label))))
    if not rows:
        raise BundleError.single(label, _("the file is empty: expected change,id,value"))
    head = [normalise_text(h).lower() for h in rows[0]]
    names = {"change": ("change", "变更"), "id": ("id", "编号"), "value": ("value", "值")}
    col = {}
    for key, aliases in names.items():
        hit = [i for i, h in enumerate(head) if h in aliases]
        if hit:
            col[key] = hit[0]
    log = ProblemLog()
    for key in ("change", "id"):
        if key not in col:
            log.error(label, 1, key, _("required column '{column}' is missing").format(column=key))
    log.raise_if_errors()
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = {k: normalise_text(row[i]) if i < len(row) else "" for k, i in col.items()}
        kind = KINDS.get(cell["change"].lower(), KINDS.get(cell["change"]))
        if kind is None:
            log.error(
                label,
                n,
                "change",
                _(
                    "unknown change '{change}' (one of transfer 调离, set_days 调整天数, "
                    "set_key_village 设为重点村, add_officer 新增民警, remove_auxiliary 辅警离岗, "
                    "add_auxiliary 新增辅警)"
                ).format(change=cell["change"]),
            )
            continue
        target = cell["id"]
        if kind in ("add_officer", "add_auxiliary"):
            f = (path.parent / target).resolve()
            if not f.is_relative_to(path.parent.resolve()):
                log.error(label, n, "id", _("the officers file must lie beside the changes file"))
                continue
            target = str(f)
        out.append(Change(kind, target, cell.get("value", ""), f"{label}:{n}"))
    log.raise_if_errors()
    return out


def _where(change: Change) -> tuple[str, int, str]:
    if change.where == "command line":
        return f"--{change.kind.replace('_', '-')}", 0, ""
    file, row = change.where.rsplit(":", 1)
    return file, int(row), "id"


def apply_changes(
    inst: Instance,
    incumbent: pd.DataFrame,
    changes: list[Change],
    incumbent_aux: pd.DataFrame | None = None,
) -> tuple[Instance, Effects]:
    """The bundle after the changes, and what they do to the incumbent plan."""
    off, vil, aux = inst.officers.copy(), inst.villages.copy(), inst.auxiliaries.copy()
    posted = (
        incumbent_aux[incumbent_aux["auxiliary_id"] != ""].set_index("auxiliary_id")["village_id"]
        if incumbent_aux is not None
        else pd.Series(dtype=object)
    )
    eff = Effects()
    log = ProblemLog()
    held = incumbent[incumbent["officer_id"] != ""].groupby("officer_id")["village_id"].agg(list)
    for c in changes:
        file, row, column = _where(c)
        if c.kind in ("transfer", "set_days") and c.target not in off.index:
            log.error(file, row, column, _("unknown officer '{id}'").format(id=c.target))
            continue
        if c.kind == "transfer":
            name = off.at[c.target, "name"]
            off.at[c.target, "status"] = "leaving"
            text = _("{name} ({id}) leaves").format(name=name, id=c.target)
            eff.described.append(text)
            for v in held.get(c.target, []):
                eff.orphaned[v] = text
        elif c.kind == "set_days":
            try:
                days = float(c.value)
            except ValueError:
                log.error(
                    file,
                    row,
                    "value" if row else "",
                    _("'{value}' is not a number of days").format(value=c.value),
                )
                continue
            if days < 0:
                log.error(file, row, "value" if row else "", _("days cannot be negative"))
                continue
            name = off.at[c.target, "name"]
            text = _("{name} ({id}): days a month from {before:g} to {after:g}").format(
                name=name, id=c.target, before=off.at[c.target, "available_days"], after=days
            )
            off.at[c.target, "available_days"] = days
            eff.described.append(text)
            for v in held.get(c.target, []):
                eff.touched[v] = text
        elif c.kind == "set_key_village":
            if c.target not in vil.index:
                log.error(file, row, column, _("unknown village '{id}'").format(id=c.target))
                continue
            vil.at[c.target, "kind"] = "key"
            text = _("{name} ({id}) becomes a key village").format(
                name=vil.at[c.target, "name"], id=c.target
            )
            eff.described.append(text)
            eff.touched[c.target] = text
        elif c.kind == "add_officer":
            new = _read_new_officers(Path(c.target), inst, off, log)
            if new is not None:
                off = pd.concat([off, new])
                eff.new_officers += new.index.tolist()
                eff.described.append(
                    _("{n} new officer(s): {names}").format(
                        n=len(new),
                        names=_(", ").join(
                            _("{name} ({id})").format(name=n, id=o) for o, n in new["name"].items()
                        ),
                    )
                )
        elif c.kind == "remove_auxiliary":
            if c.target not in aux.index:
                log.error(file, row, column, _("unknown auxiliary '{id}'").format(id=c.target))
                continue
            aux.at[c.target, "status"] = "leaving"
            text = _("auxiliary {name} ({id}) leaves").format(
                name=aux.at[c.target, "name"], id=c.target
            )
            eff.described.append(text)
            if c.target in posted.index:
                eff.aux_orphaned[posted[c.target]] = text
        elif c.kind == "add_auxiliary":
            new = _read_new_auxiliaries(Path(c.target), inst, aux, log)
            if new is not None:
                aux = pd.concat([aux, new])
                eff.new_auxiliaries += new.index.tolist()
                eff.described.append(
                    _("{n} new auxiliary(ies): {names}").format(
                        n=len(new),
                        names=_(", ").join(
                            _("{name} ({id})").format(name=n, id=a) for a, n in new["name"].items()
                        ),
                    )
                )
    log.raise_if_errors()
    return replace(inst, officers=off, villages=vil, auxiliaries=aux), eff


def _read_new_auxiliaries(
    path: Path, inst: Instance, aux: pd.DataFrame, log: ProblemLog
) -> pd.DataFrame | None:
    if not path.is_file():
        log.error(str(path), 0, "", _("no such file"))
        return None
    raw = read_csv_table(path, TABLES["auxiliaries"], log)
    if raw is None:
        return None
    frame = parse_table(raw, log)
    counties = set(inst.townships["county_id"])
    for r, a, c, home in zip(
        frame["_row"],
        frame["auxiliary_id"],
        frame["county_id"],
        frame["home_village_id"],
        strict=True,
    ):
        if a in aux.index:
            log.error(
                path.name,
                r,
                "auxiliary_id",
                _("auxiliary '{id}' is already in the bundle").format(id=a),
            )
        if c not in counties:
            log.error(path.name, r, "county_id", _("unknown county '{id}'").format(id=c))
        if home not in inst.villages.index:
            log.error(
                path.name, r, "home_village_id", _("unknown home village '{id}'").format(id=home)
            )
    if log.errors:
        return None
    frame = frame.set_index("auxiliary_id", drop=False)
    frame.index.name = None
    return derive_auxiliaries(frame, inst.villages)


def _read_new_officers(
    path: Path, inst: Instance, off: pd.DataFrame, log: ProblemLog
) -> pd.DataFrame | None:
    if not path.is_file():
        log.error(str(path), 0, "", _("no such file"))
        return None
    raw = read_csv_table(path, TABLES["officers"], log)
    if raw is None:
        return None
    frame = parse_table(raw, log)
    for r, o, c in zip(frame["_row"], frame["officer_id"], frame["county_id"], strict=True):
        if o in off.index:
            log.error(
                path.name,
                r,
                "officer_id",
                _("officer '{id}' is already in the bundle").format(id=o),
            )
        if c not in set(inst.townships["county_id"]):
            log.error(path.name, r, "county_id", _("unknown county '{id}'").format(id=c))
    if log.errors:
        return None
    frame = frame.set_index("officer_id", drop=False)
    frame.index.name = None
    return derive_officers(frame, inst.townships, inst.policy, inst.crs, log, path.name)
