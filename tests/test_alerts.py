"""Saved searches and alerts end to end: real node, both workspace databases, a real webhook receiver and
a real SMTP server on 127.0.0.1. Each test uses its own random word so tests (and the two database runs,
which share one index) never see each other's documents."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from alert_receivers import SmtpServer, WebhookReceiver
from mappings import COLLECTION_FIELD
from search_api.alerts.config import AlertConfig
from search_api.alerts.engine import AlertEngine
from search_api.app import create_app
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
API = "/api/v1/saved-searches"


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def client(module_settings, workspace_url, smtp):  # noqa: F811 - fixture
    settings = module_settings.model_copy(update={
        "database_url": workspace_url, "alerts_scheduler": False, "alerts_webhook_allow_private": True,
        "alerts_smtp_host": "127.0.0.1", "alerts_smtp_port": smtp.port, "alerts_max_attempts": 6})
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture()
def word() -> str:
    return "zq" + uuid.uuid4().hex[:10]


def index_doc(es, alias, doc_id, title, *, ingested=None, published="2001-02-03", collection="alpha"):
    ingested = ingested or datetime.now(UTC)
    es.index(index=alias, id=doc_id, refresh="wait_for", document={
        "id": doc_id, "title": title, "body": f"{title}. Body text about {title}.", "language": "en",
        COLLECTION_FIELD: collection, "published_at": published, "url": f"https://example.org/{doc_id}",
        "ingest": {"ingested_at": ingested.isoformat()}})


def run_pass(client, **kw):
    return client.portal.call(lambda: client.app.state.alerts.engine.run_pass(**kw))


def save(client, name, q, **extra):
    r = client.post(API, json={"name": name, "q": q, **extra})
    assert r.status_code == 201, r.text
    return r.json()


# --- saved searches ------------------------------------------------------------------------------------
def test_crud_duplicate_and_invalid(client, word):
    s = save(client, f"oil {word}", f"{word} AND oil", description="d", language=["en"], sort="date")
    assert s["search"] == {"q": f"{word} AND oil", "language": ["en"], "sort": "date"}
    assert s["feed_url"].endswith(f"/feeds/saved-searches/{s['id']}.atom?token=" + s["feed_url"].rsplit("=", 1)[1])
    dup = client.post(API, json={"name": f"oil {word}", "q": "x"})
    assert dup.status_code == 409 and dup.headers["content-type"].startswith("application/problem+json")
    bad = client.post(API, json={"name": f"bad {word}", "q": '"unclosed'})
    assert bad.status_code == 400 and bad.json()["hint"]
    assert any(x["id"] == s["id"] for x in client.get(API).json())
    r = client.patch(f"{API}/{s['id']}", json={"name": f"gas {word}", "search": {"q": "gas"}})
    assert r.status_code == 200 and r.json()["name"] == f"gas {word}" and r.json()["search"] == {"q": "gas"}
    assert client.patch(f"{API}/{s['id']}", json={"search": {"q": "(("}}).status_code == 400
    assert client.get(f"{API}/{s['id']}/results").status_code == 200
    assert client.delete(f"{API}/{s['id']}").status_code == 204
    assert client.get(f"{API}/{s['id']}").status_code == 404
    assert client.post(API, json={"name": "x" * 300, "q": "a"}).status_code == 422


def test_query_that_no_longer_parses_is_flagged_not_dropped(client, word):
    s = save(client, f"old {word}", word)
    from workspace import saved_searches as saved

    with client.app.state.alerts.ws.session() as db:  # as if the syntax had changed under a stored query
        saved.update(db, s["id"], None, request={"q": '"never closed'})
    listed = {x["id"]: x for x in client.get(API).json()}
    assert listed[s["id"]]["query_error"]
    assert client.get(f"{API}/{s['id']}/results").status_code == 400


def test_webhook_url_policy(client, module_settings, word):
    r = client.post(API, json={"name": f"w {word}", "q": word, "webhook_url": "ftp://example.org/x"})
    assert r.status_code == 422 and "http" in r.json()["detail"]
    from search_api.alerts.webhook import WebhookRefused, check_url

    with pytest.raises(WebhookRefused, match="loopback"):
        check_url("http://127.0.0.1:9/x", allow_private=False)
    with pytest.raises(WebhookRefused, match="private"):
        check_url("http://10.1.2.3/x", allow_private=False)


# --- alerts ------------------------------------------------------------------------------------------
def test_new_matches_reach_every_channel_exactly_once(client, es, index_alias, smtp, word):
    hook = WebhookReceiver()
    try:
        before = datetime.now(UTC) - timedelta(hours=2)
        index_doc(es, index_alias, f"{word}-early", f"{word} early", ingested=before)  # indexed before saving
        s = save(client, f"watch {word}", word, watch=True, interval_s=60, webhook_url=hook.url, email_to="a@example.org")
        index_doc(es, index_alias, f"{word}-new", f"{word} fresh news")
        index_doc(es, index_alias, f"{word}-old", f"{word} archive", published="1990-01-01")  # old, collected today
        index_doc(es, index_alias, f"other-{word}", "unrelated")
        mails_before = len(smtp.messages)
        report = run_pass(client, only=[s["id"]])
        assert report.ok and report.new_matches == 2 and report.sent == 4, report  # 2 webhooks + 2 items of one digest
        payloads = hook.verified(s["webhook_secret"])
        assert len(payloads) == len(hook.requests) == 2
        assert {p["document"]["id"] for p in payloads} == {f"{word}-new", f"{word}-old"}
        assert len({r["headers"]["X-Periscope-Delivery"] for r in hook.requests}) == 2
        digest = smtp.messages[mails_before:]
        assert len(digest) == 1 and "2 new matches" in digest[0]["Subject"]
        text = digest[0].get_body(("plain",)).get_content()
        assert f"{word} fresh news" in text and f"/doc/{word}-old" in text
        feed = client.get(s["feed_url"].replace("http://127.0.0.1:8000", ""))
        assert feed.status_code == 200 and feed.text.count("<entry>") == 2
        assert client.get(f"/feeds/saved-searches/{s['id']}.atom", params={"token": "wrong"}).status_code == 404
        assert client.get(f"{API}/{s['id']}").json()["new_matches"] == 2
        # a second pass: nothing new anywhere
        again = run_pass(client, only=[s["id"]])
        assert again.ok and again.new_matches == 0 and again.sent == 0
        assert len(hook.requests) == 2 and len(smtp.messages) == mails_before + 1
        seen = client.get(f"{API}/{s['id']}/matches", params={"unseen": True, "mark_seen": True}).json()
        assert len(seen) == 2 and client.get(f"{API}/{s['id']}").json()["new_matches"] == 0
    finally:
        hook.close()


def test_failing_webhook_becomes_a_dead_letter(client, es, index_alias, word):
    hook = WebhookReceiver(status=500)
    try:
        s = save(client, f"dead {word}", word, watch=True, webhook_url=hook.url)
        index_doc(es, index_alias, f"{word}-x", f"{word} x")
        first = run_pass(client, only=[s["id"]])
        assert first.failed == 1 and first.dead == 0 and len(hook.requests) == 3  # three tries with backoff
        second = run_pass(client, only=[s["id"]])  # six tries in all (alerts_max_attempts): now a dead letter
        assert second.dead == 1 and len(hook.requests) == 6
        dead = client.get(f"{API}/{s['id']}/deliveries", params={"state": "dead"}).json()
        assert len(dead) == 1 and "HTTP 500" in dead[0]["last_error"]
        hook.status = 200
        assert client.post(f"{API}/{s['id']}/deliveries/requeue").json() == {"requeued": 1}
        third = run_pass(client, only=[s["id"]])
        assert third.ok and third.sent == 1
    finally:
        hook.close()


def test_elasticsearch_outage_keeps_the_checkpoint(client, es, index_alias, word):
    from search_api.alerts.engine import AlertEngine
    from search_api.service import SearchService
    from mappings.client import async_es_client
    from periscope.settings import load_settings

    s = save(client, f"outage {word}", word, watch=True)
    index_doc(es, index_alias, f"{word}-o", f"{word} outage")
    rt = client.app.state.alerts

    async def down_pass():
        dead_es = async_es_client(load_settings(es_url="http://127.0.0.1:9").api_es_connection())
        try:
            return await AlertEngine(rt.ws, SearchService(dead_es, index_alias), rt.cfg).run_pass(only=[s["id"]])
        finally:
            await dead_es.close()

    report = client.portal.call(down_pass)
    assert report.errors and not report.ok
    assert client.get(f"{API}/{s['id']}").json()["last_run_at"] is None  # checkpoint unchanged
    assert run_pass(client, only=[s["id"]]).new_matches == 1  # found after the outage


def test_one_pass_at_a_time(client):
    from workspace import alerts as ledger

    ws = client.app.state.alerts.ws
    with ws.session() as db:
        assert ledger.acquire_lock(db, "alerts-pass", "someone-else", timedelta(minutes=5))
    try:
        assert run_pass(client).skipped_locked
    finally:
        with ws.session() as db:
            ledger.release_lock(db, "alerts-pass", "someone-else")
    assert not run_pass(client).skipped_locked


def test_in_process_scheduler_runs_due_alerts(module_settings, workspace_url, es, index_alias, word):  # noqa: F811
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": True,
                                                  "alerts_tick_s": 1})
    with TestClient(create_app(settings)) as c:
        s = save(c, f"sched {word}", word, interval_s=60)
        index_doc(es, index_alias, f"{word}-s", f"{word} scheduled")
        assert c.patch(f"{API}/{s['id']}", json={"watch": True}).status_code == 200  # due at once: never run
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while datetime.now(UTC) < deadline and not c.get(f"{API}/{s['id']}").json()["new_matches"]:
            c.portal.call(lambda: __import__("asyncio").sleep(0.2))
        got = c.get(f"{API}/{s['id']}").json()
        assert got["new_matches"] == 1 and got["last_run_at"]


def test_cli_list_and_test(monkeypatch, module_settings, workspace_url, es, index_alias, word):  # noqa: F811
    from typer.testing import CliRunner

    from periscope.cli import app
    from workspace import open_store
    from workspace import saved_searches as saved

    monkeypatch.setenv("PERISCOPE_DATABASE_URL", workspace_url)
    monkeypatch.setenv("PERISCOPE_INDEX_ALIAS", index_alias)
    with open_store(workspace_url) as ws, ws.session() as db:
        sid = saved.create(db, "local", f"cli {word}", {"q": word}).id
        broken = saved.create(db, "local", f"broken {word}", {"q": '"open'}).id
    index_doc(es, index_alias, f"{word}-cli", f"{word} cli")
    runner = CliRunner()
    listed = runner.invoke(app, ["alerts", "list"])
    assert listed.exit_code == 0 and f"cli {word}" in listed.stdout
    assert any(line.startswith(f"{broken}\t") and "BROKEN" in line for line in listed.stdout.splitlines())
    tested = runner.invoke(app, ["alerts", "test", str(sid)])
    assert tested.exit_code == 0 and '"new_matches": 1' in tested.stdout
    assert runner.invoke(app, ["alerts", "test", "999999"]).exit_code == 2
    assert runner.invoke(app, ["alerts", "test", str(broken)]).exit_code == 1  # the broken query is reported


# last in the module: once a user account exists the install is no longer open (the API then needs sign-in)
def test_a_pass_larger_than_one_msearch_batch_finds_every_search(client, module_settings, es, index_alias):
    """Saved searches go out in ``alerts_msearch_batch``-sized ``_msearch`` requests with the background
    budget (``alerts_es_timeout_s``); a pass over more searches than one batch still sees every one.
    (Placed before the access test below: that one creates accounts, after which this module's client
    would need a key.)"""
    cfg = AlertConfig.from_settings(module_settings.model_copy(update={"alerts_msearch_batch": 2,
                                                                       "alerts_es_timeout_s": 20.0}))
    assert (cfg.msearch_batch, cfg.es_timeout_s) == (2, 20.0)
    running = client.app.state.alerts.engine
    engine = AlertEngine(running.ws, running.service, replace(running.cfg, msearch_batch=2, es_timeout_s=20.0))
    words = ["zq" + uuid.uuid4().hex[:10] for _ in range(5)]
    ids = []
    for w in words:
        ids.append(save(client, f"batch {w}", w, watch=True, interval_s=60)["id"])
        index_doc(es, index_alias, f"{w}-doc", f"{w} report")
    report = client.portal.call(lambda: engine.run_pass(only=ids))
    assert report.ok and report.new_matches == 5, report
    for sid, w in zip(ids, words, strict=True):
        matches = client.get(f"{API}/{sid}/matches").json()
        assert [m["doc_id"] for m in matches] == [f"{w}-doc"], matches
    for sid in ids:
        assert client.delete(f"{API}/{sid}").status_code == 204


def test_alerts_deliver_only_what_the_owner_may_read(client, es, index_alias, word):
    from workspace import Role, access, users
    from workspace import saved_searches as saved

    ws = client.app.state.alerts.ws
    with ws.session() as db:
        users.create_user(db, f"u{word}", role=Role.ANALYST, password="correct horse battery staple")
        access.create_collection(db, f"c{word}")
        access.grant(db, f"c{word}", user=f"u{word}")
        s = saved.create(db, f"u{word}", "mine", {"q": word}, watch=True)
    index_doc(es, index_alias, f"{word}-ok", f"{word} readable", collection=f"c{word}")
    index_doc(es, index_alias, f"{word}-secret", f"{word} secret", collection="secret")
    report = run_pass(client, only=[s.id])
    assert report.ok and report.new_matches == 1
    from workspace import alerts as ledger

    with ws.session(readonly=True) as db:
        assert [m.doc_id for m in ledger.matches(db, s.id)] == [f"{word}-ok"]
