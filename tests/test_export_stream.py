"""Streamed export (issue 18): point in time + search_after through the service (so the access filter
applies to every page), the operator's row limit, progress headers, CSV link/snippet/query comment,
formula neutralisation, JSONL full documents without vectors, file names — real node."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from mappings import COLLECTION_FIELD, VECTOR_FIELD
from mappings.client import async_es_client
from search_api.access import Principal
from search_api.app import create_app
from search_api.models import SearchRequest
from search_api.service import SearchService

pytestmark = pytest.mark.integration
N = 23


@pytest.fixture(scope="module")
def docs(es, index_alias):
    from elasticsearch.helpers import bulk

    rows = [{"_index": index_alias, "_id": f"x{i:03d}", "_source": {
        "id": f"x{i:03d}", "title": ("=HYPERLINK(\"http://evil\")" if i == 0 else f"stream story {i}"),
        "body": "stream body " + "word " * 200, "language": "en", "published_at": f"2020-01-{i % 28 + 1:02d}",
        COLLECTION_FIELD: "alpha" if i % 2 else "beta", "url": f"https://example.org/{i}",
        VECTOR_FIELD: [0.1] * 512}} for i in range(N)]
    bulk(es, rows, refresh="wait_for")
    return rows


def pages_of(module_settings, req, who, limit, page_size):
    async def run():
        es = async_es_client(module_settings)
        try:
            svc = SearchService(es, module_settings.index_alias)
            total, pages = await svc.export_pages(req, who, limit, page_size=page_size)
            return total, [[h["_id"] for h in p] async for p in pages]
        finally:
            await es.close()

    return asyncio.run(run())


def test_every_page_is_restricted_and_the_limit_holds(module_settings, docs):
    alpha = Principal("a", "analyst", frozenset({"alpha"}))
    total, pages = pages_of(module_settings, SearchRequest(q="stream"), alpha, 1000, 4)
    ids = [i for p in pages for i in p]
    assert total == 11 and len(ids) == 11 == len(set(ids)) and all(int(i[1:]) % 2 for i in ids)
    assert max(len(p) for p in pages) == 4  # paged with search_after, not one big page
    total, pages = pages_of(module_settings, SearchRequest(q="stream"), Principal("o", "admin", None), 7, 3)
    assert total == N and sum(map(len, pages)) == 7


def test_csv_and_jsonl_over_http(module_settings, docs):
    settings = module_settings.model_copy(update={"export_max_rows": 20})
    with TestClient(create_app(settings)) as client:
        r = client.get("/api/v1/export", params={"q": "stream", "format": "csv", "sort": "date", "query_comment": True})
        assert r.status_code == 200 and r.headers["x-export-total"] == str(N) and r.headers["x-export-rows"] == "20"
        assert "periscope-stream-" in r.headers["content-disposition"] and ".csv" in r.headers["content-disposition"]
        comment, text = r.text.split("\n", 1)
        assert comment.startswith("# Periscope export · query: q=stream&sort=date") and "20 of 23" in comment
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 20 and rows[0]["link"].endswith("/doc/" + rows[0]["id"])
        assert rows[0]["snippet"].startswith("stream body word") and len(rows[0]["snippet"]) <= 302
        evil = client.get("/api/v1/export", params={"q": "HYPERLINK", "format": "csv"}).text
        assert evil.startswith('"id"') and '"\'=HYPERLINK' in evil  # no comment unless asked; formula neutralised
        small = client.get("/api/v1/export", params={"q": "stream", "format": "jsonl", "limit": 5})
        lines = [json.loads(x) for x in small.text.splitlines()]
        assert len(lines) == 5 and small.headers["x-export-rows"] == "5"
        assert lines[0]["body"].startswith("stream body") and VECTOR_FIELD not in lines[0] and "id" in lines[0]
        assert client.get("/api/v1/export", params={"q": '"stream', "format": "csv"}).status_code == 400
        assert client.get("/api/v1/export", params={"format": "csv", "limit": 0}).status_code == 422


def test_audit_row_count_skips_the_query_comment():
    from search_api.auditing import RowCounter

    with_comment, plain = RowCounter(True), RowCounter(True)
    with_comment.feed(b'# Periscope export \xc2\xb7 query: q=x\n"id"\n"1"\n')
    with_comment.feed(b'"2"\n')
    plain.feed(b'"id"\n"1"\n"2"\n')
    assert with_comment.rows == plain.rows == 2
