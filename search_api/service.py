"""The search service: one object the API routes and the server-rendered UI both call.

It sends the bodies built by :mod:`search_api.query` and shapes Elasticsearch responses into the
models of :mod:`search_api.models`. Elasticsearch client errors become the exceptions of
:mod:`search_api.errors` here, so callers never see transport details.

Limits are enforced here as well as in the request models, because not every caller builds its input
through the API's models (the UI passes a facet-search prefix and a document id straight through):
whatever route a request came in by, nothing longer or more complex than the vocabulary allows
reaches Elasticsearch.

Need-to-know: every method takes the :class:`~search_api.access.Principal` the request acts as, and
every body goes to Elasticsearch through :meth:`SearchService._search` / :meth:`SearchService._msearch`,
which apply :func:`search_api.access.restrict` — the only places in this module that call
``es.search``/``es.msearch`` (a test inspects the source to keep it so). A document fetched by id is
checked with :func:`search_api.access.may_read` and reported as not found when unreadable.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError

from mappings import STEMMED_LANGUAGES, VECTOR_FIELD, body_field, title_field
from mappings.vocabulary import (
    DATE_FIELD, EXPORT_CAP, FACET_NAMES, FACET_SAMPLE_DOCS, FACETS_BY_NAME, MAX_FACET_SIZE, MAX_ID_CHARS, MAX_PREFIX_CHARS, MAX_QUERY_CHARS,
    MAX_SIMILAR, MAX_SUGGEST,
)

from . import query as Q
from . import reader_hits as RH
from . import sampling
from .access import OPEN, Principal, may_read, restrict
from .errors import DocumentNotFound, InvalidParameter, PeriscopeError, es_error_types, translate_es_error
from .models import Bucket, FacetValues, HitList, SearchRequest, Suggestion, Suggestions
from .request_id import current_request_id
from .embedding import QueryEmbedder
from .textfields import languages_body, languages_from
from .shaping import export_row, shape_hit, shape_search  # noqa: F401 - shape_hit is used by callers too

log = logging.getLogger(__name__)


def _bounded_text(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidParameter(field, f"{field} is {len(value)} characters long", f"use at most {limit} characters")
    if any(ord(c) < 32 for c in value):
        raise InvalidParameter(field, f"{field} contains control characters", "type plain text")
    return value


async def both(first: Any, second: Any) -> tuple[Any, Any]:
    """Two awaitables at once; if either fails the other is cancelled (not left running on the node with
    nobody to read its answer or its error) and the failure raised."""
    tasks = [asyncio.ensure_future(first), asyncio.ensure_future(second)]
    try:
        a, b = await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return a, b


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(int(value), high))

COLLECTIONS_TTL_S = 30.0  # how stale the list of collections (suggest contexts) may be
STREAM_PAGE = 1000  # hits per page of a streamed export (bigger pages: fewer round trips, bounded memory)
PIT_KEEP_ALIVE = "2m"  # renewed by every page; long enough for a slow client between two pages


class SearchService:
    def __init__(self, es: AsyncElasticsearch, alias: str, *, default_operator: str = "and",
                 cursor_key: bytes | None = None, embedder: QueryEmbedder | None = None,
                 facet_sample_docs: int = FACET_SAMPLE_DOCS):
        self.es = es
        self.alias = alias
        self.default_operator = default_operator
        # Signs next_cursor. Without the server secret, a per-process key: cursors then stay valid
        # only within this process (fine for tests and one-off scripts).
        self.cursor_key = cursor_key or secrets.token_bytes(32)
        self._collections: list[str] = []
        self._collections_at = -COLLECTIONS_TTL_S
        self._languages: list[str] | None = None
        self._languages_at = -COLLECTIONS_TTL_S
        self.embedder = embedder or QueryEmbedder()
        # Facet counts of a search matching more than twice this many documents are estimated (sampling.py).
        self.facet_sample_docs = facet_sample_docs
        self._index_docs = 0  # documents in the index, learnt with its languages

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except PeriscopeError:
            raise
        except ApiError as exc:
            if "too_many_buckets_exception" in es_error_types(exc):
                raise InvalidParameter("interval", "the date histogram would have too many buckets",
                                       "choose a coarser interval or a narrower date range") from None
            raise self._translated(exc) from exc
        except TransportError as exc:
            raise self._translated(exc) from exc

    @staticmethod
    def _translated(exc: Exception) -> PeriscopeError:
        out = translate_es_error(exc)
        log.warning("[%s] Elasticsearch call failed -> %s: %r", current_request_id(), type(out).__name__,
                    f"{exc!r:.2000}")
        return out

    # --- search -----------------------------------------------------------------------------------
    def search_body(self, req: SearchRequest) -> dict[str, Any]:
        """The body without I/O (validation of saved searches, alerts): a keyword search on every language's
        fields — alerts match new documents by their words, whatever mode the search was saved in."""
        return Q.search_body(req.model_copy(update={"mode": "keyword"}), default_operator=self.default_operator,
                             cursor_key=self.cursor_key)

    async def _full_search_body(self, req: SearchRequest) -> dict[str, Any]:
        """The body :meth:`search` sends: only the index's languages' fields, the query embedded when asked."""
        text = Q.embed_text(req, self.default_operator)
        vector = await self.embedder.embed(text) if text else None
        return Q.search_body(req, default_operator=self.default_operator, cursor_key=self.cursor_key,
                             languages=await self._known_languages(), query_vector=vector)

    async def _search(self, body: dict[str, Any], principal: Principal, *, within: list[str] | None = None) -> Any:
        """Send one ``_search`` body as ``principal``: the access filter is applied here and only here.

        ``within``: document ids (a case, the caller's marks) the body is narrowed to, in the same filter.
        A body with a point in time (``pit``) names no index: the point in time fixes it."""
        known = await self._known_collections() if principal.sees_everything and "suggest" in body else ()
        restricted = restrict(body, principal, known_collections=known, within=within)
        index = None if "pit" in body else self.alias
        return await self._call(self.es.search(index=index, body=restricted))

    async def _msearch(self, bodies: list[dict[str, Any]], principal: Principal, *,
                       timeout_s: float | None = None) -> Any:
        """Several bodies in one ``_msearch``, each restricted like :meth:`_search`.

        ``timeout_s``: a budget for background callers (the alert engine) instead of the interactive
        API's short one - a pass of many saved searches may take longer than one analyst's search."""
        searches: list[dict[str, Any]] = []
        for b in bodies:
            searches += [{"index": self.alias}, restrict(b, principal)]
        budget = {} if timeout_s is None else {"request_timeout": timeout_s}
        return await self._call(self.es.options(**budget).msearch(searches=searches))

    async def search(self, req: SearchRequest, principal: Principal, *, within: list[str] | None = None) -> SearchResponse:
        body = await self._full_search_body(req)
        # On a large index the hits go at once, beside the count, and the (maybe sampled) aggregations
        # after it (sampling.py): the hits do not depend on the count, so only the aggregations wait for it.
        sets = Q.aggregated_sets(req)
        count = sampling.count_body(body, sets, index_docs=self._index_docs, sample_docs=self.facet_sample_docs)
        if count is None:
            res = await self._search(body, principal, within=within)
        else:
            async def aggregations() -> Any:
                counted = await self._search(count, principal, within=within)
                probs = sampling.probabilities(counted, self.facet_sample_docs)
                coarse = sampling.coarse_histogram(body, sampling.span_interval(counted))
                return await self._search(sampling.split(sampling.sampled(coarse, probs), sets)[1], principal,
                                          within=within)

            hits = sampling.split(body, sets)[0]
            res = sampling.merged(*await both(self._search(hits, principal, within=within), aggregations()))
        return shape_search(req, res, self.cursor_key)

    async def count_groups(self, req: SearchRequest, principal: Principal, groups: dict[str, list[str]]) -> dict[str, int]:
        """How many results of ``req`` fall in each group of document ids (star/tag facets), in one request."""
        if not groups:
            return {}
        query = {"bool": {"must": [Q.main_query(req, self.default_operator)], "filter": Q.selection_filters(req)}}
        body = {"query": query, "size": 0, "track_total_hits": False,
                "aggs": {"g": {"filters": {"filters": {k: {"ids": {"values": v}} for k, v in groups.items()}}}}}
        res = await self._search(body, principal)
        return {k: b["doc_count"] for k, b in res["aggregations"]["g"]["buckets"].items()}

    async def documents(self, ids: list[str], principal: Principal, source: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """The readable ones of ``ids`` (id → _source): a search, so unreadable ids are simply absent."""
        wanted = [i for i in dict.fromkeys(ids) if i and len(i) <= MAX_ID_CHARS]
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            body = {"size": len(chunk), "query": {"match_all": {}}, "_source": source if source is not None else {"excludes": Q.DOC_EXCLUDES}}
            res = await self._search(body, principal, within=chunk)
            out.update({h["_id"]: h["_source"] for h in res["hits"]["hits"]})
        return out

    # --- documents --------------------------------------------------------------------------------
    async def _raw_document(self, doc_id: str, excludes: list[str], principal: Principal, *,
                            vectors: bool = False) -> tuple[str, dict[str, Any]]:
        """One stored document, as ``principal`` may see it: unreadable is reported exactly like missing
        (404, never 403 — a 403 would confirm that the id exists)."""
        if not doc_id or len(doc_id) > MAX_ID_CHARS or any(ord(c) < 32 for c in doc_id):
            raise DocumentNotFound(doc_id)  # no such id can exist: do not ask Elasticsearch
        # ES 9 leaves dense vectors out of _source unless asked (index.mapping.exclude_source_vectors).
        extra = {"source_exclude_vectors": False} if vectors else {}
        try:
            res = await self.es.get(index=self.alias, id=doc_id, source_excludes=excludes, **extra)
        except NotFoundError as exc:
            if "index_not_found_exception" in es_error_types(exc):
                raise self._translated(exc) from exc
            raise DocumentNotFound(doc_id) from None
        except (ApiError, TransportError) as exc:
            raise self._translated(exc) from exc
        if not may_read(principal, res["_source"]):
            raise DocumentNotFound(doc_id)
        return res["_index"], res["_source"]

    async def document(self, doc_id: str, principal: Principal) -> dict[str, Any]:
        _, src = await self._raw_document(doc_id, Q.DOC_EXCLUDES, principal)
        src.setdefault("id", doc_id)
        src.setdefault("mentions", [])
        return src

    async def similar(self, doc_id: str, principal: Principal, size: int = 10) -> HitList:
        size = _clamp(size, 1, MAX_SIMILAR)
        index, src = await self._raw_document(doc_id, ["body", "mentions"] + [f(l) for l in STEMMED_LANGUAGES for f in (title_field, body_field)],
                                            principal, vectors=True)
        vector = src.get(VECTOR_FIELD)
        body = Q.similar_body(index, doc_id, src, vector if isinstance(vector, list) else None, size)
        res = await self._search(body, principal)
        return HitList(hits=[shape_hit(h) for h in res["hits"]["hits"][:size]])

    async def duplicates(self, doc_id: str, principal: Principal) -> HitList:
        _, src = await self._raw_document(doc_id, Q.DOC_EXCLUDES, principal)
        res = await self._search(Q.duplicates_body(src, doc_id), principal)
        return HitList(hits=[shape_hit(h) for h in res["hits"]["hits"]])

    async def document_hits(self, doc: dict[str, Any], q: str, principal: Principal) -> dict[str, list[tuple[int, int]]]:
        """Where ``q`` matches in ``doc`` (title/body offsets): the reader's hit marks (issue 13)."""
        q = _bounded_text("q", q, MAX_QUERY_CHARS)
        res = await self._search(RH.highlight_body(str(doc["id"]), q, self.default_operator), principal)
        return RH.document_hits(res, doc)

    async def corroborating(self, doc: dict[str, Any], principal: Principal) -> HitList:
        """The other reports of ``doc``'s story (its ``corroborated_by`` evidence, issue 16) the caller may read,
        oldest first."""
        ids = [i for i in doc.get("corroborated_by") or [] if isinstance(i, str) and 0 < len(i) <= MAX_ID_CHARS][:50]
        if not ids:
            return HitList(hits=[])
        body = {"query": {"ids": {"values": ids}}, "size": len(ids), "_source": Q.HIT_SOURCE,
                "sort": [{DATE_FIELD: {"order": "asc", "missing": "_last"}}, {"id": "asc"}]}
        res = await self._search(body, principal)
        return HitList(hits=[shape_hit(h) for h in res["hits"]["hits"]])

    # --- facets and suggestions -------------------------------------------------------------------
    async def facet_values(self, name: str, req: SearchRequest, principal: Principal, prefix: str = "",
                           size: int = 20) -> FacetValues:
        if name not in FACET_NAMES:
            raise InvalidParameter("name", f"unknown facet {name[:50]!r}", "facets: " + ", ".join(FACET_NAMES))
        prefix = _bounded_text("prefix", prefix, MAX_PREFIX_CHARS)
        size = _clamp(size, 1, MAX_FACET_SIZE)
        body = Q.facet_values_body(req, name, prefix, size, default_operator=self.default_operator)
        res = await self._search(body, principal)
        raw = res["aggregations"]["values"]["buckets"]
        if prefix:
            keep = Q.facet_value_matches(FACETS_BY_NAME[name], prefix)
            raw = [b for b in raw if keep(str(b["key"]))][:size]
        selected = Q.selected_keys(FACETS_BY_NAME[name], getattr(req, name))
        return FacetValues(name=name, buckets=[
            Bucket(value=str(b["key"]), count=b["doc_count"], selected=str(b["key"]).casefold() in selected)
            for b in raw])

    async def suggest(self, q: str, principal: Principal, size: int = 10) -> Suggestions:
        q = _bounded_text("q", q, MAX_PREFIX_CHARS)
        size = _clamp(size, 1, MAX_SUGGEST)
        if not q:
            return Suggestions(suggestions=[])
        res = await self._search(Q.suggest_body(q, size), principal)
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
            buckets = res.get("aggregations", {}).get(kind, {}).get("values", {}).get("buckets", [])
            matching = [b for b in buckets if Q.word_prefix_match(b["key"], q)][:size]
            for b in matching:
                if b["key"].lower() not in seen:
                    seen.add(b["key"].lower())
                    out.append(Suggestion(text=b["key"], kind=kind))
        return Suggestions(suggestions=out[: size * 2])

    async def _known_collections(self) -> list[str]:
        """Every collection in the index (the completion suggester needs them as its context), cached briefly."""
        now = time.monotonic()
        if now - self._collections_at > COLLECTIONS_TTL_S:
            res = await self._search(Q.collections_body(), OPEN)  # index-wide names, never shown to a user
            self._collections = [b["key"] for b in res["aggregations"]["collections"]["buckets"]]
            self._collections_at = now
        return self._collections

    async def _known_languages(self) -> list[str] | None:
        """Language codes in the index (which stemmed fields a search uses), cached briefly."""
        now = time.monotonic()
        if now - self._languages_at > COLLECTIONS_TTL_S:
            # Index-wide codes, never shown to a user. A failure is the search's failure (same node, same
            # index): raised at once, so a hung node costs one timeout, not two.
            # The index's size rides along (counted, not collected): whether searches may need a sample.
            res = await self._search({**languages_body(), "track_total_hits": True}, OPEN)
            self._languages, self._languages_at = languages_from(res), now
            self._index_docs = res["hits"]["total"]["value"]
        return self._languages

    # --- export ---------------------------------------------------------------------------------
    async def export_first(self, req: SearchRequest, principal: Principal) -> list[dict[str, Any]]:
        """The first page of an export, fetched before streaming starts so errors become problems."""
        res = await self._search(Q.export_body(req, default_operator=self.default_operator), principal)
        return res["hits"]["hits"]

    async def export_rest(self, req: SearchRequest, page: list[dict[str, Any]], principal: Principal,
                          cap: int = EXPORT_CAP) -> AsyncIterator[dict[str, Any]]:
        """Rows of the whole result set from ``page`` on (up to ``cap``), paged with ``search_after``."""
        cap = _clamp(cap, 0, EXPORT_CAP)
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
            res = await self._search(body, principal)
            page = res["hits"]["hits"]

    # --- streamed export without the 10,000 cap (issue 18) ------------------------------------------
    async def export_pages(self, req: SearchRequest, principal: Principal, limit: int, *, full: bool = False,
                           page_size: int = STREAM_PAGE) -> tuple[int, AsyncIterator[list[dict[str, Any]]]]:
        """(total, pages of hits) of the whole result set up to ``limit`` rows: a point in time and
        ``search_after``, every page restricted by :meth:`_search`. The first page is fetched here, so a
        bad query is an error before streaming starts; the point in time is closed when the pages end.
        ``full``: whole documents (minus vectors and index-only fields) instead of the export columns."""
        limit = max(0, int(limit))
        pit = await self._open_pit()

        def body(after: list[Any] | None, size: int) -> dict[str, Any]:
            b = Q.export_body(req, default_operator=self.default_operator, search_after=after)
            b |= {"size": size, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}, "track_total_hits": after is None}
            b["_source"] = {"excludes": Q.DOC_EXCLUDES + ["mentions"]} if full else [*Q.EXPORT_SOURCE, "body"]
            return b

        try:
            first = await self._search(body(None, min(page_size, limit) or 1), principal)
        except BaseException:
            await self._close_pit(pit)
            raise
        total = first["hits"]["total"]["value"]

        async def pages() -> AsyncIterator[list[dict[str, Any]]]:
            nonlocal pit
            res, sent = first, 0
            try:
                while True:
                    pit = res.get("pit_id", pit)
                    hits = res["hits"]["hits"][: limit - sent]
                    if not hits:
                        return
                    yield hits
                    sent += len(hits)
                    if sent >= limit or len(res["hits"]["hits"]) < page_size:
                        return
                    res = await self._search(body(hits[-1]["sort"], min(page_size, limit - sent)), principal)
            finally:
                await self._close_pit(pit)

        return total, pages()

    async def _open_pit(self) -> str:
        """A point in time on the alias: it returns no document (every search on it goes through _search)."""
        return (await self._call(self.es.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)))["id"]

    async def _close_pit(self, pit: str) -> None:
        try:
            await self.es.close_point_in_time(id=pit)
        except (ApiError, TransportError):  # it expires on its own after PIT_KEEP_ALIVE
            log.info("could not close a point in time; it expires by itself")
