"""``periscope users|groups|collections|db`` through typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from periscope.cli import app
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from workspace import Workspace
from workspace.access import readable_collections
from workspace.users import require_user, verify_password

runner = CliRunner()

from tests.conftest import unique_alias


@pytest.fixture()
def cli_url(workspace_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", workspace_url)
    return workspace_url


def run(*args: str, input: str | None = None, code: int = 0):  # noqa: A002 - click's name
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def uniq(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def test_users_add_list_disable_enable_reset(cli_url: str):
    name, other = uniq("Alice"), uniq("bob")
    added = run("users", "add", name, "--role", "analyst", "--display-name", "Alice A.")
    one_time = added.stdout.strip()
    assert len(one_time) >= 16 and "one-time password" in added.stderr
    run("users", "add", other, "--role", "reader", "--password-stdin", input="a long password here\n")
    listing = run("users", "list").stdout.splitlines()
    assert listing[0].split("\t")[:3] == ["username", "role", "state"]
    assert f"{name}\tanalyst\tactive\t-\tAlice A." in listing
    run("users", "disable", name.upper())
    assert f"{name}\tanalyst\tdisabled" in run("users", "list").stdout
    run("users", "enable", name)
    new_password = run("users", "reset-password", name).stdout.strip()
    run("users", "set-role", other, "integrator")
    with Workspace(cli_url) as ws, ws.session() as db:
        user = verify_password(db, name, new_password)
        assert user is not None and user.must_change_password and not user.disabled
        assert verify_password(db, name, one_time) is None
        assert verify_password(db, other, "a long password here").role.value == "integrator"


def test_bad_input_exits_2_with_a_clear_message(cli_url: str):
    name = uniq("carol")
    run("users", "add", name, "--role", "reader", "--password-stdin", input="long enough password\n")
    dup = run("users", "add", name.upper(), "--role", "reader", code=2)
    assert "already exists" in dup.stderr
    typo = run("users", "disable", name[:-1], code=2)
    assert f"Did you mean '{name}'" in typo.stderr
    assert "not a role" in run("users", "add", uniq("dan"), "--role", "boss", code=2).stderr
    assert "no password line" in run("users", "add", uniq("eve"), "--role", "reader", "--password-stdin",
                                     input="\n", code=2).stderr
    assert "10 to 1024" in run("users", "reset-password", name, "--password-stdin", input="short\n",
                               code=2).stderr
    assert "exactly one" in run("collections", "grant", "x", code=2).stderr


def test_collections_and_groups_grant_access(cli_url: str):
    coll, user, group = uniq("leaks"), uniq("fred"), uniq("desk")
    run("users", "add", user, "--role", "reader", "--password-stdin", input="long enough password\n")
    run("collections", "add", coll, "--label", "Leaked files")
    assert "already exists" in run("collections", "add", coll, code=2).stderr
    run("groups", "add", group, "--description", "news desk")
    run("groups", "add-member", group, user)
    assert f"{group}\t{user}\tnews desk" in run("groups", "list").stdout
    run("collections", "grant", coll, "--group", group, "--write")
    assert f"{coll}\tLeaked files\tg:{group}=write" in run("collections", "list").stdout
    with Workspace(cli_url) as ws, ws.session(readonly=True) as db:
        assert readable_collections(db, require_user(db, user)) == [coll]
    run("collections", "revoke", coll, "--group", group)
    run("groups", "remove-member", group, user)
    with Workspace(cli_url) as ws, ws.session(readonly=True) as db:
        assert readable_collections(db, require_user(db, user)) == []
    assert "Did you mean" in run("collections", "grant", coll[:-1], "--user", user, code=2).stderr


def test_db_upgrade_and_current(cli_url: str):
    head = Workspace.head()
    assert f"revision {head} (head)" in " ".join(run("db", "upgrade").stderr.split())
    assert run("db", "current").stdout.startswith(f"{head}\thead={head}")
    # models and migrations agree, so the developer command writes nothing
    assert "no revision written" in run("db", "revision", "nothing changed").stderr


def test_db_start_status_stop_the_managed_postgres(monkeypatch: pytest.MonkeyPatch, tmp_path):
    from periscope.pgnode import ManagedPostgres, free_port

    port = free_port()
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PERISCOPE_PG_PORT", str(port))
    monkeypatch.delenv("PERISCOPE_DATABASE_URL", raising=False)
    pg = ManagedPostgres(tmp_path, "local", port=port)
    try:
        url = run("db", "start").stdout.strip().removeprefix("PERISCOPE_DATABASE_URL=")
        assert url == f"postgresql+psycopg://periscope@127.0.0.1:{port}/periscope"
        assert run("db", "status").stdout.startswith(f"running\tport={port}")
        monkeypatch.setenv("PERISCOPE_DATABASE_URL", url)
        run("users", "add", "admin", "--role", "admin", "--password-stdin", input="long enough password\n")
        assert "admin\tadmin\tactive" in run("users", "list").stdout
        assert "stopped" in run("db", "stop").stderr
        assert run("db", "status", code=1).stdout.startswith("stopped")
        assert "cannot use the workspace database" in run("users", "list", code=1).stderr
    finally:
        pg.destroy()


def test_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch):
    from periscope.pgnode import free_port

    monkeypatch.setenv("PERISCOPE_DATABASE_URL", f"postgresql://nobody:secret@127.0.0.1:{free_port()}/x")
    result = run("users", "list", code=1)
    assert "cannot use the workspace database" in result.stderr and "secret" not in result.stderr
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", "mysql://u@h/d")
    assert "PERISCOPE_DATABASE_URL" in run("users", "list", code=2).stderr


def test_up_migrates_the_workspace(es, monkeypatch: pytest.MonkeyPatch, tmp_path):
    """`periscope up` = node + index contract + workspace schema (on a throw-away alias and file)."""
    from mappings import drop
    from periscope.settings import get_settings

    alias = unique_alias("up")
    db = tmp_path / "up.sqlite3"
    monkeypatch.setenv("PERISCOPE_INDEX_ALIAS", alias)
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    try:
        result = run("up")
        assert f"revision {Workspace.head()} (head)" in result.stderr.replace("\n", "") and db.is_file()
        with Workspace(f"sqlite:///{db}", migrate=False) as ws:
            assert ws.current() == Workspace.head()
    finally:
        get_settings.cache_clear()
        drop(es, alias)
