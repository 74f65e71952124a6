"""What the app holds for alerts: the workspace store, the engine, the scheduler; errors as problems.

The in-process scheduler (APScheduler) ticks every ``tick_s`` seconds in each API worker; the
workspace lock inside :meth:`AlertEngine.run_pass` makes only one of them run a pass at a time, and
each alert's own interval (≥ 60 s) decides whether it is due.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import Request

from workspace import AlreadyExists, InvalidValue, NotFound, Workspace

from ..errors import Conflict, Missing, PeriscopeError, Unprocessable
from ..service import SearchService
from .config import AlertConfig
from .engine import AlertEngine

log = logging.getLogger(__name__)


@contextmanager
def problems() -> Iterator[None]:
    """Workspace errors as problem+json: taken name 409, unknown id 404, bad value 422."""
    try:
        yield
    except AlreadyExists as exc:
        raise Conflict(str(exc), "choose another name, or PATCH the existing saved search") from None
    except NotFound as exc:
        raise Missing(str(exc), "list yours with GET /api/v1/saved-searches") from None
    except InvalidValue as exc:
        raise Unprocessable(str(exc)) from None


@dataclass
class AlertsRuntime:
    ws: Workspace
    engine: AlertEngine
    cfg: AlertConfig
    scheduler: AsyncIOScheduler | None = field(default=None)

    owns_ws: bool = False  # closed with the runtime only when it opened the store itself

    @classmethod
    def open(cls, ws: Workspace | str, service: SearchService, cfg: AlertConfig) -> AlertsRuntime:
        """On the app's workspace store (shared with accounts), or on a store opened from a URL."""
        owns = isinstance(ws, str)
        store = Workspace(ws) if isinstance(ws, str) else ws
        return cls(store, AlertEngine(store, service, cfg), cfg, owns_ws=owns)

    def start_scheduler(self) -> None:
        if not self.cfg.scheduler:
            return
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        # max_instances=1 + coalesce: a slow pass is never overlapped by this worker's next tick
        self.scheduler.add_job(self.tick, "interval", seconds=max(self.cfg.tick_s, 1), max_instances=1,
                               coalesce=True, id="alerts-pass")
        self.scheduler.start()

    async def tick(self) -> None:
        try:
            report = await self.engine.run_pass()
        except Exception:  # a scheduler job must not die: log, and the next tick tries again
            log.exception("alert pass failed")
            return
        if report.new_matches or not report.ok:
            log.info("alert pass: %s", report)

    def close(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.owns_ws:
            self.ws.close()


class StoreUnavailable(PeriscopeError):
    status = 503
    title = "Workspace store unavailable"
    type = "/problems/unavailable"


def runtime(request: Request) -> AlertsRuntime:
    rt = getattr(request.app.state, "alerts", None)
    if rt is None:
        raise StoreUnavailable("saved searches are unavailable: the workspace database could not be opened",
                               "run `periscope db upgrade` (or `periscope up`) and restart; the server log says why")
    return rt


def unseen_total(request: Request) -> int:
    """New matches of the caller's saved searches since they last looked (the header badge)."""
    from workspace.alerts import unseen_counts

    from ..security import current_principal

    rt = getattr(request.app.state, "alerts", None)
    if rt is None:
        return 0
    try:
        who = current_principal(request).name
    except PeriscopeError:  # not signed in (the sign-in page): no badge
        return 0
    with rt.ws.session(readonly=True) as db:
        return sum(unseen_counts(db, who).values())
