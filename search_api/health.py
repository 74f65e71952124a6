"""``/health``: answers within ~2 s whatever Elasticsearch does, and tells strangers only ok/degraded.

Load balancers and uptime checks call it without a key, so it stays open; when API keys are on, an
unauthenticated caller learns only ``{"status": "ok" | "degraded"}``. Authorised callers who see every
collection (or every caller when keys are off) also get the cluster status, index, document count and versions. Neither
variant carries host names or Elasticsearch's error text (those go to the log).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from .errors import RETRY_AFTER_S, Unauthorized
from .models import Health, PublicHealth
from .request_id import current_request_id
from .security import auth_required, current_principal, require_api_key

log = logging.getLogger(__name__)


async def _authorised(request: Request, settings: Any) -> bool:
    """Details only for callers who may see every collection: the document count covers the whole index."""
    try:
        if auth_required(request):
            await require_api_key(request, request.headers.get("X-API-Key"))
        return current_principal(request).sees_everything
    except Unauthorized:
        return False


async def probe(es: Any, alias: str, budget: float) -> tuple[str, dict[str, Any]]:
    """(status, details) from three concurrent calls, all within ``budget`` seconds."""
    quick = es.options(request_timeout=budget, max_retries=0)
    calls = (quick.nodes.info(node_id="_local", filter_path="nodes.*.version"), quick.cluster.health(),
             quick.count(index=alias))
    try:
        async with asyncio.timeout(budget + 0.25):
            nodes, cluster, count = await asyncio.gather(*calls, return_exceptions=True)
    except TimeoutError:
        nodes = cluster = count = TimeoutError("health probe over budget")
    if isinstance(nodes, BaseException) or isinstance(cluster, BaseException):
        err = nodes if isinstance(nodes, BaseException) else cluster
        log.warning("[%s] health: Elasticsearch unavailable: %.500r", current_request_id(), err)
        return "elasticsearch-unavailable", {"error": "Elasticsearch is not reachable or did not answer in time"}
    details: dict[str, Any] = {
        "elasticsearch": next(iter(nodes.get("nodes", {}).values()), {}).get("version"),
        "cluster": {"name": cluster["cluster_name"], "status": cluster["status"]},
    }
    if isinstance(count, BaseException):  # typically index_not_found: the node is fine, the index is not there
        return "no-index", {**details, "documents": 0}
    return "ok", {**details, "documents": count["count"]}


def health_route(settings: Any, versions: dict[str, Any]):
    """The handler for ``/health`` and ``/api/v1/health`` (``settings``: the app's Settings)."""

    async def health(request: Request) -> JSONResponse:
        status, details = await probe(request.app.state.es, settings.index_alias, settings.api_health_timeout)
        down = status == "elasticsearch-unavailable"
        headers = {"Retry-After": str(RETRY_AFTER_S)} if down else None
        code = 503 if down else 200
        if not await _authorised(request, settings):
            public = PublicHealth(status="ok" if status == "ok" else "degraded")
            return JSONResponse(public.model_dump(), status_code=code, headers=headers)
        out = Health(status=status, index=settings.index_alias, cluster=details.get("cluster"),
                     documents=details.get("documents"), error=details.get("error"),
                     versions={**versions, "elasticsearch": details.get("elasticsearch")})
        return JSONResponse(out.model_dump(), status_code=code, headers=headers)

    return health
