"""The FastAPI application: versioned search API, health, metrics, and the analyst UI at ``/``."""

from __future__ import annotations

from contextlib import asynccontextmanager

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from mappings import CURRENT_VERSION
from mappings.client import async_es_client
from periscope.settings import Settings, get_settings

from . import routes, ui
from .apidocs import install_docs
from .errors import RETRY_AFTER_S, install_handlers
from .headers import SecurityHeadersMiddleware
from .metrics import Metrics, MetricsMiddleware
from .models import Health
from .ratelimit import FailureLimiter
from .security import KeyRing
from .service import SearchService
from .sessions import Sessions, SqliteSessionStore

API_VERSION = "v1"
DESCRIPTION = """Faceted search over enriched open-source documents.

Query syntax (`q`): words, `"phrases"`, `AND` / `OR` / `NOT`, `+required`, `-excluded`, `prefix*`,
`field:value` (fields: title, body, language, source, source_type, topics, countries, person, org,
location, other, keywords, author, url, id; also country, topic, keyword, lang, place, organisation) and
parentheses. Errors are RFC 9457 problem+json.
"""


def create_app(settings: Settings | None = None, *, default_operator: str = "and") -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # A pool as wide as the concurrency we serve: the client default (10) queues requests under load.
        app.state.es = async_es_client(settings, connections_per_node=64)
        app.state.service = SearchService(app.state.es, settings.index_alias, default_operator=default_operator)
        try:
            yield
        finally:
            await app.state.es.close()

    # docs, redoc and openapi.json are served by install_docs (local assets, CSP, key check)
    app = FastAPI(title="Periscope search API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    # --- web security: hashed keys, sessions (shared by the workers), sign-in limit, headers ----------
    app.state.keyring = KeyRing(settings.api_keys)
    app.state.sessions = Sessions(SqliteSessionStore(settings.cache_dir / "sessions.sqlite3"),
                                  settings.resolved_secret(), settings.session_ttl_s)
    app.state.login_limiter = FailureLimiter(settings.login_failures_per_minute, 60.0)
    app.add_middleware(SecurityHeadersMiddleware)
    install_docs(app, metrics)
    # -------------------------------------------------------------------------------------------------
    install_handlers(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["X-API-Key", "Content-Type"], max_age=600)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    async def health(request: Request) -> JSONResponse:
        es = request.app.state.es
        alias = settings.index_alias
        out = Health(status="ok", index=alias, versions={"api": API_VERSION, "app": app.version,
                                                         "contract": CURRENT_VERSION})
        try:
            nodes = await es.nodes.info(node_id="_local", filter_path="nodes.*.version")
            out.versions["elasticsearch"] = next(iter(nodes.get("nodes", {}).values()), {}).get("version")
            h = await es.cluster.health()
            out.cluster = {"name": h["cluster_name"], "status": h["status"]}
            try:
                out.documents = (await es.count(index=alias))["count"]
            except ApiError:
                out.documents = 0
                out.status = "no-index"
        except (ApiError, TransportError) as exc:
            out.status = "elasticsearch-unavailable"
            out.error = str(exc)[:200]
            return JSONResponse(out.model_dump(), status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
        return JSONResponse(out.model_dump())

    for path in ("/health", f"/api/{API_VERSION}/health"):
        app.get(path, response_model=Health, tags=["ops"], summary="Cluster status, index, document count, versions")(health)

    app.include_router(routes.router, tags=["search"])
    app.include_router(ui.router)
    return app
