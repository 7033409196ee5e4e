"""The store's tables (SQLAlchemy 2). The schema itself is made by the Alembic migrations in
``migrations/``; a test checks that the migrations and these classes agree."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    """UTC, without tzinfo: SQLite and PostgreSQL then store and return the same value."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    ADMIN = "admin"  # 管理员: accounts and workspaces
    PLANNER = "planner"  # 规划员: plans the workspaces of his county or city
    REVIEWER = "reviewer"  # 审核人: approves and publishes
    VIEWER = "viewer"  # 只读: views names, units and phones


class PlanState(StrEnum):
    DRAFT = "draft"  # 草稿
    REVIEW = "review"  # 待审核
    PUBLISHED = "published"  # 已发布


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ScenarioState(StrEnum):
    RUNNING = "running"  # being re-planned
    READY = "ready"  # previewed, waiting for a decision
    ACCEPTING = "accepting"  # accepted; its plan folder is being written
    FAILED = "failed"
    ACCEPTED = "accepted"
    DISCARDED = "discarded"


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    # region codes this account may work in (a county's 341302, a city's 3413); empty: none,
    # except for administrators, who manage every workspace
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    # None for accounts that sign in only through the bureau's single sign-on
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Session(Base):
    """A signed-in browser. The cookie carries the token; the table holds only its hash."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class Workspace(Base):
    """One county's or city's year of planning."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("region_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(16))
    region_name: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # optimistic versioning: every acceptance raises it; one made on an older one is refused
    revision: Mapped[int] = mapped_column(Integer, default=0)
    head_plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BundleVersion(Base):
    __tablename__ = "bundle_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(255))  # under the data folder's files/
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class PlanVersion(Base):
    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    bundle_version_id: Mapped[int] = mapped_column(ForeignKey("bundle_versions.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"), nullable=True)
    origin: Mapped[str] = mapped_column(String(16))  # plan, whatif
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=PlanState.DRAFT)
    status: Mapped[str] = mapped_column(String(16))  # the engine's OPTIMAL, FEASIBLE, PARTIAL
    path: Mapped[str] = mapped_column(String(255))
    headline: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Scenario(Base):
    """A what-if on a plan version: the changes asked, the re-plan's result, the decision."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    base_plan_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    base_revision: Mapped[int] = mapped_column(Integer)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=ScenarioState.RUNNING)
    path: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id"), nullable=True
    )
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Job(Base):
    """Long work done by a worker process; the page polls its progress."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    progress: Mapped[str] = mapped_column(String(64), default="")  # a message id of i18n
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """Append-only: no endpoint changes or deletes a row, and database triggers refuse it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
