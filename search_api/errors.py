"""Exceptions the service raises and the RFC 9457 ``application/problem+json`` handlers for them.

The service layer raises plain exceptions (the UI catches them too); the app turns every one of them,
request validation errors, Elasticsearch outages and anything unforeseen into a problem document.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import ApiError, ConnectionError as ESConnectionError, ConnectionTimeout, TransportError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER_S = 5


class PeriscopeError(Exception):
    status = 500
    title = "Internal error"
    type = "about:blank"

    def __init__(self, detail: str, hint: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


class QuerySyntaxError(PeriscopeError):
    """The analyst query cannot be parsed; ``hint`` says what to type instead."""

    status = 400
    title = "Query syntax error"
    type = "/problems/query-syntax"


class InvalidParameter(PeriscopeError):
    """A parameter is well-typed but unusable (bad cursor, paging too deep...)."""

    status = 422
    title = "Invalid parameter"
    type = "/problems/invalid-parameter"

    def __init__(self, field: str, detail: str, hint: str | None = None):
        super().__init__(detail, hint)
        self.field = field


class DocumentNotFound(PeriscopeError):
    status = 404
    title = "Document not found"
    type = "/problems/not-found"

    def __init__(self, doc_id: str):
        super().__init__(f"no document with id {doc_id!r}", "check the id; documents come from /api/v1/search hits")
        self.doc_id = doc_id


class SearchUnavailable(PeriscopeError):
    """Elasticsearch is down, timing out, or the index does not exist yet."""

    status = 503
    title = "Search unavailable"
    type = "/problems/unavailable"


class Unauthorized(PeriscopeError):
    status = 401
    title = "API key required"
    type = "/problems/unauthorized"


def problem(status: int, title: str, detail: str, *, type_: str = "about:blank", hint: str | None = None,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if hint:
        body["hint"] = hint
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def translate_es_error(exc: Exception) -> PeriscopeError:
    """Map an Elasticsearch client exception onto what the caller should be told."""
    if isinstance(exc, (ESConnectionError, ConnectionTimeout)):
        return SearchUnavailable("Elasticsearch is not reachable or timed out", "retry shortly; check `periscope es status`")
    if isinstance(exc, ApiError):
        status = exc.meta.status if exc.meta else 500
        err = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
        kind = err.get("type", "") if isinstance(err, dict) else ""
        if status == 404 and kind == "index_not_found_exception":
            return SearchUnavailable("the search index does not exist yet", "run `periscope demo` or `periscope index` first")
        if status == 429 or status >= 500:
            return SearchUnavailable(f"Elasticsearch is overloaded or failing ({status})", "retry shortly")
        if status == 400:
            return QuerySyntaxError("Elasticsearch rejected the query", "simplify the query (fewer terms or prefixes)")
    if isinstance(exc, TransportError):
        return SearchUnavailable("Elasticsearch transport error", "retry shortly")
    return PeriscopeError(str(exc)[:200])


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(PeriscopeError)
    async def _periscope(request: Request, exc: PeriscopeError) -> JSONResponse:
        headers = {"Retry-After": str(RETRY_AFTER_S)} if exc.status == 503 else None
        if exc.status == 401:
            headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}
        errors = [{"field": exc.field, "message": exc.detail}] if isinstance(exc, InvalidParameter) else None
        return problem(exc.status, exc.title, exc.detail, type_=exc.type, hint=exc.hint, errors=errors, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path", "header")]
            errors.append({"field": ".".join(loc) or "request", "message": str(err.get("msg", "invalid"))})
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem(422, "Invalid parameters", f"invalid value for: {fields}", type_="/problems/validation",
                       errors=errors, hint="see /docs for allowed values")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    @app.exception_handler(TransportError)
    async def _es(request: Request, exc: Exception) -> JSONResponse:
        return await _periscope(request, translate_es_error(exc))

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged")
