"""Bodies for a document's neighbours (pure): "similar documents" and "same story" (duplicates).

Similar is vector-led (issue 19): the nearest neighbours of the document's multilingual vector, in one
request. The text half is removed: as a tie-breaker (a ``rescore`` of the neighbours by more-like-this,
weight 0.002 × BM25) it still cost recall — 0.56 vs 0.74 for the neighbours alone on the parallel
man-page set (bench/similar.py) — because BM25 scores of same-language pages dwarf cosine gaps. The old
answer fused a more-like-this list with the neighbours by rank, and did worse than the neighbours
alone (parallel set recall@10 0.69 vs 0.88): words that occur only in the query document filled the
term budget (``min_doc_freq: 1``). A document without a vector falls back to more-like-this with
sensible limits. Same-story copies (near-duplicates, the document's own cluster) are left out: they
have their own panel (:func:`duplicates_body`).
"""

from __future__ import annotations

from typing import Any

from mappings import STEMMED_LANGUAGES, VECTOR_FIELD, body_field, title_field

MLT_FIELDS = ["title", "body"] + [title_field(l) for l in STEMMED_LANGUAGES] + [body_field(l) for l in STEMMED_LANGUAGES]
MLT_LIMITS = {
    "min_term_freq": 1,
    "min_doc_freq": 2,  # a word only this document has says nothing about any other document
    "max_doc_freq": 5000,  # nor does one most documents have (the index's stopwords)
    "max_query_terms": 25,
    "minimum_should_match": "30%",
}
CANDIDATES_PER_HIT = 5  # HNSW candidates per neighbour asked for (recall of the approximate search)


def same_story_filter(doc: dict[str, Any], doc_id: str) -> dict[str, Any]:
    """Not the document, no near-duplicate, nothing of its cluster (the duplicates panel lists those)."""
    must_not: list[dict[str, Any]] = [{"ids": {"values": [doc_id] + ([doc["duplicate_of"]] if doc.get("duplicate_of") else [])}},
                                      {"exists": {"field": "duplicate_of"}}]
    if doc.get("cluster_id"):
        must_not.append({"term": {"cluster_id": doc["cluster_id"]}})
    return {"bool": {"must_not": must_not}}


def more_like_this(index: str, doc_id: str) -> dict[str, Any]:
    return {"more_like_this": {"fields": MLT_FIELDS, "like": [{"_index": index, "_id": doc_id}], **MLT_LIMITS}}


def similar_body(index: str, doc_id: str, doc: dict[str, Any], vector: list[float] | None, size: int,
                 source: list[str]) -> dict[str, Any]:
    """One ``_search`` body: kNN on ``vector``, or more-like-this when the document has no vector."""
    exclude = same_story_filter(doc, doc_id)
    if not vector:
        return {"query": {"bool": {"must": [more_like_this(index, doc_id)], "filter": [exclude]}},
                "size": size, "_source": source}
    return {
        "knn": {"field": VECTOR_FIELD, "query_vector": vector, "k": size, "num_candidates": max(100, CANDIDATES_PER_HIT * size),
                "filter": exclude},
        "size": size, "_source": source,
    }


def duplicates_body(doc: dict[str, Any], doc_id: str, sort: list[Any], source: list[str]) -> dict[str, Any]:
    should: list[dict[str, Any]] = [{"term": {"duplicate_of": doc_id}}]
    if doc.get("cluster_id"):
        should.append({"term": {"cluster_id": doc["cluster_id"]}})
    if doc.get("duplicate_of"):
        should.append({"ids": {"values": [doc["duplicate_of"]]}})
        should.append({"term": {"duplicate_of": doc["duplicate_of"]}})
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1, "must_not": [{"ids": {"values": [doc_id]}}]}},
        "size": 100, "sort": sort, "_source": source,
    }
