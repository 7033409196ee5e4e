"""Words for the ids the store keeps (roles, states, audit actions), marked for the catalogue
and translated where shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..i18n import N_

ROLES = {
    "admin": N_("Administrator"),
    "planner": N_("Planner"),
    "reviewer": N_("Reviewer"),
    "viewer": N_("Read-only"),
}
PLAN_STATES = {
    "draft": N_("Draft"),
    "review": N_("Awaiting review"),
    "published": N_("Published"),
}
JOB_STATES = {
    "queued": N_("Waiting"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
SCENARIO_STATES = {
    "running": N_("Being worked out"),
    "ready": N_("Waiting for a decision"),
    "failed": N_("Failed"),
    "accepted": N_("Accepted"),
    "discarded": N_("Discarded"),
}
JOB_KINDS = {
    "validate": N_("Checking an upload"),
    "plan": N_("Planning"),
    "whatif": N_("Re-planning after a change"),
    "accept": N_("Writing the accepted change"),
    "options": N_("Ranking who else could serve a village"),
    "sweep": N_("Ranking every officer's transfer by its harm"),
    "rotation": N_("Rotating the auxiliaries"),
    "calendar": N_("Planning the visit days"),
    "compliance": N_("Checking the work logs"),
    "publish": N_("Writing the contact boards"),
}
CATEGORIES = {
    "traffic": N_("traffic police"),
    "criminal": N_("criminal police"),
    "domestic_security": N_("domestic security"),
    "public_security": N_("public security"),
    "station": N_("police station"),
    "organ": N_("bureau organ"),
}
RELATIONS = {
    "same_township": N_("own township"),
    "neighbour_township": N_("neighbouring township"),
    "other": N_("other township"),
}
STATUS = {
    "OPTIMAL": N_("Best possible"),
    "FEASIBLE": N_("Keeps every rule"),
    "PARTIAL": N_("Villages left uncovered"),
    "INFEASIBLE": N_("No plan"),
}
ACTIONS = {
    "login": N_("Signed in"),
    "login.failed": N_("Failed sign-in"),
    "login.throttled": N_("Sign-in refused: too many attempts"),
    "logout": N_("Signed out"),
    "account.create": N_("Account created"),
    "account.enable": N_("Account enabled"),
    "account.disable": N_("Account disabled"),
    "account.password": N_("Password reset"),
    "account.role": N_("Role or scope changed"),
    "account.edit": N_("Account changed"),
    "workspace.create": N_("Workspace created"),
    "bundle.upload": N_("Data imported"),
    "bundle.refused": N_("Import refused"),
    "plan.start": N_("Planning started"),
    "plan.create": N_("Plan version made"),
    "plan.submit": N_("Submitted for review"),
    "plan.publish": N_("Published"),
    "plan.return": N_("Returned to draft"),
    "plan.boards": N_("Contact boards written"),
    "rotation.start": N_("Rotation started"),
    "calendar.make": N_("Visit calendar made"),
    "compliance.check": N_("Work logs checked"),
    "whatif.transfer": N_("Transfer worked out"),
    "whatif.swap": N_("Officer change worked out"),
    "whatif.lock": N_("Lock worked out"),
    "whatif.auxiliary": N_("Auxiliary change worked out"),
    "whatif.auxiliary_leaves": N_("Auxiliary's leaving worked out"),
    "whatif.accept": N_("Change accepted"),
    "whatif.discard": N_("Change discarded"),
    "whatif.stale": N_("Acceptance refused: the plan had changed"),
    "job.cancel": N_("Work cancelled"),
    "sweep.start": N_("Transfer ranking started"),
    "audit.export": N_("Audit log exported"),
}
# the columns of the compliance tables (the engine's names), as the page heads them
COLUMNS = {
    "month": N_("Month"),
    "village_id": N_("Village code"),
    "village_name": N_("Village"),
    "township_id": N_("Township code"),
    "officer_id": N_("Officer ID"),
    "officer_name": N_("Officer"),
    "required_days": N_("Days required"),
    "logged_days": N_("Days logged"),
    "dates": N_("Dates"),
    "periods": N_("Ten-day periods"),
    "spread": N_("Spread over the month"),
    "auxiliary_id": N_("Auxiliary ID"),
    "auxiliary_days": N_("Auxiliary's days"),
    "logs_by_others": N_("Logs by others"),
    "status": N_("Status"),
    "villages": N_("Villages"),
    "villages_short": N_("Villages short of days"),
    "villages_not_spread": N_("Villages not spread"),
    "villages_unvisited": N_("Villages not visited"),
    "passed": N_("Passed"),
    "score": N_("Score"),
    "not_held_logs": N_("Logs of villages not held"),
    "duplicate_logs": N_("Duplicate logs"),
    "overlap_logs": N_("Overlapping logs"),
    "source": N_("File"),
    "row": N_("Row"),
    "person_kind": N_("Kind"),
    "person_id": N_("ID"),
    "person_name": N_("Name"),
    "date": N_("Date"),
    "issue": N_("Problem"),
    "detail": N_("Detail"),
    "period": N_("Period"),
    "reasons": N_("Reasons"),
    "months": N_("Months"),
    "months_passed": N_("Months passed"),
}


def column(name: str) -> str:
    """The heading of an engine's column (the name itself when it has none)."""
    return COLUMNS.get(name, name)


# the bureau's clock: times shown are China Standard Time whatever the server's zone
LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
