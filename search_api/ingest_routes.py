"""Ingestion bookkeeping over HTTP, for whoever maintains the database: the runs (``<alias>-ingest-runs``),
a run's failed items with their reasons (``<alias>-ingest-log``), and documents found by the id their
source gave them (``GET /api/v1/documents?external_id=…&source=…``)."""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import ApiError, NotFoundError, TransportError
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, create_model

from mappings.ingest_log import RUN_COUNT_FIELDS, log_index, runs_index
from mappings.vocabulary import MAX_VALUE_CHARS

from . import query as Q
from .access import Principal, restrict
from .errors import PeriscopeError
from .models import HitList
from .routes import PROBLEM_RESPONSES
from .security import current_principal, require_api_key, require_role
from .shaping import shape_hit

MAX_RUNS = 200
MAX_FAILURES = 1000
RunId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9T_-]+$",
                            description="A run id from GET /api/v1/ingest/runs")]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=PROBLEM_RESPONSES,
                   tags=["ingest"])


class RunNotFound(PeriscopeError):
    status = 404
    title = "Run not found"

    def __init__(self, run_id: str) -> None:
        super().__init__(f"no ingest run {run_id!r}", "list the runs with GET /api/v1/ingest/runs")


class _RunHead(BaseModel):
    run_id: str
    started_at: str | None = None
    finished_at: str | None = None
    description: str = ""


# the counters are the indexer's own (mappings.ingest_log.RunCounts), so a new one shows up here by itself
IngestRun = create_model(  # type: ignore[call-overload]
    "IngestRun", __base__=_RunHead, **{name: (int, 0) for name in RUN_COUNT_FIELDS},
    elapsed_s=(float, 0.0), docs_per_s=(float, 0.0), aborted=(str | None, None),
    failures_by_reason=(dict[str, int], Field(default_factory=dict)))


class IngestRuns(BaseModel):
    runs: list[IngestRun]


class IngestFailure(BaseModel):
    at: str | None = None
    origin: str
    reason: str
    detail: str = ""
    source: str = ""
    source_type: str = ""
    doc_id: str | None = None


class IngestFailures(BaseModel):
    run: IngestRun
    total: int
    failures: list[IngestFailure]


def _es(request: Request) -> Any:
    return request.app.state.es


def _alias(request: Request) -> str:
    return request.app.state.settings.index_alias


async def _search(es: Any, index: str, **body: Any) -> dict[str, Any] | None:
    """A search of a bookkeeping index; None when nothing was ever ingested (no index yet)."""
    try:
        return (await es.search(index=index, **body)).body
    except NotFoundError:
        return None
    except (ApiError, TransportError) as exc:
        from .errors import SearchUnavailable

        raise SearchUnavailable("the ingest log could not be read", "retry; if it persists, tell the operator") \
            from exc


async def read_runs(es: Any, alias: str, size: int) -> list[IngestRun]:
    res = await _search(es, runs_index(alias), size=size, sort=[{"started_at": "desc"}], query={"match_all": {}})
    return [IngestRun.model_validate(h["_source"]) for h in (res or {"hits": {"hits": []}})["hits"]["hits"]]


async def read_failures(es: Any, alias: str, run_id: str, reason: str | None, size: int) -> IngestFailures:
    runs = await _search(es, runs_index(alias), size=1, query={"term": {"run_id": run_id}})
    hits = (runs or {"hits": {"hits": []}})["hits"]["hits"]
    if not hits:
        raise RunNotFound(run_id)
    filters: list[dict[str, Any]] = [{"term": {"run_id": run_id}}] + ([{"term": {"reason": reason}}] if reason else [])
    res = await _search(es, log_index(alias), size=size, sort=[{"at": "asc"}], track_total_hits=True,
                        query={"bool": {"filter": filters}})
    found = (res or {"hits": {"hits": [], "total": {"value": 0}}})["hits"]
    return IngestFailures(run=IngestRun.model_validate(hits[0]["_source"]), total=found["total"]["value"],
                          failures=[IngestFailure.model_validate(h["_source"]) for h in found["hits"]])


@router.get("/ingest/runs", dependencies=[Depends(require_role("admin"))], response_model=IngestRuns, summary="Ingest runs, newest first, with counts by reason")
async def ingest_runs(request: Request, limit: Annotated[int, Query(ge=1, le=MAX_RUNS)] = 20) -> IngestRuns:
    return IngestRuns(runs=await read_runs(_es(request), _alias(request), limit))


@router.get("/ingest/runs/{run_id}/failures", dependencies=[Depends(require_role("admin"))],
            response_model=IngestFailures,
            summary="The items one run could not index, with their reasons")
async def ingest_failures(request: Request, run_id: RunId,
                          reason: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
                          size: Annotated[int, Query(ge=1, le=MAX_FAILURES)] = 100) -> IngestFailures:
    return await read_failures(_es(request), _alias(request), run_id, reason, size)


MAX_CHILDREN = 200


async def read_children(es: Any, alias: str, doc_id: str, principal: Principal) -> HitList:
    """The members of an archive / attachments of a message (documents whose ``parent`` is ``doc_id``)."""
    body = restrict({"query": {"bool": {"filter": [{"term": {"parent": doc_id}}]}}, "size": MAX_CHILDREN,
                     "sort": [{"path": {"order": "asc", "unmapped_type": "keyword"}}], "_source": Q.HIT_SOURCE},
                    principal)
    res = await _search(es, alias, **body)
    return HitList(hits=[shape_hit(h) for h in (res or {"hits": {"hits": []}})["hits"]["hits"]])


@router.get("/documents/{doc_id}/children", response_model=HitList,
            summary="Members of an archive, attachments of a message (documents whose parent this is)")
async def children(request: Request, principal: Annotated[Principal, Depends(current_principal)],
                   doc_id: Annotated[str, Path(min_length=1, max_length=512)]) -> HitList:
    return await read_children(_es(request), _alias(request), doc_id, principal)


@router.get("/documents", response_model=HitList, summary="Documents by the id their source gave them")
async def documents_by_external_id(
    request: Request, principal: Annotated[Principal, Depends(current_principal)],
    external_id: Annotated[str, Query(min_length=1, max_length=MAX_VALUE_CHARS, description="`--map id=…`, "
                                      "feed guid, Message-ID …")],
    source: Annotated[str | None, Query(min_length=1, max_length=MAX_VALUE_CHARS)] = None,
) -> HitList:
    filters = [{"term": {"external_id": external_id}}] + ([{"term": {"source": source}}] if source else [])
    body = restrict({"query": {"bool": {"filter": filters}}, "size": 50, "_source": Q.HIT_SOURCE}, principal)
    res = await _search(_es(request), _alias(request), **body)
    return HitList(hits=[shape_hit(h) for h in (res or {"hits": {"hits": []}})["hits"]["hits"]])
