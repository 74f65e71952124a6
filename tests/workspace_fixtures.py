"""Workspace-store fixtures: every workspace test runs on SQLite and on a real PostgreSQL server.

``pg_server`` is one throw-away cluster per test session (initdb under the cache dir, a free
loopback port, fsync off), destroyed at the end. ``workspace_url`` is parametrised over both
databases: a temporary SQLite file, or a fresh ``CREATE DATABASE test_<module>_<random>`` per test
module on PostgreSQL; both are removed afterwards. ``store`` is an opened, migrated Workspace.

``oidc_server`` is a real OpenID Connect provider (mock-oauth2-server) for the session.
Servers are cached in this module, so importing these fixtures into several places (conftest and
a test module) still starts exactly one of each.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from periscope.localservice import pid_alive
from periscope.oidcnode import OidcServer
from periscope.pgnode import ManagedPostgres, clusters_dir, free_port
from periscope.settings import Settings

BACKENDS = ("sqlite", "postgresql")
TEST_PREFIX = "test-"
_resources: dict[str, Any] = {}  # see _shared
T = TypeVar("T")


def reap_orphans(cache_dir: Path) -> None:
    """Destroy test clusters left running by a killed test session (their owner process is gone)."""
    for owner in clusters_dir(cache_dir).glob(f"{TEST_PREFIX}*/owner.pid"):
        try:
            alive = pid_alive(int(owner.read_text()))
        except (OSError, ValueError):
            alive = False
        if not alive:
            ManagedPostgres(cache_dir, owner.parent.name).destroy()


def _shared(key: str, make: Callable[[], T], close: Callable[[T], object]) -> Iterator[T]:
    """One instance per process however many modules define the fixture; closed at session end."""
    if key not in _resources:
        _resources[key] = make()
    yield _resources[key]
    if key in _resources:
        close(_resources.pop(key))


def _start_pg(settings: Settings) -> ManagedPostgres:
    reap_orphans(settings.cache_dir)
    pg = ManagedPostgres(
        settings.cache_dir, f"{TEST_PREFIX}{uuid.uuid4().hex[:8]}", port=free_port(),
        run_as=settings.pg_run_as, throwaway=True,
    )
    pg.root.mkdir(parents=True, exist_ok=True)
    (pg.root / "owner.pid").write_text(str(os.getpid()))
    try:
        pg.start()
    except Exception:
        pg.destroy()
        raise
    return pg


def _start_oidc(settings: Settings) -> OidcServer:
    server = OidcServer(settings.cache_dir, free_port())
    server.start()
    return server


@pytest.fixture(scope="session")
def pg_server(settings: Settings) -> Iterator[ManagedPostgres]:
    """A running throw-away PostgreSQL cluster, shared by the whole session."""
    yield from _shared("pg", lambda: _start_pg(settings), ManagedPostgres.destroy)


@pytest.fixture(scope="session")
def oidc_server(settings: Settings) -> Iterator[OidcServer]:
    """A real OpenID Connect provider (mock-oauth2-server, interactive login) for the session."""
    yield from _shared("oidc", lambda: _start_oidc(settings), OidcServer.stop)


def database_name(module: str) -> str:
    """``test_<module>_<random>``: unique, and a plain PostgreSQL identifier."""
    stem = re.sub(r"[^a-z0-9_]", "_", module.rsplit(".", 1)[-1].lower())[:40]
    return f"test_{stem}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module", params=BACKENDS)
def workspace_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database for this test module, on each backend in turn."""
    if request.param == "sqlite":
        from workspace import sqlite_url

        folder: Path = tmp_path_factory.mktemp("workspace")
        yield sqlite_url(folder / "workspace.sqlite3")
        shutil.rmtree(folder, ignore_errors=True)
        return
    server: ManagedPostgres = request.getfixturevalue("pg_server")
    name = database_name(request.module.__name__)
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture(scope="module")
def store(workspace_url: str):  # noqa: ANN201 - workspace.Workspace, imported lazily
    """The module's database, migrated to head; closed (connections released) afterwards."""
    from workspace import open_store

    ws = open_store(workspace_url)
    yield ws
    ws.close()



@pytest.fixture()
def empty_workspace_url(workspace_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, unmigrated database on the same backend as ``workspace_url`` (for migration tests)."""
    if workspace_url.startswith("sqlite"):
        from workspace import sqlite_url

        yield sqlite_url(tmp_path / "empty.sqlite3")
        return
    server: ManagedPostgres = request.getfixturevalue("pg_server")
    name = database_name("empty")
    url = server.create_database(name)
    yield url
    server.drop_database(name)
