"""HTML pages: main text and metadata via trafilatura (menus, footers, ads removed)."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date
from .text import decode_utf8


def html_to_doc(html: str | bytes, url: str | None = None) -> SourceDoc:
    """Title, author, date and main text of a page (``no-text`` when there is no main text)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise BadDocument("no-text", "no main text found in the HTML")
    meta = {k: v for k, v in (("sitename", doc.sitename), ("hostname", doc.hostname)) if v}
    return SourceDoc("", "", (doc.title or "").strip(), doc.text.strip(), url=None, author=doc.author or None,
                     published_at=parse_date(doc.date), meta=meta)


class Html(Format):
    name = "html"
    extensions = (".html", ".htm", ".xhtml")
    mimetypes = ("text/html", "application/xhtml+xml")

    def sniff(self, head: bytes, ext: str) -> bool:
        low = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
        if low.startswith((b"<!doctype html", b"<html")):
            return True
        return b"<html" in low[:1024] and b"<rss" not in low

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        assert inp.data is not None
        if inp.path is not None:  # files: UTF-8 (legacy encodings come with issue 14)
            yield html_to_doc(decode_utf8(inp.data))
        else:  # a fetched page: trafilatura honours the charset the page declares
            yield html_to_doc(inp.data, url=inp.url)


FORMAT = Html()
