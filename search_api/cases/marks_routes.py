"""``/api/v1``: marking while searching — star, tags, note, passage annotations — and searching the marks.

Marks belong to the caller (a principal name). Every route first fetches the document through the
search service, so a document the caller cannot read is a 404 here too, exactly as on ``/documents``.
Searching by star/tag turns the marks into a set of ids that the service applies in the same filter
as the access filter (:func:`search_api.access.restrict`), so marks can never widen what one sees.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mappings.vocabulary import MAX_ID_CHARS
from workspace import cases as C
from workspace import marks as M

from ..models import SearchRequest, SearchResponse
from ..routes import PROBLEM_RESPONSES, Service, Who
from ..security import require_api_key, require_write
from ..access import Principal
from .common import Store, problems

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], tags=["marks"],
                   responses={**PROBLEM_RESPONSES, 404: {"description": "No such document (or not readable by you)"}})
DocId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)]
Writer = Annotated[Principal, Depends(require_write)]
Tag = Annotated[str, Field(min_length=1, max_length=M.MAX_TAG_CHARS)]


class MarkIn(BaseModel):
    starred: bool | None = None
    note: str | None = Field(None, max_length=M.MAX_NOTE_CHARS)
    tags: list[Tag] | None = Field(None, max_length=M.MAX_TAGS_PER_DOC, description="Replaces the document's tags")


class MarkOut(BaseModel):
    doc_id: str
    starred: bool
    note: str
    tags: list[str]
    cases: list[int] = Field(default_factory=list, description="Your cases holding this document")


class AnnotationIn(BaseModel):
    start: int = Field(ge=0, le=100_000_000, description="Offset (Unicode code points) into the stored text")
    end: int = Field(ge=1, le=100_000_000)
    comment: str = Field("", max_length=M.MAX_NOTE_CHARS)
    field: Literal["body", "title"] = "body"


class AnnotationOut(BaseModel):
    id: int
    owner: str
    doc_id: str
    field: str
    start: int
    end: int
    quote: str
    comment: str


class TagCount(BaseModel):
    value: str
    count: int


class MarkedSearchResponse(SearchResponse):
    marks: dict[str, list[TagCount] | int] = Field(
        default_factory=dict, description="starred: results you starred; tags: results per tag of yours")


def mark_out(db, who: str, m: M.MarkInfo) -> MarkOut:  # noqa: ANN001 - SQLAlchemy session
    return MarkOut(doc_id=m.doc_id, starred=m.starred, note=m.note, tags=list(m.tags),
                   cases=C.cases_of_document(db, who, m.doc_id))


@router.get("/documents/{doc_id}/marks", response_model=MarkOut, summary="Your star, tags and note on a document")
async def get_marks(doc_id: DocId, svc: Service, who: Who, ws: Store) -> MarkOut:
    await svc.document(doc_id, who)  # 404 when unreadable
    with ws.session(readonly=True) as db:
        return mark_out(db, who.name, M.get(db, who.name, doc_id))


@router.put("/documents/{doc_id}/marks", response_model=MarkOut, summary="Star, tag or note a document (given fields only)")
async def put_marks(doc_id: DocId, body: MarkIn, svc: Service, who: Writer, ws: Store) -> MarkOut:
    await svc.document(doc_id, who)
    with problems(), ws.session() as db:
        m = M.set_mark(db, who.name, doc_id, starred=body.starred, note=body.note, tags=body.tags)
        return mark_out(db, who.name, m)


def annotation_out(a: M.AnnotationInfo) -> AnnotationOut:
    return AnnotationOut(id=a.id, owner=a.owner, doc_id=a.doc_id, field=a.field, start=a.start, end=a.end,
                         quote=a.quote, comment=a.comment)


@router.get("/documents/{doc_id}/annotations", response_model=list[AnnotationOut],
            summary="Your annotations on a document, and those of your case co-members")
async def list_annotations(doc_id: DocId, svc: Service, who: Who, ws: Store) -> list[AnnotationOut]:
    await svc.document(doc_id, who)
    with ws.session(readonly=True) as db:
        owners = {who.name} | {m for cid in C.cases_of_document(db, who.name, doc_id) for m in C.get(db, cid, who.name).members}
        return [annotation_out(a) for a in M.annotations(db, owners, [doc_id])]


@router.post("/documents/{doc_id}/annotations", response_model=AnnotationOut, status_code=201,
             summary="Highlight a passage (offsets into the stored text) with a comment; 422 outside the text")
async def annotate(doc_id: DocId, body: AnnotationIn, svc: Service, who: Writer, ws: Store) -> AnnotationOut:
    doc = await svc.document(doc_id, who)
    text = doc.get(body.field) or ""
    with problems(), ws.session() as db:
        return annotation_out(M.annotate(db, who.name, doc_id, text, body.start, body.end, body.comment, body.field))


@router.delete("/annotations/{annotation_id}", status_code=204, summary="Delete one of your annotations")
async def delete_annotation(annotation_id: Annotated[int, Path(ge=1, le=2_147_483_647)], who: Writer, ws: Store) -> Response:
    with problems("list a document's annotations with GET /api/v1/documents/{id}/annotations"), ws.session() as db:
        M.delete_annotation(db, who.name, annotation_id)
    return Response(status_code=204)


@router.get("/tags", response_model=list[str], summary="Your tags starting with a prefix (autocomplete)")
async def tags(who: Who, ws: Store, prefix: Annotated[str, Query(max_length=M.MAX_TAG_CHARS)] = "",
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> list[str]:
    with ws.session(readonly=True) as db:
        return M.tag_suggestions(db, [who.name], prefix, size)


async def marked_ids(ws, who: Principal, starred: bool, tag: list[str], case: int | None) -> list[str] | None:  # noqa: ANN001
    """The ids the marks filter allows (None: no marks filter). Within a case: its members' marks."""
    if not starred and not tag and case is None:
        return None
    with problems(), ws.session(readonly=True) as db:
        owners: list[str] = [who.name]
        within = None
        if case is not None:
            info = C.get(db, case, who.name)
            owners = list(info.members)
            within = [d.doc_id for d in C.documents(db, case, who.name)]
        if not starred and not tag:
            return within or []
        return sorted(M.doc_ids(db, owners, starred=starred, tags=tag, within=within))


async def mark_facets(ws, svc, req: SearchRequest, who: Principal, within: list[str] | None) -> dict:  # noqa: ANN001
    """Star and tag counts among the results (the caller's own marks), counted by Elasticsearch."""
    with ws.session(readonly=True) as db:
        groups = {"starred": sorted(M.starred_ids(db, [who.name]))}
        tag_index = M.tag_index(db, [who.name])
    groups |= {f"tag:{t}": ids for t, ids in list(tag_index.items())[:100]}
    if within is not None:
        allowed = set(within)
        groups = {k: [i for i in v if i in allowed] for k, v in groups.items()}
    counts = await svc.count_groups(req, who, {k: v for k, v in groups.items() if v})
    tags_out = [TagCount(value=k[4:], count=n) for k, n in counts.items() if k.startswith("tag:") and n]
    return {"starred": counts.get("starred", 0), "tags": sorted(tags_out, key=lambda t: (-t.count, t.value))}


@router.get("/marks/search", response_model=MarkedSearchResponse,
            summary="Search within your starred / tagged documents or a case's (same parameters as /search)")
async def marked_search(req: Annotated[SearchRequest, Query()], svc: Service, who: Who, ws: Store,
                        starred: bool = False, tag: Annotated[list[Tag], Query(max_length=20)] = [],  # noqa: B006
                        case: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> MarkedSearchResponse:
    within = await marked_ids(ws, who, starred, tag, case)
    res = await svc.search(req, who, within=within)
    return MarkedSearchResponse(**res.model_dump(), marks=await mark_facets(ws, svc, req, who, within))
