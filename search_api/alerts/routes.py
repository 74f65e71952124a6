"""``/api/v1/saved-searches``: CRUD, results, new matches, dead letters; and the token-protected Atom feed."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from workspace import alerts as ledger
from workspace import batches as batches_store
from workspace import saved_searches as saved

from ..access import Principal
from ..models import SearchRequest, SearchResponse
from ..routes import PROBLEM_RESPONSES, Service, Who
from ..security import require_api_key, require_write
from . import batch, batch_jobs, feed, webhook
from .rising import RisingSpec
from .matching import RISING_KEY, query_problem, request_of, saved_fields, watchlist_of
from .models import DeliveryOut, MatchOut, SavedSearchIn, SavedSearchOut, SavedSearchPatch
from ..errors import Missing, Unprocessable
from .runtime import AlertsRuntime, problems, runtime

router = APIRouter(prefix="/api/v1/saved-searches", dependencies=[Depends(require_api_key)], tags=["alerts"],
                   responses={**PROBLEM_RESPONSES, 404: {"description": "No such saved search (or not yours)"},
                              409: {"description": "You already have a saved search with that name"}})
feeds = APIRouter(tags=["alerts"])
Rt = Annotated[AlertsRuntime, Depends(runtime)]
Writer = Annotated[Principal, Depends(require_write)]  # a read-only personal key may look, not change
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="Id from the listing")]  # fits every database


def out(rt: AlertsRuntime, s: saved.SavedSearchInfo, viewer: str, unseen: dict[int, int]) -> SavedSearchOut:
    mine = s.owner == viewer
    return SavedSearchOut(
        id=s.id, owner=s.owner, name=s.name, description=s.description, visibility=s.visibility, search=s.request,
        query_error=s.query_error or query_problem(s.request), watch=s.watch, interval_s=s.interval_s,
        webhook_url=s.webhook_url if mine else None, webhook_secret=s.webhook_secret if mine else None,
        email_to=s.email_to if mine else None,
        feed_url=f"{rt.cfg.public_url}/feeds/saved-searches/{s.id}.atom?token={s.feed_token}" if mine else None,
        new_matches=unseen.get(s.id, 0), created_at=s.created_at, updated_at=s.updated_at, last_run_at=s.last_run_at)


def validated(svc: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Build the body with the real query builder: an unparsable query is a 400 with the syntax hint."""
    svc.search_body(request_of(fields))
    return fields


async def webhook_fields(rt: AlertsRuntime, url: str | None) -> dict[str, Any]:
    if not url:
        return {"webhook_url": None}
    try:
        url = await webhook.check_url_async(url, allow_private=rt.cfg.webhook_allow_private)
    except webhook.WebhookRefused as exc:
        raise Unprocessable(f"webhook_url refused: {exc}", "use a public http(s) URL") from None
    return {"webhook_url": url, "webhook_secret": secrets.token_urlsafe(32)}


@router.post("", response_model=SavedSearchOut, status_code=201, summary="Save a search (optionally watched)")
async def create(body: SavedSearchIn, rt: Rt, svc: Service, who: Writer) -> SavedSearchOut:
    search = validated(svc, saved_fields(SearchRequest(**body.model_dump(include=set(SearchRequest.model_fields)))))
    if body.rising is not None:
        search[RISING_KEY] = body.rising.model_dump()
    extra = await webhook_fields(rt, body.webhook_url)
    with problems(), rt.ws.session() as db:
        s = saved.create(db, who.name, body.name, search, description=body.description, visibility=body.visibility,
                         watch=body.watch, interval_s=body.interval_s, email_to=body.email_to, **extra)
    return out(rt, s, who.name, {})


@router.get("", response_model=list[SavedSearchOut], summary="Your saved searches and the shared ones")
async def listing(rt: Rt, who: Who) -> list[SavedSearchOut]:
    with rt.ws.session(readonly=True) as db:
        rows, unseen = saved.visible(db, who.name), ledger.unseen_counts(db, who.name)
    return [out(rt, s, who.name, unseen) for s in rows]


@router.get("/{search_id}", response_model=SavedSearchOut, summary="One saved search")
async def one(search_id: Id, rt: Rt, who: Who) -> SavedSearchOut:
    with problems(), rt.ws.session(readonly=True) as db:
        s, unseen = saved.get(db, search_id, who.name), ledger.unseen_counts(db, who.name)
    return out(rt, s, who.name, unseen)


@router.patch("/{search_id}", response_model=SavedSearchOut, summary="Change a saved search (owner only)")
async def patch(search_id: Id, body: SavedSearchPatch, rt: Rt, svc: Service, who: Writer) -> SavedSearchOut:
    # null means "remove" for the optional channels only; for every other field it means "leave as is"
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items()
               if v is not None or k in ("webhook_url", "email_to")}
    if "search" in changes:
        changes["request"] = await _new_search(rt, search_id, who, svc, changes.pop("search"))
        changes["query_error"] = None
    if "webhook_url" in changes:
        changes.update(await webhook_fields(rt, changes["webhook_url"]))
    with problems(), rt.ws.session() as db:
        s = saved.update(db, search_id, who.name, **changes)
    return out(rt, s, who.name, {})


async def _new_search(rt: AlertsRuntime, search_id: int, who: Principal, svc: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """New search fields; a warning alert keeps its ``rising`` part, a watchlist's alert has no search to change."""
    with problems(), rt.ws.session(readonly=True) as db:
        current = saved.get(db, search_id, who.name).request
    if watchlist_of(current) is not None:
        raise Unprocessable("this saved search is a watchlist's alert", "change the watchlist's entries instead")
    new = validated(svc, saved_fields(request_of(fields)))
    if RISING_KEY in current:
        try:
            new[RISING_KEY] = RisingSpec.model_validate(fields.get(RISING_KEY, current[RISING_KEY])).model_dump()
        except ValidationError as exc:
            raise Unprocessable(f"rising: {exc.errors()[0]['msg']}", "see docs/warning.md for the fields") from None
    return new


@router.delete("/{search_id}", status_code=204, summary="Delete a saved search and its alert history")
async def remove(search_id: Id, rt: Rt, who: Writer) -> Response:
    with problems(), rt.ws.session() as db:
        saved.delete(db, search_id, who.name)
    return Response(status_code=204)


@router.get("/{search_id}/results", response_model=SearchResponse, summary="Run a saved search now")
async def results(search_id: Id, rt: Rt, svc: Service, who: Who,
                  size: Annotated[int, Query(ge=0, le=100)] = 20, page: Annotated[int, Query(ge=1, le=500)] = 1) -> SearchResponse:
    with problems(), rt.ws.session(readonly=True) as db:
        s = saved.get(db, search_id, who.name)
    if watchlist_of(s.request) is not None:
        raise Unprocessable("this saved search is a watchlist's alert",
                            f"see GET /api/v1/watchlists/{watchlist_of(s.request)}/stats for its matches")
    req = request_of(s.request, size).model_copy(update={"page": page, "facet_size": 10})
    return await svc.search(req, who)  # runs as the caller: a shared search shows each reader only their documents


@router.get("/{search_id}/matches", response_model=list[MatchOut], summary="New matches found by the alert")
async def matches(search_id: Id, rt: Rt, who: Who, unseen: bool = False, mark_seen: bool = False,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[MatchOut]:
    with problems(), rt.ws.session() as db:
        s = saved.get(db, search_id, who.name)
        if s.owner != who.name:
            raise Missing(f"no saved search named {str(search_id)!r}.", "alerts are visible to their owner only")
        rows = ledger.matches(db, search_id, since=s.seen_at if unseen else None, limit=limit)
        if mark_seen:
            saved.mark_seen(db, search_id, who.name)
    return [MatchOut(**m.__dict__) for m in rows if m.doc_id]


@router.get("/{search_id}/deliveries", response_model=list[DeliveryOut], summary="Webhook/e-mail deliveries (dead letters)")
async def deliveries(search_id: Id, rt: Rt, who: Who, state: str | None = None) -> list[DeliveryOut]:
    with problems(), rt.ws.session(readonly=True) as db:
        saved_owned(db, search_id, who)
        rows = ledger.deliveries(db, saved_search_id=search_id, state=state, limit=1000)
    return [DeliveryOut(**d.__dict__) for d in rows]


@router.post("/{search_id}/deliveries/requeue", summary="Retry the dead letters of a saved search")
async def requeue(search_id: Id, rt: Rt, who: Writer) -> dict[str, int]:
    with problems(), rt.ws.session() as db:
        saved_owned(db, search_id, who)
        dead = [d.id for d in ledger.deliveries(db, saved_search_id=search_id, state="dead")]
        return {"requeued": ledger.requeue(db, dead)}


def saved_owned(db: Any, search_id: int, who: Principal) -> saved.SavedSearchInfo:
    s = saved.get(db, search_id, who.name)
    if s.owner != who.name:
        raise Missing(f"no saved search named {str(search_id)!r}.", "deliveries are visible to their owner only")
    return s


@feeds.get("/feeds/saved-searches/{search_id}.atom", summary="Atom feed of a saved search (secret token in the URL)",
           responses={200: {"content": {"application/atom+xml": {}}}, 404: {"description": "Unknown feed or token"}})
async def atom(search_id: Id, request: Request, token: Annotated[str, Query(min_length=1, max_length=100)]) -> Response:
    rt = runtime(request)
    with rt.ws.session(readonly=True) as db:
        s = saved.by_feed_token(db, search_id, token)
        if s is None:
            raise Missing("no such feed", "copy the feed URL (with its token) from the saved search")
        rows = ledger.matches(db, search_id, limit=100)
    return Response(feed.atom(s, rows, rt.cfg.public_url, str(request.url)), media_type="application/atom+xml")


# --- batch search (kept in the store) ------------------------------------------------------------------
batches = APIRouter(prefix="/api/v1/batch-searches", dependencies=[Depends(require_api_key)], tags=["alerts"],
                    responses={**PROBLEM_RESPONSES, 413: {"description": "More than 1,000 terms"}})


@batches.post("", summary="Batch search: a TXT or CSV list (≤ 1,000 terms) as the request body → counts and first hits",
              openapi_extra={"requestBody": {"content": {"text/plain": {}, "text/csv": {}}, "required": True}})
async def batch_create(request: Request, rt: Rt, svc: Service, who: Writer,
                       name: Annotated[str, Query(max_length=200)] = "batch",
                       background: Annotated[bool, Query(description="Answer 202 at once; GET the batch for progress")] = False
                       ) -> Any:
    raw = await request.body()
    if len(raw) > 1_000_000:
        raise batch.TooManyTerms("the list is larger than 1 MB", f"send at most {batch.MAX_TERMS} lines")
    terms = batch.parse_terms(raw.decode("utf-8", "replace"), is_csv="csv" in request.headers.get("content-type", ""))
    if not terms:
        raise Unprocessable("the list is empty", "send one term or query per line (TXT) or in the first column (CSV)")
    if background:
        kept = batch_jobs.start(rt, svc, who, terms, name)
        return JSONResponse(status_code=202, content={"id": kept.id, "name": kept.name, "progress": batch_jobs.progress_of(kept.rows),
                                                      "status_url": f"/api/v1/batch-searches/{kept.id}"})
    rows = await batch.run(svc, terms, who)
    with rt.ws.session() as db:
        kept = batches_store.save(db, who.name, name, rows)
    return {"id": kept.id, "name": kept.name, "created_at": kept.created_at, "rows": rows}


@batches.get("", summary="Your batch searches")
async def batch_list(rt: Rt, who: Who) -> list[dict[str, Any]]:
    with rt.ws.session(readonly=True) as db:
        return [{"id": b.id, "name": b.name, "created_at": b.created_at, "terms": len(b.rows)}
                for b in batches_store.listing(db, who.name)]


@batches.get("/{batch_id}", summary="A batch search's table (JSON, or CSV with ?format=csv)")
async def batch_get(batch_id: Id, rt: Rt, who: Who, format: Literal["json", "csv"] = "json") -> Any:  # noqa: A002
    with problems(), rt.ws.session(readonly=True) as db:
        b = batches_store.get(db, batch_id, who.name)
    if format == "csv":
        return Response(batch.to_csv(b.rows, rt.cfg.public_url), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="batch-{b.id}.csv"'})
    return {"id": b.id, "name": b.name, "created_at": b.created_at, "progress": batch_jobs.progress_of(b.rows),
            "rows": b.rows}
