"""Pure translation of API requests into Elasticsearch request bodies.

Nothing here does I/O or imports the web framework, so every rule (syntax → bool queries, multi-select
facets, paging) is unit tested without a node, and the benchmark sends exactly the bodies the API sends.
Facets, sorts and limits come from the vocabulary (:mod:`mappings.vocabulary`).

Ranking: every text term is matched on the language-neutral ``title``/``body`` fields (exact forms)
*and* on the hunspell-stemmed ``title_<lang>``/``body_<lang>`` fields with lower boosts, summed —
so a document with the exact word outranks one that only has an inflection, and title > body.

No user text ever becomes a regular expression, a wildcard or a fuzzy query: keyword matching uses
the ``lower`` sub-field (Elasticsearch lowercases the query value with the same normalizer), word
prefixes use ``match_bool_prefix`` on the ``words`` sub-field, and the parser caps terms, prefixes and
nesting (:mod:`search_api.syntax`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mappings import COLLECTION_FIELD, STEMMED_LANGUAGES, SUGGEST_FIELD, VECTOR_FIELD, body_field, title_field
from mappings.vocabulary import (
    DATE_FIELD, EXPORT_PAGE, EXTRA_KEYWORD_FIELDS, FACETS, FACETS_BY_NAME, MAX_FACET_SCAN, MAX_FILTER_VALUES,
    MAX_RESULT_WINDOW, MAX_VALUE_CHARS, SORTS_BY_NAME, TEXT_QUERY_FIELDS, TRACK_TOTAL_HITS, FacetSpec,
)

from .cursor import decode_cursor, encode_cursor  # noqa: F401 - part of the query layer's API
from .errors import InvalidParameter
from .histogram import interval_for_span, rollup  # noqa: F401 - part of the query layer's API
from .matching import (  # noqa: F401 - facet_value_matches, selected_keys, word_prefix_match: the layer's API
    all_of, any_of, coded_values_matching, facet_filter, facet_value_matches, keyword_match, selected_keys,
    word_prefix_filter, word_prefix_match,
)
from .models import SearchRequest
from .syntax import BoolOp, Node, Not, Phrase, Required, Term, parse
from .grading_query import GRADE_SCALES, PREFER_RELIABLE, grade_values, prefer_reliable
from .textfields import ALL, BODY_BOOST, TITLE_BOOST, TextFields, text_fields
from . import sampling, semantic, similar

# field:value names an analyst may use -> keyword index field; the facet table gives names and aliases.
KEYWORD_QUERY_FIELDS: dict[str, str] = {
    **{f.name: f.field for f in FACETS}, **EXTRA_KEYWORD_FIELDS,
    **{alias: f.field for f in FACETS for alias in f.aliases},
}
QUERY_FIELDS: frozenset[str] = frozenset(KEYWORD_QUERY_FIELDS) | set(TEXT_QUERY_FIELDS)
FACET_QUERY_NAMES: dict[str, FacetSpec] = {n: f for f in FACETS for n in (f.name, *f.aliases)}

HIT_SOURCE = ["id", "url", "title", "source", "source_type", DATE_FIELD, "language", "entities", "countries",
              "topics", "duplicate_of", "reliability", "credibility", "corroboration", "independent_sources"]
DOC_EXCLUDES = [VECTOR_FIELD, "minhash", "lsh_bands", SUGGEST_FIELD] + [
    f(l) for l in STEMMED_LANGUAGES for f in (title_field, body_field)]
EXPORT_SOURCE = HIT_SOURCE


def sort_clause(name: str) -> list[Any]:
    """The Elasticsearch ``sort`` of a vocabulary sort (undated documents always last)."""
    out: list[Any] = []
    for field, order in SORTS_BY_NAME[name].keys:
        if field == DATE_FIELD:
            out.append({field: {"order": order, "missing": "_last"}})
        else:
            out.append({field: order})
    return out


SORTS: dict[str, list[Any]] = {name: sort_clause(name) for name in SORTS_BY_NAME}

HIGHLIGHT = ALL.highlight(prefixes=True)  # every field: for callers that do not know the index's languages


# --- the analyst query --------------------------------------------------------------------------------

def text_query(q: str, default_operator: str = "and", languages: TextFields | None = None) -> dict[str, Any]:
    """The scoring part of a search for ``q`` (``match_all`` when blank) over ``languages``' fields."""
    node = parse(q, QUERY_FIELDS, default_operator)
    return {"match_all": {}} if node is None else _Builder(languages or ALL).node(node)


class _Builder:
    """Syntax tree → query, over the text fields of the languages the index holds."""

    def __init__(self, fields: TextFields) -> None:
        self.fields = fields

    def node(self, node: Node) -> dict[str, Any]:
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, Phrase):
            return self._phrase(node)
        if isinstance(node, Not):
            return {"bool": {"must_not": [self.node(node.node)]}}
        if isinstance(node, Required):
            return self.node(node.node)
        return self._bool(node)

    def _bool(self, node: BoolOp) -> dict[str, Any]:
        must, must_not, should = [], [], []
        for child in node.children:
            if isinstance(child, Not):
                must_not.append(self.node(child.node))
            elif isinstance(child, Required) or node.op == "and":
                must.append(self.node(child))
            else:
                should.append(self.node(child))
        out: dict[str, Any] = {}
        if must:
            out["must"] = must
        if must_not:
            out["must_not"] = must_not
        if should:
            out["should"] = should
            # In an OR group, plain alternatives are optional only when +required terms exist.
            out["minimum_should_match"] = 0 if must else 1
        return {"bool": out}

    def _term(self, t: Term) -> dict[str, Any]:
        if t.field in GRADE_SCALES and not t.prefix:  # reliability:A,B  credibility:1..3
            return facet_filter(FACET_QUERY_NAMES[t.field], grade_values(t.field, t.text))
        if t.field in FACET_QUERY_NAMES and not t.prefix:
            return facet_filter(FACET_QUERY_NAMES[t.field], [t.text])
        if t.field in KEYWORD_QUERY_FIELDS:
            return keyword_match(KEYWORD_QUERY_FIELDS[t.field], [t.text], prefix=t.prefix)
        if t.prefix:
            # A literal prefix (≥ MIN_PREFIX characters, ≤ MAX_PREFIXES per query). The default
            # constant-score rewrite collects matching documents in a bitset: no clause per expanded term,
            # so a prefix cannot hit the clause limit however many terms it expands to.
            value = t.text.lower()
            targets = {"title": [("title", TITLE_BOOST)], "body": [("body", BODY_BOOST)]}.get(
                t.field or "", [("title", TITLE_BOOST), ("body", BODY_BOOST)])
            clauses = [{"prefix": {f: {"value": value, "boost": b}}} for f, b in targets]
            return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}
        return {"multi_match": {"query": t.text, "fields": self.fields.for_field(t.field), "type": "most_fields",
                                "operator": "and"}}

    def _phrase(self, p: Phrase) -> dict[str, Any]:
        if p.field in FACET_QUERY_NAMES:
            return facet_filter(FACET_QUERY_NAMES[p.field], [p.text])
        if p.field in KEYWORD_QUERY_FIELDS:
            return keyword_match(KEYWORD_QUERY_FIELDS[p.field], [p.text])
        # tie_breaker 1: the exact-field and stemmed-field phrase scores add up (exact ranks first).
        return {"multi_match": {"query": p.text, "fields": self.fields.for_field(p.field), "type": "phrase",
                                "tie_breaker": 1.0}}


# --- filters, facets, histogram -------------------------------------------------------------------------

def base_filters(req: SearchRequest) -> list[dict[str, Any]]:
    """Filters every part of the response honours (date range, duplicates)."""
    out: list[dict[str, Any]] = []
    if req.date_from or req.date_to:
        rng: dict[str, Any] = {"format": "strict_date_optional_time"}
        if req.date_from:
            rng["gte"] = req.date_from.isoformat()
        if req.date_to:
            rng["lte"] = req.date_to.isoformat() + "||/d"
        out.append({"range": {DATE_FIELD: rng}})
    if req.duplicates == "hide":
        out.append({"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}})
    return out


def selection_filters(req: SearchRequest, *, exclude: str | None = None) -> list[dict[str, Any]]:
    """One filter per selected facet (values OR-ed inside a facet, facets AND-ed), case-insensitive."""
    out = []
    for name, values in req.selections().items():
        # The request model checks this too; the query layer holds the line for every other caller.
        if len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
            raise InvalidParameter(name, f"at most {MAX_FILTER_VALUES} values of at most {MAX_VALUE_CHARS} characters",
                                   "select fewer or shorter values")
        if name != exclude:
            out.append(facet_filter(FACETS_BY_NAME[name], values))
    return out


def main_query(req: SearchRequest, default_operator: str, fields: TextFields = ALL) -> dict[str, Any]:
    query = {"bool": {"must": [text_query(req.q, default_operator, fields)], "filter": base_filters(req)}}
    return prefer_reliable(query) if req.sort == PREFER_RELIABLE else query


def embed_text(req: SearchRequest, default_operator: str = "and") -> str:
    """The text to embed for ``req`` ("" when its mode is keyword or nothing in ``q`` can be embedded)."""
    if req.mode == "keyword":
        return ""
    node = parse(req.q, QUERY_FIELDS, default_operator)
    if req.mode == "hybrid" and semantic.is_strict(node):
        return ""  # exact syntax: the keyword ranking as it is (neighbours could only reorder its matches)
    return semantic.embed_text(node)


def _semantic_parts(req: SearchRequest, default_operator: str, fields: TextFields, vector: list[float],
                    depth: int) -> dict[str, Any]:
    """``query`` and ``knn`` of a hybrid or semantic body (see :mod:`search_api.semantic`)."""
    node = parse(req.q, QUERY_FIELDS, default_operator)
    text = text_query(req.q, default_operator, fields)
    knn_filters = base_filters(req) + selection_filters(req) + ([text] if semantic.is_strict(node) else [])
    out: dict[str, Any] = {"knn": semantic.knn_section(vector, knn_filters, depth)}
    if req.mode == "hybrid":
        query = {"bool": {"must": [semantic.normalised_text(text)], "filter": base_filters(req)}}
        out["query"] = prefer_reliable(query) if req.sort == PREFER_RELIABLE else query
    return out


def missing_agg(field: str) -> dict[str, Any]:
    """Documents without ``field``: a filter rather than a ``missing`` aggregation, which ``random_sampler``
    refuses to sample (search_api/sampling.py); the same count."""
    return {"filter": {"bool": {"must_not": [{"exists": {"field": field}}]}}}


def aggregated_sets(req: SearchRequest) -> dict[str, list[dict[str, Any]]]:
    """The filters of the sets the aggregations count: every selection (histogram, unselected facets),
    and for each selected facet every selection but its own (see :func:`search_api.sampling.count_body`)."""
    out = {sampling.ALL: selection_filters(req)}
    counted = req.counted_facets()
    for name in req.selections():
        if name in counted:  # a facet not asked for is not counted
            out[name] = selection_filters(req, exclude=name)
    return out


def facet_aggs(req: SearchRequest) -> dict[str, Any]:
    """Multi-select facets: each facet's counts apply every selection except its own.

    Selected values also get their own count (``selected``), so a ticked value outside the top N is
    shown with its true count rather than 0.
    """
    aggs: dict[str, Any] = {}
    selections = req.selections()
    wanted = req.counted_facets()
    for spec in FACETS:
        if spec.name not in wanted:
            continue
        sub: dict[str, Any] = {
            "values": {"terms": {"field": spec.field, "size": req.facet_size}},
            "missing": missing_agg(spec.field),
        }
        if spec.name in selections:
            sub["selected"] = {"filters": {"filters": {v: facet_filter(spec, [v]) for v in selections[spec.name]}}}
        aggs[f"facet_{spec.name}"] = {"filter": all_of(selection_filters(req, exclude=spec.name)), "aggs": sub}
    return aggs


def histogram_interval(req: SearchRequest) -> str | None:
    """A calendar interval from the request, or ``None`` to roll day buckets up (see histogram.rollup)."""
    if req.interval != "auto":
        return req.interval
    if req.date_from and req.date_to:
        return interval_for_span((req.date_to - req.date_from).days)
    return None


def histogram_agg(req: SearchRequest) -> dict[str, Any]:
    """Explicit or range-derived intervals go to ES; otherwise non-empty days, rolled up by :func:`rollup`."""
    interval = histogram_interval(req)
    spec: dict[str, Any] = {"field": DATE_FIELD, "format": "yyyy-MM-dd"}
    if interval is None:
        spec.update(calendar_interval="day", min_doc_count=1)
    else:
        spec.update(calendar_interval=interval, min_doc_count=0)
        if req.date_from and req.date_to:
            spec["extended_bounds"] = {"min": req.date_from.isoformat(), "max": req.date_to.isoformat()}
    return {"filter": all_of(selection_filters(req)),
            "aggs": {"dates": {"date_histogram": spec}, "missing": missing_agg(DATE_FIELD)}}


# --- whole request bodies -------------------------------------------------------------------------------

def search_body(req: SearchRequest, *, default_operator: str = "and", cursor_key: bytes | None = None,
                languages: Sequence[str] | None = None, query_vector: list[float] | None = None) -> dict[str, Any]:
    """The ``_search`` body for a search request (hits, facets, histogram, highlights).

    ``cursor_key`` (the server secret) verifies ``req.cursor``; it is required when a cursor is given.
    ``languages``: the language codes the index holds (only their stemmed fields are queried and
    highlighted; ``None``: all). ``query_vector``: the embedding of :func:`embed_text` — required for
    ``mode`` hybrid/semantic when that text is not empty (otherwise the search is a keyword search).
    """
    fields = text_fields(languages)
    body: dict[str, Any] = {
        "query": main_query(req, default_operator, fields),
        "size": req.size,
        "sort": SORTS[req.sort],
        "track_total_hits": TRACK_TOTAL_HITS,
        "_source": HIT_SOURCE,
    }
    if req.cursor:
        if cursor_key is None:
            raise ValueError("search_body needs cursor_key to verify a cursor")
        body["search_after"] = decode_cursor(req.cursor, req.sort, cursor_key)
    elif req.page * req.size > MAX_RESULT_WINDOW:
        raise InvalidParameter("page", f"page * size may not exceed {MAX_RESULT_WINDOW}",
                               "use cursor (next_cursor) for deep paging")
    else:
        body["from"] = (req.page - 1) * req.size
    if req.sort != "relevance":
        body["track_scores"] = True
    post = selection_filters(req)
    if post:
        body["post_filter"] = all_of(post)
    if req.size:
        node = parse(req.q, QUERY_FIELDS, default_operator)
        body["highlight"] = fields.highlight(prefixes=_has_prefix(node))
    if req.facet_size:
        body["aggs"] = {**facet_aggs(req), "histogram": histogram_agg(req)}
    if embed_text(req, default_operator):
        if query_vector is None:
            raise ValueError(f"search_body needs query_vector for mode={req.mode}")
        depth = semantic.K_MAX if req.cursor else req.page * req.size
        body.pop("query")
        body.update(_semantic_parts(req, default_operator, fields, query_vector, depth))
    return body


def _has_prefix(node: Node | None) -> bool:
    if node is None or isinstance(node, Phrase):
        return False
    if isinstance(node, Term):
        return node.prefix
    if isinstance(node, (Not, Required)):
        return _has_prefix(node.node)
    return any(_has_prefix(c) for c in node.children)


def export_body(req: SearchRequest, *, default_operator: str = "and", search_after: list[Any] | None = None) -> dict[str, Any]:
    filters = base_filters(req) + selection_filters(req)
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text_query(req.q, default_operator)], "filter": filters}},
        "size": EXPORT_PAGE, "sort": SORTS[req.sort], "_source": EXPORT_SOURCE, "track_total_hits": False,
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def facet_scan_size(size: int) -> int:
    """Values to fetch so that ``size`` of them still match after :func:`word_prefix_match`."""
    return min(MAX_FACET_SCAN, max(10 * size, 200))


def facet_values_body(req: SearchRequest, name: str, prefix: str, size: int, *, default_operator: str = "and") -> dict[str, Any]:
    """Values of one facet under the current search; with ``prefix``, only documents holding a value
    with a word starting so (or, for coded facets, a code whose name does) are counted, and the caller
    keeps the values that match (:func:`facet_value_matches`): a match query on a sub-field instead of
    a regular expression."""
    spec = FACETS_BY_NAME[name]
    filters = base_filters(req) + selection_filters(req, exclude=name)
    terms: dict[str, Any] = {"field": spec.field, "size": size}
    if prefix:
        codes = coded_values_matching(spec, prefix)
        by_words = word_prefix_filter(spec, prefix)
        filters.append(any_of([by_words, keyword_match(spec.field, codes)]) if codes else by_words)
        terms["size"] = facet_scan_size(size)
    return {
        "query": {"bool": {"must": [text_query(req.q, default_operator)], "filter": filters}},
        "size": 0, "track_total_hits": False,
        "aggs": {"values": {"terms": terms}},
    }


def similar_body(index: str, doc_id: str, doc: dict[str, Any], vector: list[float] | None, size: int) -> dict[str, Any]:
    return similar.similar_body(index, doc_id, doc, vector, size, HIT_SOURCE)


def duplicates_body(doc: dict[str, Any], doc_id: str) -> dict[str, Any]:
    return similar.duplicates_body(doc, doc_id, SORTS["date"], HIT_SOURCE)


ENTITY_SUGGEST = ("person", "org", "location")


def suggest_body(q: str, size: int = 10) -> dict[str, Any]:
    """Completions on titles plus entity names with a word starting with ``q`` (filtered by the caller)."""
    not_dup = {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}}
    aggs = {}
    for kind in ENTITY_SUGGEST:
        spec = FACETS_BY_NAME[kind]
        aggs[kind] = {"filter": word_prefix_filter(spec, q),
                      "aggs": {"values": {"terms": {"field": spec.field, "size": facet_scan_size(size) // 4}}}}
    return {
        "size": 0, "track_total_hits": False,
        "query": not_dup,
        "suggest": {"titles": {"prefix": q, "completion": {"field": SUGGEST_FIELD, "size": size, "skip_duplicates": True}}},
        "_source": ["title", "entities"],
        "aggs": aggs,
    }


MAX_COLLECTIONS = 10_000


def collections_body() -> dict[str, Any]:
    """The names of every collection in the index (one terms aggregation, no hits)."""
    return {"size": 0, "track_total_hits": False,
            "aggs": {"collections": {"terms": {"field": COLLECTION_FIELD, "size": MAX_COLLECTIONS}}}}
