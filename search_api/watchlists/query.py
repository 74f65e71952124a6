"""How watchlist entries match (pure: bodies in, nothing sent).

Precise matching, per name variant (the name and each alias):

* a variant found as an entity value (``resolve_body``: one aggregation over the caller's readable
  documents, case-insensitive) is matched with the **entity filter** of that facet — "Jordan" the
  person does not match documents about the country;
* any other variant is matched as an **exact phrase** on the unstemmed title and body.

An entry matches when any of its variants does; a watchlist (its alert) when any entry does.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mappings.vocabulary import DATE_FIELD, FACETS_BY_NAME
from workspace.watchlists import Entry

from ..matching import any_of, keyword_match
from ..query import HIGHLIGHT, HIT_SOURCE

ENTITY_FACETS = ("person", "org", "location")
FACETS_FOR_KIND = {"any": ENTITY_FACETS, "person": ("person",), "org": ("org",), "location": ("location",),
                   "vessel": (), "keyword": ()}
PHRASE_FIELDS = ("title", "body")  # unstemmed: an exact phrase, not its stemmed look-alikes
INTERVALS = ("day", "week", "month", "year")


def variants(entries: list[Entry]) -> list[tuple[str, str]]:
    """Every (facet, lowercased variant) to look up, once."""
    return list(dict.fromkeys((f, v.lower()) for e in entries for f in FACETS_FOR_KIND[e.kind] for v in e.variants))


def resolve_body(entries: list[Entry]) -> dict[str, Any]:
    """Which variants exist as entity values: one ``filters`` aggregation of case-insensitive term filters
    (the ``lower`` sub-fields are indexed but have no doc values, so a ``terms`` aggregation cannot read them)."""
    pairs = variants(entries)
    filters = {str(i): {"term": {FACETS_BY_NAME[f].lower_field: v}} for i, (f, v) in enumerate(pairs)}
    return {"size": 0, "track_total_hits": False, "query": {"match_all": {}},
            "aggs": {"known": {"filters": {"filters": filters}}} if filters else {}}


def resolved_from(entries: list[Entry], response: dict[str, Any]) -> list[tuple[tuple[str, str], ...]]:
    """Per entry, the (facet, variant) pairs found in at least one readable document."""
    pairs = variants(entries)
    buckets = ((response.get("aggregations") or {}).get("known") or {}).get("buckets") or {}
    found = {pairs[int(k)] for k, b in buckets.items() if b["doc_count"] > 0}
    return [tuple((f, v) for v in e.variants for f in FACETS_FOR_KIND[e.kind] if (f, v.lower()) in found)
            for e in entries]


def _phrase(text: str) -> dict[str, Any]:
    return {"multi_match": {"query": text, "fields": list(PHRASE_FIELDS), "type": "phrase"}}


def _clauses(entries: list[Entry]) -> list[dict[str, Any]]:
    """Entity filters (one terms query per facet for all entries) + one phrase per unresolved variant."""
    by_facet: dict[str, list[str]] = defaultdict(list)
    phrases: list[str] = []
    for e in entries:
        known = {v for _, v in e.resolved}
        for f, v in e.resolved:
            by_facet[f].append(v)
        phrases += [v for v in e.variants if v not in known]
    out = [keyword_match(FACETS_BY_NAME[f].field, sorted(set(vs))) for f, vs in by_facet.items()]
    return out + [_phrase(p) for p in dict.fromkeys(phrases)]


def entry_query(e: Entry) -> dict[str, Any]:
    return any_of(_clauses([e]))


def any_entry_query(entries: list[Entry]) -> dict[str, Any]:
    """The watchlist as one query (its alert and its latest matches); no entries match nothing."""
    clauses = _clauses(entries)
    return any_of(clauses) if clauses else {"match_none": {}}


def total_body(entries: list[Entry]) -> dict[str, Any]:
    """How many documents match any entry."""
    return {"size": 0, "track_total_hits": True, "query": any_entry_query(entries)}


def _latest(size: int) -> dict[str, Any]:
    return {"size": size, "sort": [{DATE_FIELD: {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
            "_source": HIT_SOURCE, "highlight": HIGHLIGHT}


def alert_body(entries: list[Entry]) -> dict[str, Any]:
    """What the alert engine narrows to the documents ingested since its checkpoint (``since_body``)."""
    return {"query": any_entry_query(entries), "_source": HIT_SOURCE, "highlight": HIGHLIGHT, "size": 0}


def stats_body(entries: list[Entry], interval: str, size: int, offset: int = 0) -> dict[str, Any]:
    """For a chunk of entries (numbered from ``offset``), in one request: documents per entry per interval
    (publication date, a ``filters`` aggregation) and the chunk's ``size`` latest matches, each naming the
    entries it matched (named queries)."""
    named = [{"bool": {"filter": [entry_query(e)], "_name": str(offset + i)}} for i, e in enumerate(entries)]
    return {**_latest(size), "track_total_hits": False,
            "query": {"bool": {"filter": [any_entry_query(entries)], "should": named}}, "aggs": {
                "entries": {"filters": {"filters": {str(offset + i): entry_query(e) for i, e in enumerate(entries)}},
                            "aggs": {"t": {"date_histogram": {"field": DATE_FIELD, "calendar_interval": interval,
                                                              "format": "yyyy-MM-dd", "min_doc_count": 1}}}}}}
