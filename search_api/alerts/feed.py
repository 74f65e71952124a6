"""Atom feed of a saved search's matches, built with feedgen (readable by any feed reader)."""

from __future__ import annotations

from workspace.alerts import Match
from workspace.saved_searches import SavedSearchInfo

from feedgen.feed import FeedGenerator

from .matching import doc_link


def atom(search: SavedSearchInfo, matches: list[Match], public_url: str, feed_url: str) -> bytes:
    fg = FeedGenerator()
    fg.id(f"{public_url}/saved/{search.id}")
    fg.title(f"Periscope: {search.name}")
    fg.subtitle(search.description or "New documents matching a saved search")
    fg.link(href=feed_url, rel="self")
    fg.link(href=f"{public_url}/saved/{search.id}", rel="alternate")
    fg.updated(matches[0].matched_at if matches else search.updated_at)
    for m in reversed(matches):  # feedgen prepends: add oldest first so the newest comes first
        entry = fg.add_entry()
        entry.id(f"{public_url}/doc/{m.doc_id}#saved-{search.id}")
        entry.title(m.title or m.doc_id)
        entry.link(href=doc_link(public_url, m.doc_id, m.url))
        if m.url and not m.doc_id.startswith("rising:"):
            entry.link(href=m.url, rel="related")
        entry.summary(m.snippet, type="html")
        entry.updated(m.matched_at)
    return fg.atom_str(pretty=True)
