"""The co-occurrence network of the current search: cytoscape.js (npm) draws it, a table of nodes and
edges is its alternative (and the keyboard path: every node links to the search with it added as a
filter), GraphML/CSV export links point at the API."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.requests import Request

from ..security import current_principal
from ..warning_models import NetworkRequest
from .auth import require_ui_session
from .errors import ui_error
from .labels import FACET_LABELS, value_label
from .state import UiState
from .templating import base_context, templates
from .warnings import analytics, entity_href, page_url

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])


@router.get("/network", response_class=HTMLResponse)
async def network_page(request: Request) -> Response:
    state = UiState.from_request(request)
    ctx = base_context(request) | {"state": state, "error": None, "net": None,
                                   "graphml": page_url("/api/v1/network.graphml", state),
                                   "csv": page_url("/api/v1/network.csv", state)}
    try:
        req = NetworkRequest.model_validate(state.request_data(size=0, facet_size=0))
        net = await analytics(request).network(req, current_principal(request))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "network.html", ctx, status_code=err.status)
    nodes = []
    for n in net.nodes:
        selected = state.selected(n.type)
        nodes.append({"id": n.id, "type": n.type, "type_label": FACET_LABELS.get(n.type, n.type),
                      "label": value_label(n.type, n.value), "docs": n.docs, "entity": entity_href(n.type, n.value),
                      "filter": page_url("/network", UiState.from_request(request)) if n.value in selected else
                      state.url(**{n.type: selected + [n.value]}).replace("/?", "/network?", 1)})
    names = {n["id"]: n["label"] for n in nodes}
    graph = {"nodes": [{"data": {"id": n["id"], "label": n["label"], "type": n["type"], "docs": n["docs"],
                                 "href": n["filter"]}} for n in nodes],
             "edges": [{"data": {"id": f"{e.source}-{e.target}", "source": e.source, "target": e.target,
                                 "score": e.score}} for e in net.edges]}
    ctx |= {"net": net, "nodes": nodes, "edges": [(names[e.source], names[e.target], e) for e in net.edges],
            "graph": json.dumps(graph, ensure_ascii=False)}
    return templates.TemplateResponse(request, "network.html", ctx)
