"""The need-to-know filter against a real node: hits, totals, aggregations and kNN never leak."""

from __future__ import annotations

import uuid

import pytest

from search_api.access import OPEN, Principal, may_read, restrict

from tests.conftest import unique_alias

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def index(es):
    name = unique_alias("access")
    es.indices.create(index=name, mappings={"properties": {
        "collection": {"type": "keyword"}, "person": {"type": "keyword"}, "body": {"type": "text"},
        "vector": {"type": "dense_vector", "dims": 3, "index": True, "similarity": "cosine"},
        "suggest": {"type": "completion", "contexts": [{"name": "collection", "type": "category", "path": "collection"}]}}})
    docs = [("a1", "alpha", "Ann", "oil report", [1, 0, 0]), ("a2", "alpha", "Bo", "oil memo", [0.9, 0.1, 0]),
            ("b1", "bravo", "Secret Person", "oil secret", [1, 0, 0.01]), ("n1", None, "Orphan", "oil", [1, 0, 0])]
    for i, coll, person, body, vec in docs:
        doc = {"collection": coll, "person": person, "body": body, "vector": vec}
        if coll:  # the completion field's context is mandatory: the indexer always sets a collection
            doc["suggest"] = {"input": [f"{body} by {person}"]}
        es.index(index=name, id=i, document=doc)
    es.indices.refresh(index=name)
    yield name
    es.indices.delete(index=name)


BODY = {"query": {"match": {"body": "oil"}}, "aggs": {"people": {"terms": {"field": "person"}}},
        "post_filter": {"match_all": {}}, "track_total_hits": True}


def _ids_and_people(es, index, body):
    res = es.search(index=index, body=body)
    return ({h["_id"] for h in res["hits"]["hits"]}, res["hits"]["total"]["value"],
            {b["key"] for b in res["aggregations"]["people"]["buckets"]})


def test_reader_of_one_collection_sees_only_it_in_hits_totals_and_facets(es, index):
    alice = Principal("alice", collections=frozenset({"alpha"}))
    ids, total, people = _ids_and_people(es, index, restrict(BODY, alice))
    assert ids == {"a1", "a2"} and total == 2 and people == {"Ann", "Bo"}


def test_no_collections_means_nothing_and_admins_see_all(es, index):
    nobody = Principal("nobody", collections=frozenset())
    assert _ids_and_people(es, index, restrict(BODY, nobody)) == (set(), 0, set())
    ids, total, _ = _ids_and_people(es, index, restrict(BODY, OPEN))
    assert ids == {"a1", "a2", "b1", "n1"} and total == 4


def test_knn_candidates_are_filtered_before_ranking(es, index):
    alice = Principal("alice", collections=frozenset({"alpha"}))
    body = {"knn": {"field": "vector", "query_vector": [1, 0, 0.01], "k": 3, "num_candidates": 10}, "size": 3}
    res = es.search(index=index, body=restrict(body, alice))
    assert {h["_id"] for h in res["hits"]["hits"]} == {"a1", "a2"}


def test_restrict_does_not_modify_the_original_body():
    before = repr(BODY)
    restrict(BODY, Principal("x", collections=frozenset({"alpha"})))
    assert repr(BODY) == before


def test_may_read_by_collection():
    alice = Principal("alice", collections=frozenset({"alpha"}))
    assert may_read(alice, {"collection": "alpha"}) and not may_read(alice, {"collection": "bravo"})
    assert not may_read(alice, {}) and may_read(OPEN, {})


def _suggestions(es, index, principal, known=()):
    body = {"size": 0, "suggest": {"t": {"prefix": "oil", "completion": {"field": "suggest", "size": 10}}}}
    res = es.search(index=index, body=restrict(body, principal, known_collections=known))
    return sorted(o["text"] for o in res.get("suggest", {}).get("t", [{}])[0].get("options", []))


def test_completion_suggestions_only_come_from_readable_collections(es, index):
    alice = Principal("alice", collections=frozenset({"alpha"}))
    assert _suggestions(es, index, alice) == ["oil memo by Bo", "oil report by Ann"]
    assert _suggestions(es, index, Principal("nobody", collections=frozenset())) == []
    assert _suggestions(es, index, OPEN, known=["alpha", "bravo"]) == [
        "oil memo by Bo", "oil report by Ann", "oil secret by Secret Person"]
