"""The only places HTML is assembled outside templates, each from escaped pieces.

Everything else reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup, escape

from .labels import ENTITY_LABELS, mention_type

_MARK_SPLIT = re.compile(r"(</?mark>)", re.IGNORECASE)


def safe_highlight(fragment: str | None) -> Markup:
    """A highlight fragment ("escaped text with <mark> tags") made safe whatever the API sent.

    Text between the tags is unescaped then escaped again, so correct input is unchanged and any
    stray markup is shown as text; ``<mark>`` tags are kept balanced.
    """
    if not fragment:
        return Markup("")
    out: list[str] = []
    open_ = False
    for part in _MARK_SPLIT.split(fragment):
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
            out.append(str(escape(html.unescape(part))))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def mark_mentions(text: str | None, mentions: list[dict[str, Any]] | None, field_name: str) -> Markup:
    """``text`` escaped, with each mention of ``field_name`` wrapped in ``<mark class="ent ent-TYPE">``.

    Offsets come from the index (``mentions``); a mention whose offsets are out of range or no longer
    match its text is skipped rather than marking the wrong words; overlaps keep the earliest-longest.
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
    out: list[Markup] = []
    pos = 0
    for s, e, m in spans:
        if s < pos:
            continue
        typ = mention_type(m.get("type"))
        canonical = m.get("canonical") or text[s:e]
        out.append(escape(text[pos:s]))
        out.append(Markup('<mark class="ent ent-{0}" data-type="{0}" title="{1}: {2}">{3}</mark>').format(
            typ, ENTITY_LABELS[typ], canonical, text[s:e]))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)
