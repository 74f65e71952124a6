"""HTTP routes of the versioned API (``/api/v1``): thin wrappers over :class:`SearchService`.

Every route passes the request's :class:`~search_api.access.Principal` (``Depends(current_principal)``)
to the service, which applies the need-to-know filter to whatever it sends.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from mappings.vocabulary import MAX_FACET_SIZE, MAX_ID_CHARS, MAX_PREFIX_CHARS, MAX_SIMILAR, MAX_SUGGEST

from .models import ExportRequest, FacetName, FacetValues, HitList, SearchRequest, SearchResponse, Suggestions
from .access import Principal
from .security import current_principal, require_api_key
from .export import csv_cell, stream_export  # noqa: F401 - csv_cell is imported from here by warning_routes
from .service import SearchService

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Query syntax error (problem+json with a hint)"},
    401: {"description": "API key missing or wrong"},
    422: {"description": "Invalid parameter (problem+json naming the field)"},
    503: {"description": "Elasticsearch unavailable (Retry-After)"},
}

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=PROBLEM_RESPONSES)
DocId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, description="Document id from a search hit")]


def service(request: Request) -> SearchService:
    return request.app.state.service


Service = Annotated[SearchService, Depends(service)]
Who = Annotated[Principal, Depends(current_principal)]


@router.get("/search", response_model=SearchResponse, summary="Search (query parameters)")
async def search_get(req: Annotated[SearchRequest, Query()], svc: Service, who: Who) -> SearchResponse:
    return await svc.search(req, who)


@router.post("/search", response_model=SearchResponse, summary="Search (JSON body)")
async def search_post(req: SearchRequest, svc: Service, who: Who) -> SearchResponse:
    return await svc.search(req, who)


@router.get("/facets/{name}", response_model=FacetValues, summary="Search within one facet's values")
async def facet_values(
    name: FacetName, req: Annotated[SearchRequest, Query()], svc: Service, who: Who,
    prefix: Annotated[str, Query(max_length=MAX_PREFIX_CHARS)] = "",
    size: Annotated[int, Query(ge=1, le=MAX_FACET_SIZE)] = 20,
) -> FacetValues:
    return await svc.facet_values(name, req, who, prefix, size)


@router.get("/documents/{doc_id}", summary="One whole document with entity mentions (no vector)")
async def document(doc_id: DocId, svc: Service, who: Who) -> dict[str, Any]:
    return await svc.document(doc_id, who)


@router.get("/documents/{doc_id}/similar", response_model=HitList, summary="More like this (text + vector)")
async def similar(doc_id: DocId, svc: Service, who: Who,
                  size: Annotated[int, Query(ge=1, le=MAX_SIMILAR)] = 10) -> HitList:
    return await svc.similar(doc_id, who, size)


@router.get("/documents/{doc_id}/duplicates", response_model=HitList, summary="Near-duplicates of a document")
async def duplicates(doc_id: DocId, svc: Service, who: Who) -> HitList:
    return await svc.duplicates(doc_id, who)


@router.get("/suggest", response_model=Suggestions, summary="Completions from titles and entity names")
async def suggest(svc: Service, who: Who, q: Annotated[str, Query(max_length=MAX_PREFIX_CHARS)] = "",
                  size: Annotated[int, Query(ge=1, le=MAX_SUGGEST)] = 10) -> Suggestions:
    return await svc.suggest(q, who, size)


@router.get("/export", summary="Export the whole result set as CSV or JSON lines (streamed; operator-set row limit)",
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                             "headers": {"X-Export-Total": {"description": "Matching documents"},
                                         "X-Export-Rows": {"description": "Rows in this file (progress)"}}}})
async def export(req: Annotated[ExportRequest, Query()], request: Request, svc: Service, who: Who,
                 limit: Annotated[int | None, Query(ge=1, description="At most this many rows (the operator's limit applies)")] = None,
                 query_comment: Annotated[bool, Query(description="CSV: a first '#' line naming the query and date")] = False,
                 ) -> StreamingResponse:
    max_rows = request.app.state.settings.export_max_rows
    return await stream_export(req, svc, who, request, min(limit or max_rows, max_rows), query_comment=query_comment)
