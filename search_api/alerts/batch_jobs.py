"""Batch searches run in the background: the table is kept in the store at once (rows ``pending``) and
rewritten after each ``_msearch``, so the UI page and ``GET /api/v1/batch-searches/{id}`` show progress.

The task lives in the API worker that started it; a batch cut off by a restart keeps its pending rows
(the page says so after a while: run it again).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from workspace import batches as store

from ..access import Principal
from ..service import SearchService
from . import batch
from .runtime import AlertsRuntime

log = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()  # strong references: the event loop keeps only weak ones


def progress_of(rows: list[dict[str, Any]]) -> dict[str, int]:
    pending = sum(1 for r in rows if r.get("pending"))
    return {"done": len(rows) - pending, "total": len(rows)}


def start(rt: AlertsRuntime, svc: SearchService, who: Principal, terms: list[str], name: str) -> store.BatchInfo:
    """Keep the (pending) table now and run the searches in a task; returns the kept batch."""
    rows, _ = batch.plan(svc, terms)
    with rt.ws.session() as db:
        kept = store.save(db, who.name, name or "batch", rows)

    async def progress(done: list[dict[str, Any]]) -> None:
        with rt.ws.session() as db:
            store.update_rows(db, kept.id, done)

    async def work() -> None:
        try:
            await batch.run(svc, terms, who, progress)
        except Exception:  # noqa: BLE001 - the rows say what failed; the log says why
            log.exception("batch search %s failed", kept.id)

    task = asyncio.create_task(work())
    _running.add(task)
    task.add_done_callback(_running.discard)
    return kept
