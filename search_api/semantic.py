"""Hybrid and semantic search (pure): BM25 and the multilingual vectors in ONE Elasticsearch request.

``mode`` (a vocabulary row, :data:`mappings.vocabulary.SEARCH_MODES`):

* ``keyword`` — BM25 over the text fields (the default; exactly the search as it always was);
* ``hybrid`` — BM25 *and* the nearest neighbours of the query's embedding: a top-level ``knn`` section
  next to the query; Elasticsearch adds the two scores. Reciprocal-rank fusion and the ``linear``
  retriever are licensed features, and the managed node has no script engine (no ``script_score``
  saturation of BM25), so the scales are made comparable with plain query clauses: the text part is
  ``TEXT_MATCH`` for matching the words (a ``constant_score``, in [0, 1] like the kNN score of a cosine
  field, (1 + cos) / 2) plus ``BM25_WEIGHT`` × BM25 to order the matches among themselves. A document
  found by one part only gets that part's share — an English query finds Ukrainian stories with no
  English word in them, and a document matching the words *and* the meaning ranks first.
* ``semantic`` — the neighbours alone (every language alike).

Exact syntax stays exact: when the query has a phrase, a ``field:value``, a prefix, ``NOT``/``-`` or
``+`` (:func:`is_strict`), hybrid is the keyword search itself (neighbours restricted to the keyword
matches could only reorder them, and did so slightly for the worse on the guard set of
bench/relevance.py: stem-only phrase matches rose above exact ones); semantic keeps its order by
meaning but the neighbours must match the keyword query (it becomes a kNN filter). Filters
(date range, duplicates, facet selections) are kNN filters too, so every hit honours every filter, and
the access filter reaches the ``knn`` section through :func:`search_api.access.restrict`.

The query vector is computed by the caller (the service embeds the query text with the same encoder
as the documents, see :func:`embed_text`); this module stays free of I/O.
"""

from __future__ import annotations

from typing import Any

from mappings import VECTOR_FIELD

from .syntax import BoolOp, Node, Not, Phrase, Required, Term

# Chosen on the Reuters development half of bench/relevance.py (odd category positions), reported on both halves.
TEXT_MATCH = 1.0  # matching the words (AND of the query's terms) is worth as much as a perfect neighbour
BM25_WEIGHT = 0.05  # × BM25 (typically 5–40 here): orders the word matches
VECTOR_WEIGHT = 1.0  # × (1 + cos) / 2
MIN_SIMILARITY = 0.15  # cosine below this is no neighbour at all
K_MIN, K_MAX = 50, 1000  # neighbours asked for: enough for the page asked, within a bounded cost
CANDIDATES_PER_K = 2


def is_strict(node: Node | None) -> bool:
    """Whether ``node`` holds syntax that asks for an exact match (see the module docstring)."""
    if node is None:
        return False
    if isinstance(node, (Not, Required, Phrase)):
        return True
    if isinstance(node, Term):
        return node.prefix or node.field is not None
    return any(is_strict(child) for child in node.children)


def embed_text(node: Node | None) -> str:
    """The words to embed: every positive word and phrase of the query, without syntax."""
    if node is None or isinstance(node, Not):
        return ""
    if isinstance(node, (Term, Phrase)):
        return node.text if node.field in (None, "title", "body") else ""
    if isinstance(node, Required):
        return embed_text(node.node)
    assert isinstance(node, BoolOp)
    return " ".join(t for t in (embed_text(c) for c in node.children) if t)


def normalised_text(query: dict[str, Any]) -> dict[str, Any]:
    """The keyword query on the kNN score's scale: a fixed share for matching plus a small BM25 term."""
    return {"bool": {"must": [{"constant_score": {"filter": query, "boost": TEXT_MATCH}},
                              {"bool": {"must": [query], "boost": BM25_WEIGHT}}]}}


def neighbours(k: int) -> tuple[int, int]:
    """(k, num_candidates) for a page ending at hit ``k``."""
    k = max(K_MIN, min(k, K_MAX))
    return k, k * CANDIDATES_PER_K


def knn_section(vector: list[float], filters: list[dict[str, Any]], depth: int) -> dict[str, Any]:
    k, candidates = neighbours(depth)
    out: dict[str, Any] = {"field": VECTOR_FIELD, "query_vector": vector, "k": k, "num_candidates": candidates,
                           "similarity": MIN_SIMILARITY, "boost": VECTOR_WEIGHT}
    if filters:
        out["filter"] = filters
    return out
