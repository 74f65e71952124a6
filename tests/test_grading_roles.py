"""Who may grade (issue 16 + accounts): analysts and admins; a reader gets 403; the author is the user."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.identity_helpers import FAST_SETTINGS, add_user, csrf_token, login, uniq
from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures


@pytest.fixture()
def client(es: Elasticsearch, index_alias: str, module_settings, workspace_url, store):  # noqa: F811
    bulk(es, ({"_index": index_alias, "_id": f"r-{i}", "_source": {"id": f"r-{i}", "source": "Role Wire",
               "title": "x", "collection": "c", "reliability": "F"}} for i in range(3)), refresh=True)
    settings = module_settings.model_copy(update={"database_url": workspace_url, **FAST_SETTINGS})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def test_readers_may_not_grade_analysts_may_and_are_named(client, store):
    reader, analyst = uniq("rita"), uniq("anna")
    add_user(store, reader, "reader")
    add_user(store, analyst, "analyst")
    from workspace import sources as S

    with store.session() as db:  # a reader without collections sees no documents, so none get registered
        S.ensure_sources(db, ["Role Wire"])
    client.app.state.accounts_checked_at = -1e9
    assert login(client, reader).status_code == 303
    page = client.get("/sources/Role%20Wire")
    assert page.status_code == 200
    denied = client.post("/sources/Role%20Wire", data={"reliability": "A", "rationale": "x", "csrf": csrf_token(page.text)})
    assert denied.status_code == 403 and "analyst or admin" in denied.text
    client.cookies.clear()
    assert login(client, analyst).status_code == 303
    page = client.get("/sources/Role%20Wire")
    done = client.post("/sources/Role%20Wire", data={"reliability": "B", "rationale": "checked", "csrf": csrf_token(page.text)})
    assert done.status_code == 303
    history = client.get("/sources/Role%20Wire").text
    assert analyst in history and "checked" in history
    stale = client.post("/sources/Role%20Wire", data={"reliability": "C", "rationale": "x", "csrf": "forged"})
    assert stale.status_code == 403
