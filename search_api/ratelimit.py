"""Per-client token buckets: sign-in failures are limited by client address.

In-process on purpose (the state is tiny and short-lived): each worker process keeps its own
buckets, so with N workers a client gets up to N times the budget. The client address is the TCP
peer (``request.client.host``); behind a reverse proxy run uvicorn with ``--proxy-headers`` so it is
the real client.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class FailureLimiter:
    """``limit`` failures per ``period_s`` per client, refilled continuously (a token bucket).

    At most ``max_clients`` buckets are kept (least recently seen dropped first), so a flood of
    addresses cannot grow memory without bound.
    """

    def __init__(self, limit: int, period_s: float = 60.0, max_clients: int = 100_000) -> None:
        self.limit = max(1, limit)
        self.rate = self.limit / period_s  # tokens per second
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _bucket(self, client: str, now: float) -> _Bucket:
        b = self._buckets.get(client)
        if b is None:
            b = self._buckets[client] = _Bucket(float(self.limit), now)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            b.tokens = min(self.limit, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            self._buckets.move_to_end(client)
        return b

    def retry_after(self, client: str) -> int:
        """0 when ``client`` may try again now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            b = self._bucket(client, now)
            return 0 if b.tokens >= 1 else max(1, math.ceil((1 - b.tokens) / self.rate))

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            b = self._bucket(client, now)
            b.tokens = max(0.0, b.tokens - 1)
