"""Compliance from work logs (VISIT-LOG, §五(一), §五(三)): per village, per officer, the monthly
(月考评) and quarterly (季考核) scorecards, log problems, and the people to review.

The measures live in ``constraints/visit_log.py``; this module joins them with the bundle's names
and returns the tables the CSV files, the workbook and the HTML report show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ...constraints import aux_duty, visit_log
from ...constraints.visit_days import RULE as VISIT_DAYS
from ...constraints.visit_days import month_label, visits_required
from ..i18n import N_, _, ngettext
from ..input.instance import Instance

# the codes of the tables, as the planner reads them (English: the codes themselves, so the files
# of an English run are the machine tables)
VILLAGE_STATUS = {
    "ok": N_("ok"),
    "short": N_("short"),
    "not_spread": N_("not_spread"),
    "unvisited": N_("unvisited"),
    "no_officer": N_("no_officer"),
}
LOG_ISSUES = {
    "duplicate": N_("duplicate"),
    "not_held": N_("not_held"),
    "overlap": N_("overlap"),
}
PERSON_KINDS = {"officer": N_("officer"), "auxiliary": N_("auxiliary")}


def village_status_word(code: str) -> str:
    return _(VILLAGE_STATUS[code]) if code in VILLAGE_STATUS else code


def log_issue_word(code: str) -> str:
    return _(LOG_ISSUES[code]) if code in LOG_ISSUES else code


@dataclass
class ComplianceResult:
    """Compliance of one month or one quarter; every table carries ids and names."""

    period: str  # "2027-03" or "2027Q1"
    months: list[str]
    villages: pd.DataFrame  # per village and month
    officers: pd.DataFrame  # per officer and month: the 月考评 scorecard with its counts
    quarterly: pd.DataFrame | None  # per officer: the 季考核 scorecard (quarters only)
    issues: pd.DataFrame  # one row per problem log
    review: pd.DataFrame  # people to review per §五(三), with reasons
    auxiliaries: pd.DataFrame | None = None  # per resident auxiliary and month: logs, days
    on_duty: pd.DataFrame | None = None  # AUX-DUTY: resident auxiliaries on station duty
    assessment: pd.DataFrame | None = None  # §五(三) per officer and month: every item
    ranking: pd.DataFrame | None = None  # §五(三) the officers ranked (优秀包村民警)
    logs: int = 0
    notes: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Tables for the workbook and the HTML report (names are the CSV files' stems)."""
        out = {
            "compliance_villages": self.villages,
            "scorecard_monthly": self.officers,
            "log_issues": self.issues,
            "review": self.review,
        }
        if self.quarterly is not None:
            out["scorecard_quarterly"] = self.quarterly
        if self.auxiliaries is not None:
            out["auxiliary_logs"] = self.auxiliaries
        if self.on_duty is not None and len(self.on_duty):
            out["auxiliary_station_duty"] = self.on_duty
        if self.assessment is not None:
            out["assessment"] = self.assessment
        if self.ranking is not None:
            out["ranking"] = self.ranking
        return out

    def summary(self) -> dict:
        v = self.villages
        return {
            "period": self.period,
            "months": self.months,
            "logs": self.logs,
            "villages": int(v["village_id"].nunique()),
            "village_months_by_status": v["status"].value_counts().sort_index().to_dict(),
            "unvisited": v.loc[v["status"] == "unvisited", ["month", "village_id"]].to_dict(
                "records"
            ),
            "officers": int(self.officers["officer_id"].nunique()),
            "officer_months_passed": int(self.officers["passed"].sum()),
            "officer_months": len(self.officers),
            "quarter_passed": None
            if self.quarterly is None
            else int(self.quarterly["passed"].sum()),
            "log_issues": self.issues["issue"].value_counts().sort_index().to_dict(),
            "to_review": len(self.review),
            "auxiliary_months_without_logs": 0
            if self.auxiliaries is None
            else int((self.auxiliaries["status"] == "no_logs").sum()),
            "auxiliaries_on_station_duty": 0
            if self.on_duty is None
            else int(self.on_duty["auxiliary_id"].nunique()),
            "ranked": 0 if self.ranking is None else len(self.ranking),
            "proposed_excellent": []
            if self.ranking is None
            else self.ranking.loc[self.ranking["proposed_excellent"], "officer_id"].tolist(),
            "notes": self.notes,
        }


def check_compliance(
    inst: Instance,
    logs: pd.DataFrame,
    months: list[tuple[int, int]],
    officer_plan: pd.DataFrame,
    auxiliary_plan: pd.DataFrame | None = None,
    quarter: str | None = None,
    year: str | None = None,
) -> ComplianceResult:
    """Compliance of ``logs`` (work_logs.LOG_COLUMNS) in ``months`` with the officer plan
    (village_id, officer_id) and the auxiliary plan (default: the bundle's). ``quarter`` or
    ``year`` names the period the months make (a quarter adds the 季考核 scorecard)."""
    params = inst.policy.rule(visit_log.RULE.id)
    spacing = inst.policy.rule(VISIT_DAYS.id)["spacing"]
    required = visits_required(inst)
    labels = [month_label(y, m) for y, m in months]
    in_period = logs["date"].str[:7].isin(labels)
    outside = int((~in_period).sum())
    logs = logs[in_period].reset_index(drop=True)
    officer_of = dict(
        zip(officer_plan["village_id"], officer_plan["officer_id"].fillna(""), strict=True)
    )
    ap = inst.plan_auxiliaries if auxiliary_plan is None else auxiliary_plan
    auxiliary_of = dict(zip(ap["village_id"], ap["auxiliary_id"].fillna(""), strict=True))
    if auxiliary_plan is None:  # the bundle's: for the villages of the plan judged
        auxiliary_of = {v: a for v, a in auxiliary_of.items() if v in officer_of}
    issues = visit_log.log_issues(logs, officer_of, auxiliary_of, params["max_hours_per_day"])
    villages = visit_log.village_months(
        logs, issues, officer_of, auxiliary_of, months, required, spacing, params["hours_per_day"]
    )
    aux_months = visit_log.auxiliary_months(
        logs, issues, auxiliary_of, months, params["hours_per_day"]
    )
    monthly = visit_log.monthly_scorecard(
        villages, issues, logs, params["monthly_pass_ratio"], params["spacing_counts"]
    )
    quarterly = (
        visit_log.quarterly_scorecard(monthly, params["quarterly_pass_months"]) if quarter else None
    )
    duty = aux_duty.on_duty(inst, auxiliary_of, labels)
    weights = (params["weight_visits"], params["weight_followups"], params["weight_ratings"])
    assessed = visit_log.assessment(monthly, inst.followups, inst.ratings, weights)
    ranked = visit_log.ranking(assessed, params["excellent_share"])
    ranked.insert(1, "officer_name", ranked["officer_id"].map(off_names := inst.officers["name"]))
    assessed.insert(1, "officer_name", assessed["officer_id"].map(off_names))
    period = quarter or year or labels[0]
    review = _review(inst, monthly, quarterly, issues, period, aux_months, duty)
    vil, off, aux = inst.villages, inst.officers, inst.auxiliaries
    villages.insert(2, "village_name", villages["village_id"].map(vil["name"]))
    villages.insert(3, "township_id", villages["village_id"].map(vil["township_id"]))
    villages.insert(5, "officer_name", villages["officer_id"].map(off["name"]).fillna(""))
    monthly.insert(1, "officer_name", monthly["officer_id"].map(off["name"]))
    if quarterly is not None:
        quarterly.insert(1, "officer_name", quarterly["officer_id"].map(off["name"]))
        quarterly.insert(2, "quarter", quarter)
    aux_months.insert(2, "auxiliary_name", aux_months["auxiliary_id"].map(aux["name"]))
    aux_months.insert(4, "village_name", aux_months["village_id"].map(vil["name"]))
    names = pd.concat([off["name"], aux["name"]])
    issues = issues.drop(columns="log")
    issues.insert(4, "person_name", issues["person_id"].map(names[~names.index.duplicated()]))
    notes = []
    if outside:
        notes.append(
            _("{n} log(s) dated outside {months} were left out").format(
                n=outside, months=", ".join(labels)
            )
        )
    if (logs["person_kind"] == "officer").sum() == 0:
        notes.append(_("no officer logs in the period: every village is short"))
    return ComplianceResult(
        period,
        labels,
        villages,
        monthly,
        quarterly,
        issues,
        review,
        aux_months,
        duty,
        assessed,
        ranked,
        len(logs),
        notes,
    )


def _review(
    inst: Instance,
    monthly: pd.DataFrame,
    quarterly: pd.DataFrame | None,
    issues: pd.DataFrame,
    period: str,
    auxiliaries: pd.DataFrame | None = None,
    duty: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """People to review per §五(三) (工作不力 … 调整或清退; 弄虚作假 … 问责), with reasons."""
    reasons: dict[tuple[str, str], list[str]] = {}

    def failed(row) -> str:
        what = [
            text.format(n=n)
            for n, text in (
                (row.villages_unvisited, _("{n} village(s) not visited")),
                (row.villages_short, _("{n} village(s) short of days")),
                (row.villages_not_spread, _("{n} village(s) with visits not spread")),
            )
            if n
        ]
        return _("{month} score {score:g}: {what}").format(
            month=row.month, score=row.score, what=_(", ").join(what)
        )

    fails = monthly[~monthly["passed"]]
    if quarterly is not None:
        for row in quarterly[~quarterly["passed"]].itertuples():
            months = "; ".join(
                failed(m) for m in fails[fails["officer_id"] == row.officer_id].itertuples()
            )
            reasons.setdefault(("officer", row.officer_id), []).append(
                _("季考核 not passed: {passed} of {n} months passed ({months})").format(
                    passed=row.months_passed, n=row.months, months=months
                )
            )
    else:
        for row in fails.itertuples():
            reasons.setdefault(("officer", row.officer_id), []).append(
                _("月考评 not passed ({why})").format(why=failed(row))
            )
    counts = (
        issues.drop_duplicates(["log", "issue"])
        .groupby(["person_kind", "person_id", "issue"])
        .size()
    )
    for (kind, who, issue), n in counts.items():
        reasons.setdefault((kind, who), []).append(_issue_count(issue, int(n)))
    if auxiliaries is not None:
        silent = auxiliaries[auxiliaries["status"] == "no_logs"]
        for who, grp in silent.groupby("auxiliary_id", sort=True):
            reasons.setdefault(("auxiliary", who), []).append(
                _("no work log in {months} (§五(一) 驻村辅警应当做好工作日志)").format(
                    months=", ".join(grp["month"])
                )
            )
    if duty is not None:
        for who, grp in duty.groupby("auxiliary_id", sort=True):
            reasons.setdefault(("auxiliary", who), []).append(
                _("on station duty on {n} day(s) ({dates}): AUX-DUTY, §三(三)").format(
                    n=int(grp["days"].sum()), dates=";".join(grp["dates"])
                )
            )
    names = {"officer": inst.officers["name"], "auxiliary": inst.auxiliaries["name"]}
    rows = [
        {
            "person_kind": kind,
            "person_id": who,
            "person_name": names[kind].get(who, ""),
            "period": period,
            "reasons": _("; ").join(rs),
        }
        for (kind, who), rs in sorted(reasons.items())
    ]
    return pd.DataFrame(
        rows, columns=["person_kind", "person_id", "person_name", "period", "reasons"]
    )


def _issue_count(issue: str, n: int) -> str:
    if issue == "not_held":
        return ngettext(
            "{n} log for a village not held", "{n} logs for villages not held", n
        ).format(n=n)
    if issue == "duplicate":
        return ngettext("{n} duplicate log", "{n} duplicate logs", n).format(n=n)
    return ngettext("{n} overlapping log", "{n} overlapping logs", n).format(n=n)
