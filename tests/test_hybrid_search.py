"""Hybrid / semantic search and the cheaper highlighting (issue 19), on a real node with real vectors.

The documents' vectors and the query's embedding come from the real multilingual encoder (the same
one the enricher uses), so "an English query finds the French and Russian reports" is the product's
behaviour, not a fixture's. Filters, the access filter and exact syntax are checked on every hit.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from indexer.document import IndexDocument
from mappings.client import async_es_client
from nlp.topics import Encoder
from search_api import query as Q
from search_api.access import OPEN, Principal
from search_api.models import SearchRequest
from search_api.service import SearchService
from search_api.shaping import shape_search

pytestmark = pytest.mark.integration

# id, language, collection, title, body
DOCS = [
    ("en-oil", "en", "public", "OPEC agrees to cut oil production",
     "OPEC ministers agreed to cut crude oil production to support prices; Saudi Arabia backed the cuts."),
    ("fr-oil", "fr", "secret", "L'OPEP décide de réduire sa production de pétrole",
     "Les ministres de l'OPEP ont décidé de réduire la production de pétrole brut pour soutenir les prix."),
    ("de-oil", "de", "public", "OPEC beschließt Kürzung der Ölförderung",
     "Die OPEC-Minister haben beschlossen, die Förderung von Rohöl zu kürzen, um die Preise zu stützen."),
    ("ru-oil", "ru", "public", "ОПЕК договорилась сократить добычу нефти",
     "Министры ОПЕК договорились сократить добычу сырой нефти, чтобы поддержать цены."),
    ("en-wheat", "en", "public", "Record wheat harvest in Kansas",
     "Farmers in Kansas expect a record wheat harvest after a wet spring; grain elevators are full."),
    ("fr-wheat", "fr", "public", "Récolte record de blé en France",
     "Les agriculteurs français attendent une récolte de blé record; les silos à grains sont pleins."),
    ("en-bank", "en", "public", "Central bank holds interest rates",
     "The central bank held interest rates steady, citing inflation; the governor spoke in Frankfurt."),
    ("de-bank", "de", "public", "Bundesbank lässt Leitzinsen unverändert",
     "Die Bundesbank hat die Leitzinsen unverändert gelassen und auf die Inflation verwiesen."),
]


@pytest.fixture(scope="module")
def loaded(es: Elasticsearch, index_alias: str) -> str:
    encoder = Encoder(threads=1)
    vectors = encoder.encode([f"{t}\n{b}" for _, _, _, t, b in DOCS])
    actions = []
    for (doc_id, lang, coll, title, body), vec in zip(DOCS, vectors):
        doc = IndexDocument(id=doc_id, url=f"https://example.org/{doc_id}", title=title, body=body, source="wire",
                            source_type="news", published_at="1987-03-02T00:00:00Z",
                            collected_at="2024-01-01T00:00:00Z", language=lang, language_confidence=0.99,
                            content_hash=f"h-{doc_id}", collection=coll, vector=[float(x) for x in vec])
        actions.append({"_index": index_alias, "_id": doc_id, "_source": doc.to_source()})
    helpers.bulk(es, actions, refresh="wait_for")
    return index_alias


def run(alias: str, coro_fn) -> Any:
    async def go():
        es = async_es_client(pytest.es_connection)  # type: ignore[attr-defined]
        try:
            return await coro_fn(SearchService(es, alias))
        finally:
            await es.close()
    return asyncio.run(go())


@pytest.fixture(scope="module", autouse=True)
def _connection(settings) -> None:
    pytest.es_connection = settings.es_connection()  # type: ignore[attr-defined]


def search(alias: str, principal=OPEN, **params):
    return run(alias, lambda svc: svc.search(SearchRequest(**params), principal))


def test_english_query_finds_other_languages_only_in_hybrid(loaded):
    keyword = [h.id for h in search(loaded, q="oil production cut").hits]
    assert keyword == ["en-oil"]
    hybrid = [h.id for h in search(loaded, q="oil production cut", mode="hybrid").hits]
    assert hybrid[0] == "en-oil"  # words and meaning: first
    assert {"fr-oil", "de-oil", "ru-oil"} <= set(hybrid[:4])  # no English word in them
    semantic = [h.id for h in search(loaded, q="oil production cut", mode="semantic").hits]
    assert set(semantic[:4]) == {"en-oil", "fr-oil", "de-oil", "ru-oil"}


def test_filters_and_facets_stay_exact_in_hybrid(loaded):
    res = search(loaded, q="oil production cut", mode="hybrid", language=["de"], facet_size=10)
    assert res.hits and all(h.language == "de" for h in res.hits)
    # Multi-select: the language facet counts every language of the (filtered) union, its own selection aside.
    counts = {b.value: b.count for b in res.facets["language"].buckets}
    assert counts.get("de", 0) >= 1 and res.total.value == len(res.hits)


def test_access_filter_reaches_the_neighbours(loaded):
    reader = Principal("reader", collections=frozenset({"public"}))
    for mode in ("hybrid", "semantic"):
        res = search(loaded, reader, q="oil production cut", mode=mode, facet_size=10)
        assert "fr-oil" not in [h.id for h in res.hits], mode
        assert sum(b.count for b in res.facets["language"].buckets) == res.total.value
    assert "fr-oil" in [h.id for h in search(loaded, q="oil production cut", mode="semantic").hits]


def test_exact_syntax_stays_exact_in_hybrid(loaded):
    for q in ('"oil production"', "oil production -saudi", "title:wheat"):
        keyword = {h.id for h in search(loaded, q=q).hits}
        hybrid = {h.id for h in search(loaded, q=q, mode="hybrid").hits}
        assert hybrid == keyword, q


def test_highlights_of_the_cheaper_body_equal_the_all_fields_body(loaded):
    """The body restricted to the index's languages marks exactly what the all-fields body marked."""
    async def compare(svc: SearchService) -> None:
        for q in ("cuts", "production", "pétrole", "Leitzinsen", "нефти", "wheat harvest", '"central bank"',
                  "harv*", "title:record", "nothingmatches OR bank"):
            req = SearchRequest(q=q, size=20, facet_size=0)
            new = shape_search(req, await svc._search(await svc._full_search_body(req), OPEN), svc.cursor_key)
            old = shape_search(req, await svc._search(Q.search_body(req, cursor_key=svc.cursor_key), OPEN), svc.cursor_key)
            assert [(h.id, h.highlights, h.snippet) for h in new.hits] == [(h.id, h.highlights, h.snippet) for h in old.hits], q
        # Stemmed-only match: "cuts" is marked in the title through title_en ("cut").
        req = SearchRequest(q="cuts", facet_size=0)
        hit = shape_search(req, await svc._search(await svc._full_search_body(req), OPEN), svc.cursor_key).hits[0]
        assert hit.id == "en-oil" and "<mark>cut</mark>" in hit.highlights["title"][0]
    run(loaded, compare)
