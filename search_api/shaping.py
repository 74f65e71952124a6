"""Response shaping (pure): Elasticsearch answers → the API's models. Shared by the API and the UI."""

from __future__ import annotations

from typing import Any

from mappings import ENTITY_TYPES, STEMMED_LANGUAGES
from mappings.grading import rating
from mappings.vocabulary import FACETS, FACETS_BY_NAME, FacetSpec, export_columns

from . import query as Q
from .cursor import encode_cursor
from .histogram import INTERVALS
from .sampling import unwrap
from .models import Bucket, Facet, Histogram, HistogramBucket, Hit, SearchRequest, SearchResponse, Total

_MARK = "<mark>"


def _best(fragments: dict[str, list[str]], base: str, lang: str | None, require_mark: bool) -> list[str]:
    candidates = [fragments.get(base, [])]
    if lang in STEMMED_LANGUAGES:
        candidates.append(fragments.get(f"{base}_{lang}", []))
    else:
        candidates += [v for k, v in fragments.items() if k.startswith(base + "_")]
    scored = sorted(candidates, key=lambda fr: -sum(f.count(_MARK) for f in fr))
    best = scored[0] if scored else []
    if require_mark and not any(_MARK in f for f in best):
        return []
    return best


def shape_hit(h: dict[str, Any]) -> Hit:
    src = h.get("_source", {})
    hl = h.get("highlight", {})
    lang = src.get("language")
    title_hl = _best(hl, "title", lang, True)
    body_hl = _best(hl, "body", lang, False)
    highlights = {}
    if title_hl:
        highlights["title"] = title_hl
    if any(_MARK in f for f in body_hl):
        highlights["body"] = [f for f in body_hl if _MARK in f]
    entities = src.get("entities") or {}
    return Hit(
        id=str(src.get("id") or h["_id"]), url=src.get("url"), title=src.get("title"), source=src.get("source"),
        source_type=src.get("source_type"), published_at=src.get("published_at"), language=lang,
        score=h.get("_score"), highlights=highlights, snippet=body_hl[0] if body_hl else "",
        entities={t: list(entities.get(t) or []) for t in ENTITY_TYPES},
        countries=list(src.get("countries") or []), topics=list(src.get("topics") or []),
        duplicate_of=src.get("duplicate_of"), reliability=src.get("reliability"),
        credibility=src.get("credibility"), corroboration=src.get("corroboration"), rating=rating(src),
    )


def facet_buckets(spec: FacetSpec, agg: dict[str, Any], chosen: list[str]) -> list[Bucket]:
    """Top values of a facet, then every selected value the top N missed, with its own true count."""
    wanted = Q.selected_keys(spec, chosen)
    buckets = [Bucket(value=str(b["key"]), count=b["doc_count"], selected=str(b["key"]).casefold() in wanted)
               for b in agg["values"]["buckets"]]
    shown = {b.value.casefold() for b in buckets}
    counts = agg.get("selected", {}).get("buckets", {})
    # A selected value outside the top N stays visible so the UI can un-select it.
    buckets += [Bucket(value=v, count=counts.get(v, {}).get("doc_count", 0), selected=True)
                for v in chosen if not Q.selected_keys(spec, [v]) & shown]
    return buckets


def shape_search(req: SearchRequest, res: dict[str, Any], cursor_key: bytes) -> SearchResponse:
    hits_block = res["hits"]
    total = hits_block.get("total") or {"value": 0, "relation": "eq"}
    raw_hits = hits_block["hits"]
    hits = [shape_hit(h) for h in raw_hits]
    next_cursor = None
    if req.size and len(raw_hits) == req.size and raw_hits[-1].get("sort") is not None:
        next_cursor = encode_cursor(req.sort, raw_hits[-1]["sort"], cursor_key)
    facets: dict[str, Facet] = {}
    histogram = None
    aggs, sampled_at = unwrap(res.get("aggregations") or {})
    selections = req.selections()
    for spec in FACETS:
        a = aggs.get(f"facet_{spec.name}")
        if a is not None:
            facets[spec.name] = Facet(buckets=facet_buckets(spec, a, selections.get(spec.name, [])),
                                      missing=a["missing"]["doc_count"], estimated=f"facet_{spec.name}" in sampled_at)
    if "histogram" in aggs:
        dates = aggs["histogram"]["dates"]
        raw = [(b["key_as_string"], b["doc_count"]) for b in dates["buckets"]]
        interval = Q.histogram_interval(req)
        if interval is None:  # day buckets (or coarser: sampling.coarse_histogram) rolled up to fit the span
            floor = (dates.get("meta") or {}).get("interval")
            interval, raw = Q.rollup(raw, req.date_from, req.date_to, floor=floor if floor in INTERVALS else None)
        histogram = Histogram(interval=interval, buckets=[HistogramBucket(date=d, count=c) for d, c in raw],
                              missing=aggs["histogram"]["missing"]["doc_count"], estimated="histogram" in sampled_at)
    return SearchResponse(
        total=Total(value=total["value"], relation=total["relation"]), took_ms=res.get("took", 0),
        page=req.page, size=req.size, next_cursor=next_cursor, hits=hits, facets=facets, histogram=histogram,
        facets_sampled=bool(sampled_at), sample_probability=min(sampled_at.values()) if sampled_at else None,
    )


def _field_value(src: dict[str, Any], field: str) -> Any:
    value: Any = src
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def export_row(h: dict[str, Any]) -> dict[str, Any]:
    """One export row: the columns of the vocabulary (facet values as lists)."""
    src = h.get("_source", {})
    row: dict[str, Any] = {}
    for col in export_columns():
        spec = FACETS_BY_NAME.get(col)
        if spec is not None and spec.many:
            value = _field_value(src, spec.field)
            row[col] = value if isinstance(value, list) else ([] if value is None else [value])
        elif spec is not None:
            row[col] = _field_value(src, spec.field)
        else:
            row[col] = src.get(col)
    row["id"] = src.get("id") or h["_id"]
    row["rating"] = rating(src)
    return row
