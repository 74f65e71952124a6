"""PDF: the text layer of every page (pypdf) and the Info dictionary's title, author and date.

Scanned pages without a text layer give no text (OCR comes with issue 14).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date


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
            text = "\n".join((page.extract_text() or "") for page in reader.pages).strip()
            info = reader.metadata or {}
        except BadDocument:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise BadDocument("broken-pdf", f"{type(exc).__name__}: {exc}") from None
        title = str(info.get("/Title") or "").strip()
        yield SourceDoc("", "", title or (inp.path.stem if inp.path else ""), text,
                        author=(str(info.get("/Author") or "").strip() or None),
                        published_at=parse_date(info.get("/CreationDate")), meta={"pages": len(reader.pages)})


FORMAT = Pdf()
