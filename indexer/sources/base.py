"""What every source format shares: the failure exception and the limits applied to every document."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class BadDocument(Exception):
    """Raised inside a reader; turned into a :class:`indexer.models.Failure` with ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Limits:
    """Per-document limits, applied the same way to every format (bytes, not characters)."""

    max_bytes: int = DEFAULT_MAX_BYTES  # a file, a page, one record of a line-oriented file
    parse_timeout: float = 60.0  # seconds to parse one document (enforced in the main thread)
    follow_symlinks: bool = False  # index symlinks that point outside the indexed folder
    zip_max_members: int = 10_000  # zip containers (docx …): members
    zip_max_ratio: float = 100.0  # uncompressed / compressed, per member
    zip_total_factor: float = 5.0  # declared uncompressed total <= this × max_bytes

    @property
    def zip_max_total(self) -> int:
        return int(self.max_bytes * self.zip_total_factor)
