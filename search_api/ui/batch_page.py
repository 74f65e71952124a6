"""The Batch search page: paste or load up to 1,000 terms (TXT/CSV), run them in the background as
batched ``_msearch`` (the page shows progress and refreshes itself), then a table of counts with the
first hits, links to each search and a CSV export. Results are kept in the workspace store."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import batches as store
from workspace.models import utcnow

from ..alerts import batch, batch_jobs
from ..alerts.runtime import runtime
from ..security import current_principal
from .auth import require_ui_session
from .bigform import FormRefused, first, list_form, list_page, refusal
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
BId = Annotated[int, Path(ge=1, le=2_147_483_647)]
STALE = timedelta(minutes=15)  # a batch still pending this long was cut off (server restart): say so


def _list(request: Request, error: str | None = None, status: int = 200, form: dict | None = None) -> Response:
    return list_page(request, "batch.html", store.listing, error, status, form, max_terms=batch.MAX_TERMS)


@router.get("/batch", response_class=HTMLResponse)
async def batch_page(request: Request) -> Response:
    return _list(request)


@router.post("/batch")
async def start(request: Request) -> Response:
    form: dict[str, list[str]] = {}
    try:
        form = await list_form(request)
        terms = batch.parse_terms(first(form, "terms"), is_csv=first(form, "format") == "csv")
        if not terms:
            raise FormRefused("The list is empty: paste one term per line or choose a file.", 422)
        kept = batch_jobs.start(runtime(request), request.app.state.service, current_principal(request), terms,
                                first(form, "name"))
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        return _list(request, f"Not started: {r.message}", r.status, form)
    return RedirectResponse(f"/batch/{kept.id}", status_code=303)


def _get(request: Request, batch_id: int) -> store.BatchInfo | Response:
    """The caller's batch, or the listing page saying why not (404)."""
    try:
        with runtime(request).ws.session(readonly=True) as db:
            return store.get(db, batch_id, current_principal(request).name)
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        return _list(request, r.message, r.status)


@router.get("/batch/{batch_id}", response_class=HTMLResponse)
async def one(request: Request, batch_id: BId) -> Response:
    b = _get(request, batch_id)
    if isinstance(b, Response):
        return b
    p = batch_jobs.progress_of(b.rows)
    pending = p["total"] - p["done"]
    ctx = base_context(request) | {"b": b, "pending": pending, "done": p["done"],
                                   "stale": pending and utcnow() - b.created_at > STALE}
    return templates.TemplateResponse(request, "batch_one.html", ctx)


@router.get("/batch/{batch_id}/csv")
async def export(request: Request, batch_id: BId) -> Response:
    b = _get(request, batch_id)
    if isinstance(b, Response):
        return b
    return Response(batch.to_csv(b.rows, runtime(request).cfg.public_url), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="batch-{b.id}.csv"'})
