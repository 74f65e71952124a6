"""Forms of the watchlist, batch and alert pages: a larger body cap than sign-in forms (a pasted list of
1,000 names), the CSRF check, and the problem → page message mapping they share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.requests import Request

from workspace import AlreadyExists, InvalidValue, NotFound

from ..alerts.runtime import runtime
from ..errors import PeriscopeError
from ..security import current_principal
from .csrf import form_token, token_ok
from .templating import base_context, templates

MAX_LIST_FORM_BYTES = 1_200_000  # 1 MB of names, url-encoded


class FormRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


async def list_form(request: Request) -> dict[str, list[str]]:
    """The url-encoded form (every value of each field); FormRefused when too large or its CSRF token is stale."""
    body = await request.body()
    if len(body) > MAX_LIST_FORM_BYTES:
        raise FormRefused("The list is larger than 1 MB: split it into several.", 413)
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    if not token_ok(request, (form.get("csrf") or [None])[0]):
        raise FormRefused("The form had expired; reload the page and send it again.", 403)
    return form


def first(form: dict[str, list[str]], name: str, default: str = "") -> str:
    return (form.get(name) or [default])[0].strip()


def refusal(exc: Exception) -> FormRefused:
    """What a page says (and its status) for an error of the store or of the search layer."""
    if isinstance(exc, FormRefused):
        return exc
    if isinstance(exc, PeriscopeError):
        return FormRefused(exc.detail + (f" ({exc.hint})" if exc.hint else ""), exc.status)
    if isinstance(exc, AlreadyExists):
        return FormRefused(f"{exc} Choose another name.", 409)
    if isinstance(exc, NotFound):
        return FormRefused(str(exc), 404)
    if isinstance(exc, InvalidValue):
        return FormRefused(str(exc), 422)
    raise exc


def list_page(request: Request, template: str, listing: Callable[[Session, str], list[Any]], error: str | None,
              status: int, form: dict[str, list[str]] | None, **extra: Any) -> Response:
    """A page listing the caller's items above the form that creates one (refilled after a refusal)."""
    with runtime(request).ws.session(readonly=True) as db:
        rows = listing(db, current_principal(request).name)
    ctx = base_context(request) | {"items": rows, "error": error, "csrf": form_token(request),
                                   "form": {k: v[0] for k, v in (form or {}).items() if v}, **extra}
    return templates.TemplateResponse(request, template, ctx, status_code=status)
