"""The store: the database (through SQLAlchemy) and the files it points to (bundles and plan
folders under the data folder's ``files/``). Every change writes its audit entry in the same
transaction, so no change is ever recorded without who made it, or the other way round."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession

from ..i18n import N_
from .auth import Principal
from .db import make_engine, migrate, session_factory
from .models import (
    Account,
    AuditEntry,
    BundleVersion,
    Job,
    JobState,
    PlanState,
    PlanVersion,
    Role,
    Scenario,
    ScenarioState,
    Workspace,
    now,
)
from .passwords import hash_password
from .settings import Settings


class StaleVersion(Exception):
    """An acceptance made on a plan version that another planner has moved on from."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


@dataclass(frozen=True)
class Actor:
    """Who made a change and from where, for the audit log."""

    account_id: int | None
    username: str
    address: str

    @classmethod
    def of(cls, principal: Principal, address: str) -> Actor:
        return cls(principal.account_id, principal.username, address)


class Store:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings.url)
        migrate(self.engine)
        self.sessions = session_factory(self.engine)
        settings.files.mkdir(parents=True, exist_ok=True)
        (settings.data / "tmp").mkdir(exist_ok=True)

    @contextmanager
    def db(self) -> Iterator[DbSession]:
        with self.sessions() as session:
            yield session

    def path(self, relative: str) -> Path:
        return self.settings.files / relative

    def tmp(self) -> Path:
        return self.settings.data / "tmp"

    def close(self) -> None:
        self.engine.dispose()


def audit(
    db: DbSession,
    actor: Actor,
    action: str,
    *,
    workspace_id: int | None = None,
    target: str = "",
    detail: dict | None = None,
    reason: str = "",
) -> None:
    db.add(
        AuditEntry(
            account_id=actor.account_id,
            username=actor.username,
            address=actor.address[:64],
            action=action,
            workspace_id=workspace_id,
            target=target[:128],
            detail=detail or {},
            reason=reason,
        )
    )


# Accounts


def create_account(
    db: DbSession,
    actor: Actor,
    username: str,
    role: Role,
    password: str | None,
    scopes: list[str],
    display_name: str = "",
) -> Account:
    account = Account(
        username=username,
        display_name=display_name,
        role=role.value,
        scopes=scopes,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    db.add(account)
    db.flush()
    audit(
        db,
        actor,
        "account.create",
        target=f"account:{account.id}",
        detail={"username": username, "role": role.value, "scopes": scopes},
    )
    return account


def account_named(db: DbSession, username: str) -> Account | None:
    return db.scalar(select(Account).where(Account.username == username))


def count_admins(db: DbSession) -> int:
    return db.scalar(
        select(func.count())
        .select_from(Account)
        .where(Account.role == Role.ADMIN.value, Account.active.is_(True))
    )


# Workspaces and versions


def next_number(db: DbSession, model, workspace_id: int) -> int:
    top = db.scalar(select(func.max(model.number)).where(model.workspace_id == workspace_id))
    return (top or 0) + 1


def latest_bundle(db: DbSession, workspace_id: int) -> BundleVersion | None:
    return db.scalar(
        select(BundleVersion)
        .where(BundleVersion.workspace_id == workspace_id)
        .order_by(BundleVersion.number.desc())
    )


def plan_versions(db: DbSession, workspace_id: int) -> list[PlanVersion]:
    return list(
        db.scalars(
            select(PlanVersion)
            .where(PlanVersion.workspace_id == workspace_id)
            .order_by(PlanVersion.number.desc())
        )
    )


def bundle_versions(db: DbSession, workspace_id: int) -> list[BundleVersion]:
    return list(
        db.scalars(
            select(BundleVersion)
            .where(BundleVersion.workspace_id == workspace_id)
            .order_by(BundleVersion.number.desc())
        )
    )


def plan_in(db: DbSession, workspace_id: int, plan_id: int) -> PlanVersion | None:
    plan = db.get(PlanVersion, plan_id)
    return plan if plan is not None and plan.workspace_id == workspace_id else None


def add_plan_version(
    db: DbSession,
    actor: Actor,
    ws: Workspace,
    *,
    bundle: BundleVersion,
    folder: Path,
    files: Path,
    origin: str,
    status: str,
    headline: dict,
    description: str,
    parent_id: int | None,
    expected_revision: int | None,
    reason: str = "",
) -> PlanVersion:
    """A new draft version from a finished plan folder (moved into the store). With
    ``expected_revision`` the workspace must still be at it (optimistic versioning): a planner
    accepting a change made on a version someone else has since replaced is refused."""
    if expected_revision is not None:
        moved = db.execute(
            update(Workspace)
            .where(Workspace.id == ws.id, Workspace.revision == expected_revision)
            .values(revision=Workspace.revision + 1)
        ).rowcount
        if moved != 1:
            db.rollback()
            current = db.get(Workspace, ws.id)
            raise StaleVersion(current.revision if current else -1)
    else:
        db.execute(
            update(Workspace).where(Workspace.id == ws.id).values(revision=Workspace.revision + 1)
        )
    number = next_number(db, PlanVersion, ws.id)
    relative = f"plans/{ws.id}/{number}"
    plan = PlanVersion(
        workspace_id=ws.id,
        number=number,
        bundle_version_id=bundle.id,
        parent_id=parent_id,
        origin=origin,
        description=description,
        state=PlanState.DRAFT.value,
        status=status,
        path=relative,
        headline=headline,
        created_by=actor.account_id,
    )
    db.add(plan)
    db.flush()
    # the folder moves last: a refused or failed row leaves it where the planner's work was
    target = files / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(folder), str(target))
    db.execute(update(Workspace).where(Workspace.id == ws.id).values(head_plan_id=plan.id))
    audit(
        db,
        actor,
        "plan.create",
        workspace_id=ws.id,
        target=f"plan:{plan.id}",
        detail={"number": number, "origin": origin, "status": status, "description": description},
        reason=reason,
    )
    return plan


# Jobs


def new_job(db: DbSession, actor: Actor, kind: str, params: dict, workspace_id: int | None) -> Job:
    job = Job(
        kind=kind,
        params=params,
        workspace_id=workspace_id,
        created_by=actor.account_id,
        state=JobState.QUEUED.value,
        progress=N_("Waiting for a free worker"),
    )
    db.add(job)
    db.flush()
    return job


def running_jobs(db: DbSession, workspace_id: int) -> list[Job]:
    return list(
        db.scalars(
            select(Job)
            .where(
                Job.workspace_id == workspace_id,
                Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
            .order_by(Job.id)
        )
    )


def interrupted_jobs(db: DbSession) -> None:
    """Jobs a stopped server left queued or running are failed (their workers are gone); the
    changes being previewed fail, those being accepted wait for a decision again."""
    stamp = now()
    db.execute(
        update(Job)
        .where(Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
        .values(state=JobState.FAILED.value, error="server restarted", finished_at=stamp)
    )
    db.execute(
        update(Scenario)
        .where(Scenario.state == ScenarioState.RUNNING.value)
        .values(state=ScenarioState.FAILED.value)
    )
    # an acceptance cut short made no version: the change waits for a decision again
    db.execute(
        update(Scenario)
        .where(Scenario.state == ScenarioState.ACCEPTING.value)
        .values(state=ScenarioState.READY.value)
    )
    db.commit()
