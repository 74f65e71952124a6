"""The ingest bookkeeping over HTTP (issue 14 items 3–4): runs with counts by reason, a run's failed
items, documents by the id their source gave them, and the "Ingest" page — on a real index filled by
a real pipeline run."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.sources import parse_field_map, read_paths
from search_api.app import create_app
from tests.indexer_helpers import run_v2, v2_index

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def loaded(es, settings, tmp_path_factory):
    work = tmp_path_factory.mktemp("ingest-api")
    recs = [{"uid": "NEWS-0042", "headline": "Port strike ends", "text": "Dock workers in Antwerp returned to work."},
            {"uid": "NEWS-0043", "headline": "Port strike spreads", "text": "Dock workers in Hamburg stopped work."},
            {"uid": "NEWS-0044", "headline": "", "text": ""}]
    (work / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs) + "{broken\n")
    (work / "empty.txt").write_text("  \n")
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["Message-ID"] = "Convoy notes attached", "a@example.org", "<c1@x.org>"
    mail.set_content("The convoy notes from Narva are attached to this message.")
    mail.add_attachment(b"Convoy note\nThe convoy crossed the border at Narva at dawn.\n", maintype="text",
                        subtype="plain", filename="note.txt")
    (work / "tip.eml").write_bytes(bytes(mail))
    fmap = parse_field_map(["title=headline,body=text,id=uid"])
    with v2_index(es, "ingestapi") as alias:
        stats = run_v2(es, alias, read_paths([work], source="desk", field_map=fmap), work)
        with TestClient(create_app(settings.model_copy(update={"index_alias": alias}))) as client:
            yield client, stats


def test_runs_and_failures(loaded) -> None:
    client, stats = loaded
    runs = client.get("/api/v1/ingest/runs").json()["runs"]
    assert [r["run_id"] for r in runs] == [stats.run_id]
    assert runs[0]["created"] == 4 and runs[0]["failures_by_reason"] == {"no-text": 2, "bad-json": 1}
    body = client.get(f"/api/v1/ingest/runs/{stats.run_id}/failures").json()
    assert body["total"] == 3 and {Path(f["origin"].split(":")[0]).name for f in body["failures"]} == {
        "wire.jsonl", "empty.txt"}
    only = client.get(f"/api/v1/ingest/runs/{stats.run_id}/failures", params={"reason": "bad-json"}).json()
    assert only["total"] == 1 and only["failures"][0]["reason"] == "bad-json"


def test_bad_requests_are_4xx_problems(loaded) -> None:
    client, _ = loaded
    missing = client.get("/api/v1/ingest/runs/20990101T000000-abcdef/failures")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert "GET /api/v1/ingest/runs" in missing.text
    for url in ("/api/v1/ingest/runs/bad%20id/failures", "/api/v1/ingest/runs?limit=0",
                "/api/v1/ingest/runs/x/failures?reason=DROP%20TABLE", "/api/v1/documents",
                "/api/v1/documents?external_id=" + "x" * 5000):
        r = client.get(url)
        assert r.status_code == 422, (url, r.status_code)


def test_documents_by_external_id(loaded) -> None:
    client, _ = loaded
    hits = client.get("/api/v1/documents", params={"external_id": "NEWS-0043", "source": "desk"}).json()["hits"]
    assert [h["title"] for h in hits] == ["Port strike spreads"]
    assert client.get("/api/v1/documents", params={"external_id": "NEWS-0043", "source": "other"}).json() == {"hits": []}
    doc = client.get(f"/api/v1/documents/{hits[0]['id']}").json()
    assert doc["external_id"] == "NEWS-0043"


def test_ingest_page(loaded) -> None:
    client, stats = loaded
    page = client.get("/ingest")
    assert page.status_code == 200 and stats.run_id in page.text and "no-text: 2" in page.text
    run = client.get(f"/ingest/{stats.run_id}", params={"reason": "no-text"})
    assert run.status_code == 200 and "empty.txt" in run.text and "bad-json" in run.text  # reason links
    assert client.get("/ingest/no-such-run").status_code == 404


def test_id_and_external_id_query_syntax(loaded) -> None:
    client, _ = loaded
    hits = client.get("/api/v1/search", params={"q": "external_id:NEWS-0042"}).json()["hits"]
    assert [h["title"] for h in hits] == ["Port strike ends"]
    by_id = client.get("/api/v1/search", params={"q": f"id:{hits[0]['id']}"}).json()["hits"]
    assert [h["id"] for h in by_id] == [hits[0]["id"]]


def test_document_page_links_children_and_parent(loaded) -> None:
    client, _ = loaded
    [mail] = client.get("/api/v1/documents", params={"external_id": "<c1@x.org>"}).json()["hits"]
    kids = client.get(f"/api/v1/documents/{mail['id']}/children").json()["hits"]
    assert [k["title"] for k in kids] == ["Convoy note"]
    page = client.get(f"/doc/{mail['id']}")
    assert page.status_code == 200 and 'id="children"' in page.text and f"/doc/{kids[0]['id']}" in page.text
    child = client.get(f"/doc/{kids[0]['id']}")
    assert child.status_code == 200 and f'href="/doc/{mail["id"]}" id="parent-link"' in child.text
    assert "<code>note.txt</code>" in child.text


def test_runs_and_the_ingest_page_are_for_administrators(settings) -> None:
    """Runs and failures name files and paths: a reader gets 403 on the API and the page."""
    from search_api.access import Principal

    reader = Principal("rita", role="reader", collections=frozenset({"desk"}))

    class AsReader:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                scope.setdefault("state", {})["principal"] = reader
            await self.app(scope, receive, send)

    app = create_app(settings)
    app.add_middleware(AsReader)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/api/v1/ingest/runs").status_code == 403
        assert client.get("/api/v1/ingest/runs/x/failures").status_code == 403
        assert client.get("/ingest").status_code == 403
