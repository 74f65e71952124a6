"""PowerPoint (.pptx, python-pptx): the text of every slide in order (titles, text boxes, tables,
notes); title from the core properties, else the first slide's title."""

from __future__ import annotations

import io
from collections.abc import Iterator

from ...models import SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date


class Pptx(Format):
    name = "pptx"
    extensions = (".pptx",)
    mimetypes = ("application/vnd.openxmlformats-officedocument.presentationml.presentation",)
    priority = 80
    zip_container = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") and (ext == ".pptx" or b"ppt/" in head)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        from pptx import Presentation

        assert inp.data is not None
        try:
            deck = Presentation(io.BytesIO(inp.data))
        except Exception as exc:  # noqa: BLE001 - python-pptx raises many types for a broken file
            raise BadDocument("broken-pptx", f"{type(exc).__name__}: {exc}") from None
        parts, first_title = [], ""
        for slide in deck.slides:
            shapes = list(slide.shapes)
            title_shape = slide.shapes.title
            if title_shape is not None and title_shape.has_text_frame and not first_title:
                first_title = title_shape.text_frame.text.strip()
            for shape in shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text.strip())
                elif getattr(shape, "has_table", False) and shape.has_table:
                    parts.extend(" | ".join(c.text for c in row.cells) for row in shape.table.rows)
            if slide.has_notes_slide:
                parts.append(slide.notes_slide.notes_text_frame.text.strip())
        cp = deck.core_properties
        yield SourceDoc("", "", (cp.title or first_title or "").strip(), "\n".join(p for p in parts if p),
                        author=cp.author or None, published_at=parse_date(cp.created),
                        meta={"slides": len(deck.slides)})


FORMAT = Pptx()
