"""The exception a reader raises for one bad document (its own module: every other one imports it)."""

from __future__ import annotations


class BadDocument(Exception):
    """Raised inside a reader; turned into a :class:`indexer.models.Failure` with ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail
