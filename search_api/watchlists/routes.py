"""``/api/v1/watchlists``: create (JSON or a TXT/CSV import), list, read, change, delete; counts per entry
over time and latest matches; alert on any entry (a saved search carries the alert)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from workspace import alerts as ledger
from workspace import saved_searches as saved
from workspace import watchlists as store
from workspace.watchlists import Entry

from ..alerts.models import SavedSearchOut
from ..alerts.routes import Id, Rt, Writer, out, webhook_fields
from ..alerts.runtime import AlertsRuntime, problems
from ..errors import Unprocessable
from ..routes import PROBLEM_RESPONSES, Service, Who
from ..security import require_api_key
from ..service import SearchService
from . import parse
from .models import AlertIn, WatchlistIn, WatchlistOut, WatchlistPatch, WatchlistStats
from .service import overview, resolve

router = APIRouter(prefix="/api/v1/watchlists", dependencies=[Depends(require_api_key)], tags=["watchlists"],
                   responses={**PROBLEM_RESPONSES, 404: {"description": "No such watchlist (or not yours)"},
                              409: {"description": "You already have a watchlist with that name"},
                              413: {"description": f"More than {parse.MAX_ENTRIES} entries"}})
ALERT_PREFIX = "Watchlist: "


def alert_request(watchlist_id: int) -> dict[str, Any]:
    """The stored request of a watchlist's alert (see :func:`search_api.alerts.matching.watchlist_of`)."""
    return {"watchlist": watchlist_id}


def watchlist_out(rt: AlertsRuntime, w: store.WatchlistInfo, who: str) -> WatchlistOut:
    alert = None
    if w.saved_search_id is not None:
        with rt.ws.session(readonly=True) as db:
            alert = out(rt, saved.get(db, w.saved_search_id), who, ledger.unseen_counts(db, who))
    return WatchlistOut(id=w.id, name=w.name, description=w.description, size=w.size, created_at=w.created_at,
                        updated_at=w.updated_at, alert=alert,
                        entries=[{"name": e.name, "type": e.kind, "aliases": list(e.aliases),
                                  "entity": [f"{f}:{v}" for f, v in e.resolved]} for e in w.entries])


def _entries(items: list[Any]) -> list[Entry]:
    """JSON entries cleaned like imported ones (blank names dropped)."""
    return [parse.entry(e.name, e.type, e.aliases, n) for n, e in enumerate(items, 1) if e.name.strip()]


async def _resolved(svc: SearchService, entries: list[Entry], who: Any) -> list[Entry]:
    if not entries:
        raise Unprocessable("the list is empty", "send one name per line (TXT) or a name column (CSV)")
    return await resolve(svc, parse.check(entries), who)


@router.post("", response_model=WatchlistOut, status_code=201, summary="Create a watchlist from a JSON list")
async def create(body: WatchlistIn, rt: Rt, svc: Service, who: Writer) -> WatchlistOut:
    entries = await _resolved(svc, _entries(body.entries), who)
    with problems(), rt.ws.session() as db:
        w = store.create(db, who.name, body.name, entries, body.description)
    return watchlist_out(rt, w, who.name)


@router.post("/import", response_model=WatchlistOut, status_code=201,
             summary="Create a watchlist from a TXT (Name | alias) or CSV (name,type,aliases) body",
             openapi_extra={"requestBody": {"content": {"text/plain": {}, "text/csv": {}}, "required": True}})
async def import_list(request: Request, rt: Rt, svc: Service, who: Writer,
                      name: Annotated[str, Query(min_length=1, max_length=200)],
                      description: Annotated[str, Query(max_length=2000)] = "") -> WatchlistOut:
    raw = await request.body()
    if len(raw) > parse.MAX_BYTES:
        raise parse.ListTooLarge("the list is larger than 1 MB", f"send at most {parse.MAX_ENTRIES} names")
    is_csv = "csv" in request.headers.get("content-type", "")
    entries = await _resolved(svc, parse.parse(raw.decode("utf-8", "replace"), is_csv=is_csv), who)
    with problems(), rt.ws.session() as db:
        w = store.create(db, who.name, name, entries, description)
    return watchlist_out(rt, w, who.name)


@router.get("", response_model=list[WatchlistOut], summary="Your watchlists (without their entries)")
async def listing(rt: Rt, who: Who) -> list[WatchlistOut]:
    with rt.ws.session(readonly=True) as db:
        rows = store.listing(db, who.name)
    return [watchlist_out(rt, w, who.name) for w in rows]


@router.get("/{watchlist_id}", response_model=WatchlistOut, summary="One watchlist with its entries")
async def one(watchlist_id: Id, rt: Rt, who: Who) -> WatchlistOut:
    with problems(), rt.ws.session(readonly=True) as db:
        w = store.get(db, watchlist_id, who.name)
    return watchlist_out(rt, w, who.name)


@router.patch("/{watchlist_id}", response_model=WatchlistOut, summary="Rename, describe, replace the entries")
async def patch(watchlist_id: Id, body: WatchlistPatch, rt: Rt, svc: Service, who: Writer) -> WatchlistOut:
    entries = None
    if body.entries is not None:
        entries = await _resolved(svc, _entries(body.entries), who)
    with problems(), rt.ws.session() as db:
        w = store.update(db, watchlist_id, who.name, name=body.name, description=body.description, entries=entries)
    return watchlist_out(rt, w, who.name)


@router.post("/{watchlist_id}/resolve", response_model=WatchlistOut,
             summary="Look the names up again as entity values (after new documents were indexed)")
async def re_resolve(watchlist_id: Id, rt: Rt, svc: Service, who: Writer) -> WatchlistOut:
    with problems(), rt.ws.session(readonly=True) as db:
        w = store.get(db, watchlist_id, who.name)
    entries = await resolve(svc, list(w.entries), who)
    with problems(), rt.ws.session() as db:
        store.set_resolved(db, w.id, {e.id: list(e.resolved) for e in entries if e.id is not None})
        w = store.get(db, watchlist_id, who.name)
    return watchlist_out(rt, w, who.name)


@router.delete("/{watchlist_id}", status_code=204, summary="Delete a watchlist and its alert")
async def remove(watchlist_id: Id, rt: Rt, who: Writer) -> Response:
    with problems(), rt.ws.session() as db:
        alert = store.delete(db, watchlist_id, who.name)
        if alert is not None:
            saved.delete(db, alert, None)
    return Response(status_code=204)


@router.get("/{watchlist_id}/stats", response_model=WatchlistStats,
            summary="Documents per entry over time (publication date) and the latest matches")
async def stats(watchlist_id: Id, rt: Rt, svc: Service, who: Who,
                interval: Annotated[str, Query(pattern="^(day|week|month|year)$")] = "month",
                size: Annotated[int, Query(ge=0, le=100)] = 20) -> WatchlistStats:
    with problems(), rt.ws.session(readonly=True) as db:
        w = store.get(db, watchlist_id, who.name)
    view = await overview(svc, list(w.entries), who, interval=interval, size=size)
    return WatchlistStats(
        interval=interval, total=view["total"], dates=view["dates"],
        entries=[{"name": r["entry"].name, "count": r["count"], "series": r["series"], "matched_by": r["matched_by"]}
                 for r in view["rows"]],
        latest=[{"id": x["hit"].id, "title": x["hit"].title, "url": x["hit"].url, "published_at": x["hit"].published_at,
                 "snippet": x["hit"].snippet, "entries": x["entries"]} for x in view["latest"]])


async def save_alert(rt: AlertsRuntime, w: store.WatchlistInfo, owner: str, *, watch: bool, interval_s: int,
                     email_to: str | None, webhook_url: str | None) -> saved.SavedSearchInfo:
    """Create or change the saved search carrying the watchlist's alert (API and UI)."""
    fields: dict[str, Any] = {"watch": watch, "interval_s": interval_s, "email_to": email_to}
    current = None
    if w.saved_search_id is not None:
        with rt.ws.session(readonly=True) as db:
            current = saved.get(db, w.saved_search_id)
    if current is None or webhook_url != current.webhook_url:  # a new URL gets a new secret
        fields |= await webhook_fields(rt, webhook_url)
    with problems(), rt.ws.session() as db:
        if current is not None:
            return saved.update(db, current.id, owner, **fields)
        s = saved.create(db, owner, ALERT_PREFIX + w.name, alert_request(w.id),
                         description=f"Alert of the watchlist {w.name!r} (any entry)", **fields)
        store.update(db, w.id, owner, saved_search_id=s.id)
        return s


@router.put("/{watchlist_id}/alert", response_model=SavedSearchOut,
            summary="Alert on new documents matching any entry (webhook, e-mail, Atom feed, UI badge)")
async def set_alert(watchlist_id: Id, body: AlertIn, rt: Rt, who: Writer) -> SavedSearchOut:
    with problems(), rt.ws.session(readonly=True) as db:
        w = store.get(db, watchlist_id, who.name, entries=False)
    s = await save_alert(rt, w, who.name, watch=body.watch, interval_s=body.interval_s, email_to=body.email_to,
                         webhook_url=body.webhook_url)
    return out(rt, s, who.name, {})


@router.delete("/{watchlist_id}/alert", status_code=204, summary="Stop alerting on a watchlist (its history goes)")
async def drop_alert(watchlist_id: Id, rt: Rt, who: Writer) -> Response:
    with problems(), rt.ws.session() as db:
        w = store.get(db, watchlist_id, who.name, entries=False)
        if w.saved_search_id is not None:
            saved.delete(db, w.saved_search_id, who.name)
    return Response(status_code=204)
