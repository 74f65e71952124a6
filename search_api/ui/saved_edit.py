"""Edit a saved search in the UI: name, description, visibility, and its alert — interval, e-mail,
webhook (with its signing secret), the Atom feed — plus the dead letters, which can be requeued."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import alerts as ledger
from workspace import saved_searches as saved

from ..alerts.matching import is_rising, watchlist_of
from ..alerts.routes import webhook_fields
from ..alerts.runtime import runtime
from ..security import current_principal
from .auth import require_ui_session
from .bigform import FormRefused, first, list_form, refusal
from .csrf import form_token
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
SId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _page(request: Request, search_id: int, error: str | None = None, status: int = 200) -> Response:
    who = current_principal(request).name
    try:
        with runtime(request).ws.session(readonly=True) as db:
            s = saved.get(db, search_id, who)
            if s.owner != who:
                raise FormRefused("Only its owner can change a saved search.", 404)
            dead = ledger.deliveries(db, saved_search_id=search_id, state="dead", limit=200)
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        ctx = base_context(request) | {"items": [], "error": r.message, "csrf": form_token(request)}
        return templates.TemplateResponse(request, "saved.html", ctx, status_code=r.status)
    ctx = base_context(request) | {"s": s, "dead": dead, "error": error, "csrf": form_token(request),
                                   "watchlist": watchlist_of(s.request), "rising": s.request.get("rising") if is_rising(s.request) else None,
                                   "feed": f"/feeds/saved-searches/{s.id}.atom?token={s.feed_token}"}
    return templates.TemplateResponse(request, "saved_edit.html", ctx, status_code=status)


@router.get("/saved/{search_id}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, search_id: SId) -> Response:
    return _page(request, search_id)


@router.post("/saved/{search_id}/edit")
async def edit(request: Request, search_id: SId) -> Response:
    who = current_principal(request).name
    rt = runtime(request)
    try:
        form = await list_form(request)
        with rt.ws.session(readonly=True) as db:
            current = saved.get(db, search_id, who)
        try:
            minutes = int(first(form, "interval_min", "5"))
        except ValueError:
            raise FormRefused("The interval must be a whole number of minutes.", 422) from None
        email_to = first(form, "email_to") or None
        if email_to and ("@" not in email_to or any(c.isspace() for c in email_to)):
            raise FormRefused(f"{email_to!r} is not an e-mail address.", 422)
        changes: dict[str, Any] = {
            "name": first(form, "name"), "description": first(form, "description"),
            "visibility": "shared" if first(form, "visibility") == "shared" else "private",
            "watch": first(form, "watch") == "on", "interval_s": max(minutes, 1) * 60, "email_to": email_to}
        url = first(form, "webhook_url") or None
        if url != current.webhook_url:
            changes |= await webhook_fields(rt, url)
        with rt.ws.session() as db:
            saved.update(db, search_id, who, **changes)
    except Exception as exc:  # noqa: BLE001
        r = refusal(exc)
        return _page(request, search_id, f"Not saved: {r.message}", r.status)
    return RedirectResponse(f"/saved/{search_id}/edit?saved=1", status_code=303)


@router.post("/saved/{search_id}/requeue")
async def requeue(request: Request, search_id: SId) -> Response:
    who = current_principal(request).name
    try:
        await list_form(request)
        with runtime(request).ws.session() as db:
            if saved.get(db, search_id, who).owner != who:
                raise FormRefused("Only its owner can requeue deliveries.", 404)
            ledger.requeue(db, [d.id for d in ledger.deliveries(db, saved_search_id=search_id, state="dead")])
    except Exception as exc:  # noqa: BLE001
        r = refusal(exc)
        return _page(request, search_id, r.message, r.status)
    return RedirectResponse(f"/saved/{search_id}/edit#dead", status_code=303)
