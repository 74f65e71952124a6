"""The Warnings page: rising and new persons, organisations, places, countries and topics for the current
search and filters, each with a sparkline (uPlot, from npm), its score, a table alternative and a
click-through to the search narrowed to the value and the spike window.

Same service code path as ``GET /api/v1/trends`` (one call per field, run concurrently).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.requests import Request

from ..analytics_service import AnalyticsService
from ..security import current_principal
from ..warning_models import TrendsRequest, TrendsResponse
from .auth import require_ui_session
from .errors import ui_error
from .labels import FACET_LABELS, value_label
from .state import UiState
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
WARNING_FIELDS = ("person", "org", "location", "countries", "topics")
INTERVALS = ("day", "week", "month")
PER_FIELD = 10


def analytics(request: Request) -> AnalyticsService:
    return AnalyticsService(request.app.state.service)


def entity_href(etype: str, name: str) -> str:
    return f"/entities/{quote(etype)}/{quote(name, safe='')}"


def page_url(path: str, state: UiState, **extra: str) -> str:
    qs = urlencode(state.params(page=False) + [(k, v) for k, v in extra.items() if v])
    return f"{path}?{qs}" if qs else path


def trend_view(field: str, res: TrendsResponse, state: UiState) -> dict[str, Any]:
    rows = []
    for v in res.values:
        selected = state.selected(field)
        rows.append({
            "value": v.value, "label": value_label(field, v.value), "score": v.score, "z": v.z, "new": v.new,
            "window": v.window_count, "expected": v.expected, "series": ",".join(str(x) for x in v.series),
            "counts": v.series, "entity": entity_href(field, v.value),
            "search": state.url(**{field: selected + [v.value] if v.value not in selected else selected},
                                date_from=res.window_from or "", date_to=res.window_to or ""),
        })
    return {"field": field, "label": FACET_LABELS.get(field, field), "rows": rows, "dates": res.dates}


@router.get("/warnings", response_class=HTMLResponse)
async def warnings_page(request: Request) -> Response:
    state = UiState.from_request(request)
    qp = request.query_params
    interval = qp.get("interval", "week") if qp.get("interval") in INTERVALS else "week"
    ctx = base_context(request) | {"state": state, "error": None, "sections": [], "interval": interval,
                                   "intervals": INTERVALS, "window": None, "hidden": state.params(page=False)}
    try:
        who = current_principal(request)
        base = state.request_data(size=PER_FIELD, facet_size=0) | {"interval": interval, "page": 1}
        reqs = [TrendsRequest.model_validate(base | {"field": f}) for f in WARNING_FIELDS]
        svc = analytics(request)
        results = await asyncio.gather(*(svc.trends(r, who) for r in reqs))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "warnings.html", ctx, status_code=err.status)
    ctx["sections"] = [trend_view(f, r, state) for f, r in zip(WARNING_FIELDS, results)]
    first = results[0]
    if first.window_from:
        ctx["window"] = {"from": first.window_from, "to": first.window_to, "baseline_from": first.baseline_from}
    return templates.TemplateResponse(request, "warnings.html", ctx)
