"""Trends, entity pages and the co-occurrence network: aggregations only, sent through the search service.

Every body goes to Elasticsearch through :meth:`SearchService._search` / :meth:`SearchService._msearch`
(which apply the need-to-know filter) — never ``es.search`` here; a test inspects this module's source
to keep it so. ``significant_terms`` gets the caller's access filter as its background, so the
background frequencies a ranking is built on never include documents the caller may not read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from . import cooccurrence as C
from . import query as Q
from . import trends as T
from .access import Principal, access_filter
from .errors import DocumentNotFound, SearchBackendError
from .models import SearchRequest
from .service import SearchService
from .shaping import shape_hit
from .warning_models import (
    CountedValue, DatedCount, Edge, EntityResponse, NetworkRequest, NetworkResponse, Node, Spike, TrendsRequest,
    TrendsResponse, TrendValue,
)

ENTITY_RELATED = ("person", "org", "location", "countries")
ENTITY_INTERVAL = "week"
SPIKE_BASELINE = 8


def filtered_query(req: SearchRequest, default_operator: str) -> dict[str, Any]:
    """The search's query with every filter applied (dates, duplicates, facet selections) as one query."""
    return {"bool": {"must": [Q.text_query(req.q, default_operator)],
                     "filter": Q.base_filters(req) + Q.selection_filters(req)}}


def _check(res: dict[str, Any]) -> dict[str, Any]:
    if "error" in res:
        raise SearchBackendError("an analytics aggregation failed", "retry; if it persists, tell the operator")
    return res


class AnalyticsService:
    def __init__(self, search: SearchService):
        self.svc = search

    def _query(self, req: SearchRequest) -> dict[str, Any]:
        return filtered_query(req, self.svc.default_operator)

    async def _end_date(self, req: SearchRequest, query: dict[str, Any], principal: Principal) -> dt.date | None:
        if req.date_to is not None:
            return req.date_to
        return T.parse_latest(await self.svc._search(T.latest_date_body(query), principal))

    # --- trends ---------------------------------------------------------------------------------------
    async def trends(self, req: TrendsRequest, principal: Principal) -> TrendsResponse:
        query = self._query(req)
        end = await self._end_date(req, query, principal)
        empty = TrendsResponse(field=req.field, interval=req.interval, normalised=req.normalise, window_from=None,
                               window_to=None, baseline_from=None, dates=[], volume=[], total_values=0,
                               page=req.page, size=req.size, values=[])
        if end is None:
            return empty
        w = T.windows(end, req.interval, req.window, req.baseline)
        res = await self.svc._search(T.trends_body(query, req.field, w), principal)
        starts, volume, scored = T.parse_trends(res, w, req.window)
        ranked = T.rank([t for t in scored if t.new or not req.only_new], req.min_support)
        page = ranked[(req.page - 1) * req.size: req.page * req.size]
        return empty.model_copy(update={
            "window_from": w.window_from.isoformat(), "window_to": w.end.isoformat(),
            "baseline_from": w.baseline_from.isoformat(), "dates": [s.isoformat() for s in starts],
            "volume": volume, "total_values": len(ranked),
            "values": [TrendValue(value=t.value, series=t.shares if req.normalise else t.series,
                                  window_count=t.window_count, baseline_count=t.baseline_count, expected=t.expected,
                                  score=t.score, z=t.z, new=t.new) for t in page]})

    # --- entity pages ---------------------------------------------------------------------------------
    async def _entity_responses(self, etype: str, names: list[str], query: dict[str, Any],
                                principal: Principal) -> tuple[dict[str, Any], dict[str, Any]]:
        body = C.entity_body(query, etype, names, ENTITY_RELATED, access_filter(principal), ENTITY_INTERVAL)
        res, vol = (_check(r) for r in (await self.svc._msearch(
            [body, C.volume_body(query, ENTITY_INTERVAL)], principal))["responses"])
        return res, vol

    async def entity(self, etype: str, name: str, req: SearchRequest, principal: Principal) -> EntityResponse:
        names = [name] + await asyncio.to_thread(C.alias_spellings, name, etype)
        query = self._query(req)
        res, vol = await self._entity_responses(etype, names, query, principal)
        # An acronym among the significant companions of the same type is the same entity written another
        # way ("OPEC" / "Organisation of Petroleum Exporting Countries"): merge it and ask once more.
        if etype in ENTITY_RELATED and res["hits"]["total"]["value"]:
            more = [str(b["key"]) for b in res["aggregations"][f"sig_{etype}"]["buckets"]
                    if any(C.acronym_pair(str(b["key"]), n) for n in names)]
            if more:
                names += more
                res, vol = await self._entity_responses(etype, names, query, principal)
        total = res["hits"]["total"]["value"]
        if total == 0:
            raise DocumentNotFound(f"{etype}/{name}")
        seen = {n.casefold() for n in names}
        aggs = res["aggregations"]
        timeline = [(b["key_as_string"], b["doc_count"]) for b in aggs["timeline"]["buckets"]]
        volume = {b["key_as_string"]: b["doc_count"] for b in vol["aggregations"]["timeline"]["buckets"]}
        related = {t: [CountedValue(value=str(b["key"]), count=b["doc_count"], score=round(b["score"], 4))
                       for b in aggs[f"sig_{t}"]["buckets"] if str(b["key"]).casefold() not in seen][:C.RELATED_SIZE]
                   for t in ENTITY_RELATED}
        aliases = sorted({str(b["key"]) for b in aggs["aliases"]["buckets"] if str(b["key"]).casefold() in seen})
        spikes = [Spike(date=d, count=c, expected=e, score=s)
                  for d, c, e, s in C.spikes(timeline, volume, SPIKE_BASELINE)]
        return EntityResponse(
            type=etype, name=name, aliases=aliases, total=total, interval=ENTITY_INTERVAL,
            timeline=[DatedCount(date=d, count=c) for d, c in timeline], related=related,
            sources=[CountedValue(value=str(b["key"]), count=b["doc_count"]) for b in aggs["sources"]["buckets"]],
            latest=[shape_hit(h) for h in res["hits"]["hits"]], spikes=spikes)

    # --- co-occurrence network ------------------------------------------------------------------------
    async def network(self, req: NetworkRequest, principal: Principal) -> NetworkResponse:
        query = self._query(req)
        types = list(dict.fromkeys(req.types)) or ["person", "org", "location", "countries"]
        first = await self.svc._search(C.nodes_body(query, types, max(2, req.nodes // len(types))), principal)
        total = first["hits"]["total"]["value"]
        nodes = C.parse_nodes(first, types)[: req.nodes]
        if len(nodes) < 2:
            return NetworkResponse(total=total, nodes=[Node(**n.__dict__) for n in nodes], edges=[])
        second = await self.svc._search(C.adjacency_body(query, nodes), principal)
        edges = C.parse_edges(second, nodes, total)[: req.edges]
        return NetworkResponse(total=total, nodes=[Node(**n.__dict__) for n in nodes],
                               edges=[Edge(**e.__dict__) for e in edges])
