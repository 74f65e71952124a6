"""What the running app puts on the audit trail: sign-ins, searches (query + filters, or not for privacy),
document views, exports with their row count, key use; and the export row counter itself."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.auditing import RowCounter
from tests.identity_helpers import FAST_SETTINGS, add_user, login, uniq
from tests.workspace_fixtures import store  # noqa: F401 - fixture (on this module's workspace_url)


@pytest.fixture(scope="module", params=["sqlite"])
def workspace_url(request, tmp_path_factory):  # one backend is enough here (the store is not the subject)
    from workspace import sqlite_url

    yield sqlite_url(tmp_path_factory.mktemp("ws") / "workspace.sqlite3")


def _events(client: TestClient, **filters):
    audit = client.app.state.audit
    client.portal.call(audit.flush)
    client.portal.call(audit.refresh)
    return client.portal.call(lambda: audit.search(**filters))[1]


@pytest.mark.integration
@pytest.mark.parametrize("record_queries", [True, False])
def test_sign_in_search_view_export_and_key_use_are_recorded(module_settings, workspace_url, store, record_queries):
    settings = module_settings.model_copy(update={"database_url": workspace_url, **FAST_SETTINGS,
                                                  "audit_queries": record_queries})
    name = uniq("audrey")
    add_user(store, name, "analyst")
    with TestClient(create_app(settings), follow_redirects=False, client=("10.1.2.3", 4000)) as client:
        assert login(client, name, "not the password").status_code == 401
        assert login(client, name).status_code == 303
        assert client.get("/api/v1/search", params={"q": "opec oil", "countries": "IR"}).status_code == 200
        assert client.post("/api/v1/search", json={"q": "posted query"}).status_code == 200
        assert client.get("/api/v1/documents/nope-1").status_code == 404
        export = client.get("/api/v1/export", params={"q": "oil", "format": "csv"})
        assert export.status_code == 200
        token = client.post("/api/v1/me/keys", json={"name": "n"}).json()["token"]
        client.cookies.clear()
        client.get("/api/v1/search", params={"q": "by key"}, headers={"X-API-Key": token})
        events = _events(client, user=name)
    by_action: dict[str, list[dict]] = {}
    for e in events:
        by_action.setdefault(e["action"], []).append(e)
    assert [e["outcome"] for e in by_action["login"]] == ["success", "failure"]  # newest first
    assert all(e["client"] == "10.1.2.3" and e["request_id"] for e in events)
    searches = by_action["search"]
    assert len(searches) == 3 and {e["auth"] for e in searches} == {"session", "api-key"}
    if record_queries:
        assert {e.get("query") for e in searches} == {"opec oil", "posted query", "by key"}
        assert any(e.get("details", {}).get("filters") == {"countries": ["IR"]} for e in searches)
    else:
        assert all("query" not in e and "filters" not in e.get("details", {}) for e in searches)
    view = by_action["view"][0]
    assert view["target"] == "nope-1" and view["status"] == 404 and view["outcome"] == "failure"
    assert by_action["export"][0]["count"] == 0 and by_action["export"][0]["status"] == 200
    assert by_action["key"][0]["details"]["change"] == "create" and by_action["key-use"]


def test_the_row_counter_counts_records_not_newlines():
    counter = RowCounter(csv_format=True)
    for chunk in (b'id,title\r\n1,"two\nlines"\r\n2,"a ""quoted', b'"" word"\r\n3,plain\r\n'):
        counter.feed(chunk)
    assert counter.rows == 3
    lines = RowCounter(csv_format=False)
    lines.feed(b'{"a": "x\\ny"}\n{"b": 1}\n')
    assert lines.rows == 2
