"""Entity pages and the co-occurrence network (pure): request bodies, parsing, spike and edge scores.

Why ``significant_terms`` for an entity's companions: raw co-occurrence counts always put the most
frequent names first ("United States" co-occurs with everything); ``significant_terms`` ranks what is
over-represented in the entity's documents relative to the background (everything the caller may read).

Network edges: the co-document count of two nodes (one ``filters`` aggregation) compared with
what independence predicts (``docs_a * docs_b / total``) by the same Poisson surprise as the trends,
so a pair that merely consists of two frequent names does not outrank a pair that truly travels together.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mappings.vocabulary import DATE_FIELD, FACETS_BY_NAME

from .matching import facet_filter
from .query import HIT_SOURCE
from .trends import SMOOTHING, surprise

LATEST_DOCS = 10
RELATED_SIZE = 10
MAX_SPIKES = 5
SPIKE_THRESHOLD = 2.0  # -log10 p: keep intervals with p < 0.01


# --- aliases -------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _alias_index() -> dict[str, tuple[str, ...]]:
    """canonical name (case-folded) → every spelling the gazetteer maps to it (built once per process)."""
    from nlp.gazetteer import get_gazetteer  # query-time NLP: only the alias table

    out: dict[str, set[str]] = {}
    for key, entry in get_gazetteer().entries.items():
        out.setdefault(entry.canonical.casefold(), {entry.canonical}).add(key)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def alias_spellings(name: str, etype: str) -> list[str]:
    """Other spellings of ``name`` (the gazetteer's alias table: "IMF" ↔ "International Monetary Fund")."""
    if etype not in ("person", "org", "location"):
        return []
    from nlp.gazetteer import get_gazetteer

    entry = get_gazetteer().lookup(name)
    canon = entry.canonical if entry is not None else name
    return [s for s in _alias_index().get(canon.casefold(), ()) if s.casefold() != name.casefold()][:20]


_MINOR_WORDS = {"of", "the", "and", "for", "de", "du", "des", "la", "le", "el", "&"}


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace("-", " ").split() if w.casefold() not in _MINOR_WORDS and w[0].isalpha()).upper()


def acronym_pair(a: str, b: str) -> bool:
    """Whether one name is the acronym of the other ("OPEC" / "Organisation of Petroleum Exporting Countries")."""
    short, long = sorted((a.strip(), b.strip()), key=len)
    letters = short.replace(".", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and " " in long \
        and _initials(long) == letters.upper() and (short.isupper() or len(letters) >= 3)


# --- entity page ---------------------------------------------------------------------------------------

def _timeline(interval: str) -> dict[str, Any]:
    return {"date_histogram": {"field": DATE_FIELD, "calendar_interval": interval, "format": "yyyy-MM-dd",
                               "min_doc_count": 0}}


def entity_body(query: dict[str, Any], etype: str, names: list[str], related: tuple[str, ...],
                background: dict[str, Any] | None, interval: str) -> dict[str, Any]:
    spec = FACETS_BY_NAME[etype]
    sig: dict[str, Any] = {}
    for t in related:
        st: dict[str, Any] = {"field": FACETS_BY_NAME[t].field, "size": RELATED_SIZE + len(names), "min_doc_count": 2}
        if background is not None:
            st["background_filter"] = background
        sig[f"sig_{t}"] = {"significant_terms": st}
    return {
        "query": {"bool": {"must": [query], "filter": [facet_filter(spec, names)]}},
        "size": LATEST_DOCS, "sort": [{DATE_FIELD: {"order": "desc", "missing": "_last"}}], "_source": HIT_SOURCE,
        "track_total_hits": True,
        "aggs": {"timeline": _timeline(interval), **sig,
                 "sources": {"terms": {"field": FACETS_BY_NAME["source"].field, "size": RELATED_SIZE}},
                 "aliases": {"terms": {"field": spec.field, "size": 50}}},
    }


def volume_body(query: dict[str, Any], interval: str) -> dict[str, Any]:
    return {"query": query, "size": 0, "track_total_hits": False, "aggs": {"timeline": _timeline(interval)}}


def spikes(timeline: list[tuple[str, int]], volume: dict[str, int], baseline: int) -> list[tuple[str, int, float, float]]:
    """Intervals where the entity's count beats its trailing ``baseline`` share of the volume (most surprising first)."""
    out = []
    for i, (date, count) in enumerate(timeline):
        prev = timeline[max(0, i - baseline): i]
        if not prev:
            continue
        base_c, base_n = sum(c for _, c in prev), sum(volume.get(d, 0) for d, _ in prev)
        if not base_n:
            continue
        expected = (base_c + SMOOTHING) / (base_n + 1) * volume.get(date, count)
        score = surprise(count, expected)
        if score >= SPIKE_THRESHOLD:
            out.append((date, count, round(expected, 4), score))
    return sorted(out, key=lambda s: -s[3])[:MAX_SPIKES]


# --- network -------------------------------------------------------------------------------------------

@dataclass
class NetNode:
    id: str
    type: str
    value: str
    docs: int


@dataclass
class NetEdge:
    source: str
    target: str
    docs: int
    expected: float
    score: float


def nodes_body(query: dict[str, Any], types: list[str], per_type: int) -> dict[str, Any]:
    """Top values per entity type by documents (node size = documents); significance is judged on the edges."""
    return {"query": query, "size": 0, "track_total_hits": True,
            "aggs": {t: {"terms": {"field": FACETS_BY_NAME[t].field, "size": per_type}} for t in types}}


def parse_nodes(res: dict[str, Any], types: list[str]) -> list[NetNode]:
    rows = [(t, str(b["key"]), b["doc_count"]) for t in types for b in res["aggregations"][t]["buckets"]]
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return [NetNode(f"n{i}", t, v, c) for i, (t, v, c) in enumerate(rows)]


def adjacency_body(query: dict[str, Any], nodes: list[NetNode]) -> dict[str, Any]:
    """Co-document counts of every pair of nodes in one request: a ``filters`` bucket per node, and in it a
    ``terms`` count restricted (``include``) to the other nodes' values. (``adjacency_matrix`` lives in an
    Elasticsearch module the core-only distribution does not ship.)"""
    by_type: dict[str, list[str]] = {}
    for n in nodes:
        by_type.setdefault(n.type, []).append(n.value)
    inner = {t: {"terms": {"field": FACETS_BY_NAME[t].field, "include": vals, "size": len(vals)}}
             for t, vals in by_type.items()}
    filters = {n.id: facet_filter(FACETS_BY_NAME[n.type], [n.value]) for n in nodes}
    return {"query": query, "size": 0, "track_total_hits": False,
            "aggs": {"pairs": {"filters": {"filters": filters}, "aggs": inner}}}


def parse_edges(res: dict[str, Any], nodes: list[NetNode], total: int) -> list[NetEdge]:
    """Pairs that co-occur more than independence predicts, most significant first."""
    by_id = {n.id: n for n in nodes}
    by_value = {(n.type, n.value): n for n in nodes}
    out = []
    for a_id, bucket in res["aggregations"]["pairs"]["buckets"].items():
        a = by_id[a_id]
        for t in {n.type for n in nodes}:
            for b in bucket.get(t, {}).get("buckets", []):
                c = by_value.get((t, str(b["key"])))
                # each pair once (ids are in rank order), at least two shared documents
                if c is None or int(c.id[1:]) <= int(a.id[1:]) or b["doc_count"] < 2 or not total:
                    continue
                expected = a.docs * c.docs / total
                score = surprise(b["doc_count"], expected)
                if score > 0:
                    out.append(NetEdge(a.id, c.id, b["doc_count"], round(expected, 4), score))
    return sorted(out, key=lambda e: (-e.score, -e.docs, e.source, e.target))
