"""Exceptions of the search layer: plain Python, no web framework (the query builder raises them).

The HTTP mapping (RFC 9457 problem documents) lives in :mod:`search_api.problems`; the UI maps the
same exceptions to pages. Messages never carry Elasticsearch's own text, host names or user names:
:func:`translate_es_error` says only what the caller may know; its callers log the original under the
request id.
"""

from __future__ import annotations

from elasticsearch import ApiError, ConnectionError as ESConnectionError, ConnectionTimeout, TransportError

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
    """A parameter is well-typed but unusable (bad cursor, too long a prefix, paging too deep...)."""

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
        shown = doc_id if len(doc_id) <= 80 else doc_id[:80] + "…"
        super().__init__(f"no document with id {shown!r}", "check the id; documents come from /api/v1/search hits")
        self.doc_id = doc_id


class Conflict(PeriscopeError):
    """A workspace object with that name already exists (saved searches, watchlists, cases…)."""

    status = 409
    title = "Already exists"
    type = "/problems/conflict"


class Missing(PeriscopeError):
    """A workspace object that does not exist or is not the caller's to see (never says which)."""

    status = 404
    title = "Not found"
    type = "/problems/not-found"


class Unprocessable(PeriscopeError):
    """A workspace request body that is well-formed but cannot be used; the detail says why."""

    status = 422
    title = "Invalid parameter"
    type = "/problems/invalid-parameter"


class SearchUnavailable(PeriscopeError):
    """Elasticsearch is down, timing out, overloaded, or the index does not exist yet (retry later)."""

    status = 503
    title = "Search unavailable"
    type = "/problems/unavailable"


class SearchBackendError(PeriscopeError):
    """Elasticsearch answered with an error retrying will not fix (credentials, permissions, a bug)."""

    status = 502
    title = "Search backend error"
    type = "/problems/backend"


class Unauthorized(PeriscopeError):
    status = 401
    title = "API key required"
    type = "/problems/unauthorized"


def es_error_types(exc: ApiError) -> list[str]:
    """Every ``type`` in an Elasticsearch error body (top level, root causes, caused-by chain)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", {})
    if not isinstance(err, dict):
        return []
    kinds = [err.get("type", "")] + [c.get("type", "") for c in err.get("root_cause", []) if isinstance(c, dict)]
    caused = err.get("caused_by")
    while isinstance(caused, dict) and len(kinds) < 20:
        kinds.append(caused.get("type", ""))
        caused = caused.get("caused_by")
    return [k for k in kinds if isinstance(k, str) and k]


def translate_es_error(exc: Exception) -> PeriscopeError:
    """What the caller is told about an Elasticsearch client exception (the detail goes to the log)."""
    if isinstance(exc, PeriscopeError):
        return exc
    if isinstance(exc, ConnectionTimeout):
        return SearchUnavailable("Elasticsearch did not answer in time", "retry shortly; check `periscope es status`")
    if isinstance(exc, ESConnectionError):
        return SearchUnavailable("Elasticsearch is not reachable", "retry shortly; check `periscope es status`")
    if isinstance(exc, ApiError):
        status = exc.meta.status if exc.meta else 500
        kinds = es_error_types(exc)
        if "index_not_found_exception" in kinds:
            return SearchUnavailable("the search index does not exist yet", "run `periscope demo` or `periscope index` first")
        if status == 429 or status >= 500:
            return SearchUnavailable(f"Elasticsearch is overloaded or failing ({status})", "retry shortly")
        if status == 400:
            return QuerySyntaxError("Elasticsearch rejected the query", "simplify the query (fewer terms or prefixes)")
        return SearchBackendError(f"the search backend answered with an error ({status})",
                                  "tell the operator (the server log has the details)")
    if isinstance(exc, TransportError):
        return SearchUnavailable("Elasticsearch transport error", "retry shortly")
    return PeriscopeError("an unexpected error occurred; it has been logged")
