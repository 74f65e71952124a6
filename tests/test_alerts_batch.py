"""Batch search: TXT/CSV lists → counts and first hits through the real node, kept in both databases."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi.testclient import TestClient

from search_api.alerts.batch import MAX_TERMS, query_for
from search_api.app import create_app
from test_alerts import index_doc
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(module_settings, workspace_url):  # noqa: F811 - fixture
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False})
    with TestClient(create_app(settings)) as c:
        yield c


def test_batch_counts_first_hits_csv_and_kept(client, es, index_alias):
    w = "zb" + uuid.uuid4().hex[:8]
    index_doc(es, index_alias, f"{w}-1", f"{w} alpha trading")
    index_doc(es, index_alias, f"{w}-2", f"{w} alpha")
    index_doc(es, index_alias, f"{w}-3", f"trading {w} alpha")  # the words, not the phrase "<w> alpha trading"
    text = f"{w}\n{w} alpha trading\n{w} OR nothing\n\"unclosed\n{w}\n"
    r = client.post("/api/v1/batch-searches", params={"name": "list"}, content=text, headers={"Content-Type": "text/plain"})
    assert r.status_code == 200, r.text
    rows = {row["term"]: row for row in r.json()["rows"]}
    assert len(r.json()["rows"]) == 4  # the duplicate line once
    assert rows[w]["count"] == 3 and len(rows[w]["hits"]) == 3
    assert rows[f"{w} alpha trading"]["q"] == f'"{w} alpha trading"' and rows[f"{w} alpha trading"]["count"] == 1
    assert rows[f"{w} OR nothing"]["count"] == 3
    assert rows['"unclosed']["error"] and rows['"unclosed']["count"] is None
    bid = r.json()["id"]
    assert any(b["id"] == bid for b in client.get("/api/v1/batch-searches").json())
    out = client.get(f"/api/v1/batch-searches/{bid}", params={"format": "csv"})
    table = list(csv.reader(io.StringIO(out.text)))
    assert table[0][:3] == ["term", "query", "count"] and len(table) == 5
    csv_in = client.post("/api/v1/batch-searches", content=f"term\n{w}\n", headers={"Content-Type": "text/csv"})
    assert [row["count"] for row in csv_in.json()["rows"]] == [3]


def test_oversized_and_empty_lists(client):
    big = "\n".join(f"t{i}" for i in range(MAX_TERMS + 1))
    r = client.post("/api/v1/batch-searches", content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and str(MAX_TERMS) in r.json()["detail"]
    assert client.post("/api/v1/batch-searches", content="\n\n", headers={"Content-Type": "text/plain"}).status_code == 422
    assert client.get("/api/v1/batch-searches/999999").status_code == 404


def test_query_for():
    assert query_for("Rosneft Trading SA") == '"Rosneft Trading SA"'
    assert query_for("opec") == "opec" and query_for("org:opec") == "org:opec"


def test_batch_with_elasticsearch_down_says_so(index_alias):
    import asyncio

    from mappings.client import async_es_client
    from periscope.settings import load_settings
    from search_api.access import OPEN
    from search_api.alerts import batch
    from search_api.errors import SearchUnavailable
    from search_api.service import SearchService

    async def down():
        dead = async_es_client(load_settings(es_url="http://127.0.0.1:9").api_es_connection())
        try:
            seen: list[int] = []

            async def progress(rows):
                seen.append(sum(1 for r in rows if r.get("pending")))

            with pytest.raises(SearchUnavailable):
                await batch.run(SearchService(dead, index_alias), ["alpha", "beta"], OPEN, progress)
            return seen
        finally:
            await dead.close()

    assert asyncio.run(down()) == [0]  # the rows were settled (with their error) before the 503


def test_batch_in_the_background_reports_progress(client, es, index_alias):
    import time

    w = "zg" + uuid.uuid4().hex[:8]
    index_doc(es, index_alias, f"{w}-1", f"{w} one")
    text = "\n".join([w] + [f"{w}none{i}" for i in range(450)])
    r = client.post("/api/v1/batch-searches", params={"background": True, "name": "bg"}, content=text,
                    headers={"Content-Type": "text/plain"})
    assert r.status_code == 202 and r.json()["progress"] == {"done": 0, "total": 451}
    for _ in range(150):
        got = client.get(r.json()["status_url"]).json()
        if got["progress"]["done"] == 451:
            break
        time.sleep(0.2)
    assert got["progress"] == {"done": 451, "total": 451}
    assert got["rows"][0]["count"] == 1 and all(row["count"] == 0 for row in got["rows"][1:])
