"""The evidence behind "reported by N independent sources" on the document page (issue 16).

The corroboration batch (:mod:`search_api.corroboration`) stores, with each document, the ids of the other
reports of its story (``corroborated_by``). The page lists the ones the reader may see, each with why it
counts as the same story, in words an analyst can check: a copy of the same text, or the names the two
reports share and how far apart they were published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..models import Hit
from .dates import parse_date

MAIN_TYPES = ("person", "org", "location")  # the matcher's "main named entities"
SHOWN_NAMES = 4


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    source: str
    date: str | None
    rating: str
    why: str


def _names(entities: dict[str, Any] | None) -> dict[str, str]:
    return {n.casefold(): n for t in MAIN_TYPES for n in (entities or {}).get(t) or [] if isinstance(n, str)}


def _days_apart(a: str | None, b: str | None) -> int | None:
    da, db = parse_date(a), parse_date(b)
    if da is None or db is None:
        return None
    day = lambda d: d.date() if isinstance(d, dt.datetime) else d  # noqa: E731
    return abs((day(da) - day(db)).days)


def why_same_story(doc: dict[str, Any], other: Hit) -> str:
    """One line: a near-duplicate copy, or the shared names and the distance in days."""
    doc_id, copy_of = doc.get("id"), doc.get("duplicate_of")
    if other.duplicate_of == doc_id or copy_of == other.id or (copy_of and other.duplicate_of == copy_of):
        return "same text (a copy of one report)"
    mine = _names(doc.get("entities"))
    shared = [mine[k] for k in _names(other.entities) if k in mine]
    parts = []
    if shared:
        more = len(shared) - SHOWN_NAMES
        parts.append("names " + ", ".join(shared[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else ""))
    days = _days_apart(doc.get("published_at"), other.published_at)
    if days is not None:
        parts.append("same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} apart")
    return "; ".join(parts) or "same story (text and vector similarity)"


def evidence_view(doc: dict[str, Any], hits: list[Hit]) -> list[Evidence]:
    return [Evidence(h.id, h.title or "(untitled)", h.source or "", h.published_at, h.rating, why_same_story(doc, h))
            for h in hits]
