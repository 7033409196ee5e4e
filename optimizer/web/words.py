"""Words for the ids the store keeps (roles, states, audit actions), marked for the catalogue
and translated where shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .i18n import N_

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
    "alternatives": N_("Ranking other officers for a village"),
    "edit": N_("Changing the plan"),
    "sweep": N_("Ranking every officer's transfer by its harm"),
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
    "workspace.create": N_("Workspace created"),
    "bundle.upload": N_("Data imported"),
    "bundle.refused": N_("Import refused"),
    "plan.start": N_("Planning started"),
    "plan.create": N_("Plan version made"),
    "plan.submit": N_("Submitted for review"),
    "plan.publish": N_("Published"),
    "plan.return": N_("Returned to draft"),
    "whatif.transfer": N_("Transfer worked out"),
    "whatif.swap": N_("Officer change worked out"),
    "whatif.lock": N_("Lock worked out"),
    "whatif.auxiliary_leaves": N_("Auxiliary's leaving worked out"),
    "whatif.accept": N_("Change accepted"),
    "whatif.discard": N_("Change discarded"),
    "whatif.stale": N_("Acceptance refused: the plan had changed"),
    "job.cancel": N_("Work cancelled"),
    "sweep.start": N_("Transfer ranking started"),
    "audit.export": N_("Audit log exported"),
}
# the bureau's clock: times shown are China Standard Time whatever the server's zone
LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
