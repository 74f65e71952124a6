"""Plain XML that no other format claims (not RSS/Atom, not XHTML): all text content in document
order, one element per line; the title from a ``title``/``headline`` element. The parser resolves no
entities and loads no DTD (XXE and entity bombs are inert)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...models import SourceDoc
from ..base import Format, Input, ReadContext
from ..ziptext import parse_xml

_TITLES = {"title", "headline", "subject", "name", "heading"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


class Xml(Format):
    name = "xml"
    extensions = (".xml",)
    mimetypes = ("application/xml", "text/xml")
    priority = 5  # feeds, XHTML and office XML have their own formats

    def sniff(self, head: bytes, ext: str) -> bool:
        return bool(re.match(rb"^(\xef\xbb\xbf)?\s*<\?xml\s", head))

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        assert inp.data is not None
        root = parse_xml(inp.data, self.name)
        lines, title = [], ""
        for el in root.iter():
            text = (el.text or "").strip()
            if not text:
                continue
            if not title and _local(el.tag) in _TITLES:
                title = " ".join(text.split())[:200]
                continue
            lines.append(" ".join(text.split()))
        yield SourceDoc("", "", title, "\n".join(lines), encoding=(root.getroottree().docinfo.encoding or None))


FORMAT = Xml()
