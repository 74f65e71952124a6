"""Bulk-load into Elasticsearch without ever dropping a document silently.

``helpers.streaming_bulk`` already retries 429s per item; on top of that the shared
:class:`indexer.retry.RetryPolicy` retries a whole round that failed (node down, connection refused,
timeout, 5xx) or left items pending (429/5xx per item), resending only what was not acknowledged, for
up to ``give_up_after`` seconds. Items the cluster rejects for good (mapping errors, 4xx) come back as
failures for the dead-letter file. If Elasticsearch stays away longer, :class:`ElasticsearchUnavailable`
stops the run (nothing is marked done, so the next run picks the documents up again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch, TransportError, helpers

from .retry import GaveUp, RetryPolicy

T = TypeVar("T")
RETRYABLE_STATUS = {429, 502, 503, 504}


class ElasticsearchUnavailable(RuntimeError):
    pass


@dataclass
class BulkOutcome:
    created: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)


def transient(exc: BaseException) -> bool:
    """Errors worth retrying: the cluster is unreachable, overloaded or failing, not refusing."""
    if isinstance(exc, (ConnectionError, ConnectionTimeout)):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in RETRYABLE_STATUS or exc.meta.status >= 500
    return isinstance(exc, TransportError)


@dataclass(frozen=True)
class EsRetry:
    """Every Elasticsearch call of a run (lookups, msearch, bulk, the ingest log) retried one way."""

    policy: RetryPolicy = RetryPolicy()

    def call(self, what: str, fn: Callable[[], T], *, again: Callable[[Any], bool] | None = None) -> T:
        try:
            return self.policy.run(what, fn, retry_on=transient, again=again)
        except GaveUp as exc:
            raise ElasticsearchUnavailable(str(exc)) from exc
        except Exception as exc:
            if transient(exc):
                raise ElasticsearchUnavailable(
                    f"{what}: Elasticsearch unavailable for {self.policy.give_up_after:.0f}s "
                    f"({type(exc).__name__}: {exc})") from exc
            raise


class Loader:
    def __init__(self, es: Elasticsearch, alias: str, *, chunk_size: int = 500, retry: EsRetry | None = None) -> None:
        self.es, self.alias, self.chunk_size = es, alias, chunk_size
        self.retry = retry or EsRetry()

    def load(self, docs: Iterable[dict[str, Any]]) -> BulkOutcome:
        """Index ``docs`` (each with an ``id``) under their ids; returns counts and permanent failures."""
        pending = {d["id"]: d for d in docs}
        out = BulkOutcome()

        def one_round() -> int:
            """Send what is pending; returns how many are still pending (429/5xx per item)."""
            acked: list[str] = []
            try:
                actions = ({"_op_type": "index", "_index": self.alias, "_id": i, "_source": d} for i, d in pending.items())
                for ok, item in helpers.streaming_bulk(
                    self.es, actions, chunk_size=self.chunk_size, max_chunk_bytes=20 * 1024 * 1024,
                    max_retries=6, initial_backoff=1, max_backoff=30, raise_on_error=False,
                    raise_on_exception=True, yield_ok=True,
                ):
                    res = item.get("index", {})
                    doc_id, status = res.get("_id"), res.get("status", 0)
                    if ok:
                        acked.append(doc_id)
                        if res.get("result") == "created":
                            out.created += 1
                        else:
                            out.updated += 1
                    elif status not in RETRYABLE_STATUS:
                        err = res.get("error")
                        reason = err.get("reason", str(err)) if isinstance(err, dict) else str(err)
                        etype = err.get("type", "error") if isinstance(err, dict) else "error"
                        out.failed.append((doc_id, f"{etype}: {reason}"[:500]))
                        acked.append(doc_id)
            finally:  # also when the round broke off: what was acknowledged is never resent
                for i in acked:
                    pending.pop(i, None)
            return len(pending)

        if pending:
            self.retry.call(f"bulk load into {self.alias!r}", one_round, again=lambda left: left > 0)
        return out
