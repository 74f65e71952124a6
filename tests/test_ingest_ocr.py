"""OCR (issue 14 item 7) on pages rendered here with a real font: images and a scanned PDF get their
text, ``ocr``/confidence/page count are stored; page limits and per-page timeouts are recorded.
Small pages only — throughput and CER on many pages are measured by bench/ingest_formats.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.models import Failure, SourceDoc
from indexer.ocr import OcrJob, run_job
from indexer.sources import read_paths
from indexer.sources.base import Limits
from tests.indexer_helpers import render_page, run_v2, v2_index

LINES = ["Turkey and Iraq agreed to restart oil flows through the",
         "Kirkuk-Ceyhan pipeline, energy officials in Ankara said."]
RUSSIAN = ["Министр иностранных дел заявил в среду,", "что страна готова к переговорам."]


def test_rotated_page_and_script_detection() -> None:
    import io

    buf = io.BytesIO()
    render_page(LINES, rotate=90).save(buf, "PNG")
    out = run_job(OcrJob("image", buf.getvalue()))
    assert "Kirkuk-Ceyhan pipeline" in out.text and out.pages == 1 and out.confidence > 80
    buf = io.BytesIO()
    render_page(RUSSIAN).save(buf, "PNG")
    out = run_job(OcrJob("image", buf.getvalue()))
    assert "переговорам" in out.text and "rus" in out.language


def test_page_limit_and_timeout_are_recorded(tmp_path: Path) -> None:
    import io

    pages = [render_page(LINES), render_page(LINES[::-1])]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:])
    out = run_job(OcrJob("image", buf.getvalue(), max_pages=1, languages="eng"))
    assert out.pages == 1 and out.skipped == ["frames 2-: page limit 1"] and "Ankara" in out.text
    out = run_job(OcrJob("image", buf.getvalue(), page_timeout=0.001, languages="eng"))
    assert out.error == "ocr-timeout" and "page 1: timeout" in out.detail


@pytest.mark.integration
def test_scans_are_ocrd_in_the_pipeline(es, tmp_path: Path) -> None:
    src = tmp_path / "scans"
    src.mkdir()
    render_page(LINES).save(src / "page.png")
    render_page(LINES).convert("RGB").save(src / "letter.jpg", quality=90)
    render_page(LINES).save(src / "scan.pdf", "PDF", resolution=300)  # an image-only PDF: no text layer
    items = list(read_paths([src], source="scans"))
    assert all(isinstance(i, SourceDoc) and i.ocr_job is not None for i in items), items
    with v2_index(es, "ocr") as alias:
        stats = run_v2(es, alias, iter(items), tmp_path)
        assert stats.created == 3 and stats.failed == 0
        for hit in es.search(index=alias, query={"term": {"ocr": True}})["hits"]["hits"]:
            doc = hit["_source"]
            assert "Kirkuk-Ceyhan" in doc["body"] and doc["ocr_confidence"] > 80 and doc["page_count"] == 1
            assert doc["language"] == "en" and doc["ocr_language"] == "eng"
        assert es.count(index=alias, query={"term": {"ocr": True}})["count"] == 3


def test_ocr_off_and_broken_images_are_failures(tmp_path: Path) -> None:
    render_page(LINES).save(tmp_path / "page.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    out = {Path(f.origin).name: f for f in read_paths([tmp_path], source="t", limits=Limits(ocr=False))}
    assert isinstance(out["page.png"], Failure) and out["page.png"].reason == "no-text"
    assert out["broken.png"].reason == "broken-image"


def test_ocr_runs_in_the_worker_process(tmp_path: Path) -> None:
    """With worker processes, tesseract runs there (with the enrichment), never in the reading process."""
    import io
    import os

    from nlp import EnrichInput

    from indexer.enrich import EnrichPool

    buf = io.BytesIO()
    render_page(LINES).save(buf, "PNG")
    with EnrichPool(1) as pool:
        inputs = [EnrichInput(title="scan", body="")]
        results, outcomes = pool.result(pool.submit(inputs, [OcrJob("image", buf.getvalue())]), inputs,
                                        [OcrJob("image", buf.getvalue())])
    assert outcomes[0].pid not in (0, os.getpid()) and "Kirkuk-Ceyhan" in outcomes[0].text
    assert not isinstance(results[0], str) and results[0].language == "en"  # enriched from the OCR'd text
