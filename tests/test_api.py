"""The search API against a real Elasticsearch node and the hand-written corpus in test_api_corpus."""

from __future__ import annotations

import csv
import io
import json

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

import test_api_corpus as corpus
from mappings import FACET_FIELDS
from search_api import query as Q
from search_api.access import OPEN
from search_api.app import create_app
from search_api.models import FACET_NAMES, SearchRequest
from search_api.service import SearchService

pytestmark = pytest.mark.integration
NOT_DUP = {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}}


@pytest.fixture(scope="module")
def docs(es: Elasticsearch, index_alias: str):
    return corpus.load(es, index_alias)


@pytest.fixture(scope="module")
def client(module_settings, docs):
    with TestClient(create_app(module_settings)) as c:
        yield c


def ids(resp) -> list[str]:
    return [h["id"] for h in resp.json()["hits"]]


def search(client, **params):
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r


# --- ranking and syntax -----------------------------------------------------------------------------

def test_exact_ranks_above_inflected_and_stemming_matches(client):
    got = ids(search(client, q="sanctions", language="en"))
    assert "en-sanction-2" in got  # only "sanctioned" in it: found via the hunspell field
    assert got.index("en-sanction-1") < got.index("en-sanction-2")


def test_title_outweighs_body(client):
    got = ids(search(client, q="crude", language="en"))
    assert got[0] == "en-oil-3" and {"en-oil-1", "en-oil-2"} <= set(got)  # title+body beats body only


def test_multilingual_stemming(client):
    assert "fr-sanctions-1" in ids(search(client, q="sanction", language="fr"))
    assert "de-sanktion-1" in ids(search(client, q="Sanktion"))


def test_phrase_prefix_not_or_field(client):
    assert set(ids(search(client, q='"central bank"'))) == {"en-central-bank-1", "en-central-bank-2"}
    assert "en-sanction-3" in ids(search(client, q="sanctioning*"))
    got = set(ids(search(client, q="opec -vienna", language="en")))
    assert "en-oil-1" in got and "en-oil-2" not in got
    assert set(ids(search(client, q="yen OR wheat"))) == {"en-central-bank-2", "en-grain-1"}
    assert set(ids(search(client, q='person:"ronald reagan"'))) == {"en-sanction-1", "en-nato-2", "fr-sanctions-1"}
    assert set(ids(search(client, q="org:opec AND title:(price OR prices)"))) == {"en-oil-1", "en-oil-2"}


def test_default_operator_or(module_settings, docs):
    with TestClient(create_app(module_settings, default_operator="or")) as c:
        assert set(ids(c.get("/api/v1/search", params={"q": "yen wheat"}))) == {"en-central-bank-2", "en-grain-1"}


def test_post_equals_get(client):
    g = search(client, q="oil", language=["en", "de"], sort="date").json()
    p = client.post("/api/v1/search", json={"q": "oil", "language": ["en", "de"], "sort": "date"}).json()
    g.pop("took_ms"), p.pop("took_ms")
    assert g == p


def test_highlights_escaped_and_marked(client):
    hit = search(client, q="tags oil").json()["hits"][0]
    assert hit["id"] == "en-html"
    assert "&lt;script&gt;" in hit["highlights"]["title"][0] and "<mark>Tags</mark>" in hit["highlights"]["title"][0]
    assert "<mark>oil</mark>" in hit["snippet"] and "&lt;b&gt;markup" in hit["snippet"]


def test_sort_by_date(client):
    hits = search(client, sort="date", size=50).json()["hits"]
    dates = [h["published_at"] for h in hits if h["published_at"]]
    assert dates == sorted(dates, reverse=True)
    assert hits[-1]["published_at"] is None  # undated last


# --- facets -------------------------------------------------------------------------------------------

def independent_counts(es, alias, field, filters):
    """Per-value counts by one count query per value: no aggregation code shared with the API."""
    res = es.search(index=alias, size=0, query={"bool": {"filter": filters}},
                    aggs={"v": {"terms": {"field": field, "size": 100}}})
    values = [b["key"] for b in res["aggregations"]["v"]["buckets"]]
    return {v: es.count(index=alias, query={"bool": {"filter": filters + [{"term": {field: v}}]}})["count"] for v in values}


def test_facet_counts_match_independent_counts(client, es, index_alias):
    body = search(client, facet_size=100).json()
    for name in FACET_NAMES:
        expected = independent_counts(es, index_alias, FACET_FIELDS[name], [NOT_DUP])
        assert {b["value"]: b["count"] for b in body["facets"][name]["buckets"]} == expected, name
        missing = es.count(index=index_alias, query={"bool": {"filter": [NOT_DUP], "must_not": [
            {"exists": {"field": FACET_FIELDS[name]}}]}})["count"]
        assert body["facets"][name]["missing"] == missing, name
    assert body["facets"]["source"]["missing"] >= 1


def test_multi_select_semantics(client, es, index_alias):
    body = search(client, language=["en", "fr"], topics="energy", facet_size=100).json()
    lang_f = {"terms": {"language": ["en", "fr"]}}
    topic_f = {"terms": {"topics": ["energy"]}}
    # hits honour every selection
    assert body["total"]["value"] == es.count(index=index_alias, query={"bool": {"filter": [NOT_DUP, lang_f, topic_f]}})["count"]
    assert {h["language"] for h in body["hits"]} <= {"en", "fr"}
    # the language facet ignores the language selection but honours the topic one
    lang = {b["value"]: b for b in body["facets"]["language"]["buckets"]}
    assert {v: b["count"] for v, b in lang.items()} == independent_counts(es, index_alias, "language", [NOT_DUP, topic_f])
    assert lang["de"]["count"] >= 1 and not lang["de"]["selected"] and lang["en"]["selected"]
    # the topics facet honours the language selection, not its own
    topics = {b["value"]: b["count"] for b in body["facets"]["topics"]["buckets"]}
    assert topics == independent_counts(es, index_alias, "topics", [NOT_DUP, lang_f])
    # other facets honour both
    src = {b["value"]: b["count"] for b in body["facets"]["source"]["buckets"]}
    assert src == independent_counts(es, index_alias, "source", [NOT_DUP, lang_f, topic_f])


def test_histogram_sums_to_total(client):
    body = search(client).json()
    h = body["histogram"]
    assert sum(b["count"] for b in h["buckets"]) + h["missing"] == body["total"]["value"]
    assert h["missing"] == 1 and h["interval"] == "week"
    body = search(client, date_from="1987-03-01", date_to="1987-03-31", interval="auto").json()
    assert body["histogram"]["interval"] == "day" and len(body["histogram"]["buckets"]) == 31
    body = search(client, interval="month").json()
    assert body["histogram"]["interval"] == "month" and body["histogram"]["buckets"][0]["date"].endswith("-01")


def test_date_range_filter(client, es, index_alias):
    body = search(client, date_from="1987-06-01", date_to="1987-06-15", size=50).json()
    rng = {"range": {"published_at": {"gte": "1987-06-01", "lte": "1987-06-15T23:59:59Z"}}}
    assert body["total"]["value"] == es.count(index=index_alias, query={"bool": {"filter": [NOT_DUP, rng]}})["count"]
    assert {"en-central-bank-1", "en-central-bank-2", "fr-banque-1", "it-banca-1"} <= set(ids_of(body))
    assert all("1987-06-01" <= h["published_at"][:10] <= "1987-06-15" for h in body["hits"])


def ids_of(body) -> list[str]:
    return [h["id"] for h in body["hits"]]


def test_duplicates_hidden_by_default(client):
    assert "en-grain-2-dup" not in ids(search(client, q="corn"))
    assert "en-grain-2-dup" in ids(search(client, q="corn", duplicates="show"))


def test_facet_value_search(client):
    r = client.get("/api/v1/facets/person", params={"prefix": "RON"}).json()
    assert r["name"] == "person" and [b["value"] for b in r["buckets"]] == ["Ronald Reagan"]
    r = client.get("/api/v1/facets/person", params={"prefix": "gorb"}).json()
    assert [b["value"] for b in r["buckets"]] == ["Mikhail Gorbachev"]
    r = client.get("/api/v1/facets/org", params={"prefix": "ban", "language": "fr"}).json()
    assert [b["value"] for b in r["buckets"]] == ["Banque de France"]
    assert client.get("/api/v1/facets/nope").status_code == 422


# --- paging -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
def test_cursor_paging_returns_every_hit_once(client, es, index_alias, sort):
    params = {"q": "oil OR report OR bank OR market*", "sort": sort, "size": 4, "facet_size": 0}
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        r = search(client, **params, **({"cursor": cursor} if cursor else {})).json()
        seen += [h["id"] for h in r["hits"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    expected = {h["_id"] for h in es.search(index=index_alias, size=100, query={"bool": {
        "must": [Q.text_query(params["q"])], "filter": [NOT_DUP]}})["hits"]["hits"]}
    assert len(seen) == len(set(seen)) and set(seen) == expected and len(expected) > 12


def test_page_and_size(client):
    all_ids = ids(search(client, sort="date", size=30))
    assert ids(search(client, sort="date", size=10, page=2)) == all_ids[10:20]
    r = client.get("/api/v1/search", params={"page": 200, "size": 100})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "page" and "cursor" in r.json()["errors"][0]["message"]


# --- documents, similar, duplicates, suggest, export -----------------------------------------------------

def test_document(client):
    doc = client.get("/api/v1/documents/en-oil-1").json()
    assert doc["id"] == "en-oil-1" and doc["mentions"][0]["text"] == "OPEC" and "vector" not in doc
    assert "body_en" not in doc
    r = client.get("/api/v1/documents/missing-doc")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_similar_text_and_cross_lingual_vector(client):
    got = ids(client.get("/api/v1/documents/en-oil-1/similar", params={"size": 10}))
    assert "en-oil-1" not in got
    assert "en-oil-2" in got  # shares OPEC / price / cut vocabulary
    assert {"fr-petrole-1", "ru-neft-1", "de-oel-1"} <= set(got)  # vector neighbours, other languages
    got = ids(client.get("/api/v1/documents/en-crash/similar"))  # no vector: text only
    assert "en-crash" not in got


def test_duplicates_endpoint(client):
    assert ids(client.get("/api/v1/documents/en-grain-2/duplicates")) == ["en-grain-2-dup"]
    assert ids(client.get("/api/v1/documents/en-grain-2-dup/duplicates")) == ["en-grain-2"]
    assert ids(client.get("/api/v1/documents/en-oil-1/duplicates")) == []


def test_suggest(client):
    s = client.get("/api/v1/suggest", params={"q": "oil p"}).json()["suggestions"]
    assert {"text": "Oil prices rise after OPEC meeting", "kind": "title"} in s
    s = client.get("/api/v1/suggest", params={"q": "vien"}).json()["suggestions"]
    assert {"text": "Vienna", "kind": "location"} in s
    s = client.get("/api/v1/suggest", params={"q": "reag"}).json()["suggestions"]
    assert {"text": "Ronald Reagan", "kind": "person"} in s  # entity word prefix, not only the start
    assert client.get("/api/v1/suggest", params={"q": ""}).json() == {"suggestions": []}


def test_export_csv_and_jsonl(client):
    total = search(client, q="oil").json()["total"]["value"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/export", params={"q": "oil", "format": "csv"}).text)))
    assert len(rows) == total and rows[0]["id"]
    lines = client.get("/api/v1/export", params={"q": "oil", "format": "jsonl", "sort": "date"}).text.splitlines()
    assert len(lines) == total and json.loads(lines[0])["published_at"] >= json.loads(lines[-1])["published_at"]
    assert client.get("/api/v1/export", params={"q": '"oil', "format": "csv"}).status_code == 400


def test_export_cap(module_settings, docs):
    import asyncio

    from mappings.client import async_es_client

    async def run() -> int:
        es = async_es_client(module_settings)
        try:
            svc = SearchService(es, module_settings.index_alias)
            req = SearchRequest()
            first = await svc.export_first(req, OPEN)
            return len([r async for r in svc.export_rest(req, first, OPEN, cap=5)])
        finally:
            await es.close()

    assert asyncio.run(run()) == 5


# --- errors, auth, ops ----------------------------------------------------------------------------------

def test_syntax_error_is_400_problem_with_hint(client):
    r = client.get("/api/v1/search", params={"q": "(oil OR"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 400 and body["title"] and body["detail"] and body["hint"]


@pytest.mark.parametrize("params, field", [
    ({"size": 1000}, "size"), ({"facet_size": 500}, "facet_size"), ({"sort": "nope"}, "sort"),
    ({"date_from": "yesterday"}, "date_from"), ({"q": "x" * 1001}, "q"), ({"duplicates": "maybe"}, "duplicates"),
    ({"date_from": "1988-01-01", "date_to": "1987-01-01"}, "date_to"), ({"cursor": "garbage"}, "cursor"),
])
def test_validation_is_422_naming_the_field(client, params, field):
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]


def test_post_body_validation(client):
    r = client.post("/api/v1/search", json={"size": "big"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "size"
    r = client.post("/api/v1/search", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_elasticsearch_down_is_503_with_retry_after(module_settings):
    dead = module_settings.model_copy(update={"es_url": ["http://127.0.0.1:9"], "es_max_retries": 0})
    with TestClient(create_app(dead)) as c:
        for path in ("/api/v1/search", "/api/v1/documents/x", "/api/v1/suggest?q=a", "/api/v1/export"):
            r = c.get(path)
            assert r.status_code == 503 and r.headers["retry-after"], path
            assert r.headers["content-type"] == "application/problem+json"
        assert c.get("/health").status_code == 503


def test_missing_index_is_503_with_hint(module_settings):
    other = module_settings.model_copy(update={"index_alias": "test-api-no-such-index"})
    with TestClient(create_app(other)) as c:
        r = c.get("/api/v1/search")
        assert r.status_code == 503 and "periscope demo" in r.json()["hint"]


def test_api_keys_and_cors(module_settings, docs):
    keyed = module_settings.model_copy(update={"api_keys": ["s3cret"], "cors_origins": ["http://ui.example"]})
    with TestClient(create_app(keyed)) as c:
        r = c.get("/api/v1/search")
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        assert c.get("/api/v1/search", headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.get("/api/v1/search", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert c.get("/health").status_code == 200
        pre = c.options("/api/v1/search", headers={"Origin": "http://ui.example", "Access-Control-Request-Method": "GET",
                                                   "Access-Control-Request-Headers": "X-API-Key"})
        assert pre.headers["access-control-allow-origin"] == "http://ui.example"
        pre = c.options("/api/v1/search", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in pre.headers


def test_health_and_metrics(client, docs):
    h = client.get("/api/v1/health").json()
    assert h["status"] == "ok" and h["documents"] == len(docs) and h["versions"]["elasticsearch"]
    assert h["cluster"]["status"] in ("green", "yellow")
    client.get("/api/v1/search")
    m = client.get("/metrics").text
    assert 'periscope_http_requests_total{method="GET",route="/api/v1/search",status="200"}' in m


def test_openapi_complete(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/search", "/api/v1/facets/{name}", "/api/v1/documents/{doc_id}",
                 "/api/v1/documents/{doc_id}/similar", "/api/v1/documents/{doc_id}/duplicates",
                 "/api/v1/suggest", "/api/v1/export", "/health"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/v1/search"]


# --- coded facets: names stand for codes (issue 13 #6) ------------------------------------------------------

def test_country_and_language_names_stand_for_codes(client):
    by_code = set(ids(search(client, countries="SA", size=50)))
    assert by_code and set(ids(search(client, countries="saudi arabia", size=50))) == by_code
    assert set(ids(search(client, countries="sa", size=50))) == by_code  # codes in any case
    assert set(ids(search(client, q='country:"Saudi Arabia"', size=50))) == by_code
    assert set(ids(search(client, language="French", size=50))) == set(ids(search(client, language="fr", size=50)))
    facet = search(client, countries="Saudi Arabia", facet_size=100).json()["facets"]["countries"]["buckets"]
    assert [b["value"] for b in facet if b["selected"]] == ["SA"]  # the stored code, marked selected


def test_facet_value_search_by_display_name(client):
    got = client.get("/api/v1/facets/countries", params={"prefix": "saud"}).json()["buckets"]
    assert [b["value"] for b in got] == ["SA"]
    got = client.get("/api/v1/facets/countries", params={"prefix": "allem"}).json()["buckets"]  # French name
    assert [b["value"] for b in got] == ["DE"]
    got = client.get("/api/v1/facets/language", params={"prefix": "germ"}).json()["buckets"]
    assert [b["value"] for b in got] == ["de"]
