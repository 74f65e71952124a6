"""Watchlists end to end: import, precise matching (entity filter vs exact phrase, aliases), counts per entry
over time, latest matches, and the alert on any entry through the saved-search ledger and channels —
real node, both workspace databases, a real webhook receiver."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from alert_receivers import WebhookReceiver
from mappings import COLLECTION_FIELD
from search_api.app import create_app
from search_api.watchlists.parse import MAX_ENTRIES, parse
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures
from test_alerts import run_pass

pytestmark = pytest.mark.integration
API = "/api/v1/watchlists"


@pytest.fixture(scope="module")
def client(module_settings, workspace_url):  # noqa: F811 - fixture
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False,
                                                  "alerts_webhook_allow_private": True})
    with TestClient(create_app(settings)) as c:
        yield c


def doc(es, alias, doc_id, title, *, person=(), published="1987-03-02"):
    es.index(index=alias, id=doc_id, refresh="wait_for", document={
        "id": doc_id, "title": title, "body": f"{title}.", "language": "en", COLLECTION_FIELD: "alpha",
        "published_at": published, "entities": {"person": list(person)},
        "ingest": {"ingested_at": datetime.now(UTC).isoformat()}})


def test_parse_txt_csv_and_limits():
    txt = parse("# sanctions\nRosneft | Rosneft Oil Company\n\nrosneft\nIgor  Sechin\n", is_csv=False)
    assert [(e.name, e.aliases) for e in txt] == [("Rosneft", ("Rosneft Oil Company",)), ("Igor Sechin", ())]
    csv_in = parse("name,type,aliases\nIgor Sechin,person,Sechin;I. Sechin\nMV Aurora,vessel,\n", is_csv=True)
    assert [(e.name, e.kind, e.aliases) for e in csv_in] == [
        ("Igor Sechin", "person", ("Sechin", "I. Sechin")), ("MV Aurora", "vessel", ())]
    assert [e.aliases for e in parse("A,B,C\n", is_csv=True)] == [("B", "C")]


def test_entity_or_phrase_counts_latest_and_errors(client, es, index_alias):
    w = "zw" + uuid.uuid4().hex[:8]
    person = f"Ann {w}"
    doc(es, index_alias, f"{w}-1", f"meeting of {w} delegates", person=[person], published="1987-03-02")
    doc(es, index_alias, f"{w}-2", f"{w} delegates again", person=[person], published="1987-04-10")
    doc(es, index_alias, f"{w}-3", f"the ship Aurora {w} sailed", published="1987-04-11")
    doc(es, index_alias, f"{w}-4", f"Aurora is not the {w} ship", published="1987-04-12")  # words, not the phrase
    doc(es, index_alias, f"{w}-5", f"{person.lower()} named in the text only", published="1987-04-13")
    text = f"{person}\nAurora {w} | MV Aurora {w}\n"
    r = client.post(f"{API}/import", params={"name": f"list {w}"}, content=text, headers={"Content-Type": "text/plain"})
    assert r.status_code == 201, r.text
    wl = r.json()
    assert wl["size"] == 2
    assert wl["entries"][0]["entity"] == [f"person:{person}"]  # a known entity value: entity filter
    assert wl["entries"][1]["entity"] == []  # unknown: exact phrase (with its alias)
    stats = client.get(f"{API}/{wl['id']}/stats", params={"interval": "month"}).json()
    counts = {e["name"]: e for e in stats["entries"]}
    assert counts[person]["count"] == 2 and counts[person]["matched_by"] == "entity"  # not the text-only mention
    assert counts[f"Aurora {w}"]["count"] == 1 and counts[f"Aurora {w}"]["matched_by"] == "phrase"
    assert stats["dates"] == ["1987-03-01", "1987-04-01"] and counts[person]["series"] == [1, 1]
    assert stats["total"] == 3
    latest = stats["latest"]
    assert [x["id"] for x in latest] == [f"{w}-3", f"{w}-2", f"{w}-1"] and latest[0]["entries"] == [f"Aurora {w}"]
    # bad input
    dup = client.post(API, json={"name": f"list {w}", "entries": [{"name": "x"}]})
    assert dup.status_code == 409 and dup.headers["content-type"].startswith("application/problem+json")
    big = "\n".join(f"name {i}" for i in range(MAX_ENTRIES + 1))
    r = client.post(f"{API}/import", params={"name": f"big {w}"}, content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and str(MAX_ENTRIES) in r.json()["detail"]
    assert client.post(API, json={"name": f"e {w}", "entries": []}).status_code == 422
    bad = client.post(f"{API}/import", params={"name": f"t {w}"}, content="name,type\nX,spaceship\n",
                      headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422 and "spaceship" in bad.json()["detail"]
    assert client.get(f"{API}/999999").status_code == 404
    # rename, replace the entries, delete
    p = client.patch(f"{API}/{wl['id']}", json={"name": f"renamed {w}", "entries": [{"name": person, "type": "org"}]})
    assert p.status_code == 200 and p.json()["entries"][0]["entity"] == []  # not an organisation: a phrase
    assert client.delete(f"{API}/{wl['id']}").status_code == 204
    assert client.get(f"{API}/{wl['id']}").status_code == 404


def test_thousand_entries_run(client, es, index_alias):
    w = "zk" + uuid.uuid4().hex[:8]
    doc(es, index_alias, f"{w}-1", f"{w} entry 999 appears")
    names = [{"name": f"{w} entry {i}", "aliases": [f"{w} alias {i}"]} for i in range(MAX_ENTRIES)]
    r = client.post(API, json={"name": f"k {w}", "entries": names})
    assert r.status_code == 201, r.text
    res = client.get(f"{API}/{r.json()['id']}/stats")
    assert res.status_code == 200, res.text
    stats = res.json()
    assert stats["total"] == 1 and [e["count"] for e in stats["entries"]].count(1) == 1


def test_alert_on_any_entry_reuses_the_saved_search_machinery(client, es, index_alias):
    w = "za" + uuid.uuid4().hex[:8]
    hook = WebhookReceiver()
    try:
        wl = client.post(API, json={"name": f"alert {w}", "entries": [{"name": f"{w} alpha"}, {"name": f"{w} beta"}]}).json()
        a = client.put(f"{API}/{wl['id']}/alert", json={"interval_s": 60, "webhook_url": hook.url})
        assert a.status_code == 200, a.text
        alert = a.json()
        assert alert["watch"] and alert["feed_url"] and alert["webhook_secret"]
        doc(es, index_alias, f"{w}-a", f"news of {w} alpha today")
        doc(es, index_alias, f"{w}-b", f"{w} beta and more")
        doc(es, index_alias, f"{w}-c", f"{w} gamma only")
        report = run_pass(client, only=[alert["id"]])
        assert report.ok and report.new_matches == 2 and report.sent == 2, report
        assert {p["document"]["id"] for p in hook.verified(alert["webhook_secret"])} == {f"{w}-a", f"{w}-b"}
        assert run_pass(client, only=[alert["id"]]).new_matches == 0  # once per (alert, document)
        listed = client.get(f"{API}/{wl['id']}").json()["alert"]
        assert listed["id"] == alert["id"] and listed["new_matches"] == 2
        assert client.get(f"/api/v1/saved-searches/{alert['id']}/results").status_code == 422  # not a plain search
        assert client.patch(f"/api/v1/saved-searches/{alert['id']}", json={"search": {"q": "x"}}).status_code == 422
        feed = client.get(alert["feed_url"].replace("http://127.0.0.1:8000", ""))
        assert feed.status_code == 200 and feed.text.count("<entry>") == 2
        assert client.delete(f"{API}/{wl['id']}").status_code == 204  # its alert goes with it
        assert client.get(f"/api/v1/saved-searches/{alert['id']}").status_code == 404
    finally:
        hook.close()
