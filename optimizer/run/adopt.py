"""Adopting a plan a planner edited in Excel (``cunjing adopt BUNDLE plan.xlsx --out DIR``).

The workbook's 包村民警安排 (and 驻村辅警安排) become the new plan. Every village whose officer
or auxiliary the planner changed, and every row marked 锁定, is pinned: it stays as the
planner wants it. The plan is judged by the same rule modules as any other; with ``replan``, the
villages the edits broke (an officer given more days than he has, a village left without
anyone) are planned again around the pinned ones, by the what-if's neighbourhood re-plan, and
nothing else moves. The result is a whole plan folder: the contract's CSV files, summary.json,
diff.csv against the plan the workbook came from, the workbook again, the map and the notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pandas as pd

from ...constraints.validate import auxiliary_violations, officer_violations
from ..auxiliaries.pairs import describe_pairs
from ..auxiliaries.placement import FILE_COLUMNS, plan_frame
from ..i18n import _
from ..input.instance import Instance
from ..input.plan_files import read_assignment, read_part
from ..input.problems import BundleError, ProblemLog
from ..input.schema import (
    AUXILIARY_FILE,
    AUXILIARY_PLAN,
    DIFF_FILE,
    OFFICER_FILE,
    OFFICER_PLAN,
    SUMMARY_FILE,
)
from ..officers.pairs import build_pairs
from ..output.files import write_csv, write_json
from ..output.provenance import bundle_reference, versions
from ..output.publish import publish
from ..reports.terminal import rules_line, score_words
from ..reports.write import write_reports
from ..solve.options import SolveOptions
from ..solve.status import Status
from ..whatif.changes import Effects
from ..whatif.replan import replan_officers
from .annual import officer_kpis, officer_plan_table
from .whatif import DIFF_COLUMNS, DIFF_NAMES, named_diff, plan_rows

NAME_HEADERS = {"officer": "民警姓名", "auxiliary": "辅警姓名"}  # plan.xlsx's (reports.workbook)


@dataclass
class AdoptRun:
    instance: Instance
    officer_plan: pd.DataFrame  # officer_plan.csv
    auxiliary_plan: pd.DataFrame | None  # auxiliary_plan.csv
    diff: pd.DataFrame  # against the plan the workbook came from
    record: dict  # summary.json
    violations: list = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        a = self.record["adopted"]
        lines = [
            _(
                "adopted {workbook}: {edits} village(s) changed by hand and {marked} marked "
                "锁定, all kept as given (pinned)"
            ).format(workbook=a["workbook"], edits=a["edits"], marked=a["marked"])
        ]
        if a["replanned"]:
            lines.append(
                _("{n} village(s) the edits broke were planned again: {villages}").format(
                    n=len(a["replanned"]), villages=_(", ").join(a["replanned_names"])
                )
            )
        k = self.record["kpis"]["officer"]
        lines.append(score_words(k))
        lines.append(rules_line(k["rules"]))
        if self.violations:
            lines.append(_("{n} hard rule(s) broken:").format(n=len(self.violations)))
            lines += [f"  {v.rule}: {v.message}" for v in self.violations]
            if not a["replanned"]:
                lines.append(
                    "  "
                    + _(
                        "add --replan to plan the broken villages again around the edits, or "
                        "change the workbook and adopt it again"
                    )
                )
        else:
            lines.append(_("every hard rule holds"))
        return "\n".join(lines)

    def write(self, out: Path, inputs: list[Path] | None = None):
        return publish(out, partial(_write_files, self), inputs=inputs)


def _names_match(
    rows: pd.DataFrame, people: pd.Series, role: str, label: str, log: ProblemLog
) -> None:
    """A name the workbook gives must be the bundle's for that id: a mistyped 警号 shows here."""
    person, name = f"{role}_id", f"{role}_name"
    for r, pid, given in zip(rows["_row"], rows[person], rows[name], strict=True):
        given = str(given).strip()
        if pid and given and people.get(pid, given) != given:
            log.error(
                label,
                int(r),
                NAME_HEADERS[role],
                _("{id} is {name} in the bundle, not {given}: correct the id or the name").format(
                    id=pid, name=people[pid], given=given
                ),
            )


def original_plan(workbook: Path, given: Path | None) -> Path | None:
    """The plan folder the workbook came from: ``given``, else the folder it lies in when that is
    a plan folder."""
    if given is not None:
        return Path(given)
    folder = Path(workbook).resolve().parent
    return folder if (folder / OFFICER_FILE).exists() else None


def adopt(
    inst: Instance,
    workbook: Path,
    options: SolveOptions | None = None,
    *,
    original: Path | None = None,
    replan: bool = False,
) -> AdoptRun:
    """The workbook's plan, its edits pinned; with ``replan``, the villages the edits broke
    planned again around them."""
    options = options or SolveOptions.from_settings(inst.policy.sections["solver"])
    workbook = Path(workbook)
    officers = read_assignment(workbook, "officer", inst, with_names=True)
    if officers is None:
        raise BundleError.single(
            workbook.name, _("no 包村民警安排 sheet: this is not a plan workbook cunjing wrote")
        )
    auxiliaries = read_assignment(workbook, "auxiliary", inst, optional=True, with_names=True)
    log = ProblemLog()
    _names_match(officers, inst.officers["name"], "officer", f"{workbook.name}[包村民警安排]", log)
    if auxiliaries is not None:
        label = f"{workbook.name}[驻村辅警安排]"
        _names_match(auxiliaries, inst.auxiliaries["name"], "auxiliary", label, log)
    missing = sorted(set(inst.villages.index) - set(officers["village_id"]))
    if missing:
        log.error(
            f"{workbook.name}[包村民警安排]",
            0,
            "村编码",
            _("{n} village(s) of the bundle are not in the sheet (e.g. {village})").format(
                n=len(missing), village=missing[0]
            ),
        )
    log.raise_if_errors()

    source = original_plan(workbook, original)
    before = _before(source, OFFICER_FILE, OFFICER_PLAN, "officer_id")
    plan = officers[["village_id", "officer_id"]].copy()
    marked = set(officers.loc[officers["pinned"].astype(bool), "village_id"])
    edits = _edited(plan, before, "officer_id")
    plan["pinned"] = plan["village_id"].isin(edits | marked)

    checks = officer_violations(inst, plan[["village_id", "officer_id"]])
    replanned: dict[str, str] = {}
    if replan and checks:
        plan, replanned = _replan_broken(inst, plan, checks, options)
        checks = officer_violations(inst, plan[["village_id", "officer_id"]])

    aux_table = None
    if auxiliaries is not None:
        aux_before = _before(source, AUXILIARY_FILE, AUXILIARY_PLAN, "auxiliary_id")
        aux_plan = auxiliaries[["village_id", "auxiliary_id"]]
        aux_marked = set(auxiliaries.loc[auxiliaries["pinned"].astype(bool), "village_id"])
        aux_edits = _edited(aux_plan, aux_before, "auxiliary_id")
        aux_table = _auxiliary_table(inst, aux_plan, aux_edits | aux_marked)
        checks += auxiliary_violations(inst, aux_table[["village_id", "auxiliary_id"]])
    else:
        aux_edits = set()

    officer_table = officer_plan_table(inst, plan_rows(inst, plan))
    diff = _diff(inst, before, plan, edits, replanned)
    if auxiliaries is not None and aux_before is not None:
        diff = pd.concat(
            [diff, _aux_diff(inst, aux_before, aux_table, aux_edits)], ignore_index=True
        )
    record = _record(
        inst, workbook, source, plan, aux_table, checks, edits | aux_edits, marked, replanned
    )
    return AdoptRun(inst, officer_table, aux_table, diff, record, checks)


def _before(source: Path | None, file: str, table, person: str) -> pd.Series | None:
    """Who served each village in the plan the workbook came from."""
    if source is None:
        return None
    rows = read_part(Path(source) / file, table, typed=False)
    if rows is None:
        return None
    return rows.set_index("village_id")[person].fillna("")


def _edited(plan: pd.DataFrame, before: pd.Series | None, person: str) -> set[str]:
    if before is None:
        return set()
    was = plan["village_id"].map(before).fillna("")
    return set(plan.loc[was != plan[person], "village_id"])


def _replan_broken(
    inst: Instance, plan: pd.DataFrame, checks: list, options: SolveOptions
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The villages the edits broke, planned again around the pinned ones: a village left without
    an officer, and the villages (not pinned) of an officer given more than he can hold."""
    pinned = set(plan.loc[plan["pinned"], "village_id"])
    broken: dict[str, str] = {}
    for v in plan.loc[plan["officer_id"] == "", "village_id"]:
        broken[v] = _("had no officer after the edits")
    for c in checks:
        for i in c.ids:
            if i in inst.officers.index:
                held = plan.loc[plan["officer_id"] == i, "village_id"]
                name = inst.officers.at[i, "name"]
                for v in held:
                    if v not in pinned:
                        broken.setdefault(
                            v,
                            _("its officer {name} had too much after the edits").format(name=name),
                        )
            elif i in inst.villages.index and i not in pinned:
                broken.setdefault(i, _("broke {rule} after the edits").format(rule=c.rule))
    if not broken:
        return plan, {}
    eff = Effects(touched=broken)
    room = _room_for_pins(inst, plan)
    parts = []
    for county in inst.counties:
        in_county = set(inst.villages.index[inst.villages["county_id"] == county])
        inc = plan[plan["village_id"].isin(in_county)]
        if not set(broken) & in_county:
            parts.append(inc)
            continue
        sub = room.county(county) if len(room.counties) > 1 else room
        parts.append(replan_officers(sub, county, inc, eff, options).plan)
    new = pd.concat(parts, ignore_index=True)
    new["pinned"] = new["village_id"].isin(pinned)
    changed = (
        new.set_index("village_id")["officer_id"]
        != plan.set_index("village_id")["officer_id"].reindex(new["village_id"]).to_numpy()
    )
    replanned = {v: broken.get(v, _("handed on")) for v in changed.index[changed.to_numpy()]}
    return new[["village_id", "officer_id", "pinned"]], replanned


def _room_for_pins(inst: Instance, plan: pd.DataFrame) -> Instance:
    """The bundle as the re-plan sees it: an officer whose pinned villages alone need more days
    or places than he has keeps them (the planner's word) and takes nothing more; the check of
    the result, on the true bundle, still reports him."""
    pinned = plan[plan["pinned"] & (plan["officer_id"] != "")]
    if pinned.empty:
        return inst
    days = (
        build_pairs(inst, pinned[["officer_id", "village_id"]])
        .groupby("officer_id")["workload_days"]
        .sum()
    )
    count = pinned.groupby("officer_id").size()
    off = inst.officers.copy()
    over = days.index[days > off.loc[days.index, "available_days"]]
    off.loc[over, "available_days"] = days[over]
    most = off.loc[count.index, "max_villages"]
    many = count.index[most.notna() & (count > most.fillna(0))]
    off.loc[many, "max_villages"] = count[many]
    return replace(inst, officers=off)


def _auxiliary_table(inst: Instance, plan: pd.DataFrame, pinned: set[str]) -> pd.DataFrame:
    """auxiliary_plan.csv of the given pairs: relation, score, reasons as the engine gives them."""
    held = plan[plan["auxiliary_id"] != ""]
    chosen = describe_pairs(inst, held[["auxiliary_id", "village_id"]])
    table = plan_frame(inst, pd.Index(plan["village_id"]), chosen)
    table["pinned"] = table["village_id"].isin(pinned)
    return table[FILE_COLUMNS]


def _diff(
    inst: Instance,
    before: pd.Series | None,
    plan: pd.DataFrame,
    edits: set[str],
    replanned: dict[str, str],
) -> pd.DataFrame:
    was = (
        plan["village_id"].map(before).fillna("")
        if before is not None
        else pd.Series("", index=plan.index)
    )
    rows = []
    for v, b, a in zip(plan["village_id"], was, plan["officer_id"], strict=True):
        if v in edits:
            why = _("changed in the workbook")
        elif v in replanned:
            why = replanned[v]
        else:
            continue
        if a != b:
            rows.append(
                {"village_id": v, "role": "officer", "before": b, "after": a, "reason": why}
            )
    diff = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    return named_diff(inst, inst, diff, Effects())[[*DIFF_COLUMNS, *DIFF_NAMES]]


def _aux_diff(
    inst: Instance, before: pd.Series, table: pd.DataFrame, edits: set[str]
) -> pd.DataFrame:
    rows = [
        {
            "village_id": v,
            "role": "auxiliary",
            "before": before.get(v, ""),
            "after": a,
            "reason": _("changed in the workbook"),
        }
        for v, a in zip(table["village_id"], table["auxiliary_id"], strict=True)
        if v in edits
    ]
    diff = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    return named_diff(inst, inst, diff, Effects())[[*DIFF_COLUMNS, *DIFF_NAMES]]


def _record(inst, workbook, source, plan, aux_table, checks, edits, marked, replanned) -> dict:
    covered_aux = None if aux_table is None else int((aux_table["auxiliary_id"] != "").sum())
    names = inst.villages["name"]
    return {
        "status": Status.PARTIAL if checks else Status.FEASIBLE,
        "adopted": {
            "workbook": str(Path(workbook).resolve()),
            "from_plan": None if source is None else str(Path(source).resolve()),
            "edits": len(edits),
            "marked": len(marked),
            "pinned": sorted(edits | marked),
            "replanned": sorted(replanned),
            "replanned_names": [str(names.get(v, v)) for v in sorted(replanned)],
        },
        "versions": versions(),
        "input": bundle_reference(inst),
        "input_sha256": inst.fingerprint,
        "kpis": {
            "villages": len(inst.villages),
            "covered_by_officer": int((plan["officer_id"] != "").sum()),
            "covered_by_auxiliary": covered_aux,
            "officer": officer_kpis(inst, plan),
        },
        "diagnostics": [v.as_dict() for v in checks],
    }


def _write_files(run: AdoptRun, tmp: Path) -> None:
    write_csv(run.officer_plan, tmp / OFFICER_FILE)
    if run.auxiliary_plan is not None:
        write_csv(run.auxiliary_plan, tmp / AUXILIARY_FILE)
    write_csv(run.diff, tmp / DIFF_FILE)
    write_json(run.record, tmp / SUMMARY_FILE)
    write_reports(tmp, run.instance)  # last: the reports read the files above
