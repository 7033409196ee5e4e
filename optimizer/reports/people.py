"""Tables for people: the CSV files a planner opens (visit calendar, compliance, review lists,
transfer sweep) with headers and values in the planner's language.

Each column id is its own English message (``officer_id``), so an English run (``--lang en``)
writes the machine tables as they always were, and a Chinese one writes 警号, 姓名, 达标 … The
contract's files (officer_plan.csv, auxiliary_plan.csv, diff.csv, rotation.csv) are not made
here: they keep their column ids.
"""

from __future__ import annotations

import pandas as pd

from ..i18n import N_, _
from ..visits.compliance import LOG_ISSUES, PERSON_KINDS, VILLAGE_STATUS
from .words import category_word

HEADERS = {
    # people and places
    "officer_id": N_("officer_id"),
    "officer_name": N_("officer_name"),
    "auxiliary_id": N_("auxiliary_id"),
    "person_kind": N_("person_kind"),
    "person_id": N_("person_id"),
    "person_name": N_("person_name"),
    "name": N_("name"),
    "category": N_("category"),
    "village_id": N_("village_id"),
    "village_name": N_("village_name"),
    "township_id": N_("township_id"),
    "township_name": N_("township_name"),
    # calendar
    "date": N_("date"),
    "weekday": N_("weekday"),
    "period": N_("period"),
    "shared_day": N_("shared_day"),
    "villages": N_("villages"),
    "visits_required": N_("visits_required"),
    "visits_planned": N_("visits_planned"),
    "days_used": N_("days_used"),
    "shared_days": N_("shared_days"),
    "working_days": N_("working_days"),
    "free_days": N_("free_days"),
    "available_days": N_("available_days"),
    "status": N_("status"),
    "message": N_("message"),
    # compliance
    "month": N_("month"),
    "months": N_("months"),
    "quarter": N_("quarter"),
    "required_days": N_("required_days"),
    "logged_days": N_("logged_days"),
    "hours": N_("hours"),
    "dates": N_("dates"),
    "periods": N_("periods"),
    "spread": N_("spread"),
    "auxiliary_days": N_("auxiliary_days"),
    "logs_by_others": N_("logs_by_others"),
    "villages_short": N_("villages_short"),
    "villages_not_spread": N_("villages_not_spread"),
    "villages_unvisited": N_("villages_unvisited"),
    "passed": N_("passed"),
    "score": N_("score"),
    "mean_score": N_("mean_score"),
    "months_passed": N_("months_passed"),
    "not_held_logs": N_("not_held_logs"),
    "duplicate_logs": N_("duplicate_logs"),
    "overlap_logs": N_("overlap_logs"),
    "source": N_("source"),
    "row": N_("row"),
    "issue": N_("issue"),
    "detail": N_("detail"),
    "reasons": N_("reasons"),
    # transfer sweep
    "rank": N_("rank"),
    "villages_held": N_("villages_held"),
    "forced_changes": N_("forced_changes"),
    "villages_changed": N_("villages_changed"),
    "uncovered": N_("uncovered"),
    "lost_score": N_("lost_score"),
    "seconds": N_("seconds"),
}
# the codes of a column as words (the English words are the codes themselves)
VALUES = {
    "status": {
        "OPTIMAL": N_("OPTIMAL"),
        "FEASIBLE": N_("FEASIBLE"),
        "PARTIAL": N_("PARTIAL"),
        "INFEASIBLE": N_("INFEASIBLE"),
        **VILLAGE_STATUS,
    },
    "person_kind": PERSON_KINDS,
    "issue": LOG_ISSUES,
}
BOOLEAN = {True: N_("True"), False: N_("False")}


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its headers and coded values in the planner's language."""
    out = frame.copy()
    for col in out.columns:
        if col in VALUES:
            words = {k: _(v) for k, v in VALUES[col].items()}
            out[col] = out[col].map(lambda x, w=words: w.get(x, x))
        elif col == "category":
            out[col] = out[col].map(lambda x: category_word(x) if isinstance(x, str) else x)
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({k: _(v) for k, v in BOOLEAN.items()})
    return out.rename(columns={c: _(HEADERS[c]) for c in out.columns if c in HEADERS})


def from_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A table ``for_people`` wrote, read back: column ids and codes again (booleans as the
    text ``True``/``False``, as a CSV read as text has them)."""
    names = {_(v): k for k, v in HEADERS.items()}
    out = frame.rename(columns={c: names.get(c, c) for c in frame.columns})
    for col in out.columns:
        if col in VALUES:
            codes = {_(v): k for k, v in VALUES[col].items()}
            out[col] = out[col].map(lambda x, c=codes: c.get(x, x))
    words = {_(v): str(k) for k, v in BOOLEAN.items()}
    for col in out.columns:
        text = out[col].dtype == object or pd.api.types.is_string_dtype(out[col])
        if text and len(out) and out[col].isin(list(words)).all():
            out[col] = out[col].map(words)
    return out
