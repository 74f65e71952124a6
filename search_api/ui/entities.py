"""Entity pages: ``/entities/{type}/{name}`` — mentions over time (uPlot chart + table), aliases, the most
significant companions, top sources, latest documents and spikes; the same call as the API's entity route."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.requests import Request

from ..errors import InvalidParameter
from ..models import SearchRequest
from ..security import current_principal
from .auth import require_ui_session
from .errors import ui_error
from .hits import hit_view
from .labels import FACET_LABELS, value_label
from .state import UiState
from .templating import base_context, templates
from .warnings import analytics, entity_href, page_url

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
ENTITY_TYPES = ("person", "org", "location", "countries", "topics")


@router.get("/entities/{etype}/{name:path}", response_class=HTMLResponse)
async def entity_page(request: Request, etype: str, name: str) -> Response:
    state = UiState.from_request(request)
    ctx = base_context(request) | {"state": state, "error": None, "e": None, "etype": etype, "name": name,
                                   "type_label": FACET_LABELS.get(etype, etype), "display": value_label(etype, name)}
    try:
        if etype not in ENTITY_TYPES:
            raise InvalidParameter("type", f"unknown entity type {etype[:40]!r}", "types: " + ", ".join(ENTITY_TYPES))
        req = SearchRequest.model_validate(state.request_data(size=0, facet_size=0))
        e = await analytics(request).entity(etype, name, req, current_principal(request))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "entity.html", ctx, status_code=err.status)
    selected = state.selected(etype)
    ctx |= {
        "e": e,
        "latest": [hit_view(h) for h in e.latest],
        "related": [(t, FACET_LABELS.get(t, t), [(value_label(t, v.value), entity_href(t, v.value), v.count, v.score)
                                                  for v in vals]) for t, vals in e.related.items() if vals],
        "dates": ",".join(b.date for b in e.timeline), "counts": ",".join(str(b.count) for b in e.timeline),
        "search": state.url(**{etype: selected + [name] if name not in selected else selected}),
        "network": page_url("/network", state, **{etype: name}) if name not in selected else page_url("/network", state),
    }
    return templates.TemplateResponse(request, "entity.html", ctx)
