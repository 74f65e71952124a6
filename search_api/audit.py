"""The audit trail: who logged in, searched, read, exported or changed what, and when.

Routes call :meth:`AuditLog.record`, which only appends to an in-memory buffer, so auditing never
slows a search down; a background task bulk-writes the buffer every second into the monthly audit
index (:mod:`mappings.audit`). Each event gets its id when recorded and is written with
``op_type=create``, so a retried flush can never duplicate an event and nothing can overwrite one.
When Elasticsearch is down the events stay buffered (bounded) and go out with the next flush.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch.helpers import async_bulk

from mappings.audit import audit_index, audit_pattern, audit_template

log = logging.getLogger(__name__)

MAX_BUFFERED = 100_000  # events kept while Elasticsearch is unreachable; older ones are dropped (and logged)
FLUSH_SECONDS = 1.0


@dataclass
class AuditEvent:
    action: str
    outcome: str = "success"
    user: str | None = None
    role: str | None = None
    auth: str | None = None
    client: str | None = None
    request_id: str | None = None
    method: str | None = None
    path: str | None = None
    target: str | None = None
    query: str | None = None
    count: int | None = None
    status: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def source(self) -> dict[str, Any]:
        doc = {k: v for k, v in asdict(self).items() if k not in ("at", "id") and v not in (None, {})}
        doc["@timestamp"] = self.at.isoformat()
        return doc


class AuditLog:
    """Buffered, append-only writer (and reader, for the admin page) of audit events."""

    def __init__(self, es: AsyncElasticsearch, alias: str, *, record_queries: bool = True,
                 shards: int = 1, replicas: int = 0) -> None:
        self.es, self.alias = es, alias
        self.record_queries = record_queries
        self._shards, self._replicas = shards, replicas
        self._buffer: deque[AuditEvent] = deque()
        self._dropped = 0
        self._template_ready = False
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # --- writing ---------------------------------------------------------------------------------
    def record(self, event: AuditEvent) -> None:
        if not self.record_queries:
            event.query = None  # privacy setting: who searched is kept, what they typed is not
            event.details.pop("filters", None)
        if len(self._buffer) >= MAX_BUFFERED:
            self._buffer.popleft()
            self._dropped += 1
        self._buffer.append(event)

    async def flush(self) -> int:
        """Write what is buffered; returns how many events were written (0 when ES is unreachable)."""
        async with self._lock:
            if not self._buffer:
                return 0
            batch = list(self._buffer)
            try:
                if not self._template_ready:
                    await self._install_template()
                actions = [{"_op_type": "create", "_index": audit_index(self.alias, e.at), "_id": e.id,
                            "_source": e.source()} for e in batch]
                ok, errors = await async_bulk(self.es, actions, raise_on_error=False, refresh=False)
            except (ApiError, TransportError) as exc:
                log.warning("audit flush failed, %d events kept for the next try: %s", len(batch), exc)
                return 0
            # A 409 means the event was written by an earlier, partly failed flush: it is there.
            failed = {e["create"]["_id"] for e in errors if e.get("create", {}).get("status") != 409}
            for _ in batch:
                self._buffer.popleft()
            for e in batch:
                if e.id in failed:
                    self._buffer.append(e)
            if failed:
                log.warning("audit: %d events rejected, kept for the next try", len(failed))
            if self._dropped:
                log.error("audit: %d events dropped while Elasticsearch was unreachable", self._dropped)
                self._dropped = 0
            return ok

    async def _install_template(self) -> None:
        await self.es.indices.put_index_template(
            **audit_template(self.alias, shards=self._shards, replicas=self._replicas))
        self._template_ready = True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the flusher must outlive any single bad batch
                log.exception("audit flush crashed; retrying")

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audit-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.flush()

    # --- reading (admins) --------------------------------------------------------------------------
    async def search(self, *, user: str | None = None, action: str | None = None, text: str | None = None,
                     since: dt.datetime | None = None, until: dt.datetime | None = None,
                     size: int = 50, search_after: list[Any] | None = None) -> tuple[int, list[dict[str, Any]]]:
        """Newest first; ``text`` matches the query text and the target (length-capped by the caller)."""
        filters: list[dict[str, Any]] = []
        if user:
            filters.append({"term": {"user": user}})
        if action:
            filters.append({"term": {"action": action}})
        if since or until:
            rng: dict[str, Any] = {}
            if since:
                rng["gte"] = since.isoformat()
            if until:
                rng["lte"] = until.isoformat()
            filters.append({"range": {"@timestamp": rng}})
        must: list[dict[str, Any]] = []
        if text:
            must.append({"bool": {"should": [{"match": {"query": {"query": text, "operator": "and"}}},
                                             {"term": {"target": text}}], "minimum_should_match": 1}})
        body: dict[str, Any] = {"query": {"bool": {"filter": filters, "must": must}}, "size": size,
                                "sort": [{"@timestamp": "desc"}, {"request_id": "asc"}], "track_total_hits": True}
        if search_after:
            body["search_after"] = search_after
        res = await self._search(body)
        hits = [{**h["_source"], "id": h["_id"], "sort": h.get("sort")} for h in res["hits"]["hits"]]
        return res["hits"]["total"]["value"], hits

    async def _search(self, body: dict[str, Any]) -> Any:
        """Search every month; a month index the flusher is creating right now is waited for.

        The first event of a month auto-creates that month's index; a reader arriving in the few
        milliseconds before its shard starts gets "no shard available" (503) for the whole pattern.
        That is a moment, not an outage: wait for the shard (bounded) and ask once more.
        """
        pattern = audit_pattern(self.alias)
        try:
            return await self.es.search(index=pattern, body=body, ignore_unavailable=True,
                                        allow_no_indices=True)
        except ApiError as exc:
            if exc.meta.status != 503 or "no_shard_available" not in str(exc.body):
                raise
            try:
                await self.es.cluster.health(index=pattern, wait_for_status="yellow", timeout="10s",
                                             wait_for_no_initializing_shards=True)
            except (ApiError, TransportError):  # timed out: the retry reports the real state
                pass
            return await self.es.search(index=pattern, body=body, ignore_unavailable=True,
                                        allow_no_indices=True)

    async def refresh(self) -> None:
        """Make flushed events searchable now (tests, and the admin page right after an action)."""
        await self.es.indices.refresh(index=audit_pattern(self.alias), ignore_unavailable=True,
                                      allow_no_indices=True)
