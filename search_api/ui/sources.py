"""The "Sources" page (issue 16): the registry as a sortable table (``/sources``), one source with its
details, grade history and a grade editor (``/sources/{name}``). Grading goes through the same
workspace functions and regrade as ``PATCH /api/v1/sources/{name}``; forms need the session's CSRF
token, and without accounts (loopback) a same-origin ``Origin``."""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import sources as S

from ..auditing import audit_event
from ..errors import PeriscopeError
from ..grading import regrade, register_indexed_sources, require_grader, workspace, workspace_errors
from ..security import current_principal, current_session
from ..sessions import csrf_ok
from .auth import form_fields, require_ui_session
from .errors import UiError, ui_error
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
COLUMNS = (("name", "Source"), ("reliability", "Grade"), ("type", "Type"), ("owner", "Owner"),
           ("country", "Country"), ("graded_at", "Graded"))


def _error(exc: Exception, request: Request) -> UiError:
    if isinstance(exc, PeriscopeError) and exc.status in (403, 404):  # not a search error: say it as it is
        return UiError("not-found" if exc.status == 404 else "error", exc.status, exc.title, exc.detail, exc.hint or "")
    return ui_error(exc, request)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    return origin is None or urlsplit(origin).netloc == request.url.netloc


async def _page(request: Request, ctx: dict, status: int = 200) -> Response:
    return templates.TemplateResponse(request, "sources.html", base_context(request) | ctx, status_code=status)


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request, sort: str = "name", desc: bool = False) -> Response:
    ctx: dict = {"sources": [], "source": None, "error": None, "columns": COLUMNS, "sort": sort, "desc": desc,
                 "scale": S.RELIABILITY}
    try:
        await register_indexed_sources(request, request.app.state.service, current_principal(request))
        ws = workspace(request)

        def read() -> list[S.SourceInfo]:
            with workspace_errors("sort"), ws.session(readonly=True) as db:
                return S.list_sources(db, sort, desc)

        ctx["sources"] = await asyncio.to_thread(read)
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        ctx["error"] = err = _error(exc, request)
        return await _page(request, ctx, err.status)
    return await _page(request, ctx)


async def _source(request: Request, name: str, message: str | None = None, status: int = 200) -> Response:
    ctx: dict = {"sources": [], "source": None, "error": None, "message": message, "scale": S.RELIABILITY}
    ws = workspace(request)

    def read() -> S.SourceInfo:
        with workspace_errors("name"), ws.session(readonly=True) as db:
            return S.get_source(db, name)

    try:
        ctx["source"] = await asyncio.to_thread(read)
    except Exception as exc:  # noqa: BLE001
        ctx["error"] = err = _error(exc, request)
        return await _page(request, ctx, err.status)
    return await _page(request, ctx, status)


@router.get("/sources/{name}", response_class=HTMLResponse)
async def source_page(request: Request, name: str, done: str | None = None) -> Response:
    return await _source(request, name[:256], done)


@router.post("/sources/{name}", response_class=HTMLResponse)
async def grade_submit(request: Request, name: str) -> Response:
    name = name[:256]
    form = await form_fields(request)
    session = current_session(request)
    if (session is not None and not csrf_ok(session, form.get("csrf"))) or not _same_origin(request):
        return await _source(request, name, "The form had expired; reload the page and grade again.", 403)
    try:
        author = require_grader(current_principal(request))
        ws = workspace(request)

        def write() -> S.SourceInfo:
            with workspace_errors("reliability"), ws.session() as db:
                return S.grade_source(db, name, form.get("reliability", ""), form.get("rationale", ""), author)[0]

        info = await asyncio.to_thread(write)
        audit_event(request, "source-grade", target=info.name, reliability=info.reliability, rationale=info.rationale)
        result = await regrade(request, info.name, info.reliability)
    except PeriscopeError as exc:
        return await _source(request, name, f"Not graded: {exc.detail}", exc.status)
    done = f"Graded {info.reliability}; {result.updated} documents restamped."
    return RedirectResponse(f"/sources/{quote(info.name, safe='')}?done={quote(done)}", status_code=303)
