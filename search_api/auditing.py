"""``audit_event``: the one call routes make to put something on the audit trail.

It fills in who (the request's principal), from where (client address), the request id, method
and path, then hands the event to ``app.state.audit`` (:class:`search_api.audit.AuditLog`), which only
appends to a buffer: recording never waits for Elasticsearch. The privacy setting
(``PERISCOPE_AUDIT_QUERIES=false``) is applied by the log itself.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from .audit import AuditEvent


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def audit_event(request: Request, action: str, *, outcome: str = "success", user: str | None = None,
                target: str | None = None, query: str | None = None, count: int | None = None,
                status: int | None = None, **details: Any) -> None:
    """Record ``action`` (login, logout, search, view, export, user, collection, key, key-use, ...).

    ``details`` is free-form context (``filters=...``, ``changes=...``), stored but not indexed.
    """
    audit = getattr(request.app.state, "audit", None)
    if audit is None:  # the app is not running its lifespan (a bare create_app in a unit test)
        return
    principal = getattr(request.state, "principal", None)
    audit.record(AuditEvent(
        action=action, outcome=outcome, user=user or (principal.name if principal else None),
        role=principal.role if principal else None, auth=principal.auth if principal else "anonymous",
        client=client_address(request), request_id=getattr(request.state, "request_id", None),
        method=request.method, path=request.url.path, target=target, query=query, count=count, status=status,
        details={k: v for k, v in details.items() if v is not None},
    ))


# --- search, document view and export, recorded around the routes -----------------------------------
# A middleware rather than calls in each route: the API and the UI pages are covered alike, and a
# route added later under these paths cannot forget it. It sees who asked (the principal the route
# resolved, in the request state), the query and filters (query string, or the JSON body of
# POST /api/v1/search, read up to MAX_BODY bytes), the status, and for exports counts the rows streamed.
MAX_BODY = 64 * 1024
PAGING = frozenset({"q", "cursor", "page", "size", "format", "columns", "limit", "query_comment"})
SEARCHES = frozenset({"/api/v1/search", "/"})
VIEWS = (("/api/v1/documents/", "view"), ("/doc/", "view"))


def _action(method: str, path: str) -> tuple[str, str | None] | None:
    if path in SEARCHES and method in ("GET", "POST"):
        return "search", None
    if path == "/api/v1/export" and method == "GET":
        return "export", None
    for prefix, action in VIEWS:
        rest = path[len(prefix):] if path.startswith(prefix) and method == "GET" else ""
        if rest and "/" not in rest:  # /documents/{id}, not /documents/{id}/similar
            return action, rest
    return None


class RowCounter:
    """Rows in a streamed CSV (newlines outside quotes, minus the header) or JSON-lines export."""

    def __init__(self, csv_format: bool) -> None:
        self.csv, self.lines, self.quoted = csv_format, 0, False
        self.head: int | None = None  # lines before the rows: the header, and the "#" comment line if any

    def feed(self, chunk: bytes) -> None:
        if self.head is None and chunk:
            self.head = 2 if chunk.startswith(b"#") else 1
        if not self.csv:
            self.lines += chunk.count(b"\n")
            return
        for part in chunk.split(b'"'):  # every '"' flips quoting ("" flips twice): RFC 4180
            if not self.quoted:
                self.lines += part.count(b"\n")
            self.quoted = not self.quoted
        self.quoted = not self.quoted  # split yields one more part than there are quotes

    @property
    def rows(self) -> int:
        return max(self.lines - (self.head or 1), 0) if self.csv else self.lines


class AuditMiddleware:
    """Pure ASGI: records ``search``, ``view`` and ``export`` events after the response is sent."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        what = _action(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if what is None:
            await self.app(scope, receive, send)
            return
        action, target = what
        body, status = bytearray(), 0
        request = Request(scope)
        counter = RowCounter(request.query_params.get("format", "csv") != "jsonl") if action == "export" else None

        async def receive_wrapper():  # noqa: ANN202
            message = await receive()
            if message["type"] == "http.request" and len(body) < MAX_BODY:
                body.extend(message.get("body", b"")[: MAX_BODY - len(body)])
            return message

        async def send_wrapper(message) -> None:  # noqa: ANN001
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and counter is not None and status < 400:
                counter.feed(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            self._record(request, action, target, status, bytes(body), counter)

    @staticmethod
    def _record(request: Request, action: str, target: str | None, status: int, body: bytes,
                counter: RowCounter | None) -> None:
        if status in (0, 303, 401) or getattr(request.state, "principal", None) is None:
            return  # nothing was served: not signed in (the sign-in is audited itself) or no answer
        params: dict[str, Any] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value[:500])
        if request.method == "POST" and body:
            try:
                sent = json.loads(body)
                params = {k: v for k, v in sent.items()} if isinstance(sent, dict) else {}
            except ValueError:
                params = {}
        query = params.pop("q", None)
        query = (query[0] if isinstance(query, list) and query else query) or None
        if action == "search" and request.url.path == "/" and not query and not params:
            return  # the UI's empty start page is not a search
        filters = {k: v for k, v in params.items() if k not in PAGING} or None
        audit_event(request, action, outcome="success" if status < 400 else "failure", status=status,
                    target=target, query=str(query)[:2000] if query else None,
                    count=counter.rows if counter is not None and status < 400 else None, filters=filters)
