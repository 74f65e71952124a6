"""Rich Text Format (.rtf, striprtf): the text without control words; the first meaningful line is
the title (as for plain text)."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import SourceDoc
from ..base import Format, Input, ReadContext
from ..encoding import decode_text
from .text import title_and_body


class Rtf(Format):
    name = "rtf"
    extensions = (".rtf",)
    mimetypes = ("application/rtf", "text/rtf")
    magic = (b"{\\rtf",)
    priority = 60

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        from striprtf.striprtf import rtf_to_text

        assert inp.data is not None
        # RTF is 7-bit with \'hh escapes in the document's code page; striprtf decodes those itself
        raw = decode_text(inp.data).text
        title, body = title_and_body(rtf_to_text(raw, errors="ignore"), heading=None)
        yield SourceDoc("", "", title, body, encoding="rtf")


FORMAT = Rtf()
