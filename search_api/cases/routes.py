"""``/api/v1/cases``: case files — documents (with why), saved searches, notes, members, status, BLUF —
and the briefing product (``/api/v1/cases/{id}/briefing?format=html|pdf|docx|md``).

A case you are not a member of is a 404. Adding a document checks you can read it; listing a case shows
each member only the documents their own collections allow (see :mod:`.view`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mappings.vocabulary import MAX_ID_CHARS
from workspace import cases as C
from workspace import users

from ..access import Principal
from ..routes import PROBLEM_RESPONSES, Service, Who
from ..security import require_api_key, require_write
from . import briefing
from .common import Store, problems
from .view import case_view

router = APIRouter(prefix="/api/v1/cases", dependencies=[Depends(require_api_key)], tags=["cases"],
                   responses={**PROBLEM_RESPONSES, 404: {"description": "No such case (or you are not a member)"},
                              409: {"description": "Already there"}})
CaseId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Id from GET /api/v1/cases")]
Writer = Annotated[Principal, Depends(require_write)]
Status = Literal["open", "closed", "archived"]


class CaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    status: Status = "open"
    classification: str = Field("", max_length=500, description="Classification / handling line (free text)")
    summary: str = Field("", max_length=20_000, description="BLUF / summary")
    judgements: str = Field("", max_length=20_000, description="Key judgements, one a line")


class CasePatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    status: Status | None = None
    classification: str | None = Field(None, max_length=500)
    summary: str | None = Field(None, max_length=20_000)
    judgements: str | None = Field(None, max_length=20_000)


class CaseOut(BaseModel):
    id: int
    name: str
    owner: str
    status: str
    classification: str
    summary: str
    judgements: str
    members: list[str]
    created_at: datetime
    updated_at: datetime


class DocumentIn(BaseModel):
    doc_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    reason: str = Field("", max_length=5_000, description="Why it was added")


class MemberIn(BaseModel):
    member: str = Field(min_length=1, max_length=200)


class SearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(max_length=4_000, description="The search page's query string, e.g. q=hormuz&language=en")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


def case_out(c: C.CaseInfo) -> CaseOut:
    return CaseOut(**{k: getattr(c, k) for k in CaseOut.model_fields if k != "members"}, members=list(c.members))


@router.get("", response_model=list[CaseOut], summary="Your cases")
async def listing(who: Who, ws: Store) -> list[CaseOut]:
    with ws.session(readonly=True) as db:
        return [case_out(c) for c in C.visible(db, who.name)]


@router.post("", response_model=CaseOut, status_code=201, summary="Open a case")
async def create(body: CaseIn, who: Writer, ws: Store) -> CaseOut:
    with problems(), ws.session() as db:
        return case_out(C.create(db, who.name, **body.model_dump()))


@router.get("/{case_id}", summary="A case: documents you may read, excerpts, notes, searches, entities, timeline")
async def one(case_id: CaseId, svc: Service, who: Who, ws: Store) -> dict:
    with problems():
        view = await case_view(ws, svc, who, case_id)
    return {
        **case_out(view.case).model_dump(mode="json"),
        "documents": [{"id": d.id, "title": d.title, "url": d.url, "source": d.source, "published_at": d.published_at,
                       "rating": d.rating, "reason": d.reason, "added_by": d.added_by, "tags": d.tags} for d in view.docs],
        "annotations": [{"id": e.id, "doc_id": e.doc.id, "quote": e.quote, "comment": e.comment, "owner": e.owner,
                         "start": e.start, "end": e.end, "field": e.field} for e in view.excerpts],
        "notes": [{"id": n.id, "author": n.author, "text": n.text, "created_at": n.created_at.isoformat()} for n in view.notes],
        "searches": [{"id": s.id, "name": s.name, "query": s.query, "url": "/?" + s.query} for s in view.searches],
        "entities": [{"type": t, "name": n, "documents": c} for t, n, c in view.entities],
        "timeline": [{"date": d, "count": c} for d, c in view.timeline],
    }


@router.patch("/{case_id}", response_model=CaseOut, summary="Rename, change status, classification, BLUF, judgements")
async def patch(case_id: CaseId, body: CasePatch, who: Writer, ws: Store) -> CaseOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    with problems(), ws.session() as db:
        return case_out(C.update(db, case_id, who.name, **changes))


@router.delete("/{case_id}", status_code=204, summary="Delete a case (its creator only)")
async def remove(case_id: CaseId, who: Writer, ws: Store) -> Response:
    with problems(), ws.session() as db:
        C.delete(db, case_id, who.name)
    return Response(status_code=204)


@router.post("/{case_id}/documents", status_code=201, summary="Add a document (with why); it must be readable by you")
async def add_document(case_id: CaseId, body: DocumentIn, svc: Service, who: Writer, ws: Store) -> dict:
    with problems(), ws.session(readonly=True) as db:
        C.get(db, case_id, who.name)  # 404 for a non-member before anything else
    await svc.document(body.doc_id, who)  # 404 when you cannot read it
    with problems(), ws.session() as db:
        d = C.add_document(db, case_id, who.name, body.doc_id, body.reason)
    return {"doc_id": d.doc_id, "reason": d.reason, "added_by": d.added_by, "added_at": d.added_at.isoformat()}


@router.delete("/{case_id}/documents/{doc_id}", status_code=204, summary="Take a document out of a case")
async def remove_document(case_id: CaseId, doc_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
                          who: Writer, ws: Store) -> Response:
    with problems(), ws.session() as db:
        C.remove_document(db, case_id, who.name, doc_id)
    return Response(status_code=204)


@router.post("/{case_id}/members", response_model=CaseOut, status_code=201, summary="Add a member (an existing user)")
async def add_member(case_id: CaseId, body: MemberIn, who: Writer, ws: Store) -> CaseOut:
    with problems(), ws.session() as db:
        if users.has_users(db):
            member = users.require_user(db, body.member).username  # NotFound with close-name suggestions
        else:
            member = body.member.strip()
        return case_out(C.add_member(db, case_id, who.name, member))


@router.delete("/{case_id}/members/{member}", response_model=CaseOut, summary="Remove a member")
async def remove_member(case_id: CaseId, member: Annotated[str, Path(min_length=1, max_length=200)],
                        who: Writer, ws: Store) -> CaseOut:
    with problems(), ws.session() as db:
        return case_out(C.remove_member(db, case_id, who.name, member))


@router.post("/{case_id}/searches", status_code=201, summary="Keep a search with the case")
async def add_search(case_id: CaseId, body: SearchIn, who: Writer, ws: Store) -> dict:
    with problems(), ws.session() as db:
        s = C.add_search(db, case_id, who.name, body.name, body.query.lstrip("?"))
    return {"id": s.id, "name": s.name, "query": s.query, "url": "/?" + s.query}


@router.post("/{case_id}/notes", status_code=201, summary="Add a note to the case")
async def add_note(case_id: CaseId, body: NoteIn, who: Writer, ws: Store) -> dict:
    with problems(), ws.session() as db:
        n = C.add_note(db, case_id, who.name, body.text)
    return {"id": n.id, "author": n.author, "text": n.text, "created_at": n.created_at.isoformat()}


@router.get("/{case_id}/briefing", summary="The briefing product: html (print-ready), pdf, docx or md",
            responses={200: {"content": {"text/html": {}, "application/pdf": {}, "text/markdown": {},
                                         briefing.DOCX_TYPE: {}}},
                       400: {"description": "A template error (names the template and line)"},
                       422: {"description": "The case holds no document you can read"}})
async def export_briefing(case_id: CaseId, request: Request, svc: Service, who: Who, ws: Store,
                          format: briefing.Format = "html") -> Response:  # noqa: A002
    with problems():
        view = await case_view(ws, svc, who, case_id)
    if not view.docs:
        raise briefing.EmptyCase("the case holds no document you can read, so there is nothing to brief",
                                 "add documents to the case (POST /api/v1/cases/{id}/documents) and export again")
    product = await briefing.render(view, format, request.app.state.settings)
    # the product's own policy: its inline CSS and SVG only, nothing fetched from anywhere
    return Response(product.content, media_type=product.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{product.filename}"',
                             "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"})
