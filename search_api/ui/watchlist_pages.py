"""The Watchlists pages: import a list (paste or a TXT/CSV file), one watchlist's counts per entry over
time and its latest matches, its alert (interval, e-mail, webhook; the feed and badge come with it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import saved_searches as saved
from workspace import watchlists as store

from ..alerts.runtime import runtime
from ..security import current_principal
from ..watchlists import parse
from ..watchlists.routes import save_alert
from ..watchlists.service import overview, resolve
from .auth import require_ui_session
from .bigform import FormRefused, first, list_form, list_page, refusal
from .csrf import form_token
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
WId = Annotated[int, Path(ge=1, le=2_147_483_647)]
INTERVALS = ("week", "month", "year")


def _list_page(request: Request, error: str | None = None, status: int = 200, form: dict | None = None) -> Response:
    return list_page(request, "watchlists.html", store.listing, error, status, form, max_entries=parse.MAX_ENTRIES)


@router.get("/watchlists", response_class=HTMLResponse)
async def watchlists_page(request: Request) -> Response:
    return _list_page(request)


@router.post("/watchlists")
async def create(request: Request) -> Response:
    form: dict[str, list[str]] = {}
    try:
        form = await list_form(request)
        entries = parse.parse(first(form, "entries"), is_csv=first(form, "format") == "csv")
        if not entries:
            raise FormRefused("The list is empty: paste one name per line or choose a file.", 422)
        who = current_principal(request)
        entries = await resolve(request.app.state.service, entries, who)
        with runtime(request).ws.session() as db:
            w = store.create(db, who.name, first(form, "name"), entries, first(form, "description"))
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        return _list_page(request, f"Not created: {r.message}", r.status, form)
    return RedirectResponse(f"/watchlists/{w.id}", status_code=303)


def _alert(request: Request, w: store.WatchlistInfo) -> saved.SavedSearchInfo | None:
    if w.saved_search_id is None:
        return None
    with runtime(request).ws.session(readonly=True) as db:
        return saved.get(db, w.saved_search_id)


async def _one(request: Request, watchlist_id: int, error: str | None = None, status: int = 200) -> Response:
    who = current_principal(request)
    interval = request.query_params.get("interval", "month")
    interval = interval if interval in INTERVALS else "month"
    try:
        with runtime(request).ws.session(readonly=True) as db:
            w = store.get(db, watchlist_id, who.name)
        view: dict[str, Any] = await overview(request.app.state.service, list(w.entries), who, interval=interval, size=20)
    except Exception as exc:  # noqa: BLE001
        r = refusal(exc)
        return _list_page(request, r.message, r.status)
    ctx = base_context(request) | {"w": w, "view": view, "interval": interval, "intervals": INTERVALS,
                                   "alert": _alert(request, w), "error": error, "csrf": form_token(request)}
    return templates.TemplateResponse(request, "watchlist_one.html", ctx, status_code=status)


@router.get("/watchlists/{watchlist_id}", response_class=HTMLResponse)
async def watchlist_page(request: Request, watchlist_id: WId) -> Response:
    return await _one(request, watchlist_id)


@router.post("/watchlists/{watchlist_id}/alert")
async def set_alert(request: Request, watchlist_id: WId) -> Response:
    who = current_principal(request)
    rt = runtime(request)
    try:
        form = await list_form(request)
        with rt.ws.session(readonly=True) as db:
            w = store.get(db, watchlist_id, who.name, entries=False)
        try:
            minutes = int(first(form, "interval_min", "5") or "5")
        except ValueError:
            raise FormRefused("The interval must be a whole number of minutes.", 422) from None
        await save_alert(rt, w, who.name, watch=first(form, "watch") == "on", interval_s=max(60, minutes * 60),
                         email_to=first(form, "email_to") or None, webhook_url=first(form, "webhook_url") or None)
    except Exception as exc:  # noqa: BLE001 - refusal() re-raises what is not a user error
        r = refusal(exc)
        return await _one(request, watchlist_id, f"Alert not saved: {r.message}", r.status)
    return RedirectResponse(f"/watchlists/{watchlist_id}#alert", status_code=303)


@router.post("/watchlists/{watchlist_id}/delete")
async def delete(request: Request, watchlist_id: WId) -> Response:
    who = current_principal(request)
    try:
        await list_form(request)
        with runtime(request).ws.session() as db:
            alert = store.delete(db, watchlist_id, who.name)
            if alert is not None:
                saved.delete(db, alert, None)
    except Exception as exc:  # noqa: BLE001
        r = refusal(exc)
        return _list_page(request, r.message, r.status)
    return RedirectResponse("/watchlists", status_code=303)
