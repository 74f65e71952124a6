"""The only places HTML is assembled outside templates, each from escaped pieces.

Everything else reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from .labels import ENTITY_LABELS, mention_type

_MARK_SPLIT = re.compile(r"(</?mark>)", re.IGNORECASE)


def safe_highlight(fragment: str | None, *, shout_to_title: bool = False) -> Markup:
    """A highlight fragment ("escaped text with <mark> tags") made safe whatever the API sent.

    Text between the tags is unescaped then escaped again, so correct input is unchanged and any
    stray markup is shown as text; ``<mark>`` tags are kept balanced.
    """
    if not fragment:
        return Markup("")
    parts = _MARK_SPLIT.split(fragment)
    # Wire headlines are often ALL CAPS; they are stored as sent and only displayed title-cased.
    shouting = shout_to_title and display_title("".join(p for p in parts if p.lower() not in ("<mark>", "</mark>"))) \
        != "".join(p for p in parts if p.lower() not in ("<mark>", "</mark>"))
    out: list[str] = []
    open_ = False
    for part in parts:
        low = part.lower()
        if low == "<mark>":
            if not open_:
                out.append("<mark>")
                open_ = True
        elif low == "</mark>":
            if open_:
                out.append("</mark>")
                open_ = False
        elif part:
            text = html.unescape(part)
            out.append(str(escape(text.title() if shouting else text)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def display_title(title: str) -> str:
    """How a stored title is shown: an ALL-CAPS headline title-cased, anything else as it is."""
    letters = [c for c in title if c.isalpha()]
    return title.title() if len(letters) >= 4 and all(c.isupper() for c in letters) else title


def mark_mentions(text: str | None, mentions: list[dict[str, Any]] | None, field_name: str,
                  hits: Sequence[tuple[int, int]] = (), *, numbered: bool = False) -> Markup:
    """``text`` escaped, with each mention of ``field_name`` wrapped in ``<mark class="ent ent-TYPE">``.

    Offsets come from the index (``mentions``); a mention whose offsets are out of range or no longer
    match its text is skipped rather than marking the wrong words; overlaps keep the earliest-longest.
    ``hits`` (sorted, non-overlapping offsets of the query's matches, :mod:`search_api.reader_hits`) are
    wrapped in ``<mark class="hit">`` inside the entity marks, split where an entity begins or ends; with
    ``numbered`` each piece carries ``data-hit="N"`` and the first piece of hit N the id ``hit-N`` (the
    reader's next/previous navigation).
    """
    text = text or ""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for m in mentions or []:
        if not isinstance(m, dict) or (m.get("field") or "body") != field_name:
            continue
        s, e = m.get("start"), m.get("end")
        if not isinstance(s, int) or not isinstance(e, int) or not (0 <= s < e <= len(text)):
            continue
        if m.get("text") and text[s:e] != m["text"]:
            continue
        spans.append((s, e, m))
    spans.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    marks = _HitMarks(text, [(s, e) for s, e in hits if 0 <= s < e <= len(text)], numbered)
    out: list[Markup] = []
    pos = 0
    for s, e, m in spans:
        if s < pos:
            continue
        typ = mention_type(m.get("type"))
        canonical = m.get("canonical") or text[s:e]
        out.append(marks.render(pos, s))
        mark = Markup('<mark class="ent ent-{0}" data-type="{0}" title="{1}: {2}">{3}</mark>').format(
            typ, ENTITY_LABELS[typ], canonical, marks.render(s, e))
        if typ != "other":  # each mention links to its entity page (strategic warning, issue 17)
            mark = Markup('<a class="ent-link" href="/entities/{0}/{1}" hx-boost="false">{2}</a>').format(
                typ, quote(canonical, safe=""), mark)
        out.append(mark)
        pos = e
    out.append(marks.render(pos, len(text)))
    return Markup("").join(out)


class _HitMarks:
    """Escaped text of ``[a, b)`` with the query's hits in it marked (see :func:`mark_mentions`)."""

    def __init__(self, text: str, hits: list[tuple[int, int]], numbered: bool):
        self.text, self.hits, self.numbered = text, hits, numbered
        self.ends = [e for _, e in hits]
        self.opened: set[int] = set()

    def render(self, a: int, b: int) -> Markup:
        out: list[Markup] = []
        pos = a
        i = bisect.bisect_right(self.ends, a)  # the first hit ending after a
        while i < len(self.hits) and self.hits[i][0] < b:
            s, e = max(self.hits[i][0], a), min(self.hits[i][1], b)
            out.append(escape(self.text[pos:s]))
            attrs = Markup("")
            if self.numbered:
                n = i + 1
                attrs = Markup(' data-hit="{0}"').format(n)
                if n not in self.opened:
                    self.opened.add(n)
                    attrs += Markup(' id="hit-{0}"').format(n)
            out.append(Markup('<mark class="hit"{0}>{1}</mark>').format(attrs, self.text[s:e]))
            pos = e
            i += 1
        out.append(escape(self.text[pos:b]))
        return Markup("").join(out)
