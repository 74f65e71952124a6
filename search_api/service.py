"""The search service: one object the API routes and the server-rendered UI both call.

It sends the bodies built by :mod:`search_api.query` and shapes Elasticsearch responses into the
models of :mod:`search_api.models`. Elasticsearch client errors become the exceptions of
:mod:`search_api.errors` here, so callers never see transport details.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError

from mappings import ENTITY_TYPES, STEMMED_LANGUAGES, VECTOR_FIELD, body_field, title_field

from . import query as Q
from .errors import DocumentNotFound, InvalidParameter, PeriscopeError, translate_es_error
from .limits import EXPORT_CAP, MAX_SUGGEST_CHARS
from .models import (
    FACET_NAMES, Bucket, Facet, FacetValues, Histogram, HistogramBucket, Hit, HitList, SearchRequest,
    SearchResponse, Suggestion, Suggestions, Total,
)

_MARK = "<mark>"


class SearchService:
    def __init__(self, es: AsyncElasticsearch, alias: str, *, default_operator: str = "and"):
        self.es = es
        self.alias = alias
        self.default_operator = default_operator

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except PeriscopeError:
            raise
        except ApiError as exc:
            if _es_error_type(exc) == "too_many_buckets_exception":
                raise InvalidParameter("interval", "the date histogram would have too many buckets",
                                       "choose a coarser interval or a narrower date range") from None
            raise translate_es_error(exc) from None
        except TransportError as exc:
            raise translate_es_error(exc) from None

    # --- search -----------------------------------------------------------------------------------
    def search_body(self, req: SearchRequest) -> dict[str, Any]:
        return Q.search_body(req, default_operator=self.default_operator)

    async def search(self, req: SearchRequest) -> SearchResponse:
        body = self.search_body(req)
        res = await self._call(self.es.search(index=self.alias, body=body))
        return shape_search(req, res)

    # --- documents --------------------------------------------------------------------------------
    async def _raw_document(self, doc_id: str, excludes: list[str], *, vectors: bool = False) -> tuple[str, dict[str, Any]]:
        # ES 9 leaves dense vectors out of _source unless asked (index.mapping.exclude_source_vectors).
        extra = {"source_exclude_vectors": False} if vectors else {}
        try:
            res = await self.es.get(index=self.alias, id=doc_id, source_excludes=excludes, **extra)
            return res["_index"], res["_source"]
        except NotFoundError as exc:
            if _es_error_type(exc) == "index_not_found_exception":
                raise translate_es_error(exc) from None
            raise DocumentNotFound(doc_id) from None
        except (ApiError, TransportError) as exc:
            raise translate_es_error(exc) from None

    async def document(self, doc_id: str) -> dict[str, Any]:
        _, src = await self._raw_document(doc_id, Q.DOC_EXCLUDES)
        src.setdefault("id", doc_id)
        src.setdefault("mentions", [])
        return src

    async def similar(self, doc_id: str, size: int = 10) -> HitList:
        index, src = await self._raw_document(doc_id, ["body", "mentions"] + [f(l) for l in STEMMED_LANGUAGES for f in (title_field, body_field)], vectors=True)
        vector = src.get(VECTOR_FIELD)
        bodies = Q.similar_bodies(index, doc_id, vector if isinstance(vector, list) else None, size)
        searches: list[dict[str, Any]] = []
        for b in bodies:
            searches += [{"index": self.alias}, b]
        res = await self._call(self.es.msearch(searches=searches))
        # Reciprocal rank fusion: text and vector scores are not comparable, ranks are.
        fused: dict[str, float] = {}
        hits: dict[str, dict[str, Any]] = {}
        for r in res["responses"]:
            if "error" in r:
                raise PeriscopeError(f"similar search failed: {str(r['error'])[:200]}")
            for rank, h in enumerate(r["hits"]["hits"]):
                fused[h["_id"]] = fused.get(h["_id"], 0.0) + 1.0 / (60 + rank)
                hits.setdefault(h["_id"], h)
        order = sorted(fused, key=lambda k: -fused[k])[:size]
        return HitList(hits=[shape_hit({**hits[k], "_score": round(fused[k], 6)}) for k in order])

    async def duplicates(self, doc_id: str) -> HitList:
        _, src = await self._raw_document(doc_id, Q.DOC_EXCLUDES)
        res = await self._call(self.es.search(index=self.alias, body=Q.duplicates_body(src, doc_id)))
        return HitList(hits=[shape_hit(h) for h in res["hits"]["hits"]])

    # --- facets and suggestions -------------------------------------------------------------------
    async def facet_values(self, name: str, req: SearchRequest, prefix: str = "", size: int = 20) -> FacetValues:
        if name not in FACET_NAMES:
            raise InvalidParameter("name", f"unknown facet {name!r}", "facets: " + ", ".join(FACET_NAMES))
        body = Q.facet_values_body(req, name, prefix, size, default_operator=self.default_operator)
        res = await self._call(self.es.search(index=self.alias, body=body))
        selected = set(getattr(req, name))
        return FacetValues(name=name, buckets=[
            Bucket(value=str(b["key"]), count=b["doc_count"], selected=str(b["key"]) in selected)
            for b in res["aggregations"]["values"]["buckets"]])

    async def suggest(self, q: str, size: int = 10) -> Suggestions:
        q = q.strip()[:MAX_SUGGEST_CHARS]
        if not q:
            return Suggestions(suggestions=[])
        res = await self._call(self.es.search(index=self.alias, body=Q.suggest_body(q, size)))
        out: list[Suggestion] = []
        seen: set[str] = set()
        for opt in res.get("suggest", {}).get("titles", [{}])[0].get("options", []):
            text = opt["text"]
            src = opt.get("_source", {})
            kind = "title"
            for etype, names in (src.get("entities") or {}).items():
                if text in (names or []):
                    kind = etype
            if text.lower() not in seen:
                seen.add(text.lower())
                out.append(Suggestion(text=text, kind=kind))
        for kind in Q.ENTITY_SUGGEST:
            for b in res.get("aggregations", {}).get(kind, {}).get("buckets", []):
                if b["key"].lower() not in seen:
                    seen.add(b["key"].lower())
                    out.append(Suggestion(text=b["key"], kind=kind))
        return Suggestions(suggestions=out[: size * 2])

    # --- export ---------------------------------------------------------------------------------
    async def export(self, req: SearchRequest, cap: int = EXPORT_CAP) -> AsyncIterator[dict[str, Any]]:
        """Rows of the whole result set (up to ``cap``), paged with ``search_after``.

        The first page is fetched eagerly by :meth:`export_first` so errors surface before streaming.
        """
        first = await self.export_first(req)
        async for row in self.export_rest(req, first, cap):
            yield row

    async def export_first(self, req: SearchRequest) -> list[dict[str, Any]]:
        res = await self._call(self.es.search(index=self.alias, body=Q.export_body(req, default_operator=self.default_operator)))
        return res["hits"]["hits"]

    async def export_rest(self, req: SearchRequest, page: list[dict[str, Any]], cap: int = EXPORT_CAP) -> AsyncIterator[dict[str, Any]]:
        sent = 0
        while page:
            for h in page:
                if sent >= cap:
                    return
                yield export_row(h)
                sent += 1
            if len(page) < Q.EXPORT_PAGE:
                return
            body = Q.export_body(req, default_operator=self.default_operator, search_after=page[-1]["sort"])
            res = await self._call(self.es.search(index=self.alias, body=body))
            page = res["hits"]["hits"]


# --- response shaping (pure) --------------------------------------------------------------------------

def _es_error_type(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", {})
    if not isinstance(err, dict):
        return ""
    kinds = [err.get("type", "")] + [c.get("type", "") for c in err.get("root_cause", []) if isinstance(c, dict)]
    caused = err.get("caused_by")
    while isinstance(caused, dict):
        kinds.append(caused.get("type", ""))
        caused = caused.get("caused_by")
    for k in kinds:
        if k in ("too_many_buckets_exception", "index_not_found_exception"):
            return k
    return kinds[0]


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
        duplicate_of=src.get("duplicate_of"),
    )


def shape_search(req: SearchRequest, res: dict[str, Any]) -> SearchResponse:
    hits_block = res["hits"]
    total = hits_block.get("total") or {"value": 0, "relation": "eq"}
    raw_hits = hits_block["hits"]
    hits = [shape_hit(h) for h in raw_hits]
    next_cursor = None
    if req.size and len(raw_hits) == req.size and raw_hits[-1].get("sort") is not None:
        next_cursor = Q.encode_cursor(req.sort, raw_hits[-1]["sort"])
    facets: dict[str, Facet] = {}
    histogram = None
    aggs = res.get("aggregations") or {}
    selections = req.selections()
    for name in FACET_NAMES:
        a = aggs.get(f"facet_{name}")
        if a is None:
            continue
        chosen = set(selections.get(name, []))
        buckets = [Bucket(value=str(b["key"]), count=b["doc_count"], selected=str(b["key"]) in chosen)
                   for b in a["values"]["buckets"]]
        # A selected value outside the top N stays visible so the UI can un-select it.
        shown = {b.value for b in buckets}
        buckets += [Bucket(value=v, count=0, selected=True) for v in req.selections().get(name, []) if v not in shown]
        facets[name] = Facet(buckets=buckets, missing=a["missing"]["doc_count"])
    if "histogram" in aggs:
        raw = [(b["key_as_string"], b["doc_count"]) for b in aggs["histogram"]["dates"]["buckets"]]
        interval = Q.histogram_interval(req)
        if interval is None:  # day buckets from ES, rolled up to an interval that fits the span
            interval, raw = Q.rollup(raw, req.date_from, req.date_to)
        histogram = Histogram(interval=interval, buckets=[HistogramBucket(date=d, count=c) for d, c in raw],
                              missing=aggs["histogram"]["missing"]["doc_count"])
    return SearchResponse(
        total=Total(value=total["value"], relation=total["relation"]), took_ms=res.get("took", 0),
        page=req.page, size=req.size, next_cursor=next_cursor, hits=hits, facets=facets, histogram=histogram,
    )


def export_row(h: dict[str, Any]) -> dict[str, Any]:
    src = h.get("_source", {})
    ents = src.get("entities") or {}
    return {
        "id": src.get("id") or h["_id"], "url": src.get("url"), "title": src.get("title"),
        "source": src.get("source"), "source_type": src.get("source_type"),
        "published_at": src.get("published_at"), "language": src.get("language"),
        "countries": src.get("countries") or [], "topics": src.get("topics") or [],
        "person": ents.get("person") or [], "org": ents.get("org") or [], "location": ents.get("location") or [],
        "duplicate_of": src.get("duplicate_of"),
    }
