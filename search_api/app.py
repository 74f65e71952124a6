"""The FastAPI application: versioned search API, health, metrics, and the analyst UI at ``/``."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from mappings import CURRENT_VERSION
from mappings.client import async_es_client
from workspace import open_store

from . import account_routes, alerts, grading_routes, ingest_routes, routes, ui, warning_routes
from . import cases
from .apidocs import install_docs
from .audit import AuditLog
from .auditing import AuditMiddleware
from .ui import admin as ui_admin
from .ui import oidc as ui_oidc
from .ui.oidc import OidcClient
from .ui.auth import PageForbidden, forbidden_page
from .headers import SecurityHeadersMiddleware
from .health import health_route
from .metrics import Metrics, MetricsMiddleware
from .models import Health
from .problems import install_handlers
from .query import QUERY_FIELDS
from .ratelimit import FailureLimiter
from .request_id import RequestIdMiddleware
from .security import KeyRing
from .service import SearchService
from .sessions import Sessions, SqliteSessionStore

if TYPE_CHECKING:  # the settings object is passed down from periscope/, never imported at run time
    from periscope.settings import Settings

API_VERSION = "v1"
DESCRIPTION = f"""Faceted search over enriched open-source documents.

Query syntax (`q`): words, `"phrases"`, `AND` / `OR` / `NOT`, `+required`, `-excluded`, `prefix*`,
`field:value` (fields: {", ".join(sorted(QUERY_FIELDS))}) and parentheses.
Errors are RFC 9457 problem+json with a `request_id` (also in the `X-Request-ID` header).
"""


def create_app(settings: Settings, *, default_operator: str = "and") -> FastAPI:
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # A pool as wide as the concurrency we serve: the client default (10) queues requests under load.
        app.state.es = async_es_client(settings.api_es_connection(), connections_per_node=64)
        app.state.service = SearchService(app.state.es, settings.index_alias, default_operator=default_operator,
                                          cursor_key=settings.resolved_secret(),
                                          facet_sample_docs=settings.facet_sample_docs)
        # The audit trail: buffered, flushed every second by a background task, drained on shutdown.
        app.state.audit = AuditLog(app.state.es, settings.index_alias, record_queries=settings.audit_queries,
                                   shards=settings.index_shards, replicas=settings.index_replicas)
        app.state.audit.start()
        app.state.oidc_http = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
        try:
            async with alerts.lifespan(app, settings):  # saved searches + the alert scheduler (issue 15)
                yield
        finally:
            await app.state.audit.stop()
            await app.state.oidc_http.aclose()
            await app.state.es.close()
            app.state.workspace.close()
            if getattr(app.state, "grading_es", None) is not None:  # opened on first use by search_api/grading.py
                app.state.grading_es.close()

    # docs, redoc and openapi.json are served by install_docs (local assets, CSP, key check)
    app = FastAPI(title="Periscope search API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    # --- web security: hashed keys, sessions (shared by the workers), sign-in limit, headers ----------
    app.state.keyring = KeyRing(settings.api_keys)
    # Accounts, user sessions, personal keys, collections: the workspace store (SQLite file by default,
    # PostgreSQL via PERISCOPE_DATABASE_URL), opened and migrated here so every worker agrees on it.
    app.state.workspace = open_store(settings.workspace_url)
    app.state.hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)
    app.state.sessions = Sessions(SqliteSessionStore(settings.cache_dir / "sessions.sqlite3"),
                                  settings.resolved_secret(), settings.session_ttl_s, app.state.workspace)
    app.state.oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        app.state.oidc = OidcClient(
            settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
            settings.oidc_redirect_url or f"http://{settings.api_host}:{settings.api_port}/login/oidc/callback",
            settings.oidc_default_role, settings.resolved_secret())
    app.state.login_limiter = FailureLimiter(settings.login_failures_per_minute, 60.0)
    app.add_middleware(SecurityHeadersMiddleware)
    install_docs(app, metrics)
    # -------------------------------------------------------------------------------------------------
    install_handlers(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["X-API-Key", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID", "Retry-After"], max_age=600)
    app.add_middleware(AuditMiddleware)  # search, view, export on the audit trail (inside the request id)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)  # outermost of ours: every response carries X-Request-ID

    health = health_route(settings, {"api": API_VERSION, "app": app.version, "contract": CURRENT_VERSION})
    for path in ("/health", f"/api/{API_VERSION}/health"):
        app.get(path, tags=["ops"], summary="Up or not; details (cluster, index, counts) for authorised callers",
                responses={200: {"model": Health}, 503: {"model": Health}})(health)

    app.include_router(routes.router, tags=["search"])
    app.include_router(warning_routes.router, tags=["warning"])
    app.include_router(grading_routes.router)
    app.include_router(ingest_routes.router)  # ingest runs, failures, documents by external id (issue 14)
    alerts.install(app)  # saved searches, alerts, batch search, Saved pages (issue 15)
    cases.install(app)  # marks, annotations, case files, briefings (issue 18)
    app.include_router(ui.router)
    app.include_router(account_routes.router)
    app.include_router(ui_oidc.router)
    app.include_router(ui_admin.account)
    app.include_router(ui_admin.admin)
    app.add_exception_handler(PageForbidden, forbidden_page)
    return app
