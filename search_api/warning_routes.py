"""HTTP routes of strategic warning (``/api/v1``): trends, entity pages, the co-occurrence network (+ exports).

Thin wrappers over :class:`~search_api.analytics_service.AnalyticsService`; the network exports to
GraphML (Gephi, yEd, i2-style tools read it) with networkx and to CSV edge lists.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

import networkx as nx  # GraphML writing: a well-kept library rather than hand-built XML
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from mappings.vocabulary import MAX_VALUE_CHARS

from .access import Principal
from .analytics_service import AnalyticsService
from .models import SearchRequest
from .routes import PROBLEM_RESPONSES, csv_cell
from .security import current_principal, require_api_key
from .warning_models import EntityResponse, EntityType, NetworkRequest, NetworkResponse, TrendsRequest, TrendsResponse

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=PROBLEM_RESPONSES)


def analytics(request: Request) -> AnalyticsService:
    return AnalyticsService(request.app.state.service)


Analytics = Annotated[AnalyticsService, Depends(analytics)]
Who = Annotated[Principal, Depends(current_principal)]
EntityName = Annotated[str, Path(min_length=1, max_length=MAX_VALUE_CHARS, description="Entity name as indexed")]


@router.get("/trends", response_model=TrendsResponse, summary="Rising and new values of a field (spike scores)")
async def trends(req: Annotated[TrendsRequest, Query()], svc: Analytics, who: Who) -> TrendsResponse:
    return await svc.trends(req, who)


@router.get("/entities/{etype}/{name:path}", response_model=EntityResponse,
            summary="An entity: mentions over time, aliases, significant companions, sources, latest documents, spikes")
async def entity(etype: EntityType, name: EntityName, req: Annotated[SearchRequest, Query()], svc: Analytics,
                 who: Who) -> EntityResponse:
    return await svc.entity(etype, name, req, who)


@router.get("/network", response_model=NetworkResponse, summary="Co-occurrence network of the current search")
async def network(req: Annotated[NetworkRequest, Query()], svc: Analytics, who: Who) -> NetworkResponse:
    return await svc.network(req, who)


def graphml(net: NetworkResponse) -> str:
    g = nx.Graph()
    for n in net.nodes:
        g.add_node(n.id, label=n.value, type=n.type, docs=n.docs)
    for e in net.edges:
        g.add_edge(e.source, e.target, weight=e.score, docs=e.docs, expected=e.expected)
    return "\n".join(nx.generate_graphml(g))


def edges_csv(net: NetworkResponse) -> str:
    names = {n.id: n for n in net.nodes}
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(["source", "source_type", "target", "target_type", "docs", "expected", "score"])
    for e in net.edges:
        a, b = names[e.source], names[e.target]
        w.writerow([csv_cell(a.value), a.type, csv_cell(b.value), b.type, e.docs, e.expected, e.score])
    return buf.getvalue()


def _attachment(text: str, media: str, name: str) -> Response:
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/network.graphml", summary="The co-occurrence network as GraphML", response_class=Response,
            responses={200: {"content": {"application/graphml+xml": {}}}})
async def network_graphml(req: Annotated[NetworkRequest, Query()], svc: Analytics, who: Who) -> Response:
    return _attachment(graphml(await svc.network(req, who)), "application/graphml+xml", "periscope-network.graphml")


@router.get("/network.csv", summary="The co-occurrence network's edges as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
async def network_csv(req: Annotated[NetworkRequest, Query()], svc: Analytics, who: Who) -> Response:
    return _attachment(edges_csv(await svc.network(req, who)), "text/csv; charset=utf-8", "periscope-network.csv")
