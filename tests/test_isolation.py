"""Proof of isolation: two readers, two collections, every route of the API and the UI.

The app is the real one (``create_app``) on a real index; the only test device is a tiny ASGI
middleware that sets ``request.state.principal`` from an ``X-Test-User`` header, which
``current_principal`` honours — so each request takes the production path from route to service to
Elasticsearch. For every route, alice (alpha only) and bob (bravo only) must get nothing of the other
collection — no id, no facet value, no count that includes it — while the unfiltered admin gets both
(which proves the data would leak without the filter). Counts are checked against independent
Elasticsearch aggregations restricted to the reader's own collection.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

import test_isolation_corpus as corpus
from search_api import routes
from search_api.app import create_app
from search_api.ui import pages
from test_isolation_corpus import FACET_KEYS, OTHER, OWN, PRINCIPALS, SIDE, ids, leaks

pytestmark = pytest.mark.integration
READERS = ("alice", "bob")


class AsUser:
    """Test-only: act as ``PRINCIPALS[X-Test-User]`` (what the sign-in layer would resolve)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            user = dict(scope["headers"]).get(b"x-test-user")
            if user is not None:
                scope.setdefault("state", {})["principal"] = PRINCIPALS[user.decode()]
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def docs(es: Elasticsearch, index_alias: str):
    return corpus.load(es, index_alias)


@pytest.fixture(scope="module")
def app_client(module_settings, docs):
    app = create_app(module_settings)
    app.add_middleware(AsUser)
    with TestClient(app) as c:
        yield c


def get(client, user: str, path: str, **params):
    return client.get(path, params=params, headers={"X-Test-User": user})


def assert_clean(user: str, text: str) -> None:
    found = leaks(text, OTHER[user])
    assert not found, f"{user} sees {OTHER[user]}'s {found}"


def own_counts(es: Elasticsearch, alias: str, collection: str) -> dict[str, dict[str, int]]:
    """Facet counts of one collection, computed independently of the service."""
    from mappings.vocabulary import FACETS_BY_NAME

    aggs = {k: {"terms": {"field": FACETS_BY_NAME[k].field, "size": 100}} for k in FACET_KEYS}
    res = es.search(index=alias, size=0, query={"term": {"collection": collection}}, aggs=aggs)
    return {k: {b["key"]: b["doc_count"] for b in res["aggregations"][k]["buckets"]} for k in FACET_KEYS}


# --- the data could leak: the admin sees both sides on the same routes ------------------------------------

def test_admin_sees_both_collections(app_client):
    res = get(app_client, "admin", "/api/v1/search", size=50).json()
    assert {h["id"] for h in res["hits"]} == set(ids("alpha") + ids("bravo"))
    sim = get(app_client, "admin", "/api/v1/documents/alpha-doc-1/similar", size=20).json()
    assert any(h["id"].startswith("bravo") for h in sim["hits"])  # near-identical vectors, shared words
    dups = get(app_client, "admin", "/api/v1/documents/alpha-doc-1/duplicates").json()
    assert "bravo-doc-1" in {h["id"] for h in dups["hits"]}  # the shared cluster
    sugg = get(app_client, "admin", "/api/v1/suggest", q="mar").text
    assert "Marchetti" in sugg and "Markov" in sugg


# --- the API, route by route ------------------------------------------------------------------------------

@pytest.mark.parametrize("user", READERS)
def test_search_hits_totals_facets_and_histogram(app_client, es, index_alias, user):
    own = OWN[user]
    for method in ("GET", "POST"):
        if method == "GET":
            r = get(app_client, user, "/api/v1/search", size=50, facet_size=100)
        else:
            r = app_client.post("/api/v1/search", json={"size": 50, "facet_size": 100}, headers={"X-Test-User": user})
        assert r.status_code == 200, r.text
        assert_clean(user, r.text)
        res = r.json()
        assert {h["id"] for h in res["hits"]} == set(ids(own)) and res["total"]["value"] == len(ids(own))
        expected = own_counts(es, index_alias, own)
        for name in FACET_KEYS:
            got = {b["value"]: b["count"] for b in res["facets"][name]["buckets"]}
            assert got == expected[name], name
        hist = res["histogram"]["buckets"]
        assert sum(b["count"] for b in hist) == len(ids(own))
        assert {b["date"][:4] for b in hist if b["count"]} == set(SIDE[own]["year"])


@pytest.mark.parametrize("user", READERS)
def test_search_for_the_other_collections_words_finds_nothing(app_client, user):
    other = SIDE[OTHER[user]]
    for q in [other["title_word"][0], other["person"][0], f'"{other["org"][0]}"', ids(OTHER[user])[0]]:
        res = get(app_client, user, "/api/v1/search", q=q).json()
        assert res["total"]["value"] == 0 and res["hits"] == [], q
        assert all(b["count"] == 0 for f in res["facets"].values() for b in f["buckets"])
    own = SIDE[OWN[user]]
    for name in FACET_KEYS:  # selecting the other side's value: nothing, and its count stays 0
        res = get(app_client, user, "/api/v1/search", **{name: other[name][0]}).json()
        assert res["total"]["value"] == 0
        counts = {b["value"]: b["count"] for b in res["facets"][name]["buckets"]}
        assert counts.get(other[name][0], 0) == 0 and set(counts) - {other[name][0]} <= set(own[name])


@pytest.mark.parametrize("user", READERS)
@pytest.mark.parametrize("facet", FACET_KEYS)
def test_facet_value_search(app_client, es, index_alias, user, facet):
    own = OWN[user]
    expected = own_counts(es, index_alias, own)[facet]
    r = get(app_client, user, f"/api/v1/facets/{facet}", size=100)
    assert r.status_code == 200 and {b["value"]: b["count"] for b in r.json()["buckets"]} == expected
    assert_clean(user, r.text)
    for value in SIDE[OTHER[user]][facet]:  # prefixes taken from the other side's values
        prefix = value.split()[-1][:3].lower()
        r = get(app_client, user, f"/api/v1/facets/{facet}", prefix=prefix, size=100)
        assert r.status_code == 200, r.text
        assert_clean(user, r.text)
        assert set(b["value"] for b in r.json()["buckets"]) <= set(expected)


@pytest.mark.parametrize("user", READERS)
def test_suggest(app_client, user):
    own = SIDE[OWN[user]]
    for q in ("mar", "zeph", "zephyr cargo", own["title_word"][0][:3].lower(), SIDE[OTHER[user]]["title_word"][0][:3]):
        r = get(app_client, user, "/api/v1/suggest", q=q, size=20)
        assert r.status_code == 200, r.text
        assert_clean(user, r.text)
    texts = {s["text"] for s in get(app_client, user, "/api/v1/suggest", q="mar", size=20).json()["suggestions"]}
    assert texts and texts <= set(own["person"])
    titles = {s["text"] for s in get(app_client, user, "/api/v1/suggest", q="zeph", size=20).json()["suggestions"]}
    assert titles and all(own["title_word"][0] in t for t in titles)


@pytest.mark.parametrize("user", READERS)
def test_documents_similar_and_duplicates(app_client, user):
    own, other = ids(OWN[user]), ids(OTHER[user])
    for doc_id in own:
        r = get(app_client, user, f"/api/v1/documents/{doc_id}")
        assert r.status_code == 200 and r.json()["id"] == doc_id
        assert_clean(user, r.text)
        for part in ("similar", "duplicates"):
            r = get(app_client, user, f"/api/v1/documents/{doc_id}/{part}", size=20) if part == "similar" else \
                get(app_client, user, f"/api/v1/documents/{doc_id}/{part}")
            assert r.status_code == 200, r.text
            assert_clean(user, r.text)
            assert {h["id"] for h in r.json()["hits"]} <= set(own)
    sim = get(app_client, user, f"/api/v1/documents/{own[0]}/similar", size=20).json()
    assert sim["hits"], "the filter must not empty the own collection's similar documents"
    # the other side's documents are "not found", exactly like an id that does not exist (never 403)
    missing = get(app_client, user, "/api/v1/documents/no-such-doc")
    for doc_id in other:
        for suffix in ("", "/similar", "/duplicates"):
            r = get(app_client, user, f"/api/v1/documents/{doc_id}{suffix}")
            assert r.status_code == 404 == missing.status_code, (doc_id, suffix, r.status_code)
            body = r.json()
            assert body["title"] == missing.json()["title"] and body["type"] == missing.json()["type"]
            assert_clean(user, r.text.replace(doc_id, ""))  # the id the caller sent may be echoed, nothing else


@pytest.mark.parametrize("user", READERS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export(app_client, user, fmt):
    r = get(app_client, user, "/api/v1/export", format=fmt)
    assert r.status_code == 200
    assert_clean(user, r.text)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
    else:
        rows = [json.loads(line) for line in r.text.splitlines() if line]
    assert sorted(row["id"] for row in rows) == sorted(ids(OWN[user]))


# --- the UI ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", READERS)
def test_ui_search_page(app_client, user):
    for params in ({}, {"q": "zephyr"}, {"q": "cargo", "interval": "month"}):
        r = get(app_client, user, "/", **params)
        assert r.status_code == 200
        assert_clean(user, r.text)
        assert all(i in r.text for i in ids(OWN[user])[:1])


@pytest.mark.parametrize("user", READERS)
def test_ui_document_page(app_client, user):
    own = ids(OWN[user])
    for doc_id in own:
        r = get(app_client, user, f"/doc/{doc_id}")
        assert r.status_code == 200
        assert_clean(user, r.text)
    assert any(i in get(app_client, user, f"/doc/{own[0]}").text for i in own[1:])  # the similar panel is filled
    missing = get(app_client, user, "/doc/no-such-doc")
    for doc_id in ids(OTHER[user]):
        r = get(app_client, user, f"/doc/{doc_id}")
        assert r.status_code == 404 == missing.status_code
        assert_clean(user, r.text.replace(doc_id, ""))


@pytest.mark.parametrize("user", READERS)
@pytest.mark.parametrize("facet", [n for n, _ in pages.SIDEBAR_FACETS])
def test_ui_facet_fragment(app_client, user, facet):
    r = get(app_client, user, f"/ui/facets/{facet}")
    assert r.status_code == 200
    assert_clean(user, r.text)
    for value in SIDE[OTHER[user]][facet]:
        r = get(app_client, user, f"/ui/facets/{facet}", prefix=value.split()[-1][:3].lower())
        assert r.status_code == 200
        assert_clean(user, r.text)


@pytest.mark.parametrize("user", READERS)
def test_health_gives_readers_no_index_wide_count(app_client, user):
    for path in ("/health", "/api/v1/health"):
        assert "documents" not in get(app_client, user, path).json()
    assert get(app_client, "admin", "/health").json()["documents"] == 2 * corpus.N


# --- the matrix covers every data route ---------------------------------------------------------------------

COVERED = {
    ("GET", "/api/v1/search"), ("POST", "/api/v1/search"), ("GET", "/api/v1/facets/{name}"),
    ("GET", "/api/v1/documents/{doc_id}"), ("GET", "/api/v1/documents/{doc_id}/similar"),
    ("GET", "/api/v1/documents/{doc_id}/duplicates"), ("GET", "/api/v1/suggest"), ("GET", "/api/v1/export"),
    ("GET", "/"), ("GET", "/ui/facets/{name}"), ("GET", "/doc/{doc_id}"),
}


def test_every_search_route_is_in_the_matrix():
    served = {(m, r.path) for router in (routes.router, pages.router) for r in router.routes for m in r.methods}
    assert served - COVERED == set(), "a new route reads documents: add it to the isolation matrix"
