"""RFC 9457 ``application/problem+json`` for every error the API can return.

Errors are mapped by exception type (see :mod:`search_api.errors`), never by message or class name.
Every problem carries the request id (also in the ``X-Request-ID`` header) so an operator can find
the matching log line, which holds the detail the client is not shown.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import RETRY_AFTER_S, InvalidParameter, PeriscopeError, translate_es_error
from .request_id import HEADER, accept_or_new

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:  # outside the middleware (should not happen): still answer with an id
        rid = request.state.request_id = accept_or_new(None)
    return rid


def problem(request: Request, status: int, title: str, detail: str, *, type_: str = "about:blank",
            hint: str | None = None, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    rid = request_id(request)
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if hint:
        body["hint"] = hint
    if errors:
        body["errors"] = errors
    body["request_id"] = rid
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers={**(headers or {}), HEADER: rid})


def periscope_problem(request: Request, exc: PeriscopeError) -> JSONResponse:
    headers: dict[str, str] = {}
    if exc.status in (502, 503):
        headers["Retry-After"] = str(RETRY_AFTER_S)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    errors = [{"field": exc.field, "message": exc.detail}] if isinstance(exc, InvalidParameter) else None
    if exc.status >= 500:  # the client gets a generic text; the log gets the cause
        cause = f" (cause: {exc.__cause__!r:.2000})" if exc.__cause__ is not None else ""
        log.warning("[%s] %s %s -> %d %s%s", request_id(request), request.method, request.url.path, exc.status,
                    exc.detail, cause)
    return problem(request, exc.status, exc.title, exc.detail, type_=exc.type, hint=exc.hint, errors=errors,
                   headers=headers)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path", "header")]
        out.append({"field": ".".join(loc) or "request", "message": str(err.get("msg", "invalid"))})
    return out


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(PeriscopeError)
    async def _periscope(request: Request, exc: PeriscopeError) -> JSONResponse:
        return periscope_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem(request, 422, "Invalid parameters", f"invalid value for: {fields}", type_="/problems/validation",
                       errors=errors, hint="see /docs for allowed values")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(request, exc.status_code, str(exc.detail), str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    @app.exception_handler(TransportError)
    async def _es(request: Request, exc: Exception) -> JSONResponse:
        translated = translate_es_error(exc)
        translated.__cause__ = exc
        return periscope_problem(request, translated)

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        log.error("[%s] unhandled error on %s %s", request_id(request), request.method, request.url.path,
                  exc_info=(type(exc), exc, exc.__traceback__))
        return problem(request, 500, "Internal error", "an unexpected error occurred; it has been logged")
