"""The workspace store itself: migrations from empty, schema = models, pragmas, UTC timestamps."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from tests.workspace_fixtures import (  # noqa: F401 - fixtures
    empty_workspace_url, pg_server, store, workspace_url,
)
from workspace import InvalidValue, SchemaOutdated, Workspace, open_store
from workspace.meta import get_meta, set_meta
from workspace.models import Base, Meta
from workspace.store import default_url, normalise_url

TABLES = {
    "users", "groups", "memberships", "api_keys", "sessions", "collections", "collection_acl",
    "login_attempts", "meta", "alembic_version",
    "saved_searches", "alert_matches", "alert_deliveries", "alert_locks", "batch_searches",  # 0003_alerts
    "sources", "source_grades", "credibility_overrides",  # 0004_grading
    "watchlists", "watchlist_entries",  # 0005_watchlists
    "doc_marks", "doc_tags", "annotations", "cases", "case_members", "case_documents", "case_searches",
    "case_notes",  # 0006_cases
}


def test_migrations_from_empty_reach_head_and_match_the_models(store: Workspace):
    assert store.current() == Workspace.head()
    assert set(inspect(store.engine).get_table_names()) == TABLES
    with store.engine.connect() as conn:
        # autogenerate's diff: the migration creates exactly what the models declare
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    store.check_current()


def test_concurrent_upgrades_from_several_processes_serialise(empty_workspace_url: str):
    """API workers all migrate at start-up: they must queue (advisory lock / BEGIN IMMEDIATE).

    Processes, not threads: Alembic's ``context`` is process-global, and workers are processes.
    """
    code = "import sys; from workspace import Workspace; print(Workspace(sys.argv[1]).current())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, empty_workspace_url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [(p.returncode, out.strip()) for p, (out, _) in zip(procs, results)] == [(0, Workspace.head())] * 2, results


def test_downgrade_to_empty_and_back(empty_workspace_url: str):
    from alembic import command

    from workspace.store import alembic_config

    with Workspace(empty_workspace_url) as ws:
        with ws.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(inspect(ws.engine).get_table_names()) <= {"alembic_version"}
        with pytest.raises(SchemaOutdated, match="periscope db upgrade"):
            ws.check_current()
        assert ws.upgrade() == Workspace.head()


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(store: Workspace):
    if store.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced_on_both_backends(store: Workspace):
    from sqlalchemy.exc import IntegrityError

    from workspace.models import Membership

    with pytest.raises(IntegrityError), store.session() as db:
        db.add(Membership(group_id=999_999, user_id=999_999))


def test_timestamps_come_back_aware_utc_and_naive_ones_are_refused(store: Workspace):
    paris = timezone(timedelta(hours=1))
    with store.session() as db:
        db.add(Meta(key="ts-check", value="x", updated_at=datetime(2026, 1, 2, 13, 0, tzinfo=paris)))
    with store.session(readonly=True) as db:
        got = db.scalar(select(Meta.updated_at).where(Meta.key == "ts-check"))
    assert got == datetime(2026, 1, 2, 12, 0, tzinfo=UTC) and got.tzinfo is not None
    with pytest.raises(Exception, match="naive datetime"), store.session() as db:
        db.add(Meta(key="naive", value="x", updated_at=datetime(2026, 1, 2)))
        db.flush()


def test_session_commits_on_success_and_rolls_back_on_error(store: Workspace):
    with store.session() as db:
        set_meta(db, "greeting", "hello")
    with pytest.raises(RuntimeError), store.session() as db:
        set_meta(db, "greeting", "changed")
        raise RuntimeError("boom")
    with store.session(readonly=True) as db:
        assert get_meta(db, "greeting") == "hello"
        set_meta(db, "greeting", "read-only sessions never commit")
    with store.session(readonly=True) as db:
        assert get_meta(db, "greeting") == "hello"
        assert get_meta(db, "missing") is None


def test_urls_are_checked_and_postgresql_uses_psycopg3(tmp_path):
    assert normalise_url("postgresql://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert default_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/workspace.sqlite3"
    with pytest.raises(InvalidValue, match="not supported"):
        normalise_url("mysql://u@h/d")
    with pytest.raises(InvalidValue, match="not a database URL"):
        normalise_url("not a url")


def test_open_store_creates_the_sqlite_folder(tmp_path):
    path = tmp_path / "deeper" / "workspace.sqlite3"
    with open_store(f"sqlite:///{path}") as ws:
        assert ws.current() == Workspace.head() and path.is_file()


def test_compose_runs_postgres_and_points_the_api_at_it():
    import json
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if shutil.which("docker") is None or subprocess.run(["docker", "compose", "version"],
                                                       capture_output=True).returncode != 0:
        pytest.skip("docker CLI with the compose plugin is not installed")
    out = subprocess.run(
        ["docker", "compose", "-f", str(root / "docker-compose.yml"), "--profile", "cluster", "config",
         "--format", "json"],
        capture_output=True, text=True, cwd=root, env={**os.environ, "PERISCOPE_API_KEYS": "k"}, check=True,
    )
    services = json.loads(out.stdout)["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    for api in ("api", "api-cluster"):
        url = services[api]["environment"]["PERISCOPE_DATABASE_URL"]
        assert normalise_url(url).startswith("postgresql+psycopg://periscope:") and "@postgres:5432/" in url
        assert "postgres" in services[api]["depends_on"] and "db upgrade" in " ".join(services[api]["command"])
