"""Plain text: UTF-8 only (legacy encodings come with issue 14); the first short line is the title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext

_MD_TITLE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument("invalid-utf8", f"byte {exc.start}: {exc.reason}") from None


def modified(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    return {"modified": datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat()}


def text_doc(inp: Input, *, heading: re.Pattern[str] | None = _MD_TITLE) -> SourceDoc:
    """Title from a ``# heading`` or a first line of at most 200 characters, the rest is the body."""
    assert inp.data is not None
    text = decode_utf8(inp.data).replace("\r\n", "\n")
    if "\x00" in text:
        raise BadDocument("binary", "NUL bytes in a text file")
    title, body = "", text.strip()
    lines = body.split("\n", 1)
    m = heading.match(lines[0]) if heading and lines else None
    if m:
        title, body = m.group(1), (lines[1] if len(lines) > 1 else "").strip()
    elif lines and 0 < len(lines[0]) <= 200 and len(lines) > 1:
        title, body = lines[0].strip(), lines[1].strip()
    stem = inp.path.stem if inp.path else ""
    return SourceDoc("", "", title or stem, body, meta=modified(inp.path))


class Text(Format):
    name = "text"
    extensions = (".txt", ".text")
    mimetypes = ("text/plain",)
    priority = 0  # also the fallback for content nothing else claims (see the registry)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        yield text_doc(inp)


FORMAT = Text()
