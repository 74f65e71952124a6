"""The FastAPI application: versioned search API, health, and (later) the analyst UI."""

from __future__ import annotations

from contextlib import asynccontextmanager

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request

from mappings.client import async_es_client
from mappings.install import current_index
from periscope.settings import Settings, get_settings

API_VERSION = "v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.es = async_es_client(settings)
        try:
            yield
        finally:
            await app.state.es.close()

    app = FastAPI(title="Periscope", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings

    async def health(request: Request) -> dict:
        es = request.app.state.es
        alias = settings.index_alias
        out: dict = {"status": "ok", "index": alias, "cluster": None, "documents": None}
        try:
            h = await es.cluster.health()
            out["cluster"] = {"name": h["cluster_name"], "status": h["status"]}
            try:
                out["documents"] = (await es.count(index=alias))["count"]
            except ApiError:
                out["documents"] = 0
                out["status"] = "no-index"
        except (ApiError, TransportError) as exc:
            out["status"] = "elasticsearch-unavailable"
            out["error"] = str(exc)[:200]
        return out

    app.get("/health")(health)
    app.get(f"/api/{API_VERSION}/health")(health)
    return app
