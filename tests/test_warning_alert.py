"""Warning alerts (issue 17 item 2): a scope saved from the Warnings page fires once per (alert, rising
value, window) through the alert ledger and channels — real node (constructed weekly corpus), both
workspace databases, a real webhook receiver."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import warning_corpus as corpus
from alert_receivers import WebhookReceiver
from search_api.app import create_app
from test_alerts import run_pass
from test_saved_ui import field
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
API = "/api/v1/saved-searches"


@pytest.fixture(scope="module")
def client(es, index_alias, module_settings, workspace_url):  # noqa: F811 - fixture
    corpus.load(es, index_alias)
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False,
                                                  "alerts_webhook_allow_private": True})
    with TestClient(create_app(settings)) as c:
        yield c


def test_rising_values_fire_once_per_window(client):
    hook = WebhookReceiver()
    try:
        r = client.post(API, json={"name": "people rising", "q": "", "watch": True, "webhook_url": hook.url,
                                   "rising": {"fields": ["person"], "interval": "week", "threshold": 3}})
        assert r.status_code == 201, r.text
        s = r.json()
        assert s["search"]["rising"]["threshold"] == 3
        report = run_pass(client, only=[s["id"]])
        assert report.ok and report.new_matches == 2 and report.sent == 2, report
        docs = {p["document"]["id"]: p["document"] for p in hook.verified(s["webhook_secret"])}
        last_week = (corpus.START.toordinal() + 7 * (corpus.WEEKS - 1))
        monday = type(corpus.START).fromordinal(last_week).isoformat()
        assert set(docs) == {f"rising:person:{monday}:Rising Person", f"rising:person:{monday}:Newcomer"}
        rising = docs[f"rising:person:{monday}:Rising Person"]
        assert rising["title"] == "Rising person: Rising Person" and "expected" in rising["snippet"]
        assert f"date_from={monday}" in rising["link"] and "person=Rising+Person" in rising["link"]
        again = run_pass(client, only=[s["id"]])
        assert again.ok and again.new_matches == 0 and len(hook.requests) == 2  # once per (alert, value, window)
        # a scope that excludes the spike: nothing rises
        quiet = client.post(API, json={"name": "steady only", "q": '"Steady Corp"', "watch": True,
                                       "rising": {"fields": ["person"], "threshold": 3}}).json()
        assert run_pass(client, only=[quiet["id"]]).new_matches == 0
    finally:
        hook.close()


def test_bad_rising_settings_are_422(client):
    r = client.post(API, json={"name": "bad rising", "q": "", "rising": {"threshold": 0}})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post(API, json={"name": "bad field", "q": "", "rising": {"fields": ["colour"]}})
    assert r.status_code == 422


def test_save_warnings_scope_from_the_page(client):
    page = client.get("/warnings", params={"countries": "US", "interval": "week"})
    assert page.status_code == 200 and 'action="/warnings/alert"' in page.text
    form = {"csrf": field(page.text, "csrf"), "scope": field(page.text, "scope"), "interval": "week",
            "name": "US rising", "threshold": "4", "fields": ["person", "org"]}
    assert client.post("/warnings/alert", data={**form, "csrf": "forged"}).status_code == 403
    r = client.post("/warnings/alert", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/edit")
    s = next(x for x in client.get(API).json() if x["name"] == "US rising")
    assert s["search"]["countries"] == ["US"] and s["watch"]
    assert s["search"]["rising"] == {"fields": ["person", "org"], "interval": "week", "threshold": 4.0, "min_support": 3}
    edit = client.get(r.headers["location"])
    assert edit.status_code == 200 and "A warning alert" in edit.text
    assert client.post("/warnings/alert", data={**form, "name": "again", "threshold": "x"}).status_code == 422
    assert client.post("/warnings/alert", data={**form}).status_code == 409  # the same name again
