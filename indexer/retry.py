"""The one retry/backoff policy of the indexer (bulk loads, msearch/mget lookups, HTTP fetches).

Built on tenacity so there is a single, tested implementation of "exponential backoff, capped, until
a deadline" instead of one hand-written loop per caller. What counts as transient is the caller's
business (``retry_on``); how long and how often to wait is decided here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class GaveUp(RuntimeError):
    """Retries exhausted while the call still asked for another round (a result, not an exception)."""


@dataclass(frozen=True)
class RetryPolicy:
    initial: float = 0.5  # first wait; doubles each attempt
    maximum: float = 30.0  # longest single wait
    give_up_after: float = 600.0  # stop retrying once this many seconds have passed
    max_attempts: int | None = None  # and/or after this many attempts
    on_retry: Callable[[str, float], None] | None = None  # (what happened, seconds until the next try)

    def run(self, what: str, fn: Callable[[], T], *, retry_on: Callable[[BaseException], bool],
            again: Callable[[Any], bool] | None = None) -> T:
        """``fn()`` until it succeeds. Exceptions for which ``retry_on`` is true are retried; so are
        results for which ``again`` is true. When retries run out the last exception is re-raised
        (or :class:`GaveUp` when the last round returned a result that still asked for more)."""
        stop = stop_after_delay(self.give_up_after)
        if self.max_attempts is not None:
            stop = stop | stop_after_attempt(self.max_attempts)
        retry = retry_if_exception(retry_on)
        if again is not None:
            retry = retry | retry_if_result(again)

        def before_sleep(state: RetryCallState) -> None:
            delay = state.next_action.sleep if state.next_action else 0.0
            exc = state.outcome.exception() if state.outcome else None
            why = f"{type(exc).__name__}" if exc is not None else "incomplete"
            log.warning("%s failed (%s); retrying in %.1fs", what, why, delay)
            if self.on_retry is not None:
                self.on_retry(f"{what}: {why}", delay)

        retrying = Retrying(stop=stop, retry=retry, reraise=True, before_sleep=before_sleep,
                            wait=wait_exponential(multiplier=self.initial, max=self.maximum))
        try:
            return retrying(fn)
        except RetryError as exc:  # only reached for result-based retries (reraise covers exceptions)
            raise GaveUp(f"{what}: still incomplete after retrying for {self.give_up_after:.0f}s") from exc
