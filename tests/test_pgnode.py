"""The managed throw-away PostgreSQL: a full lifecycle on its own cluster, clear errors, cleanup."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import psycopg
import pytest

from periscope import pgnode
from periscope.pgnode import ManagedPostgres, PostgresError, free_port
from periscope.settings import Settings
from tests.workspace_fixtures import pg_server, reap_orphans  # noqa: F401 - fixture


def _cluster(cache: Path, **kw) -> ManagedPostgres:
    return ManagedPostgres(cache, f"t-{uuid.uuid4().hex[:6]}", port=free_port(), throwaway=True, **kw)


def test_session_server_answers_sql(pg_server: ManagedPostgres):
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="periscope", dbname="postgres") as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0] >= 150000


def test_full_lifecycle_keeps_data_across_restarts(settings: Settings):
    pg = _cluster(settings.cache_dir)
    try:
        st = pg.start()
        assert st.running and st.port == pg.port and pg.start().pid == st.pid  # idempotent
        if os.geteuid() == 0:  # PostgreSQL refuses root: it runs as the unprivileged user
            assert pg.data.stat().st_uid != 0 and oct(pg.data.stat().st_mode)[-3:] == "700"
        url = pg.create_database("lifecycle")
        assert url.endswith(f"127.0.0.1:{pg.port}/lifecycle")
        assert pg.ensure_database("lifecycle") == url
        with psycopg.connect(host="127.0.0.1", port=pg.port, user="periscope", dbname="lifecycle") as conn:
            conn.execute("CREATE TABLE t (x int)")
            conn.execute("INSERT INTO t VALUES (42)")
        assert pg.stop() is True and not pg.status().running and pg.stop() is False
        pg.start()
        with psycopg.connect(host="127.0.0.1", port=pg.port, user="periscope", dbname="lifecycle") as conn:
            assert conn.execute("SELECT x FROM t").fetchone() == (42,)
        pg.drop_database("lifecycle")
        with pytest.raises(PostgresError, match="plain database name"):
            pg.create_database('x"; DROP DATABASE postgres; --')
    finally:
        pg.destroy()
    assert not pg.root.exists() and not pg.status().running


def test_private_cache_dir_falls_back_to_var_tmp_when_root(tmp_path: Path):
    """As root the server user must traverse the path; pytest's tmp dirs are private (0700)."""
    if os.geteuid() != 0:
        pytest.skip("only root runs the server as another user")
    tmp_path.chmod(0o700)
    pg = _cluster(tmp_path)
    try:
        assert str(pg.root).startswith("/var/tmp/periscope-pg-")
        assert pg.start().running
    finally:
        pg.destroy()


def test_port_in_use_gives_clear_error(settings: Settings):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        pg = ManagedPostgres(settings.cache_dir, f"t-{uuid.uuid4().hex[:6]}", port=blocker.getsockname()[1])
        with pytest.raises(PostgresError, match="in use.*PERISCOPE_PG_PORT"):
            pg.start()
    pg.destroy()


def test_missing_binaries_say_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(pgnode, "PG_LIB", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresError, match="apt-get install postgresql"):
        pgnode.find_bindir()


def test_clusters_of_killed_sessions_are_reaped(settings: Settings):
    pg = ManagedPostgres(settings.cache_dir, f"test-{uuid.uuid4().hex[:6]}", port=free_port(), throwaway=True)
    pg.root.mkdir(parents=True)
    (pg.root / "owner.pid").write_text("999999999")  # no such process: its session died
    try:
        assert pg.start().running
        reap_orphans(settings.cache_dir)
        assert not pg.status().running and not pg.root.exists()
    finally:
        pg.destroy()
