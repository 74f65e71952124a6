"""The pages: search (with facets, timeline, paging), one facet's values (an htmx fragment), a document.

Every page is one call into ``request.app.state.service``, the code path ``/api/v1`` uses, so what
the UI shows is what the API returns (the browser tests compare them) — including the need-to-know
filter: each call passes ``current_principal(request)``.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from starlette.requests import Request

from ..limits import MAX_VALUE_CHARS
from ..models import Bucket, HitList, SearchRequest
from ..security import current_principal
from ..service import SearchService
from .auth import require_ui_session
from .dates import human_range
from .errors import ui_error
from .evidence import evidence_view
from .hits import hit_view
from .ingest_page import children_view
from .html import mark_mentions
from .labels import (
    ENTITY_LABELS, FACET_LABELS, SEARCHABLE_FACETS, SIDEBAR_FACETS, language_label, mention_type, value_label,
)
from .state import FACET_MORE_SIZE, FACET_SIZE, LIST_PARAMS, UiState, pager
from .templating import base_context, templates
from .timeline import timeline
from .urls import reader_context

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])


def _service(request: Request) -> SearchService:
    return request.app.state.service


def facet_input_id(name: str, value: str) -> str:
    """A stable element id per facet value, so keyboard focus survives htmx page swaps."""
    return f"f-{name}-{hashlib.sha1(value.encode('utf-8')).hexdigest()[:10]}"


def facet_view(name: str, label: str, buckets: list[Bucket], state: UiState, estimated: bool = False) -> dict[str, Any]:
    selected = state.selected(name)
    shown = [{"value": b.value, "label": value_label(name, b.value), "count": b.count,
              "selected": b.value in selected, "id": facet_input_id(name, b.value)} for b in buckets]
    seen = {b.value for b in buckets}
    # A selected value always stays visible (and checked), even when it falls outside the top N.
    missing = [{"value": v, "label": value_label(name, v), "count": None, "selected": True,
                "id": facet_input_id(name, v)} for v in selected if v not in seen]
    return {"name": name, "label": label, "buckets": missing + shown, "selected": selected,
            "more": len(buckets) >= FACET_SIZE, "searchable": name in SEARCHABLE_FACETS, "estimated": estimated}


def _chips(state: UiState) -> list[dict[str, str]]:
    chips = []
    for name in LIST_PARAMS:
        for v in state.selected(name):
            chips.append({"facet": name, "label": FACET_LABELS.get(name, name), "value": v,
                          "value_label": value_label(name, v), "remove": state.without(name, v)})
    if state.date_from or state.date_to:
        label = human_range(state.date_from or None, state.date_to or None)
        chips.append({"facet": "date", "label": "Date", "value": label, "value_label": label,
                      "remove": state.url(date_from="", date_to="")})
    return chips


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> Response:
    state = UiState.from_request(request)
    ctx = base_context(request) | {"state": state, "results": None, "error": None, "facets": [],
                                   "chips": _chips(state), "timeline": None,
                                   "plain_url": "/?" + urlencode({"q": state.q}) if state.q else "/"}
    try:
        # only the sidebar's facets are counted: each facet is an aggregation over every match
        wanted = state.request_data() | {"facets": [n for n, _ in SIDEBAR_FACETS]}
        res = await _service(request).search(SearchRequest.model_validate(wanted), current_principal(request))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "search.html", ctx, status_code=err.status)
    # the API appends selected values outside the top N with count 0; facet_view shows them itself
    top_n = {n: [b for b in res.facets[n].buckets if b.count or not b.selected] if n in res.facets else []
             for n, _ in SIDEBAR_FACETS}
    ctx |= {
        "results": res,
        "hits": [hit_view(h) for h in res.hits],
        "total": res.total.value,
        "total_relation": res.total.relation,
        "took_ms": res.took_ms,
        "facets": [facet_view(n, label, top_n[n], state, n in res.facets and res.facets[n].estimated)
                   for n, label in SIDEBAR_FACETS],
        "sample_percent": _percent(res.sample_probability) if res.facets_sampled else None,
        "timeline": timeline(res.histogram, state),
        "pager": pager(state, res.total.value),
        "export_csv": "/api/v1/export?" + urlencode([("format", "csv"), ("query_comment", "true"), *state.params(page=False)]),
        "export_jsonl": "/api/v1/export?" + urlencode([("format", "jsonl"), *state.params(page=False)]),
        "export_cap": request.app.state.settings.export_max_rows,  # the operator's limit (issue 18: no 10,000 cap)
    }
    return templates.TemplateResponse(request, "search.html", ctx)


def _percent(probability: float | None) -> str:
    """A sampling probability as an analyst reads it: "2 %", "0.5 %"."""
    return f"{100 * (probability or 0):.2g} %"


def _facet_message(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"<p class=facet-msg role=alert>{escape(text)}</p>", status_code=status)


@router.get("/ui/facets/{name}", response_class=HTMLResponse)
async def facet_fragment(request: Request, name: str, prefix: str = "", size: int = FACET_MORE_SIZE) -> Response:
    """The checkbox list of one facet (show more / in-facet search), as an HTML fragment for htmx."""
    state = UiState.from_request(request)
    label = FACET_LABELS.get(name)
    if label is None:
        return _facet_message(f"Unknown facet {name}.", 404)
    prefix = prefix.strip()
    if len(prefix) > MAX_VALUE_CHARS:
        return _facet_message(f"Type at most {MAX_VALUE_CHARS} characters to search the values.", 422)
    size = max(1, min(size, 200))
    try:
        req = SearchRequest.model_validate(state.request_data(size=0))
        values = await _service(request).facet_values(name, req, current_principal(request), prefix, size)
    except Exception as exc:  # noqa: BLE001
        err = ui_error(exc, request)
        return _facet_message(f"{err.title}. {err.detail}")
    view = facet_view(name, label, values.buckets, state)
    if prefix:  # keep selected values visible but do not pretend they matched the search
        view["buckets"] = [b for b in view["buckets"] if b["count"] is not None or b["selected"]]
    return templates.TemplateResponse(request, "_facet_list.html",
                                      base_context(request) | {"facet": view, "prefix": prefix})


@router.get("/doc/{doc_id}", response_class=HTMLResponse)
async def document_page(request: Request, doc_id: str) -> Response:
    back, q = reader_context(request.query_params.get("back"), request.query_params.get("q"))
    ctx = base_context(request) | {"doc": None, "error": None, "similar": None, "duplicates": None,
                                   "similar_error": None, "duplicates_error": None, "back": back, "q": q,
                                   "hits": {}, "hits_error": None, "evidence": [], "evidence_error": None}
    service = _service(request)
    try:
        who = current_principal(request)
        doc = await service.document(doc_id, who)
    except Exception as exc:  # noqa: BLE001
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "document.html", ctx, status_code=err.status)
    similar, dups = await asyncio.gather(service.similar(doc_id, who, 8), service.duplicates(doc_id, who),
                                         return_exceptions=True)
    for key, value in (("similar", similar), ("duplicates", dups)):
        if isinstance(value, HitList):
            ctx[key] = [hit_view(h) for h in value.hits if h.id != doc_id]
        elif isinstance(value, Exception):
            ctx[f"{key}_error"] = ui_error(value, request)
        else:  # a BaseException (cancellation): not ours to swallow
            raise value
    ctx["children"] = await children_view(request, doc_id)  # archive members, attachments (issue 14)
    try:  # the reports that corroborate this one (issue 16): losing them must not lose the page
        ctx["evidence"] = evidence_view(doc | {"id": doc_id}, (await service.corroborating(doc, who)).hits)
    except Exception as exc:  # noqa: BLE001
        ctx["evidence_error"] = ui_error(exc, request)
    if q:  # the reader marks the query's hits (issue 13); a query it cannot run only loses the marks
        try:
            ctx["hits"] = await service.document_hits(doc | {"id": doc_id}, q, who)
        except Exception as exc:  # noqa: BLE001
            ctx["hits_error"] = ui_error(exc, request)
    mentions = doc.get("mentions") or []
    ents = doc.get("entities") or {}
    counts = dict.fromkeys(ENTITY_LABELS, 0)
    for m in mentions:
        if isinstance(m, dict):
            counts[mention_type(m.get("type"))] += 1
    ctx |= {
        "doc": doc,
        "title_html": mark_mentions(doc.get("title") or "(untitled)", mentions, "title", ctx["hits"].get("title", [])),
        "body_html": mark_mentions(doc.get("body") or "", mentions, "body", ctx["hits"].get("body", []), numbered=True),
        "hit_count": len(ctx["hits"].get("body", [])),
        "entity_groups": [(t, label, ents.get(t) or []) for t, label in ENTITY_LABELS.items() if ents.get(t)],
        "mention_counts": counts,
        "language_label": language_label(doc.get("language")),
        "topic_scores": doc.get("topic_scores") or {},
    }
    return templates.TemplateResponse(request, "document.html", ctx)
