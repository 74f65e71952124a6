"""PDF: the text layer of every page (pypdf) and the Info dictionary's title, author and date.

Pages without a text layer (scans) are OCR'd by the enrichment workers (:mod:`indexer.ocr`): the
reader only lists them. Hard-wrapped lines of the text layer are joined into paragraphs.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

from ...ocr import OcrJob
from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date
from ..titles import first_meaningful_line
from .text import reflow

MIN_PAGE_CHARS = 20  # a page with less text than this is treated as a scan


def ocr_job(kind: str, data: bytes, ctx: ReadContext, **kw: object) -> OcrJob | None:
    lim = ctx.limits
    if not lim.ocr:
        return None
    return OcrJob(kind, data, languages=lim.ocr_languages, page_timeout=lim.ocr_page_timeout,
                  max_pages=lim.ocr_max_pages, **kw)  # type: ignore[arg-type]


class Pdf(Format):
    name = "pdf"
    extensions = (".pdf",)
    mimetypes = ("application/pdf",)
    magic = (b"%PDF-",)
    priority = 90

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-") or ext == ".pdf" and b"%PDF-" in head[:1024]

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        assert inp.data is not None
        try:
            reader = PdfReader(io.BytesIO(inp.data))
            if reader.is_encrypted:
                raise BadDocument("encrypted-pdf", "the PDF is encrypted")
            pages = [(page.extract_text() or "").strip() for page in reader.pages]
            info = reader.metadata or {}
        except BadDocument:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise BadDocument("broken-pdf", f"{type(exc).__name__}: {exc}") from None
        scans = [i for i, t in enumerate(pages) if len(t) < MIN_PAGE_CHARS]
        text = reflow("\n".join(p for p in pages if p)).strip()
        title = str(info.get("/Title") or "").strip()
        if not title and text:
            found = first_meaningful_line(text)
            title = found[0] if found else ""
        meta = {"pages": len(pages), "sha256": hashlib.sha256(inp.data).hexdigest()}
        job = ocr_job("pdf", inp.data, ctx, pages=scans, page_texts=pages) if scans else None
        yield SourceDoc("", "", title or (inp.path.stem if inp.path else ""), text,
                        author=(str(info.get("/Author") or "").strip() or None),
                        published_at=parse_date(info.get("/CreationDate")), meta=meta, ocr_job=job)


FORMAT = Pdf()
