"""``audit_event``: the one call routes make to put something on the audit trail.

It fills in who (the request's principal), from where (client address), the request id, method
and path, then hands the event to ``app.state.audit`` (:class:`search_api.audit.AuditLog`), which only
appends to a buffer: recording never waits for Elasticsearch. The privacy setting
(``PERISCOPE_AUDIT_QUERIES=false``) is applied by the log itself.
"""

from __future__ import annotations

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
