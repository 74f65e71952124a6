"""The "Ingest" page, for whoever maintains the database: the latest runs with their counts and
failures by reason (``/ingest``), and one run's failed items with their reasons (``/ingest/{run_id}``).
Reads through :mod:`search_api.ingest_routes`, the code path of ``/api/v1/ingest/runs``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.requests import Request

from ..ingest_routes import MAX_FAILURES, RunNotFound, read_children, read_failures, read_runs
from ..security import current_principal
from .admin import admin_only
from .errors import UiError, ui_error
from .hits import hit_view
from .templating import base_context, templates

# Runs and failures name files and paths of the collection: administrators only.
router = APIRouter(include_in_schema=False, dependencies=[Depends(admin_only)])
RUNS_SHOWN = 50


@router.get("/ingest", response_class=HTMLResponse)
async def ingest_page(request: Request) -> Response:
    ctx = base_context(request) | {"runs": [], "run": None, "failures": None, "error": None}
    try:
        ctx["runs"] = await read_runs(request.app.state.es, request.app.state.settings.index_alias, RUNS_SHOWN)
    except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "ingest.html", ctx, status_code=err.status)
    return templates.TemplateResponse(request, "ingest.html", ctx)


@router.get("/ingest/{run_id}", response_class=HTMLResponse)
async def ingest_run_page(request: Request, run_id: str, reason: str | None = None) -> Response:
    ctx = base_context(request) | {"runs": [], "run": None, "failures": None, "error": None, "reason": reason}
    try:
        if len(run_id) > 64 or (reason is not None and len(reason) > 64):
            raise RunNotFound(run_id[:64])  # no run id or reason is that long
        found = await read_failures(request.app.state.es, request.app.state.settings.index_alias, run_id, reason,
                                    MAX_FAILURES)
    except RunNotFound as exc:
        ctx["error"] = err = UiError("not-found", 404, "Run not found", exc.detail, exc.hint or "")
        return templates.TemplateResponse(request, "ingest.html", ctx, status_code=err.status)
    except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "ingest.html", ctx, status_code=err.status)
    ctx |= {"run": found.run, "failures": found.failures, "total": found.total}
    return templates.TemplateResponse(request, "ingest.html", ctx)


async def children_view(request: Request, doc_id: str) -> list[Any] | None:
    """The document page's "Contents" list (members, attachments); None when it could not be read —
    the page still shows the document."""
    try:
        found = await read_children(request.app.state.es, request.app.state.settings.index_alias, doc_id,
                                    current_principal(request))
    except Exception:  # noqa: BLE001 - a side list must not take the document page down
        return None
    return [hit_view(h) for h in found.hits]
