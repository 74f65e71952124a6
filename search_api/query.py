"""Pure translation of API requests into Elasticsearch request bodies.

Nothing here does I/O, so every rule (syntax → bool queries, multi-select facets, paging) is unit
tested without a node, and the benchmark sends exactly the bodies the API sends.

Ranking: every text term is matched on the language-neutral ``title``/``body`` fields (exact forms)
*and* on the hunspell-stemmed ``title_<lang>``/``body_<lang>`` fields with lower boosts, summed —
so a document with the exact word outranks one that only has an inflection, and title > body.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from mappings import DATE_FIELD, FACET_FIELDS, STEMMED_LANGUAGES, SUGGEST_FIELD, VECTOR_FIELD, body_field, title_field

from .errors import InvalidParameter
from .limits import EXPORT_PAGE, TRACK_TOTAL_HITS
from .models import FACET_NAMES, SearchRequest
from .syntax import BoolOp, Node, Not, Phrase, Required, Term, parse

TITLE_BOOST, BODY_BOOST = 3.0, 1.0
STEM_TITLE_BOOST, STEM_BODY_BOOST = 1.5, 0.5
TITLE_FIELDS = [f"title^{TITLE_BOOST}"] + [f"{title_field(l)}^{STEM_TITLE_BOOST}" for l in STEMMED_LANGUAGES]
BODY_FIELDS = [f"body^{BODY_BOOST}"] + [f"{body_field(l)}^{STEM_BODY_BOOST}" for l in STEMMED_LANGUAGES]
TEXT_FIELDS = TITLE_FIELDS + BODY_FIELDS
MLT_FIELDS = ["title", "body"] + [title_field(l) for l in STEMMED_LANGUAGES] + [body_field(l) for l in STEMMED_LANGUAGES]

# field:value names an analyst may use -> index field (keyword) ; "title"/"body" are text.
KEYWORD_QUERY_FIELDS: dict[str, str] = {**FACET_FIELDS, "author": "author", "url": "url", "id": "id"}
# Singular / everyday spellings analysts type without thinking ("country:ir", "topic:energy").
FIELD_ALIASES: dict[str, str] = {
    "country": "countries", "topic": "topics", "keyword": "keywords", "lang": "language",
    "place": "location", "organisation": "org", "organization": "org",
}
KEYWORD_QUERY_FIELDS.update({alias: KEYWORD_QUERY_FIELDS[target] for alias, target in FIELD_ALIASES.items()})
QUERY_FIELDS: frozenset[str] = frozenset(KEYWORD_QUERY_FIELDS) | {"title", "body"}

HIT_SOURCE = ["id", "url", "title", "source", "source_type", DATE_FIELD, "language", "entities", "countries",
              "topics", "duplicate_of"]
DOC_EXCLUDES = [VECTOR_FIELD, "minhash", "lsh_bands", SUGGEST_FIELD] + [
    f(l) for l in STEMMED_LANGUAGES for f in (title_field, body_field)]
EXPORT_SOURCE = HIT_SOURCE

SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": "desc"}, {DATE_FIELD: {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "date": [{DATE_FIELD: {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "date_asc": [{DATE_FIELD: {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}

HIGHLIGHT = {
    "type": "unified",
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {
        "title": {"number_of_fragments": 0},
        "body": {"fragment_size": 180, "number_of_fragments": 3, "no_match_size": 180},
        **{title_field(l): {"number_of_fragments": 0} for l in STEMMED_LANGUAGES},
        **{body_field(l): {"fragment_size": 180, "number_of_fragments": 3} for l in STEMMED_LANGUAGES},
    },
}

INTERVALS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


# --- the analyst query --------------------------------------------------------------------------------

def text_query(q: str, default_operator: str = "and") -> dict[str, Any]:
    """The scoring part of a search for ``q`` (``match_all`` when blank)."""
    node = parse(q, QUERY_FIELDS, default_operator)
    return {"match_all": {}} if node is None else _node(node)


def _node(node: Node) -> dict[str, Any]:
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Phrase):
        return _phrase(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [_node(node.node)]}}
    if isinstance(node, Required):
        return _node(node.node)
    return _bool(node)


def _bool(node: BoolOp) -> dict[str, Any]:
    must, must_not, should = [], [], []
    for child in node.children:
        if isinstance(child, Not):
            must_not.append(_node(child.node))
        elif isinstance(child, Required) or node.op == "and":
            must.append(_node(child))
        else:
            should.append(_node(child))
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


def _fields_for(field: str | None) -> list[str]:
    return {"title": TITLE_FIELDS, "body": BODY_FIELDS}.get(field or "", TEXT_FIELDS)


def _term(t: Term) -> dict[str, Any]:
    if t.field in KEYWORD_QUERY_FIELDS:
        kind = "prefix" if t.prefix else "term"
        return {kind: {KEYWORD_QUERY_FIELDS[t.field]: {"value": t.text, "case_insensitive": True}}}
    if t.prefix:
        value = t.text.lower()
        targets = {"title": [("title", TITLE_BOOST)], "body": [("body", BODY_BOOST)]}.get(
            t.field or "", [("title", TITLE_BOOST), ("body", BODY_BOOST)])
        clauses = [{"prefix": {f: {"value": value, "boost": b}}} for f, b in targets]
        return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}
    return {"multi_match": {"query": t.text, "fields": _fields_for(t.field), "type": "most_fields", "operator": "and"}}


def _phrase(p: Phrase) -> dict[str, Any]:
    if p.field in KEYWORD_QUERY_FIELDS:
        return {"term": {KEYWORD_QUERY_FIELDS[p.field]: {"value": p.text, "case_insensitive": True}}}
    # tie_breaker 1: the exact-field and stemmed-field phrase scores add up (exact ranks first).
    return {"multi_match": {"query": p.text, "fields": _fields_for(p.field), "type": "phrase", "tie_breaker": 1.0}}


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
    """One ``terms`` filter per selected facet (values OR-ed inside a facet, facets AND-ed)."""
    return [{"terms": {FACET_FIELDS[name]: values}} for name, values in req.selections().items() if name != exclude]


def _and(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


def main_query(req: SearchRequest, default_operator: str) -> dict[str, Any]:
    return {"bool": {"must": [text_query(req.q, default_operator)], "filter": base_filters(req)}}


def facet_aggs(req: SearchRequest) -> dict[str, Any]:
    """Multi-select facets: each facet's counts apply every selection except its own."""
    aggs: dict[str, Any] = {}
    for name in FACET_NAMES:
        field = FACET_FIELDS[name]
        aggs[f"facet_{name}"] = {
            "filter": _and(selection_filters(req, exclude=name)),
            "aggs": {
                "values": {"terms": {"field": field, "size": req.facet_size}},
                "missing": {"missing": {"field": field}},
            },
        }
    return aggs


def histogram_interval(req: SearchRequest) -> str | None:
    """A calendar interval from the request, or ``None`` to let ``auto_date_histogram`` pick."""
    if req.interval != "auto":
        return req.interval
    if req.date_from and req.date_to:
        return interval_for_span((req.date_to - req.date_from).days)
    return None


def histogram_agg(req: SearchRequest) -> dict[str, Any]:
    """Explicit or range-derived intervals go to ES; otherwise non-empty days, rolled up by :func:`rollup`.

    (``auto_date_histogram`` lives in a module the core-only distribution does not ship.)
    """
    interval = histogram_interval(req)
    spec: dict[str, Any] = {"field": DATE_FIELD, "format": "yyyy-MM-dd"}
    if interval is None:
        spec.update(calendar_interval="day", min_doc_count=1)
    else:
        spec.update(calendar_interval=interval, min_doc_count=0)
        if req.date_from and req.date_to:
            spec["extended_bounds"] = {"min": req.date_from.isoformat(), "max": req.date_to.isoformat()}
    return {"filter": _and(selection_filters(req)),
            "aggs": {"dates": {"date_histogram": spec}, "missing": {"missing": {"field": DATE_FIELD}}}}


def interval_for_span(days: int) -> str:
    for limit, name in ((62, "day"), (400, "week"), (5 * 366, "month"), (20 * 366, "quarter")):
        if days <= limit:
            return name
    return "year"


def _bucket_start(d: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return d - dt.timedelta(days=d.weekday())
    if interval == "month":
        return d.replace(day=1)
    if interval == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    if interval == "year":
        return d.replace(month=1, day=1)
    return d


def _next_start(d: dt.date, interval: str) -> dt.date:
    if interval == "day":
        return d + dt.timedelta(days=1)
    if interval == "week":
        return d + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def rollup(days: list[tuple[str, int]], start: dt.date | None = None, end: dt.date | None = None,
           interval: str | None = None) -> tuple[str, list[tuple[str, int]]]:
    """Roll non-empty day buckets up to an interval chosen from the span, filling empty buckets."""
    if not days:
        return interval or "day", []
    parsed = [(dt.date.fromisoformat(k[:10]), c) for k, c in days]
    lo = start or parsed[0][0]
    hi = end or parsed[-1][0]
    lo, hi = min(lo, parsed[0][0]), max(hi, parsed[-1][0])
    interval = interval or interval_for_span((hi - lo).days)
    counts: dict[dt.date, int] = {}
    for d, c in parsed:
        key = _bucket_start(d, interval)
        counts[key] = counts.get(key, 0) + c
    out: list[tuple[str, int]] = []
    cur = _bucket_start(lo, interval)
    while cur <= hi and len(out) < 5000:
        out.append((cur.isoformat(), counts.get(cur, 0)))
        cur = _next_start(cur, interval)
    return interval, out


# --- paging cursor ------------------------------------------------------------------------------------

def encode_cursor(sort: str, values: list[Any]) -> str:
    raw = json.dumps({"s": sort, "a": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values = data["a"]
        ok = isinstance(values, list) and len(values) == len(SORTS[data["s"]]) and all(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in values)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise InvalidParameter("cursor", "cursor is not a next_cursor this API issued",
                               "pass next_cursor from the previous response unchanged, or drop cursor")
    if data["s"] != sort:
        raise InvalidParameter("cursor", f"cursor was issued for sort={data['s']!r}, not {sort!r}",
                               "keep the same sort while paging with a cursor")
    return values


# --- whole request bodies -------------------------------------------------------------------------------

def search_body(req: SearchRequest, *, default_operator: str = "and") -> dict[str, Any]:
    """The ``_search`` body for a search request (hits, facets, histogram, highlights)."""
    body: dict[str, Any] = {
        "query": main_query(req, default_operator),
        "size": req.size,
        "sort": SORTS[req.sort],
        "track_total_hits": TRACK_TOTAL_HITS,
        "_source": HIT_SOURCE,
    }
    if req.cursor:
        body["search_after"] = decode_cursor(req.cursor, req.sort)
    else:
        body["from"] = (req.page - 1) * req.size
    if req.sort != "relevance":
        body["track_scores"] = True
    post = selection_filters(req)
    if post:
        body["post_filter"] = _and(post)
    if req.size:
        body["highlight"] = HIGHLIGHT
    if req.facet_size:
        body["aggs"] = {**facet_aggs(req), "histogram": histogram_agg(req)}
    return body


def export_body(req: SearchRequest, *, default_operator: str = "and", search_after: list[Any] | None = None) -> dict[str, Any]:
    filters = base_filters(req) + selection_filters(req)
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text_query(req.q, default_operator)], "filter": filters}},
        "size": EXPORT_PAGE, "sort": SORTS[req.sort], "_source": EXPORT_SOURCE, "track_total_hits": False,
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def _ci_regex(prefix: str) -> str:
    """Lucene regexp: values with a word starting with ``prefix``, case-insensitively."""
    out = []
    for ch in prefix:
        lo, up = ch.lower(), ch.upper()
        if lo != up and len(lo) == 1 and len(up) == 1:
            out.append(f"[{lo}{up}]")
        elif ch.isalnum():
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "(.*[ \\-])?" + "".join(out) + ".*"


def facet_values_body(req: SearchRequest, name: str, prefix: str, size: int, *, default_operator: str = "and") -> dict[str, Any]:
    terms: dict[str, Any] = {"field": FACET_FIELDS[name], "size": size}
    if prefix:
        terms["include"] = _ci_regex(prefix)
    filters = base_filters(req) + selection_filters(req, exclude=name)
    return {
        "query": {"bool": {"must": [text_query(req.q, default_operator)], "filter": filters}},
        "size": 0, "track_total_hits": False,
        "aggs": {"values": {"terms": terms}},
    }


def similar_bodies(index: str, doc_id: str, vector: list[float] | None, size: int) -> list[dict[str, Any]]:
    """More-like-this on the text, plus (when the document has one) kNN on its vector."""
    not_self = {"ids": {"values": [doc_id]}}
    no_dups = {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}, not_self]}}
    mlt = {
        "query": {"bool": {
            "must": [{"more_like_this": {"fields": MLT_FIELDS, "like": [{"_index": index, "_id": doc_id}],
                                         "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 25,
                                         "minimum_should_match": "20%"}}],
            "filter": [no_dups]}},
        "size": size, "_source": HIT_SOURCE,
    }
    bodies = [mlt]
    if vector:
        bodies.append({
            "knn": {"field": VECTOR_FIELD, "query_vector": vector, "k": size, "num_candidates": max(50, 4 * size),
                    "filter": no_dups},
            "size": size, "_source": HIT_SOURCE,
        })
    return bodies


def duplicates_body(doc: dict[str, Any], doc_id: str) -> dict[str, Any]:
    should: list[dict[str, Any]] = [{"term": {"duplicate_of": doc_id}}]
    if doc.get("cluster_id"):
        should.append({"term": {"cluster_id": doc["cluster_id"]}})
    if doc.get("duplicate_of"):
        should.append({"ids": {"values": [doc["duplicate_of"]]}})
        should.append({"term": {"duplicate_of": doc["duplicate_of"]}})
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1, "must_not": [{"ids": {"values": [doc_id]}}]}},
        "size": 100, "sort": SORTS["date"], "_source": HIT_SOURCE,
    }


ENTITY_SUGGEST = ("person", "org", "location")


def suggest_body(q: str, size: int = 10) -> dict[str, Any]:
    body: dict[str, Any] = {
        "size": 0, "track_total_hits": False,
        "query": {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}},
        "suggest": {"titles": {"prefix": q, "completion": {"field": SUGGEST_FIELD, "size": size, "skip_duplicates": True}}},
        "_source": ["title", "entities"],
        "aggs": {kind: {"terms": {"field": FACET_FIELDS[kind], "size": size, "include": _ci_regex(q)}}
                 for kind in ENTITY_SUGGEST},
    }
    return body
