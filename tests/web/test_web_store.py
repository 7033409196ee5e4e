"""The workbench's store on SQLite and on a real PostgreSQL server: migrations make the schema the
models describe, the audit log refuses every change, acceptance on a stale version is refused,
and disabling an account ends its sessions."""

from __future__ import annotations

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from cunjing.optimizer.web.auth import SessionCookies, end_sessions
from cunjing.optimizer.web.models import (
    AuditEntry,
    Base,
    BundleVersion,
    PlanVersion,
    Role,
    Session,
    Workspace,
)
from cunjing.optimizer.web.store import (
    Actor,
    StaleVersion,
    Store,
    add_plan_version,
    audit,
    create_account,
)

from web_support import PASSWORD, PostgresServer, make_settings

ACTOR = Actor(None, "test", "127.0.0.1")


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = ""
    if request.param == "postgresql":
        base = request.getfixturevalue("postgres")
        name = f"t_{secrets.token_hex(6)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = base.rsplit("/", 1)[0] + f"/{name}"
    s = Store(make_settings(tmp_path / "data", database_url=url))
    assert s.engine.dialect.name == request.param
    yield s
    s.close()


def test_migrations_make_the_models_schema(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(store):
    Store(store.settings).close()  # a restart runs the migrations again
    with store.db() as db:
        assert db.scalar(text("SELECT version_num FROM alembic_version")) == "0001"


def _workspace(store) -> tuple[Workspace, BundleVersion, Actor]:
    with store.db() as db:
        admin = create_account(db, ACTOR, "admin", Role.ADMIN, PASSWORD, [])
        ws = Workspace(region_code="341302", region_name="埇桥区", year=2027, created_by=admin.id)
        db.add(ws)
        db.flush()
        bundle = BundleVersion(
            workspace_id=ws.id, number=1, filename="b.zip", sha256="0" * 64, size=1,
            path="bundles/1/1/bundle", counts={}, created_by=admin.id,
        )  # fmt: skip
        db.add(bundle)
        db.commit()
        return ws, bundle, Actor(admin.id, "admin", "127.0.0.1")


def test_audit_log_is_append_only_in_the_database(store):
    with store.db() as db:
        audit(db, ACTOR, "login", reason="=cmd|' /C calc'!A0")
        db.commit()
        entry = db.scalar(select(AuditEntry))
        assert entry.reason.startswith("=cmd")
    for statement in (
        update(AuditEntry).values(reason="changed"),
        AuditEntry.__table__.delete(),
    ):
        with store.db() as db, pytest.raises(DBAPIError, match="append-only"):
            db.execute(statement)
            db.commit()
    with store.db() as db:
        assert db.scalar(select(AuditEntry)).reason.startswith("=cmd")


def test_stale_acceptance_is_refused_and_nothing_is_lost(store, tmp_path):
    ws, bundle, actor = _workspace(store)
    revision = ws.revision
    folders = []
    for i in range(2):
        folder = tmp_path / f"plan{i}"
        folder.mkdir()
        (folder / "officer_plan.csv").write_text(f"plan {i}\n")
        folders.append(folder)
    with store.db() as db:
        ws = db.get(Workspace, ws.id)
        first = add_plan_version(
            db, actor, ws, bundle=bundle, folder=folders[0], files=store.settings.files,
            origin="whatif", status="OPTIMAL", headline={}, description="first",
            parent_id=None, expected_revision=revision,
        )  # fmt: skip
        db.commit()
    with store.db() as db:  # a second planner, working on the same revision
        ws = db.get(Workspace, ws.id)
        with pytest.raises(StaleVersion) as stale:
            add_plan_version(
                db, actor, ws, bundle=bundle, folder=folders[1], files=store.settings.files,
                origin="whatif", status="OPTIMAL", headline={}, description="second",
                parent_id=None, expected_revision=revision,
            )  # fmt: skip
        assert stale.value.current == revision + 1
    with store.db() as db:
        plans = db.scalars(select(PlanVersion)).all()
        assert [p.description for p in plans] == ["first"]
        assert db.get(Workspace, ws.id).head_plan_id == first.id
        audits = [a.action for a in db.scalars(select(AuditEntry))]
        assert audits.count("plan.create") == 1
    assert folders[1].exists()  # the refused plan's folder is still the planner's to redo


def test_disabling_an_account_ends_its_sessions(store):
    with store.db() as db:
        account = create_account(db, ACTOR, "p", Role.PLANNER, PASSWORD, ["341302"])
        db.flush()
        cookies = SessionCookies(b"k" * 32, 1, 60, False)
        for _ in range(3):
            cookies.start(db, account, "1.2.3.4")
        db.commit()
        assert len(db.scalars(select(Session)).all()) == 3
        account.active = False
        end_sessions(db, account.id)
        db.commit()
        assert db.scalars(select(Session)).all() == []
