"""Plain text in any encoding (:mod:`..encoding`); the first meaningful line is the title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ...models import SourceDoc
from ..base import Format, Input, ReadContext
from ..encoding import decode_text
from ..titles import first_meaningful_line

_MD_TITLE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SOFT_BREAK = re.compile(r"(?<=[^\n.!?:;\"”»])\n(?=[a-zà-ÿа-я(])")  # a hard wrap inside a sentence


def modified(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    return {"modified": datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat()}


def title_and_body(text: str, *, heading: re.Pattern[str] | None = _MD_TITLE) -> tuple[str, str]:
    """A ``# heading`` or the first meaningful line (not a date, bullet-only line or boilerplate) as
    the title when more text follows; the rest, with hard-wrapped lines joined, as the body."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    lines = body.split("\n")
    m = heading.match(lines[0]) if heading and lines else None
    if m:
        return m.group(1), "\n".join(lines[1:]).strip()
    found = first_meaningful_line(body)
    if found and len(lines) > found[1] + 1:
        title, i = found
        return title, "\n".join(lines[i + 1:]).strip()
    return "", body


def reflow(text: str) -> str:
    """Join lines broken inside a sentence (fixed-width text, PDF text layers); keep paragraphs."""
    return _SOFT_BREAK.sub(" ", text)


def text_doc(inp: Input) -> SourceDoc:
    assert inp.data is not None
    decoded = decode_text(inp.data, inp.charset)
    title, body = title_and_body(decoded.text)
    stem = inp.path.stem if inp.path else ""
    return SourceDoc("", "", title or stem, body, meta=modified(inp.path), encoding=decoded.encoding)


class Text(Format):
    name = "text"
    extensions = (".txt", ".text")
    mimetypes = ("text/plain",)
    priority = 0  # also the fallback for content nothing else claims (see the registry)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        yield text_doc(inp)


FORMAT = Text()
