"""Limits live in the service layer: a caller that skips the API's request checks (the UI, a script)
still cannot send Elasticsearch anything longer or more complex than the vocabulary allows."""

from __future__ import annotations

import asyncio

import pytest
from elasticsearch import Elasticsearch

import test_api_corpus as corpus
from mappings.client import async_es_client
from mappings.vocabulary import MAX_FACET_SIZE, MAX_PREFIX_CHARS, MAX_SIMILAR
from search_api.errors import DocumentNotFound, InvalidParameter, QuerySyntaxError
from search_api.access import OPEN
from search_api.models import SearchRequest
from search_api.service import SearchService

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run(es: Elasticsearch, index_alias: str, module_settings):
    corpus.load(es, index_alias)

    def call(method: str, *args, **kwargs):
        async def go():
            client = async_es_client(module_settings.api_es_connection())
            try:
                return await getattr(SearchService(client, index_alias), method)(*args, **kwargs)
            finally:
                await client.close()
        return asyncio.run(go())
    return call


@pytest.mark.parametrize("prefix", ["ab" * 6000, "x" * (MAX_PREFIX_CHARS + 1), "oil\x00", "a\x1bb"])
def test_facet_prefix_capped_whatever_the_caller(run, prefix):
    with pytest.raises(InvalidParameter) as info:
        run("facet_values", "person", SearchRequest(), OPEN, prefix, 20)
    assert info.value.field == "prefix"


def test_facet_prefix_at_the_cap_is_served(run):
    got = run("facet_values", "person", SearchRequest(), OPEN, "ab" * (MAX_PREFIX_CHARS // 2), 20)
    assert got.buckets == []
    got = run("facet_values", "person", SearchRequest(), OPEN, "RON", 10_000)  # size clamped, not sent as is
    assert [b.value for b in got.buckets] == ["Ronald Reagan"] and len(got.buckets) <= MAX_FACET_SIZE


def test_unknown_facet_name_is_invalid(run):
    with pytest.raises(InvalidParameter) as info:
        run("facet_values", "x" * 12_000, SearchRequest(), OPEN)
    assert info.value.field == "name" and len(info.value.detail) < 200


def test_suggest_text_capped(run):
    with pytest.raises(InvalidParameter):
        run("suggest", "ab" * 6000, OPEN)
    assert run("suggest", "reag", OPEN, 10_000).suggestions  # size clamped


@pytest.mark.parametrize("doc_id", ["x" * 12_000, "a\x00b", ""])
def test_impossible_document_ids_never_reach_elasticsearch(run, doc_id):
    with pytest.raises(DocumentNotFound) as info:
        run("document", doc_id, OPEN)
    assert len(info.value.detail) < 200


def test_similar_size_clamped(run):
    assert len(run("similar", "en-oil-1", OPEN, 10_000).hits) <= MAX_SIMILAR


def test_query_caps_hold_for_requests_built_without_validation(run):
    # model_construct skips pydantic validation, as a careless caller might: the parser still refuses.
    for q in ("x" * 5000, "(" * 500 + "x" + ")" * 500, " OR ".join(["w"] * 10_000)):
        with pytest.raises(QuerySyntaxError):
            run("search", SearchRequest.model_construct(**{**SearchRequest().model_dump(), "q": q}), OPEN)


@pytest.mark.parametrize("changes, field", [
    ({"person": ["x" * 12_000]}, "person"), ({"org": ["a"] * 10_000}, "org"), ({"page": 10**9, "size": 100}, "page"),
])
def test_filters_and_paging_capped_without_validation(run, changes, field):
    with pytest.raises(InvalidParameter) as info:
        run("search", SearchRequest.model_construct(**{**SearchRequest().model_dump(), **changes}), OPEN)
    assert info.value.field == field
