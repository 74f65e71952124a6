"""``/api/v1/sources`` (registry, grades, history) and per-document credibility overrides (issue 16).

Grading a source records the grade with its rationale and author in the workspace, then stamps the new
reliability on the source's documents (:mod:`search_api.regrade`); the response says how many.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from mappings.grading import credibility_fields
from mappings.vocabulary import MAX_ID_CHARS
from workspace import sources as S

from .grading import (
    regrade, register_indexed_sources, require_grader, source_json, sync_es, workspace, workspace_errors,
)
from .auditing import audit_event
from .routes import PROBLEM_RESPONSES, Service, Who
from .security import require_api_key

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=PROBLEM_RESPONSES,
                   tags=["grading"])
SourceName = Annotated[str, Path(min_length=1, max_length=256, description="The source as indexed")]
DocId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)]


class GradeChange(BaseModel):
    reliability: str = Field(description="A-F (A completely reliable ... F reliability cannot be judged)",
                             max_length=8)
    rationale: str = Field("", max_length=S.MAX_RATIONALE, description="Why; required")
    type: str | None = Field(None, max_length=32)
    home_url: str | None = Field(None, max_length=500)
    country: str | None = Field(None, max_length=64)
    language: str | None = Field(None, max_length=16)
    owner: str | None = Field(None, max_length=200)
    affiliation: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)


class CredibilityChange(BaseModel):
    credibility: str | None = Field(description="1-6, or null to clear the override", max_length=8)
    rationale: str = Field("", max_length=S.MAX_RATIONALE, description="Why; required")


@router.get("/sources", summary="Sources with their reliability grades")
async def list_sources(request: Request, svc: Service, who: Who,
                       sort: Annotated[Literal[S.SORTABLE], Query()] = "name",  # type: ignore[valid-type]
                       desc: bool = False) -> dict[str, Any]:
    await register_indexed_sources(request, svc, who)
    ws = workspace(request)

    def read() -> list[S.SourceInfo]:
        with ws.session(readonly=True) as db:
            return S.list_sources(db, sort, desc)

    return {"sources": [source_json(s) for s in await asyncio.to_thread(read)],
            "scale": S.RELIABILITY}


@router.get("/sources/{name}", summary="One source with its full grade history")
async def get_source(name: SourceName, request: Request, svc: Service, who: Who) -> dict[str, Any]:
    await register_indexed_sources(request, svc, who)
    ws = workspace(request)

    def read() -> S.SourceInfo:
        with workspace_errors("name"), ws.session(readonly=True) as db:
            return S.get_source(db, name)

    return source_json(await asyncio.to_thread(read), history=True)


@router.patch("/sources/{name}", summary="Grade a source (A-F with a rationale); restamps its documents")
async def grade(name: SourceName, change: GradeChange, request: Request, svc: Service, who: Who) -> dict[str, Any]:
    author = require_grader(who)
    await register_indexed_sources(request, svc, who)
    ws = workspace(request)
    details = {k: v for k, v in change.model_dump(exclude={"reliability", "rationale"}).items() if v is not None}

    def write() -> S.SourceInfo:
        with workspace_errors("reliability"), ws.session() as db:
            if details:
                S.update_source(db, name, **details)
            return S.grade_source(db, name, change.reliability, change.rationale, author)[0]

    info = await asyncio.to_thread(write)
    audit_event(request, "source-grade", target=info.name, reliability=info.reliability, rationale=info.rationale,
                changes=sorted(details) or None)
    result = await regrade(request, info.name, info.reliability)
    return {**source_json(info, history=True),
            "regrade": {"updated": result.updated, "conflicts_retried": result.conflicts,
                        "failed": result.failed, "left": result.left, "seconds": round(result.seconds, 3)}}


@router.get("/documents/{doc_id}/credibility", summary="A document's credibility: computed, override, history")
async def credibility(doc_id: DocId, request: Request, svc: Service, who: Who) -> dict[str, Any]:
    doc = await svc.document(doc_id, who)  # 404 unless the caller may read it
    ws = workspace(request)

    def read() -> list[S.Override]:
        with ws.session(readonly=True) as db:
            return S.override_history(db, doc_id)

    history = await asyncio.to_thread(read)
    return {"id": doc_id, "reliability": doc.get("reliability"), "credibility": doc.get("credibility"),
            "corroboration": doc.get("corroboration"), "independent_sources": doc.get("independent_sources", []),
            "overridden": bool(doc.get("credibility_override")),
            "history": [{"credibility": o.credibility, "rationale": o.rationale, "author": o.author,
                         "at": o.created_at.isoformat()} for o in history]}


@router.put("/documents/{doc_id}/credibility", summary="Override a document's credibility (1-6, rationale required)")
async def override(doc_id: DocId, change: CredibilityChange, request: Request, svc: Service, who: Who
                   ) -> dict[str, Any]:
    author = require_grader(who)
    doc = await svc.document(doc_id, who)
    ws = workspace(request)

    def write() -> S.Override:
        with workspace_errors("credibility"), ws.session() as db:
            return S.override_credibility(db, doc_id, change.credibility, change.rationale, author)

    row = await asyncio.to_thread(write)
    audit_event(request, "credibility-override", target=doc_id, credibility=row.credibility, rationale=row.rationale)
    fields = credibility_fields(doc.get("corroboration"), row.credibility)
    es, alias = sync_es(request), request.app.state.settings.index_alias
    await asyncio.to_thread(lambda: es.update(index=alias, id=doc_id, doc=fields, refresh="wait_for",
                                              retry_on_conflict=3))
    return await credibility(doc_id, request, svc, who)
