"""HTML pages: main text and metadata via trafilatura (menus, footers, ads, comments removed), the
declared or detected encoding, and a title reconciled from og:title / <title> / h1 without site names."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date
from ..encoding import decode_text, declared_charset
from ..htmlclean import clean_main_text, page_title


def html_to_doc(html: str | bytes, url: str | None = None, charset: str | None = None) -> SourceDoc:
    """Title, author, date and main text of a page (``no-text`` when there is no main text)."""
    import trafilatura

    encoding = None
    if isinstance(html, bytes):
        decoded = decode_text(html, declared_charset(html) or charset)
        html, encoding = decoded.text, decoded.encoding
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    text = clean_main_text(doc.text or "") if doc is not None else ""
    if not text.strip():
        raise BadDocument("no-text", "no main text found in the HTML")
    meta = {k: v for k, v in (("sitename", doc.sitename), ("hostname", doc.hostname)) if v}
    return SourceDoc("", "", page_title(html, doc), text, url=None, author=doc.author or None,
                     published_at=parse_date(doc.date), meta=meta, encoding=encoding)


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
        yield html_to_doc(inp.data, url=inp.url if inp.path is None else None, charset=inp.charset)


FORMAT = Html()
