"""OpenDocument text and presentations (.odt, .odp): paragraphs and headings of content.xml, title
and author from meta.xml — plain zip + lxml (see :class:`.sheets.Ods` for why not odfpy)."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import SourceDoc
from ..base import Format, Input, ReadContext
from ..dates import parse_date
from ..ziptext import member, open_zip, parse_xml

_TXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"


class OpenDocument(Format):
    zip_container = True
    priority = 80
    kind: str = ""

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") and f"application/vnd.oasis.opendocument.{self.kind}".encode() in head[:200]

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        assert inp.data is not None
        zf = open_zip(inp.data, self.name)
        root = parse_xml(member(zf, "content.xml", self.name, ctx.limits.max_bytes), self.name)
        paras = ["".join(el.itertext()).strip() for el in root.iter(f"{{{_TXT}}}p", f"{{{_TXT}}}h")]
        title = author = created = None
        if "meta.xml" in zf.namelist():
            meta = parse_xml(member(zf, "meta.xml", self.name, 1 << 20), self.name)
            title = meta.findtext(f".//{{{_DC}}}title")
            author = meta.findtext(f".//{{{_META}}}initial-creator") or meta.findtext(f".//{{{_DC}}}creator")
            created = meta.findtext(f".//{{{_META}}}creation-date")
        heading = next((("".join(h.itertext())).strip() for h in root.iter(f"{{{_TXT}}}h")), "")
        yield SourceDoc("", "", (title or heading or "").strip(), "\n".join(p for p in paras if p),
                        author=(author or "").strip() or None, published_at=parse_date(created))


class Odt(OpenDocument):
    name = "odt"
    kind = "text"
    extensions = (".odt",)
    mimetypes = ("application/vnd.oasis.opendocument.text",)


class Odp(OpenDocument):
    name = "odp"
    kind = "presentation"
    extensions = (".odp",)
    mimetypes = ("application/vnd.oasis.opendocument.presentation",)


FORMATS = (Odt(), Odp())
