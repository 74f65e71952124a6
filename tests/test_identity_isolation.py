"""The issue's "done when", through real sign-in (no test device): an admin creates a reader and grants
one collection through the admin API; the reader, signed in with a password or using a personal key,
sees only that collection in the API and the UI; the admin sees both; the audit trail shows both."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import test_isolation_corpus as corpus
from search_api.app import create_app
from tests.identity_helpers import FAST_SETTINGS, PASSWORD, add_user, csrf_token, login, uniq
from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(es, index_alias, module_settings, workspace_url, store):
    corpus.load(es, index_alias)
    settings = module_settings.model_copy(update={"database_url": workspace_url, **FAST_SETTINGS})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def test_a_reader_made_by_an_admin_sees_only_the_granted_collection(client, store):
    boss, reader = uniq("boss"), uniq("reed")
    add_user(store, boss, "admin")
    login(client, boss)
    password = client.post("/api/v1/admin/users", json={"username": reader, "role": "reader"}).json()["one_time_password"]
    for name in corpus.COLLECTIONS:
        assert client.post("/api/v1/admin/collections", json={"name": name}).status_code in (201, 409)
    assert client.put("/api/v1/admin/collections/alpha/grants", json={"user": reader}).status_code == 200
    everything = client.get("/api/v1/search", params={"q": "zephyr"}).text
    assert corpus.leaks(everything, "bravo") and corpus.leaks(everything, "alpha")  # the admin sees both
    client.cookies.clear()

    login(client, reader, password)
    api = client.get("/api/v1/search", params={"q": "zephyr"})
    assert api.status_code == 200 and api.json()["total"]["value"] > 0
    assert corpus.leaks(api.text, "bravo") == []
    # the UI first asks for a password of their own, then shows the same need-to-know view
    form = client.get("/account/password")
    client.post("/account/password", data={"csrf": csrf_token(form.text), "next": "/", "current_password": password,
                                           "new_password": PASSWORD, "repeat_password": PASSWORD})
    page = client.get("/", params={"q": "zephyr"})
    assert page.status_code == 200 and corpus.leaks(page.text, "bravo") == []
    other_doc = corpus.ids("bravo")[0]
    assert client.get(f"/api/v1/documents/{other_doc}").status_code == 404
    token = client.post("/api/v1/me/keys", json={"name": "script"}).json()["token"]
    client.cookies.clear()
    by_key = client.get("/api/v1/search", params={"q": "zephyr"}, headers={"X-API-Key": token})
    assert by_key.status_code == 200 and corpus.leaks(by_key.text, "bravo") == []

    login(client, boss)
    client.portal.call(client.app.state.audit.flush)
    client.portal.call(client.app.state.audit.refresh)
    trail = client.get("/api/v1/admin/audit", params={"user": reader, "size": 100}).json()["events"]
    actions = {e["action"] for e in trail}
    assert {"login", "search", "view", "key"} <= actions
    assert any(e["action"] == "view" and e["target"] == other_doc and e["status"] == 404 for e in trail)
    client.cookies.clear()
