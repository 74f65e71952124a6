"""Markdown: read as text, the first ``#`` heading is the title."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import SourceDoc
from ..base import Format, Input, ReadContext
from .text import text_doc


class Markdown(Format):
    name = "markdown"
    extensions = (".md", ".markdown")
    mimetypes = ("text/markdown",)
    priority = 10

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        yield text_doc(inp)


FORMAT = Markdown()
