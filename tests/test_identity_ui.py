"""The account and admin pages, driven like a browser (forms with CSRF), on SQLite and PostgreSQL:
an admin creates a reader and gives them one collection; keys are shown once; the audit page shows
who did what; integrators get a 403 page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.identity_helpers import FAST_SETTINGS, add_user, csrf_token, login, uniq
from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(module_settings, workspace_url, store):
    settings = module_settings.model_copy(update={"database_url": workspace_url, **FAST_SETTINGS})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def _flush_audit(client: TestClient) -> None:
    client.portal.call(client.app.state.audit.flush)
    client.portal.call(client.app.state.audit.refresh)


def test_admin_creates_a_reader_grants_a_collection_and_the_audit_page_shows_it(client, store):
    boss, reader, coll = uniq("boss"), uniq("rita"), uniq("coll-")
    add_user(store, boss, "admin")
    assert login(client, boss).status_code == 303
    page = client.get("/admin/users")
    assert page.status_code == 200 and "<h1>Users</h1>" in page.text and 'for="new-username"' in page.text
    token = csrf_token(page.text)
    made = client.post("/admin/users", data={"csrf": token, "username": reader, "role": "reader"})
    assert made.status_code == 201
    password = re.search(r'id="one-time-password">([^<]+)<', made.text).group(1)
    assert client.get("/admin/users").text.count(password) == 0  # shown once
    clash = client.post("/admin/users", data={"csrf": token, "username": reader, "role": "reader"})
    assert clash.status_code == 409 and "already exists" in clash.text
    assert client.post("/admin/users", data={"csrf": "forged", "username": uniq("x"), "role": "reader"}).status_code == 403
    assert client.post("/admin/collections", data={"csrf": token, "name": coll}).status_code == 303
    assert client.post("/admin/collections", data={"csrf": token, "name": coll}).status_code == 409
    granted = client.post(f"/admin/collections/{coll}/grants",
                          data={"csrf": token, "kind": "user", "principal": reader, "permission": "read"})
    assert granted.status_code == 303 and reader in client.get("/admin/collections").text
    unknown = client.post(f"/admin/collections/{coll}/grants",
                          data={"csrf": token, "kind": "user", "principal": reader + "x", "permission": "read"})
    assert unknown.status_code == 404 and reader in unknown.text  # suggested
    client.cookies.clear()
    assert login(client, reader, password).status_code == 303
    assert client.get("/api/v1/me").json()["collections"] == [coll]
    forced = client.get("/?q=oil")  # a one-time password: choose your own before anything else
    assert forced.status_code == 303 and forced.headers["location"].startswith("/account/password?next=")
    form = client.get(forced.headers["location"])
    assert form.status_code == 200 and "<h1>Change your password</h1>" in form.text
    mine = "my very own passphrase"
    fields = {"csrf": csrf_token(form.text), "next": "/?q=oil", "current_password": password}
    differ = client.post("/account/password", data=fields | {"new_password": mine, "repeat_password": mine + "!"})
    assert differ.status_code == 422
    wrong = client.post("/account/password", data=fields | {"current_password": "nope nope nope",
                                                            "new_password": mine, "repeat_password": mine})
    assert wrong.status_code == 403 and "current password is wrong" in wrong.text
    done = client.post("/account/password", data=fields | {"new_password": mine, "repeat_password": mine})
    assert done.status_code == 303 and done.headers["location"] == "/?q=oil"
    assert client.get("/?q=oil").status_code == 200
    client.cookies.clear()
    assert login(client, reader, password).status_code == 401 and login(client, reader, mine).status_code == 303
    assert client.get("/admin/users").status_code == 403  # readers are not admins
    client.cookies.clear()
    login(client, boss)
    _flush_audit(client)
    audit = client.get("/admin/audit", params={"user": boss})
    assert audit.status_code == 200 and "<h1>Audit trail</h1>" in audit.text
    assert "collection" in audit.text and coll in audit.text and "login" in audit.text
    failures = client.get("/api/v1/admin/audit", params={"action": "user"}).json()
    assert failures["total"] >= 1 and failures["events"][0]["target"] == reader
    csv = client.get("/api/v1/admin/audit.csv", params={"user": reader})
    assert csv.status_code == 200 and csv.text.startswith('"@timestamp","action"') and '"login"' in csv.text
    assert client.get("/admin/audit", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/v1/admin/audit", params={"cursor": "!!"}).status_code == 422
    client.cookies.clear()


def test_my_keys_page_shows_a_new_key_once_and_revokes_it(client, store):
    name = uniq("kay")
    add_user(store, name, "integrator")
    login(client, name)
    assert client.get("/").status_code == 403 and "API only" in client.get("/").text
    page = client.get("/account/keys")
    assert page.status_code == 200 and "<h1>My API keys</h1>" in page.text
    made = client.post("/account/keys", data={"csrf": csrf_token(page.text), "name": "etl", "scope": "read"})
    assert made.status_code == 201
    token = re.search(r'id="new-token">([^<]+)<', made.text).group(1)
    assert token not in client.get("/account/keys").text
    assert client.get("/api/v1/search", headers={"X-API-Key": token}).status_code == 200
    key_id = re.search(r'action="/account/keys/(\d+)/revoke"', made.text).group(1)
    assert client.post(f"/account/keys/{key_id}/revoke", data={"csrf": csrf_token(page.text)}).status_code == 303
    assert client.get("/api/v1/search", headers={"X-API-Key": token}).status_code == 401
    bad = client.post("/account/keys", data={"csrf": csrf_token(page.text), "name": "x", "expires": "2001-01-01"})
    assert bad.status_code == 422
    client.cookies.clear()
