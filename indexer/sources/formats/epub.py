"""E-books (.epub): the chapters in reading order (the OPF spine), title and author from the OPF
metadata — plain zip + lxml: ebooklib would add a dependency to do the same two lookups."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date
from ..htmlclean import reflow_html_text
from ..ziptext import member, open_zip, parse_xml

_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF = "http://www.idpf.org/2007/opf"
_DC = "http://purl.org/dc/elements/1.1/"


class Epub(Format):
    name = "epub"
    extensions = (".epub",)
    mimetypes = ("application/epub+zip",)
    priority = 85
    zip_container = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") and b"application/epub+zip" in head[:200]

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        assert inp.data is not None
        zf = open_zip(inp.data, self.name)
        limit = ctx.limits.max_bytes
        container = parse_xml(member(zf, "META-INF/container.xml", self.name, 1 << 20), self.name)
        rootfile = container.find(f".//{{{_CONTAINER}}}rootfile")
        if rootfile is None or not rootfile.get("full-path"):
            raise BadDocument("broken-epub", "META-INF/container.xml names no package file")
        opf_path = rootfile.get("full-path")
        opf = parse_xml(member(zf, opf_path, self.name, 1 << 22), self.name)
        base = posixpath.dirname(opf_path)
        items = {i.get("id"): i.get("href") for i in opf.iter(f"{{{_OPF}}}item")}
        chapters, used = [], 0
        for ref in opf.iter(f"{{{_OPF}}}itemref"):
            href = items.get(ref.get("idref"))
            if not href:
                continue
            data = member(zf, posixpath.normpath(posixpath.join(base, href)), self.name, limit - used)
            used += len(data)
            chapters.append(reflow_html_text(data))
        yield SourceDoc("", "", (opf.findtext(f".//{{{_DC}}}title") or "").strip(),
                        "\n\n".join(c for c in chapters if c), author=(opf.findtext(f".//{{{_DC}}}creator") or None),
                        published_at=parse_date(opf.findtext(f".//{{{_DC}}}date")), meta={"chapters": len(chapters)})


FORMAT = Epub()
