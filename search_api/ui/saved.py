"""The "Saved" pages: save the current search (form with CSRF), list saved searches with their new-match
counts, and one search's "new since last visit" view (which resets its badge) with its dead letters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import AlreadyExists, InvalidValue, NotFound
from workspace import alerts as ledger
from workspace import saved_searches as saved

from ..alerts.matching import RISING_KEY, query_problem, request_of, saved_fields, watchlist_of
from ..alerts.runtime import runtime
from ..errors import PeriscopeError
from ..security import current_principal
from .auth import form_fields, require_ui_session
from .csrf import form_token, token_ok
from .state import UiState
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])


def search_url(fields: dict) -> str:
    """The results page of a saved search (its fields are the page's own query parameters); a watchlist's
    alert links to its watchlist, a warning alert to its scope."""
    if watchlist_of(fields) is not None:
        return f"/watchlists/{watchlist_of(fields)}"
    fields = {k: v for k, v in fields.items() if k != RISING_KEY}
    return "/?" + urlencode([(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])])


def _page(request: Request, error: str | None = None, status: int = 200) -> Response:
    who = current_principal(request).name
    rt = runtime(request)
    with rt.ws.session(readonly=True) as db:
        rows, unseen = saved.visible(db, who), ledger.unseen_counts(db, who)
    items = [{"s": s, "new": unseen.get(s.id, 0), "mine": s.owner == who, "run": search_url(s.request),
              "problem": s.query_error or query_problem(s.request)} for s in rows]
    ctx = base_context(request) | {"items": items, "error": error, "csrf": form_token(request)}
    return templates.TemplateResponse(request, "saved.html", ctx, status_code=status)


@router.get("/saved", response_class=HTMLResponse)
async def saved_page(request: Request) -> Response:
    return _page(request)


@router.post("/saved")
async def save(request: Request) -> Response:
    form = await form_fields(request)
    if not token_ok(request, form.get("csrf")):
        return _page(request, "The form had expired; reload the search and save it again.", 403)
    name = (form.get("name") or "").strip()
    params: dict[str, list[str] | str] = {}
    for k, v in parse_qsl(form.get("search", ""), keep_blank_values=False):
        params.setdefault(k, []).append(v)  # type: ignore[union-attr]
    fields = {k: (v if k not in ("q", "sort", "date_from", "date_to", "duplicates") else v[0]) for k, v in params.items()}
    try:
        req = request_of({k: v for k, v in fields.items() if k not in ("page", "size")})
        request.app.state.service.search_body(req)  # the real query builder: an unparsable query is refused
        with runtime(request).ws.session() as db:
            saved.create(db, current_principal(request).name, name, saved_fields(req),
                         visibility="shared" if form.get("visibility") == "shared" else "private",
                         watch=form.get("watch") == "on")
    except PeriscopeError as exc:
        return _page(request, f"Not saved: {exc.detail}" + (f" ({exc.hint})" if exc.hint else ""), exc.status)
    except AlreadyExists as exc:
        return _page(request, f"Not saved: {exc}", 409)
    except InvalidValue as exc:
        return _page(request, f"Not saved: {exc}", 422)
    return RedirectResponse("/saved", status_code=303)


@router.get("/saved/{search_id}", response_class=HTMLResponse)
async def saved_one(request: Request, search_id: Annotated[int, Path(ge=1, le=2_147_483_647)]) -> Response:
    """New since the last visit; viewing it is the visit (the badge of this search goes back to 0)."""
    who = current_principal(request).name
    rt = runtime(request)
    try:
        with rt.ws.session() as db:
            s = saved.get(db, search_id, who)
            mine = s.owner == who
            new = ledger.matches(db, search_id, since=s.seen_at) if mine else []
            earlier = ledger.matches(db, search_id, limit=20) if mine else []
            dead = ledger.deliveries(db, saved_search_id=search_id, state="dead", limit=100) if mine else []
            if mine:
                saved.mark_seen(db, search_id, who)
    except NotFound:
        ctx = base_context(request) | {"items": [], "error": "No such saved search.", "csrf": form_token(request)}
        return templates.TemplateResponse(request, "saved.html", ctx, status_code=404)
    shown = {m.doc_id for m in new}
    ctx = base_context(request) | {"s": s, "mine": mine, "new": new, "earlier": [m for m in earlier if m.doc_id not in shown],
                                   "dead": dead, "run": search_url(s.request), "problem": s.query_error or query_problem(s.request),
                                   "feed": f"/feeds/saved-searches/{s.id}.atom?token={s.feed_token}" if mine else None}
    return templates.TemplateResponse(request, "saved_one.html", ctx)


def search_params(state: UiState) -> str:
    """The hidden ``search`` field of the "Save search" form: the current search's query string."""
    return urlencode(state.params(page=False))

