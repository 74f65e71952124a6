"""The "Save search" form (with CSRF), the Saved page with new-match counts, the header badge and the
"new since last visit" view — real node, both workspace databases."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from test_alerts import index_doc
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(module_settings, workspace_url):  # noqa: F811 - fixture
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False})
    with TestClient(create_app(settings)) as c:
        yield c


def field(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no {name} field"
    return m.group(1).replace("&amp;", "&").replace("&#34;", '"').replace("&quot;", '"')


def test_save_from_results_then_badge_and_new_since_last_visit(client, es, index_alias):
    word = "zu" + uuid.uuid4().hex[:10]
    index_doc(es, index_alias, f"{word}-seed", f"{word} seed")
    page = client.get("/", params={"q": word, "language": "en"})
    assert page.status_code == 200 and 'id="save-search"' in page.text
    form = {"csrf": field(page.text, "csrf"), "search": field(page.text, "search"), "name": f"ui {word}", "watch": "on"}
    assert client.post("/saved", data={**form, "csrf": "forged"}).status_code == 403
    r = client.post("/saved", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/saved"
    again = client.post("/saved", data=form)
    assert again.status_code == 409 and "already exists" in again.text
    listed = client.get("/saved")
    assert f"ui {word}" in listed.text and "0 new" in listed.text
    s = next(x for x in client.get("/api/v1/saved-searches").json() if x["name"] == f"ui {word}")
    assert s["search"] == {"q": word, "language": ["en"]} and s["watch"]
    index_doc(es, index_alias, f"{word}-new", f"{word} brand new")
    report = client.portal.call(lambda: client.app.state.alerts.engine.run_pass(only=[s["id"]]))
    assert report.new_matches == 1
    home = client.get("/")
    assert re.search(r'class="badge">\s*1\b', home.text)
    one = client.get(f"/saved/{s['id']}")
    assert one.status_code == 200 and f"{word} brand new" in one.text and "New since your last visit (1)" in one.text
    assert 'class="badge"' not in client.get("/").text  # the visit reset the badge
    assert "New since your last visit (0)" in client.get(f"/saved/{s['id']}").text


def test_unparsable_query_is_refused_with_the_hint(client):
    page = client.get("/", params={"q": "anything"})
    r = client.post("/saved", data={"csrf": field(page.text, "csrf"), "search": "q=%22unclosed", "name": "bad"})
    assert r.status_code == 400 and "Not saved" in r.text
