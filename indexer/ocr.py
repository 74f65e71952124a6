"""OCR of scanned PDF pages and images with Debian's tesseract (through pytesseract), run inside the
enrichment worker processes — a reader only notes *what* needs OCR (:class:`OcrJob`); the main
process never waits on tesseract.

Pages are rendered at 300 dpi with pypdfium2 (in-process, no poppler subprocess per page). The
language comes from a hint (``Limits.ocr_languages``) or from tesseract's orientation-and-script
detection (OSD), which also gives the page's rotation; a page that takes longer than the per-page
limit is skipped and recorded, pages past the per-document limit are not read (recorded too).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any

DPI = 300
IMAGE_PIXELS_MAX = 80_000_000  # ≈ an A0 scan at 300 dpi; larger "images" are decompression bombs
# OSD script → tesseract languages (the packs setup installs); Latin defaults to English, a hint
# (PERISCOPE_INGEST_OCR_LANGUAGES=fra) picks another: many languages at once make tesseract slower and worse
SCRIPT_LANGS = {"Latin": "eng", "Cyrillic": "rus+ukr", "Greek": "eng", "Han": "eng", "Arabic": "eng"}


@dataclass
class OcrJob:
    """What a reader found it could not read: an image, or PDF pages without a text layer."""

    kind: str  # "image" | "pdf"
    data: bytes
    pages: list[int] = field(default_factory=list)  # pdf: 0-based pages to OCR (others keep their text)
    page_texts: list[str] = field(default_factory=list)  # pdf: the text layer of every page
    languages: str = ""  # tesseract languages; "" = detect the script per page
    page_timeout: float = 60.0
    max_pages: int = 50


@dataclass
class OcrOutcome:
    text: str = ""
    confidence: float | None = None  # mean word confidence 0..100
    pages: int = 0  # pages OCR'd
    language: str = ""
    skipped: list[str] = field(default_factory=list)  # "page 3: timeout after 60s", "pages 51-80: page limit 50"
    error: str | None = None  # failure reason when nothing could be read
    detail: str = ""
    seconds: float = 0.0
    pid: int = 0  # the process that ran tesseract (a worker's, when the pipeline has workers)


def run_job(job: OcrJob) -> OcrOutcome:
    """OCR one job; never raises (the outcome says what went wrong)."""
    import time

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per worker, as for the NLP models
    t0 = time.monotonic()
    try:
        out = _run(job)
    except Exception as exc:  # noqa: BLE001 - a broken image or PDF is this document's failure only
        out = OcrOutcome(error="ocr-error", detail=f"{type(exc).__name__}: {exc}"[:500])
    out.seconds, out.pid = time.monotonic() - t0, os.getpid()
    return out


def _run(job: OcrJob) -> OcrOutcome:
    out = OcrOutcome()
    confs: list[float] = []
    langs: set[str] = set()
    if job.kind == "image":
        images = _image_frames(job.data, job.max_pages, out)
        texts = []
        for n, img in enumerate(images, 1):
            text = _ocr_page(img, job, n, out, confs, langs)
            texts.append(text or "")
        out.text = "\n\n".join(t for t in texts if t.strip())
    else:
        texts = list(job.page_texts)
        todo = job.pages[: job.max_pages]
        if len(job.pages) > len(todo):
            out.skipped.append(f"pages {job.pages[len(todo)] + 1}-{job.pages[-1] + 1}: page limit {job.max_pages}")
        for i, img in _pdf_pages(job.data, todo):
            text = _ocr_page(img, job, i + 1, out, confs, langs)
            if text is not None:
                texts[i] = text
        out.text = "\n\n".join(t.strip() for t in texts if t.strip())
    out.confidence = round(sum(confs) / len(confs), 2) if confs else None
    out.language = "+".join(sorted(langs))
    if out.pages == 0 and out.skipped:
        out.error, out.detail = ("ocr-timeout" if any("timeout" in s for s in out.skipped) else "ocr-skipped",
                                 "; ".join(out.skipped)[:500])
    return out


def _image_frames(data: bytes, max_pages: int, out: OcrOutcome) -> list[Any]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = IMAGE_PIXELS_MAX  # Pillow raises DecompressionBombError above it
    img = Image.open(io.BytesIO(data))
    frames = []
    for n, frame in enumerate(ImageSequence.Iterator(img)):  # multi-page TIFF, animated GIF
        if n >= max_pages:
            out.skipped.append(f"frames {n + 1}-: page limit {max_pages}")
            break
        frames.append(frame.convert("RGB"))
        if getattr(img, "format", "") == "GIF":  # an animation repeats its text: the first frame is enough
            break
    return frames


def _pdf_pages(data: bytes, pages: list[int]) -> Any:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for i in pages:
            page = pdf[i]
            try:
                yield i, page.render(scale=DPI / 72).to_pil()
            finally:
                page.close()
    finally:
        pdf.close()


def _ocr_page(img: Any, job: OcrJob, n: int, out: OcrOutcome, confs: list[float], langs: set[str]) -> str | None:
    import pytesseract

    lang, rotate = job.languages, 0
    if not lang:
        lang, rotate = _script(img, job.page_timeout)
    if rotate:
        img = img.rotate(-rotate, expand=True)  # OSD's "Rotate" is clockwise
    try:
        data = pytesseract.image_to_data(img, lang=lang, config="--psm 3", timeout=job.page_timeout,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract's timeout
        out.skipped.append(f"page {n}: timeout after {job.page_timeout:g}s" if "timeout" in str(exc).lower()
                           else f"page {n}: {exc}"[:200])
        return None
    out.pages += 1
    langs.add(lang)
    confs.extend(float(c) for c, w in zip(data["conf"], data["text"]) if float(c) >= 0 and w.strip())
    return _lines(data)


def _lines(data: dict[str, list[Any]]) -> str:
    """tesseract's words back into lines and paragraphs (block/par/line numbers)."""
    paras: dict[tuple[int, int], dict[int, list[str]]] = {}
    for word, b, p, ln in zip(data["text"], data["block_num"], data["par_num"], data["line_num"]):
        if word.strip():
            paras.setdefault((b, p), {}).setdefault(ln, []).append(word)
    return "\n\n".join("\n".join(" ".join(ws) for ws in lines.values()) for lines in paras.values())


def _script(img: Any, timeout: float) -> tuple[str, int]:
    """Languages for the page's script and its rotation, from tesseract's OSD; English if unsure."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(img, output_type=pytesseract.Output.DICT, timeout=min(timeout, 30))
    except (pytesseract.TesseractError, RuntimeError):  # too little text to tell
        return "eng", 0
    return SCRIPT_LANGS.get(str(osd.get("script")), "eng"), int(osd.get("rotate") or 0)
