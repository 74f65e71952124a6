""""Alert me when something rises in this scope" from the Warnings page: saves the page's scope (query and
filters) as a warning alert (a saved search with a ``rising`` part, see :mod:`search_api.alerts.rising`)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response
from starlette.requests import Request

from workspace import saved_searches as saved

from ..alerts.matching import RISING_KEY, request_of, saved_fields
from ..alerts.rising import RisingSpec
from ..alerts.runtime import runtime
from ..security import current_principal
from .auth import require_ui_session
from .bigform import FormRefused, first, list_form, refusal
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
SINGLE = ("q", "sort", "date_from", "date_to", "duplicates")


@router.post("/warnings/alert")
async def save_warning_alert(request: Request) -> Response:
    try:
        form = await list_form(request)
        params: dict[str, list[str]] = {}
        for k, v in parse_qsl(first(form, "scope"), keep_blank_values=False):
            params.setdefault(k, []).append(v)
        scope = {k: (v[0] if k in SINGLE else v) for k, v in params.items() if k not in ("page", "size", "interval")}
        req = request_of(scope)
        request.app.state.service.search_body(req)  # the real query builder: an unparsable scope is refused
        try:
            spec = RisingSpec(fields=form.get("fields") or RisingSpec().fields, interval=first(form, "interval", "week"),
                              threshold=float(first(form, "threshold", "5") or 5))
        except ValueError as exc:
            raise FormRefused(f"The alert settings are not valid: {str(exc).splitlines()[-1].strip()}", 422) from None
        request_json = saved_fields(req) | {RISING_KEY: spec.model_dump()}
        with runtime(request).ws.session() as db:
            s = saved.create(db, current_principal(request).name, first(form, "name") or "Rising", request_json,
                             description="Warning alert: something rises in this scope", watch=True, interval_s=3600)
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        ctx = base_context(request) | {"items": [], "error": f"Warning alert not saved: {r.message}", "csrf": ""}
        return templates.TemplateResponse(request, "saved.html", ctx, status_code=r.status)
    return RedirectResponse(f"/saved/{s.id}/edit", status_code=303)
