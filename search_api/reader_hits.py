"""Where a query matches inside one document, as character offsets into its stored title and body.

The document page (issue 13) marks the query's hits in the full text and lets the analyst step through
them. Matching is Elasticsearch's, the same analysis as the result list (stemming per language, phrases,
field syntax): one ``_search`` restricted to the document's id asks the unified highlighter for the whole
field (``number_of_fragments: 0``), and :func:`hit_spans` turns the marked copy back into offsets of the
original text. Pure functions: the service sends the body (with the access filter) and this module reads it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mappings import STEMMED_LANGUAGES, body_field, title_field

from .query import text_query

MAX_HITS = 2000  # marks rendered per field: a query matching every word gains nothing past that
MAX_ANALYZED = 1_000_000  # the index's highlight.max_analyzed_offset: longer bodies are marked up to there
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", *(title_field(lang) for lang in STEMMED_LANGUAGES)),
    "body": ("body", *(body_field(lang) for lang in STEMMED_LANGUAGES)),
}
_MARK = re.compile(r"(</?mark>)")


def highlight_body(doc_id: str, q: str, default_operator: str = "and") -> dict[str, Any]:
    """The ``_search`` body: the analyst's query, only this document, every text field highlighted whole."""
    return {
        "query": {"bool": {"must": [text_query(q, default_operator)], "filter": [{"ids": {"values": [doc_id]}}]}},
        "size": 1,
        "_source": False,
        "highlight": {
            "type": "unified", "encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
            "max_analyzed_offset": MAX_ANALYZED,
            "fields": {f: {"number_of_fragments": 0} for names in FIELDS.values() for f in names},
        },
    }


def hit_spans(original: str, marked: str) -> list[tuple[int, int]]:
    """Offsets of the ``<mark>``ed runs of ``marked`` in ``original``; [] when the two texts differ.

    ``marked`` is the highlighter's HTML-encoded copy of the whole field; a copy that does not decode to
    ``original`` (another version of the text, a truncated field) marks nothing rather than wrong words.
    """
    spans: list[tuple[int, int]] = []
    plain: list[str] = []
    pos, start = 0, None
    for part in _MARK.split(marked):
        if part == "<mark>":
            start = pos
        elif part == "</mark>":
            if start is not None and pos > start:
                spans.append((start, pos))
            start = None
        elif part:
            text = html.unescape(part)
            plain.append(text)
            pos += len(text)
    decoded = "".join(plain)
    if decoded != original[:len(decoded)] or (len(decoded) < len(original) and len(original) <= MAX_ANALYZED):
        return []
    return spans


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans (adjacent and overlapping ones joined), at most ``MAX_HITS``."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out[:MAX_HITS]


def document_hits(response: dict[str, Any], doc: dict[str, Any]) -> dict[str, list[tuple[int, int]]]:
    """``{"title": spans, "body": spans}`` from the highlight response for ``doc`` (its stored source)."""
    hits = response.get("hits", {}).get("hits") or []
    marked = hits[0].get("highlight", {}) if hits else {}
    out: dict[str, list[tuple[int, int]]] = {}
    for name, fields in FIELDS.items():
        original = doc.get(name) or ""
        found = [s for f in fields for frag in marked.get(f, [])[:1] for s in hit_spans(original, frag)]
        out[name] = merge(found)
    return out
