"""Saved searches and alerts (issue 15): the API, the engine, the channels, the scheduler.

* :mod:`.routes` ``/api/v1/saved-searches`` and the Atom feeds; :mod:`.models` their shapes;
* :mod:`.matching` saved search → ``_msearch`` body over ``ingest.ingested_at``;
* :mod:`.engine` one pass (search, record, deliver, checkpoint); :mod:`.runtime` app state + scheduler;
* channels: :mod:`.webhook` (signed POST, retries, URL policy), :mod:`.email` (SMTP digest), :mod:`.feed` (Atom).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from .config import AlertConfig
from .routes import batches, feeds, router
from .runtime import AlertsRuntime

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    from ..ui import saved as saved_pages  # the "Saved" UI pages live with the UI, mounted with the feature
    from ..ui import batch_page, saved_edit, watchlist_pages, warning_alert
    from ..watchlists.routes import router as watchlists

    app.include_router(router)
    app.include_router(watchlists)
    for page in (saved_edit, watchlist_pages, batch_page, warning_alert):
        app.include_router(page.router)
    app.include_router(feeds)
    app.include_router(batches)
    app.include_router(saved_pages.router)


@asynccontextmanager
async def lifespan(app: FastAPI, settings: Any):  # noqa: ANN201
    """Open the store and start the scheduler while the app runs (called from the app's lifespan)."""
    try:
        store = getattr(app.state, "workspace", None) or settings.workspace_url  # the app's store (accounts) when open
        rt = AlertsRuntime.open(store, app.state.service, AlertConfig.from_settings(settings))
    except Exception as exc:  # noqa: BLE001 - search must keep working; saved searches answer 503 meanwhile
        log.error("saved searches and alerts are off: cannot open the workspace store (%s)", exc)
        app.state.alerts = None
        yield None
        return
    app.state.alerts = rt
    rt.start_scheduler()
    try:
        yield rt
    finally:
        rt.close()


__all__ = ["AlertConfig", "AlertsRuntime", "install", "lifespan"]
