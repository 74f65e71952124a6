"""Grading glue shared by the API routes and the Sources page: the workspace, a sync client, errors.

The workspace store and a synchronous Elasticsearch client (regrades run in a worker thread, see
:mod:`search_api.regrade`) are opened on first use and kept on ``app.state``. Workspace errors become
the search layer's exceptions here, so both the API (problem+json) and the UI map them by type.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elasticsearch import Elasticsearch
from fastapi import Request

from mappings.client import es_client
from workspace import InvalidValue, NotFound, Workspace, open_store
from workspace import sources as S

from .access import Principal
from .errors import InvalidParameter, PeriscopeError
from .regrade import UpdateResult, regrade_source
from .security import Forbidden
from .service import SearchService

GRADERS = ("admin", "analyst")
MAX_SOURCES = 1000  # distinct ``source`` values registered from the index in one go
_lock = threading.Lock()


class SourceNotFound(PeriscopeError):
    status = 404
    title = "Source not found"
    type = "/problems/not-found"


@contextmanager
def workspace_errors(field: str) -> Iterator[None]:
    try:
        yield
    except NotFound as exc:
        hint = f"did you mean {' or '.join(exc.suggestions)}?" if exc.suggestions else "see GET /api/v1/sources"
        raise SourceNotFound(str(exc), hint) from None
    except InvalidValue as exc:
        raise InvalidParameter(field, str(exc), "correct the value and try again") from None


def workspace(request: Request) -> Workspace:
    state = request.app.state
    with _lock:
        if getattr(state, "workspace", None) is None:
            state.workspace = open_store(state.settings.workspace_url)
        return state.workspace


def sync_es(request: Request) -> Elasticsearch:
    state = request.app.state
    with _lock:
        if getattr(state, "grading_es", None) is None:
            state.grading_es = es_client(state.settings.api_es_connection())
        return state.grading_es


def require_grader(who: Principal) -> str:
    """Grading is for analysts and administrators; returns the author name kept in the history."""
    if who.role not in GRADERS or getattr(who, "read_only", False):
        raise Forbidden(f"grading needs the analyst or admin role; you are {who.role}",
                         "ask an administrator to grade, or for the analyst role")
    return who.name


async def register_indexed_sources(request: Request, svc: SearchService, who: Principal) -> list[str]:
    """Register (grade F) every ``source`` value of the index the caller can see: lazy auto-registration."""
    body = {"size": 0, "aggs": {"sources": {"terms": {"field": "source", "size": MAX_SOURCES}}}}
    resp = await svc._search(body, who)  # the service's wrapper: the access filter applies
    names = [b["key"] for b in resp["aggregations"]["sources"]["buckets"]]
    ws = workspace(request)

    def add() -> list[str]:
        with ws.session() as db:
            return S.ensure_sources(db, names, by="periscope (seen in the index)")

    return await asyncio.to_thread(add) if names else []


async def regrade(request: Request, name: str, reliability: str) -> UpdateResult:
    es, alias = sync_es(request), request.app.state.settings.index_alias
    return await asyncio.to_thread(regrade_source, es, alias, name, reliability)


def source_json(info: S.SourceInfo, *, history: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": info.name, "type": info.type, "home_url": info.home_url, "country": info.country,
        "language": info.language, "owner": info.owner, "affiliation": info.affiliation,
        "description": info.description, "reliability": info.reliability, "reliability_label": info.label,
        "rationale": info.rationale, "graded_by": info.graded_by, "graded_at": info.graded_at.isoformat(),
        "auto_registered": info.auto_registered,
    }
    if history:
        out["history"] = [{"reliability": h.reliability, "label": S.RELIABILITY[h.reliability],
                           "rationale": h.rationale, "graded_by": h.graded_by, "graded_at": h.graded_at.isoformat()}
                          for h in info.history]
    return out
