"""``periscope users ensure-admin`` (what ``make run`` calls): the first admin once, then nothing; and the
deprecated shared keys still work, with a ``Deprecation`` header."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from periscope.cli import app
from search_api.app import create_app
from tests.workspace_fixtures import empty_workspace_url, pg_server, workspace_url  # noqa: F401 - fixtures
from workspace import Workspace
from workspace.users import list_users, verify_password

runner = CliRunner()


def test_ensure_admin_creates_the_first_admin_once(empty_workspace_url, monkeypatch):
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", empty_workspace_url)
    monkeypatch.delenv("PERISCOPE_ADMIN_PASSWORD", raising=False)
    first = runner.invoke(app, ["users", "ensure-admin"])
    assert first.exit_code == 0, first.output
    password = first.stdout.strip().splitlines()[-1]
    assert "Sign in at http://" in first.output and "one-time password" in first.output
    again = runner.invoke(app, ["users", "ensure-admin"])
    assert again.exit_code == 0 and "accounts exist already" in again.output and password not in again.stdout
    with Workspace(empty_workspace_url) as ws, ws.session() as db:
        users = list_users(db)
        assert [(u.username, u.role.value, u.must_change_password) for u in users] == [("admin", "admin", True)]
        assert verify_password(db, "admin", password) is not None


def test_ensure_admin_takes_the_password_from_the_environment(empty_workspace_url, monkeypatch):
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", empty_workspace_url)
    monkeypatch.setenv("PERISCOPE_ADMIN_PASSWORD", "demo password 123")
    result = runner.invoke(app, ["users", "ensure-admin", "--name", "chief"])
    assert result.exit_code == 0 and "PERISCOPE_ADMIN_PASSWORD" in result.output
    assert "demo password 123" not in result.output
    with Workspace(empty_workspace_url) as ws, ws.session() as db:
        assert verify_password(db, "chief", "demo password 123") is not None


@pytest.mark.integration
def test_shared_keys_still_work_and_say_they_are_deprecated(module_settings, tmp_path):
    from workspace import sqlite_url

    key = "shared-" + "Zq8xW3vN7pR2tY5uB9mC4kL6"
    settings = module_settings.model_copy(update={"api_keys": [key],
                                                  "database_url": sqlite_url(tmp_path / "ws.sqlite3")})
    with TestClient(create_app(settings)) as client:
        r = client.get("/api/v1/search", params={"q": "oil"}, headers={"X-API-Key": key})
        assert r.status_code == 200 and r.headers["deprecation"] == "true"
        me = client.get("/api/v1/me", headers={"X-API-Key": key}).json()
        assert me["auth"] == "shared-key" and me["collections"] is None
        refused = client.get("/api/v1/me/keys", headers={"X-API-Key": key})
        assert refused.status_code == 403 and "user accounts" in refused.json()["detail"]
        assert client.get("/api/v1/search", headers={"X-API-Key": "psk_nonsense"}).status_code == 401
