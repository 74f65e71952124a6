"""Display shaping of one hit, on top of the service's :class:`~search_api.models.Hit`.

The service's ``shape_hit`` turns an Elasticsearch hit into the API's ``Hit`` (best highlight per
language, snippet, entities); the UI only adds what a page needs: safe HTML and labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..models import Hit
from .html import display_title, safe_highlight
from .labels import ENTITY_LABELS, language_label, short_date

HIT_ENTITY_TYPES = ("person", "org", "location")  # shown under a hit, three names each
MAX_SNIPPETS = 3
MAX_TOPICS = 4


@dataclass(frozen=True)
class HitView:
    id: str
    url: str | None
    title_html: Markup
    snippet_html: Markup
    source: str
    date: str
    language: str
    language_label: str
    entities: list[tuple[str, str, list[str]]]
    topics: list[str]
    duplicate_of: str | None
    rating: str = ""  # e.g. "B2": source reliability + information credibility (docs/grading.md)
    corroboration: int | None = None


def hit_view(hit: Hit) -> HitView:
    """What the result list shows for one hit (highlights preferred, plain text escaped)."""
    title_hl = hit.highlights.get("title") or []
    body_hl = hit.highlights.get("body") or []
    return HitView(
        id=hit.id,
        url=hit.url,
        title_html=(safe_highlight(title_hl[0], shout_to_title=True) if title_hl
                    else escape(display_title(hit.title or "(untitled)"))),
        # the snippet is escaped text with <mark> too (no match: the start of the body)
        snippet_html=(Markup(" … ").join(safe_highlight(f) for f in body_hl[:MAX_SNIPPETS]) if body_hl
                      else safe_highlight(hit.snippet)),
        source=hit.source or "",
        date=short_date(hit.published_at),
        language=hit.language or "",
        language_label=language_label(hit.language),
        entities=[(t, ENTITY_LABELS[t], hit.entities[t][:3]) for t in HIT_ENTITY_TYPES if hit.entities.get(t)],
        topics=hit.topics[:MAX_TOPICS],
        duplicate_of=hit.duplicate_of,
        rating=hit.rating,
        corroboration=hit.corroboration,
    )
