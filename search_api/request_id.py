"""A request id on every response (``X-Request-ID``) and in every log line written while serving it.

A sane incoming id (from a proxy) is kept so logs can be joined across hops; anything else is replaced
by a fresh one. The id lives in a context variable, so code far from the web layer (the service, the
health probe) puts it in its log lines without being handed the request.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_current: ContextVar[str] = ContextVar("periscope_request_id", default="-")


def current_request_id() -> str:
    return _current.get()


def accept_or_new(incoming: str | None) -> str:
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``): sets the id before the app runs, adds the header after."""

    def __init__(self, app: "ASGIApp") -> None:
        self.app = app

    async def __call__(self, scope: "Scope", receive: "Receive", send: "Send") -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = accept_or_new(incoming)
        scope.setdefault("state", {})["request_id"] = rid
        token = _current.set(rid)

        async def send_with_id(message: "Message") -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
