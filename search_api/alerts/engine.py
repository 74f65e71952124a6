"""One alert pass: find what is new for every due watched search, record it, deliver it, move the checkpoint.

Each saved search runs as its owner (:func:`owner_principal`), so an alert delivers only what the owner
may read, through the service's ``_msearch`` wrapper (which applies the access filter). Ordering per
pass — search, record matches + outbox (commit), deliver (commit each), checkpoint (commit) — is what
makes delivery exactly once per (alert, document, channel); see :mod:`workspace.alerts`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from pydantic import ValidationError

from workspace import Workspace
from workspace import alerts as ledger
from workspace import saved_searches as saved
from workspace import watchlists
from workspace.access import collection_scope
from workspace.models import utcnow
from workspace.users import get_user

from ..access import OPEN, Principal
from ..analytics_service import AnalyticsService
from ..errors import InvalidParameter, PeriscopeError, QuerySyntaxError
from ..service import SearchService
from ..shaping import shape_hit
from ..watchlists import query as watchlist_query
from . import email, webhook
from .config import AlertConfig
from .matching import INGESTED_AT, doc_link, is_rising, request_of, since_body, watchlist_of, window_start
from .rising import rising_matches

log = logging.getLogger(__name__)
LOCK = "alerts-pass"


@dataclass
class PassReport:
    searched: int = 0
    new_matches: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)
    skipped_locked: bool = False

    @property
    def ok(self) -> bool:
        return not (self.failed or self.dead or self.errors)


def owner_principal(ws: Workspace, owner: str) -> Principal | None:
    """Who a saved search runs as. A workspace user: their collections (None when disabled or gone);
    the open local install and shared keys see everything, as they do in the API."""
    with ws.session(readonly=True) as db:
        user = get_user(db, owner)
        if user is not None:
            if user.disabled:
                return None
            return Principal(name=user.username, role=str(user.role), collections=collection_scope(db, user))
    if owner == OPEN.name or owner.startswith("key:"):
        return Principal(name=owner, role="admin", collections=None, auth="shared-key")
    return None


def _due(s: saved.SavedSearchInfo, now: datetime) -> bool:
    return s.last_run_at is None or s.last_run_at + timedelta(seconds=s.interval_s) <= now


def _document(m: ledger.Match, cfg: AlertConfig) -> dict[str, object]:
    return {"id": m.doc_id, "title": m.title, "url": m.url, "snippet": m.snippet, "ingested_at": m.ingested_at,
            "link": doc_link(cfg.public_url, m.doc_id, m.url)}


class AlertEngine:
    def __init__(self, ws: Workspace, service: SearchService, cfg: AlertConfig) -> None:
        self.ws, self.service, self.cfg = ws, service, cfg
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    def _lease(self) -> bool:
        """Take or renew the pass lock (renewed between steps, so a long pass keeps it and a killed one
        frees it within ``lock_ttl_s``)."""
        with self.ws.session() as db:
            return ledger.acquire_lock(db, LOCK, self.holder, timedelta(seconds=self.cfg.lock_ttl_s))

    async def run_pass(self, *, only: list[int] | None = None, due_only: bool = True) -> PassReport:
        """One pass over the due watched searches (or ``only`` these, due or not), under the workspace lock."""
        report = PassReport()
        if not self._lease():
            report.skipped_locked = True
            return report
        try:
            await self._pass(report, only, due_only)
        finally:
            with self.ws.session() as db:
                ledger.release_lock(db, LOCK, self.holder)
        return report

    async def _pass(self, report: PassReport, only: list[int] | None, due_only: bool) -> None:
        started = utcnow()
        with self.ws.session(readonly=True) as db:
            searches = saved.every(db, watched_only=only is None)
        if only is not None:
            searches = [s for s in searches if s.id in set(only)]
        elif due_only:
            searches = [s for s in searches if _due(s, started)]
        checkpoints = await self._search(searches, started, report)
        await self.deliver(report)
        with self.ws.session() as db:  # after delivery: a crash before this re-reads the window, harmlessly
            ledger.checkpoints(db, checkpoints)

    async def _search(self, searches: list[saved.SavedSearchInfo], started: datetime,
                      report: PassReport) -> dict[int, datetime]:
        by_owner: dict[str, list[saved.SavedSearchInfo]] = defaultdict(list)
        for s in searches:
            by_owner[s.owner].append(s)
        found: list[ledger.Match] = []
        checkpoints: dict[int, datetime] = {}
        overlap = timedelta(seconds=self.cfg.overlap_s)
        size = self.cfg.max_hits_per_search
        for owner, group in by_owner.items():
            principal = owner_principal(self.ws, owner)
            if principal is None:
                report.errors.append(f"owner {owner!r} is unknown or disabled: {len(group)} alert(s) skipped")
                continue
            runnable = []
            for s in group:
                if is_rising(s.request):  # a warning alert: trends of its scope, not new documents
                    await self._rising(s, principal, found, checkpoints, started, report)
                    continue
                try:
                    body = self._body(s)
                except PeriscopeError as exc:
                    self._flag(s.id, f"{exc.detail}" + (f" — {exc.hint}" if exc.hint else ""))
                    report.errors.append(f"saved search {s.id} ({s.name}) no longer parses: {exc.detail}")
                    continue
                runnable.append((s, since_body(body, window_start(s.checked_until, s.created_at, overlap), size)))
            async for batch, res in self._pipelined(runnable, principal, report):
                for (s, _), r in zip(batch, res["responses"], strict=True):
                    report.searched += 1
                    if "error" in r:
                        report.errors.append(f"saved search {s.id} failed: {str(r['error'])[:300]}")
                        continue
                    hits = r["hits"]["hits"]
                    for h in hits:
                        hit = shape_hit(h)
                        stamp = (h.get("_source", {}).get("ingest") or {}).get("ingested_at")
                        found.append(ledger.Match(s.id, hit.id, hit.title or "", hit.url, hit.snippet, stamp))
                    # a full page: resume from the last hit next time instead of skipping the rest
                    last = hits[-1].get("sort", [None])[0] if len(hits) >= size else None
                    # (plus the overlap, so the next window starts exactly at it and cannot loop on a burst)
                    checkpoints[s.id] = (datetime.fromtimestamp(last / 1000, started.tzinfo) + overlap
                                         if isinstance(last, int | float) else started)
        channels = {s.id: [c for c, on in (("webhook", s.webhook_url), ("email", s.email_to)) if on] for s in searches}
        with self.ws.session() as db:
            report.new_matches += len(ledger.record_matches(db, found, channels))
        return checkpoints

    async def _pipelined(self, runnable: list[tuple[saved.SavedSearchInfo, dict]], principal: Principal,
                         report: PassReport) -> AsyncIterator[tuple[list[tuple[saved.SavedSearchInfo, dict]], dict]]:
        """The ``_msearch`` batches, the next one in flight while the caller handles the current one's hits
        (one request ahead: Elasticsearch works while Python shapes and records; the results stay in order)."""
        step = self.cfg.msearch_batch
        batches = [runnable[i:i + step] for i in range(0, len(runnable), step)]

        def send(k: int) -> asyncio.Future | None:
            return asyncio.ensure_future(self.service._msearch([b for _, b in batches[k]], principal,
                                                                timeout_s=self.cfg.es_timeout_s)) if k < len(batches) else None

        ahead = send(0)
        try:
            for k, batch in enumerate(batches):
                self._lease()
                current, ahead = ahead, None
                try:
                    res = await current  # type: ignore[misc]
                except PeriscopeError as exc:  # e.g. Elasticsearch down: nothing recorded, checkpoints stay
                    report.errors.append(f"search failed: {exc.detail}")
                    res = None
                ahead = send(k + 1)
                if res is not None:
                    yield batch, res
        finally:
            if ahead is not None:  # the caller stopped early (an error): do not leave a request running
                ahead.cancel()

    async def _rising(self, s: saved.SavedSearchInfo, principal: Principal, found: list[ledger.Match],
                      checkpoints: dict[int, datetime], started: datetime, report: PassReport) -> None:
        try:
            found += await rising_matches(AnalyticsService(self.service), s.id, s.request, principal)
        except (InvalidParameter, QuerySyntaxError, ValidationError) as exc:  # the stored scope no longer builds
            detail = getattr(exc, "detail", None) or str(exc).splitlines()[0]
            self._flag(s.id, detail)
            report.errors.append(f"saved search {s.id} ({s.name}) no longer parses: {detail}")
            return
        except PeriscopeError as exc:  # e.g. Elasticsearch down: nothing recorded, checkpoint stays
            report.errors.append(f"saved search {s.id} failed: {exc.detail}")
            return
        report.searched += 1
        checkpoints[s.id] = started

    def _body(self, s: saved.SavedSearchInfo) -> dict:
        """The search body of a saved search; a watchlist's alert is built from the watchlist's entries."""
        if watchlist_of(s.request) is None:
            return self.service.search_body(request_of(s.request))
        with self.ws.session(readonly=True) as db:
            w = watchlists.by_saved_search(db, s.id)
        if w is None:
            raise InvalidParameter("watchlist", "the watchlist of this alert was deleted", "delete this saved search")
        return watchlist_query.alert_body(list(w.entries))

    def _flag(self, search_id: int, problem: str) -> None:
        with self.ws.session() as db:
            saved.update(db, search_id, None, query_error=problem)

    # --- delivery ---------------------------------------------------------------------------------------
    async def deliver(self, report: PassReport) -> None:
        """Send every pending delivery (this pass's and earlier failures)."""
        with self.ws.session(readonly=True) as db:
            pending = ledger.deliveries(db, state="pending")
        by_search: dict[tuple[int, str], list[ledger.Delivery]] = defaultdict(list)
        for d in pending:
            by_search[(d.saved_search_id, d.channel)].append(d)
        async with httpx.AsyncClient(timeout=self.cfg.webhook_timeout_s, follow_redirects=False) as client:
            for (sid, channel), items in by_search.items():
                self._lease()
                with self.ws.session(readonly=True) as db:
                    s = saved.get(db, sid)
                    found = {d.doc_id: ledger.match(db, sid, d.doc_id) for d in items}
                if channel == "webhook":
                    for d in items:
                        self._lease()
                        await self._webhook(client, s, d, found[d.doc_id], report)
                else:
                    await self._email(s, items, found, report)

    async def _webhook(self, client: httpx.AsyncClient, s: saved.SavedSearchInfo, d: ledger.Delivery,
                       m: ledger.Match | None, report: PassReport) -> None:
        if m is None or not s.webhook_url:
            return self._settle([d], report, "the webhook was removed from the saved search", dead=True)
        body = webhook.payload(d.delivery_id, {"id": s.id, "name": s.name, "link": f"{self.cfg.public_url}/saved/{s.id}"},
                               _document(m, self.cfg))
        try:
            await webhook.check_url_async(s.webhook_url, allow_private=self.cfg.webhook_allow_private)
            await webhook.post(client, s.webhook_url, s.webhook_secret or "", d.delivery_id, body,
                               tries=self.cfg.webhook_tries_per_pass, backoff_s=self.cfg.webhook_backoff_s)
        except (webhook.WebhookFailed, webhook.WebhookRefused, httpx.HTTPError) as exc:
            return self._settle([d], report, f"{type(exc).__name__}: {exc}", tries=self.cfg.webhook_tries_per_pass)
        self._settle([d], report)

    async def _email(self, s: saved.SavedSearchInfo, items: list[ledger.Delivery],
                     found: dict[str, ledger.Match | None], report: PassReport) -> None:
        matches = [found[d.doc_id] for d in items if found[d.doc_id] is not None]
        if not s.email_to or not matches:
            return self._settle(items, report, "no e-mail address on the saved search", dead=True)
        links = [doc_link(self.cfg.public_url, m.doc_id, m.url) for m in matches]  # type: ignore[union-attr]
        msg = email.digest(self.cfg, s.email_to, s.name, f"{self.cfg.public_url}/saved/{s.id}", matches, links)  # type: ignore[arg-type]
        try:
            await email.send(self.cfg, msg)
        except (OSError, email.smtplib.SMTPException) as exc:
            return self._settle(items, report, f"{type(exc).__name__}: {exc}", tries=1)
        self._settle(items, report)

    def _settle(self, items: list[ledger.Delivery], report: PassReport, error: str | None = None, *,
                tries: int = 1, dead: bool = False) -> None:
        ids = [d.id for d in items]
        with self.ws.session() as db:
            if error is None:
                ledger.mark_sent(db, ids)
                report.sent += len(ids)
                return
            ledger.mark_failed(db, ids, error, self.cfg.max_attempts if dead else tries, self.cfg.max_attempts)
            gone = [d for d in ledger.deliveries(db, state="dead") if d.id in set(ids)]
        report.dead += len(gone)
        report.failed += len(ids) - len(gone)
        log.warning("alert delivery failed (%d item(s)): %s", len(ids), error)
