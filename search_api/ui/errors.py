"""What an analyst is told when a page cannot be built: one message per exception *type*.

Our own exceptions (``search_api.errors``) carry wording written for people and are shown; anything
else is logged and the page says only that something went wrong, with the request id when the
response has one: never an exception's text or class name (it can hold hosts, user names, paths).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from elasticsearch import ApiError, TransportError
from pydantic import ValidationError
from starlette.requests import Request

from ..errors import (
    DocumentNotFound, InvalidParameter, PeriscopeError, QuerySyntaxError, SearchBackendError, SearchUnavailable,
    translate_es_error,
)

log = logging.getLogger(__name__)
ES_HELP = "If it persists, start the node with `periscope es start`, check `periscope es status` or PERISCOPE_ES_URL."


@dataclass
class UiError:
    kind: str  # "syntax" | "invalid" | "unavailable" | "not-found" | "error"
    status: int
    title: str
    detail: str = ""
    hint: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    request_id: str = ""


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    return text[:1].upper() + text[1:] + ("" if not text or text.endswith(".") else ".")


def _from_periscope(exc: PeriscopeError) -> UiError:
    if isinstance(exc, QuerySyntaxError):
        return UiError("syntax", 400, "Your query could not be understood", exc.detail, exc.hint or "")
    if isinstance(exc, DocumentNotFound):
        return UiError("not-found", 404, "Document not found",
                       "No document has this id. It may have been removed or re-indexed.")
    if isinstance(exc, SearchUnavailable):
        hint = _sentence(exc.hint)
        return UiError("unavailable", 503, "Search is unavailable right now", _sentence(exc.detail),
                       (hint + " " if hint else "") + ES_HELP)
    if isinstance(exc, InvalidParameter):
        return UiError("invalid", exc.status, "The search request was rejected", _sentence(exc.detail),
                       _sentence(exc.hint), [{"field": exc.field, "message": exc.detail}])
    if isinstance(exc, SearchBackendError):  # credentials, permissions, a bug: retrying will not help
        return UiError("error", 502, "The search index returned an error", "The error has been logged.",
                       "If it keeps failing, tell the operator and give them the request id below.")
    return UiError("error", 500, "Something went wrong", "The error has been logged.")


def ui_error(exc: Exception, request: Request | None = None) -> UiError:
    """Map a service, validation or Elasticsearch exception to a message (never a stack trace)."""
    if isinstance(exc, (ApiError, TransportError)):
        exc = translate_es_error(exc)  # same wording as the API's problem documents
    if isinstance(exc, ValidationError):
        errs = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        dates = any(e["field"].startswith("date_") for e in errs)
        err = UiError("invalid", 400, "Some search parameters are not valid",
                      "; ".join(f"{e['field']}: {e['message']}" for e in errs),
                      ("Dates are YYYY-MM-DD; fix or clear the date." if dates
                       else "Fix the value named above, or remove it from the search."), errs)
    elif isinstance(exc, PeriscopeError):
        err = _from_periscope(exc)
    else:
        err = UiError("error", 500, "Something went wrong", "The error has been logged.")
    if err.status >= 500 and err.kind == "error":
        log.error("UI page failed on %s", request.url.path if request else "?", exc_info=exc)
    if request is not None:
        err.request_id = str(getattr(request.state, "request_id", "") or "")
    return err
