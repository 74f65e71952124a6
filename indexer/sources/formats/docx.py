"""Word documents (.docx): paragraphs and the core properties' title, author and creation date.

A .docx is a zip container: the registry checks its directory for zip bombs before this parses it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date


class Docx(Format):
    name = "docx"
    extensions = (".docx",)
    mimetypes = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
    priority = 80
    zip_container = True

    def sniff(self, head: bytes, ext: str) -> bool:
        # Word writes "word/…" members near the start; any other zip is not claimed (archives: issue 14)
        return head.startswith(b"PK\x03\x04") and (ext == ".docx" or b"word/" in head)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        assert inp.data is not None
        try:
            d = docx.Document(io.BytesIO(inp.data))
        except (PackageNotFoundError, KeyError, ValueError) as exc:
            raise BadDocument("broken-docx", f"{type(exc).__name__}: {exc}") from None
        cp = d.core_properties
        text = "\n".join(p.text for p in d.paragraphs if p.text.strip())
        yield SourceDoc("", "", (cp.title or "").strip() or (inp.path.stem if inp.path else ""), text,
                        author=(cp.author or None), published_at=parse_date(cp.created), meta={})


FORMAT = Docx()
