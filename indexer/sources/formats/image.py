"""Images (png, jpg, tiff, webp, gif): text by OCR in the enrichment workers (:mod:`indexer.ocr`);
the reader checks the image header and the pixel count (decompression bombs) only."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

from ...models import SourceDoc
from ...ocr import IMAGE_PIXELS_MAX
from ..base import BadDocument, Format, Input, ReadContext
from .pdf import ocr_job


class Image(Format):
    name = "image"
    extensions = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif")
    mimetypes = ("image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif")
    magic = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
    priority = 50

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(self.magic) or head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[SourceDoc]:
        from PIL import Image as PILImage
        from PIL import UnidentifiedImageError

        assert inp.data is not None
        try:
            with PILImage.open(io.BytesIO(inp.data)) as img:  # reads the header only
                w, h, fmt = img.width, img.height, img.format
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise BadDocument("broken-image", f"{type(exc).__name__}: {exc}") from None
        if w * h > IMAGE_PIXELS_MAX:
            raise BadDocument("too-large", f"{w}×{h} pixels > limit {IMAGE_PIXELS_MAX}")
        job = ocr_job("image", inp.data, ctx)
        if job is None:
            raise BadDocument("no-text", "an image, and OCR is off (PERISCOPE_INGEST_OCR=false)")
        stem = inp.name or (inp.path.stem if inp.path else "")
        yield SourceDoc("", "", stem, "", meta={"width": w, "height": h, "image_format": fmt,
                                                "sha256": hashlib.sha256(inp.data).hexdigest()}, ocr_job=job)


FORMAT = Image()
