"""Bulk-load into Elasticsearch without ever dropping a document silently.

``helpers.streaming_bulk`` already retries 429s per item with exponential backoff; on top of that,
a whole request failing (node down, connection refused, timeout, 5xx) is retried with exponential
backoff for up to ``give_up_after`` seconds, resending only what was not acknowledged. Items the
cluster rejects for good (mapping errors, 4xx) come back as failures for the dead-letter file. If
Elasticsearch stays away longer than ``give_up_after``, :class:`ElasticsearchUnavailable` stops the run
(nothing is marked done, so the next run picks the documents up again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch, TransportError, helpers

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_STATUS = {429, 502, 503, 504}


class ElasticsearchUnavailable(RuntimeError):
    pass


@dataclass
class BulkOutcome:
    created: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)
    retries: int = 0


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, ConnectionTimeout)):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in RETRYABLE_STATUS or exc.meta.status >= 500
    return isinstance(exc, TransportError)


@dataclass
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    give_up_after: float = 600.0
    on_retry: Callable[[str, float], None] | None = None

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run ``fn``, retrying transient Elasticsearch errors with exponential backoff."""
        start, delay = time.monotonic(), self.initial
        while True:
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001
                if not _retryable(exc):
                    raise
                if time.monotonic() - start > self.give_up_after:
                    raise ElasticsearchUnavailable(
                        f"{what}: Elasticsearch unavailable for {self.give_up_after:.0f}s ({type(exc).__name__}: {exc})"
                    ) from exc
                log.warning("%s failed (%s); retrying in %.1fs", what, type(exc).__name__, delay)
                if self.on_retry:
                    self.on_retry(f"{what}: {type(exc).__name__}", delay)
                time.sleep(delay)
                delay = min(delay * 2, self.maximum)


class Loader:
    def __init__(self, es: Elasticsearch, alias: str, *, chunk_size: int = 500, backoff: Backoff | None = None) -> None:
        self.es, self.alias, self.chunk_size = es, alias, chunk_size
        self.backoff = backoff or Backoff()

    def load(self, docs: Iterable[dict[str, Any]]) -> BulkOutcome:
        """Index ``docs`` (each with an ``id``) under their ids; returns counts and permanent failures."""
        pending = {d["id"]: d for d in docs}
        out = BulkOutcome()
        start, delay = time.monotonic(), self.backoff.initial
        while pending:
            acked: list[str] = []
            try:
                actions = ({"_op_type": "index", "_index": self.alias, "_id": i, "_source": d} for i, d in pending.items())
                for ok, item in helpers.streaming_bulk(
                    self.es, actions, chunk_size=self.chunk_size, max_chunk_bytes=20 * 1024 * 1024,
                    max_retries=6, initial_backoff=1, max_backoff=30, raise_on_error=False,
                    raise_on_exception=True, yield_ok=True,
                ):
                    res = item.get("index", {})
                    doc_id = res.get("_id")
                    status = res.get("status", 0)
                    if ok:
                        acked.append(doc_id)
                        if res.get("result") == "created":
                            out.created += 1
                        else:
                            out.updated += 1
                    elif status in RETRYABLE_STATUS:
                        continue  # still pending: retried in the next round
                    else:
                        err = res.get("error")
                        reason = err.get("reason", str(err)) if isinstance(err, dict) else str(err)
                        etype = err.get("type", "error") if isinstance(err, dict) else "error"
                        out.failed.append((doc_id, f"{etype}: {reason}"[:500]))
                        acked.append(doc_id)
                for i in acked:
                    pending.pop(i, None)
                if pending:  # only 429s left after streaming_bulk's own retries: back off, go again
                    raise ApiErrorLike()
            except Exception as exc:  # noqa: BLE001
                for i in acked:
                    pending.pop(i, None)
                if not (isinstance(exc, ApiErrorLike) or _retryable(exc)):
                    raise
                if time.monotonic() - start > self.backoff.give_up_after:
                    raise ElasticsearchUnavailable(
                        f"bulk load into {self.alias!r}: {len(pending)} documents not accepted after "
                        f"{self.backoff.give_up_after:.0f}s ({type(exc).__name__}: {exc})"
                    ) from exc
                out.retries += 1
                log.warning("bulk load failed (%s); %d pending, retrying in %.1fs", type(exc).__name__, len(pending), delay)
                if self.backoff.on_retry:
                    self.backoff.on_retry(f"bulk: {type(exc).__name__}", delay)
                time.sleep(delay)
                delay = min(delay * 2, self.backoff.maximum)
        return out


class ApiErrorLike(Exception):
    """Internal marker: some items were rejected with 429/5xx and must be resent."""
