"""Plain records that flow through the indexer: a normalised source document, or a failure.

Sources yield these instead of raising, so one bad file never stops a run: a :class:`Failure` is
written to the dead-letter file and the ingest log, everything else goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union


@dataclass
class SourceDoc:
    """One document as a source read it, before enrichment (field names follow the index contract)."""

    source: str
    source_type: str
    title: str
    body: str
    url: str | None = None
    external_id: str | None = None  # a stable id the source itself gives (feed guid, record id)
    author: str | None = None
    published_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    language_hint: str | None = None
    origin: str = ""  # where it came from (path, path:line, feed item) — for logs and dead letters
    encoding: str | None = None  # the text encoding found (utf-8, cp1252, koi8_r …)
    ocr: dict[str, Any] | None = None  # {"pages": n, "confidence": mean 0..100, "language": "eng"} when OCR read it
    parent: str | None = None  # id of the archive/e-mail this member or attachment came from
    path: str | None = None  # where inside the parent (member path, attachment name), "a.zip/b/c.txt"
    ocr_job: Any = None  # indexer.ocr.OcrJob: pages/images the enrichment workers OCR before enriching


@dataclass
class Failure:
    """A document that could not be read or indexed, and why."""

    origin: str
    reason: str  # short machine-friendly category, e.g. "broken-pdf", "invalid-utf8", "too-large"
    detail: str = ""
    source: str = ""
    source_type: str = ""
    doc_id: str | None = None


Item = Union[SourceDoc, Failure]
