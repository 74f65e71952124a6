"""The Cases pages and the marking panel of the document page (issue 18).

Every state-changing form carries the CSRF token (as the Saved forms do) and answers with a redirect
(303) back to the page it came from, or with a short page naming the problem (4xx). Documents of a
case are read through the search service as the signed-in member, so the access filter hides what
they may not read (see :mod:`search_api.cases.view`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import Request

from workspace import AlreadyExists, InvalidValue, NotFound
from workspace import cases as C
from workspace import marks as M
from workspace import users

from ..cases.chart import timeline_svg
from ..cases.marks_routes import mark_facets, marked_ids
from ..models import SearchRequest
from ..cases.view import case_view
from ..errors import PeriscopeError
from ..security import current_principal
from .auth import form_fields, require_ui_session
from .csrf import form_token, token_ok
from .errors import ui_error
from .hits import hit_view
from .templating import base_context, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_ui_session)])
CaseId = Annotated[int, Path(ge=1, le=2_147_483_647)]
EXPIRED = "The form had expired; reload the page and try again."


def doc_marks(request: Request, doc_id: str) -> dict[str, Any]:
    """What the document page's marking panel shows (a template global: the page itself needs no change)."""
    who = current_principal(request).name
    ws = request.app.state.workspace
    with ws.session(readonly=True) as db:
        mark = M.get(db, who, doc_id)
        in_cases = C.cases_of_document(db, who, doc_id)
        owners = {who} | {m for cid in in_cases for m in C.get(db, cid, who).members}
        notes = M.annotations(db, owners, [doc_id])
        mine = [c for c in C.visible(db, who) if c.status == "open"]
        suggestions = M.tag_suggestions(db, [who], "", 50)
    return {"mark": mark, "annotations": notes, "cases": mine, "in_cases": set(in_cases),
            "suggestions": suggestions, "csrf": form_token(request), "doc_url": "/doc/" + quote(doc_id, safe="")}


templates.env.globals["doc_marks"] = doc_marks


def message(request: Request, title: str, text: str, status: int, back: str) -> Response:
    ctx = base_context(request) | {"title": title, "text": text, "back": back}
    return templates.TemplateResponse(request, "case_message.html", ctx, status_code=status)


def _store_error(request: Request, exc: Exception, back: str) -> Response:
    if isinstance(exc, NotFound):
        return message(request, "Not found", str(exc), 404, back)
    if isinstance(exc, AlreadyExists):
        return message(request, "Already there", str(exc), 409, back)
    if isinstance(exc, PeriscopeError):
        return message(request, exc.title, exc.detail + (f" ({exc.hint})" if exc.hint else ""), exc.status, back)
    return message(request, "Not saved", str(exc), 422, back)


async def _form(request: Request) -> dict[str, str] | None:
    form = await form_fields(request)
    return form if token_ok(request, form.get("csrf")) else None


# --- marking from the document page ----------------------------------------------------------------------
def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _set_marks(db, who: str, doc_id: str, doc: dict, form: dict[str, str]) -> None:  # noqa: ANN001
    tags = [t for t in (form.get("tags") or "").split(",") if t.strip()]
    M.set_mark(db, who, doc_id, starred=form.get("starred") == "on", note=form.get("note", ""), tags=tags)


def _annotate(db, who: str, doc_id: str, doc: dict, form: dict[str, str]) -> None:  # noqa: ANN001
    field = form.get("field") or "body"
    text = (doc.get(field) or "") if field in ("body", "title") else ""
    M.annotate(db, who, doc_id, text, _int(form.get("start")), _int(form.get("end")), form.get("comment", ""), field)


def _add_to_case(db, who: str, doc_id: str, doc: dict, form: dict[str, str]) -> None:  # noqa: ANN001
    C.add_document(db, _int(form.get("case")), who, doc_id, form.get("reason", ""))


DOC_ACTIONS = {"marks": _set_marks, "annotate": _annotate, "case-documents": _add_to_case}


@router.post("/ui/{action}/{doc_id:path}")
async def document_action(request: Request, action: str, doc_id: str) -> Response:
    """The forms of the marking panel: CSRF, the document must be readable (else 404), then one store change."""
    back = "/doc/" + quote(doc_id, safe="")
    change = DOC_ACTIONS.get(action)
    if change is None:
        return message(request, "Not found", f"no form {action!r} here.", 404, back)
    form = await _form(request)
    if form is None:
        return message(request, "Form expired", EXPIRED, 403, back)
    who = current_principal(request)
    try:
        doc = await request.app.state.service.document(doc_id, who)
        with request.app.state.workspace.session() as db:
            change(db, who.name, doc_id, doc, form)
    except (PeriscopeError, InvalidValue, NotFound) as exc:
        return _store_error(request, exc, back)
    return RedirectResponse(back + "#marks", status_code=303)


# --- the Cases pages -------------------------------------------------------------------------------------
def _cases_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    who = current_principal(request).name
    with request.app.state.workspace.session(readonly=True) as db:
        rows = C.visible(db, who)
        counts = {c.id: len(C.documents(db, c.id, who)) for c in rows}
        tags = M.tag_counts(db, who)
        starred = len(M.starred_ids(db, [who]))
    ctx = base_context(request) | {"cases": rows, "counts": counts, "tags": sorted(tags.items()), "starred": starred,
                                   "error": error, "csrf": form_token(request)}
    return templates.TemplateResponse(request, "cases.html", ctx, status_code=status)


@router.get("/cases", response_class=HTMLResponse)
async def cases_page(request: Request) -> Response:
    return _cases_page(request)


@router.post("/cases")
async def create_case(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _cases_page(request, EXPIRED, 403)
    try:
        with request.app.state.workspace.session() as db:
            case = C.create(db, current_principal(request).name, form.get("name", ""),
                            classification=form.get("classification", "")[:500])
    except InvalidValue as exc:
        return _cases_page(request, f"Not created: {exc}", 422)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: CaseId, group: str = "tag") -> Response:
    who = current_principal(request)
    try:
        view = await case_view(request.app.state.workspace, request.app.state.service, who, case_id)
    except (NotFound, PeriscopeError) as exc:
        return _store_error(request, exc, "/cases")
    grouped = list(view.by_tag.items()) if group == "tag" else view.by_date()
    if group == "tag":
        tagged = {d.id for ds in view.by_tag.values() for d in ds}
        untagged = [d for d in view.docs if d.id not in tagged]
        grouped += [("untagged", untagged)] if untagged else []
    ctx = base_context(request) | {"v": view, "group": "tag" if group == "tag" else "date", "grouped": grouped,
                                   "chart": timeline_svg(view.timeline), "csrf": form_token(request),
                                   "mine": view.case.owner == who.name}
    return templates.TemplateResponse(request, "case.html", ctx)


@router.post("/cases/{case_id}/{action}")
async def case_action(request: Request, case_id: CaseId, action: str) -> Response:
    back = f"/cases/{case_id}"
    form = await _form(request)
    if form is None:
        return message(request, "Form expired", EXPIRED, 403, back)
    who = current_principal(request).name
    try:
        with request.app.state.workspace.session() as db:
            if action == "edit":
                C.update(db, case_id, who, name=form.get("name", ""), status=form.get("status", "open"),
                         classification=form.get("classification", "")[:500], summary=form.get("summary", ""),
                         judgements=form.get("judgements", ""))
            elif action == "notes":
                C.add_note(db, case_id, who, form.get("text", ""))
            elif action == "members":
                name = form.get("member", "").strip()
                member = users.require_user(db, name).username if users.has_users(db) else name
                if not member:
                    raise InvalidValue("type the user name of the member to add.")
                C.add_member(db, case_id, who, member)
            elif action == "searches":
                query = form.get("query", "")
                C.add_search(db, case_id, who, form.get("name", ""), query.split("?", 1)[1] if "?" in query else query)
            elif action == "remove-document":
                C.remove_document(db, case_id, who, form.get("doc_id", ""))
            else:
                raise NotFound("case action", action)
    except (InvalidValue, NotFound, AlreadyExists) as exc:
        return _store_error(request, exc, back)
    return RedirectResponse(back, status_code=303)


# --- searching your marks: stars and tags as filters and facets ------------------------------------------
@router.get("/marked", response_class=HTMLResponse)
async def marked_page(request: Request, q: str = "", starred: bool = False, tag: str = "", page: int = 1) -> Response:
    """Your starred / tagged documents, searchable; the sidebar counts results per star and tag."""
    who = current_principal(request)
    ws = request.app.state.workspace
    ctx = base_context(request) | {"q": q, "starred": starred, "tag": tag, "hits": [], "facets": None, "error": None}
    try:
        req = SearchRequest.model_validate({"q": q, "page": max(1, min(page, 500)), "size": 20, "facet_size": 0})
        within = await marked_ids(ws, who, starred, [tag] if tag else [], None)
        if within is None:  # no filter chosen: everything you marked (starred or tagged)
            with ws.session(readonly=True) as db:
                within = sorted(M.starred_ids(db, [who.name]) | {d for ds in M.tag_index(db, [who.name]).values() for d in ds})
        res = await request.app.state.service.search(req, who, within=within)
        ctx |= {"hits": [hit_view(h) for h in res.hits], "total": res.total.value,
                "facets": await mark_facets(ws, request.app.state.service, req, who, None)}
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        ctx["error"] = err = ui_error(exc, request)
        return templates.TemplateResponse(request, "marked.html", ctx, status_code=err.status)
    return templates.TemplateResponse(request, "marked.html", ctx)
