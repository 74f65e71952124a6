"""Finding 4: a .docx holding ~50 MB of highly compressible XML is refused from its central directory
in well under a second, not parsed for minutes; parse time per document is capped."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from indexer.models import Failure, SourceDoc
from indexer.sources import read_paths
from indexer.sources.base import BadDocument, Limits
from indexer.sources.guards import check_zip, time_limit
from tests.indexer_helpers import make_docx

pytestmark = pytest.mark.timeout(60)  # today's main spends ~110 s and 660 MB on this file


def bomb_docx(tmp_path: Path, xml_mb: int = 50) -> Path:
    """A real python-docx file whose word/document.xml is replaced by ``xml_mb`` MB of paragraphs."""
    src = make_docx(tmp_path / "seed.docx", ["seed"], title="t", author="a")
    para = b"<w:p><w:r><w:t>" + b"A" * 200 + b"</w:t></w:r></w:p>"
    n = xml_mb * 1024 * 1024 // len(para)
    out = tmp_path / "bomb.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            if item.filename == "word/document.xml":
                head, _, tail = zin.read(item).partition(b"<w:body>")
                end = tail.split(b"</w:body>", 1)[-1]
                zout.writestr(item.filename, head + b"<w:body>" + para * n + b"</w:body>" + end)
            else:
                zout.writestr(item, zin.read(item))
    return out


def test_docx_zip_bomb_rejected_fast(tmp_path: Path) -> None:
    bomb = bomb_docx(tmp_path)
    assert bomb.stat().st_size < 2 * 1024 * 1024  # small on disk, 50 MB inflated
    t0 = time.monotonic()
    [out] = list(read_paths([bomb], source="x"))
    assert time.monotonic() - t0 < 3
    assert isinstance(out, Failure) and out.reason == "zip-bomb" and "document.xml" in out.detail


def test_real_docx_passes_the_checks(tmp_path: Path) -> None:
    doc = make_docx(tmp_path / "memo.docx", ["Talks resumed in Doha on Monday."], title="Memo", author="Desk")
    [out] = list(read_paths([doc], source="x"))
    assert isinstance(out, SourceDoc) and "Doha" in out.body


def test_member_count_and_declared_total(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(30):
            zf.writestr(f"m{i}.xml", b"x" * 1000)
    with pytest.raises(BadDocument) as err:
        check_zip(buf.getvalue(), Limits(zip_max_members=20))
    assert err.value.reason == "zip-bomb"
    with pytest.raises(BadDocument) as err:
        check_zip(buf.getvalue(), Limits(max_bytes=5000, zip_total_factor=2))
    assert err.value.reason == "too-large"
    with pytest.raises(BadDocument) as err:
        check_zip(b"PK\x03\x04 not really a zip", Limits(), broken="broken-docx")
    assert err.value.reason == "broken-docx"


def test_parse_time_is_capped() -> None:
    t0 = time.monotonic()
    with pytest.raises(BadDocument) as err, time_limit(0.3):
        while True:
            pass
    assert err.value.reason == "timeout" and time.monotonic() - t0 < 2


def test_parse_time_limit_keeps_an_outer_alarm() -> None:
    import signal

    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        with time_limit(5):
            pass
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.6  # re-armed with what it had left
        time.sleep(0.8)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
