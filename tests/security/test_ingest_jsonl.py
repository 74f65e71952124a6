"""Finding 10: a JSONL export larger than the document limit is streamed record by record; an
over-long line is one ``record-too-large`` failure (read in bounded pieces) and the rest goes on."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from indexer.models import Failure, SourceDoc
from indexer.sources import read_json_file, read_paths

MB = 1024 * 1024


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """~25 MB of ~1.7 KB records with one 3 MB line in the middle; (path, records, bad line number)."""
    path = tmp_path_factory.mktemp("jsonl") / "wire.jsonl"
    n, bad_line = 15_000, 7_001
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 2):
            if i == bad_line:
                fh.write(json.dumps({"id": "huge", "title": "Huge", "body": "z" * (3 * MB)}) + "\n")
            else:
                fh.write(json.dumps({"id": f"r{i}", "title": f"Record {i}", "body": f"Grain report {i}. " * 80}) + "\n")
    assert path.stat().st_size > 25 * MB
    return path, n, bad_line


def test_big_jsonl_streams_with_a_per_record_cap(export: tuple[Path, int, int]) -> None:
    path, n, bad_line = export
    t0 = time.monotonic()
    out = list(read_paths([path], source="wire", max_bytes=1 * MB))  # the file is 25x the limit
    fails = [o for o in out if isinstance(o, Failure)]
    docs = [o for o in out if isinstance(o, SourceDoc)]
    assert [(f.reason, f.origin.rsplit(":", 1)[1]) for f in fails] == [("record-too-large", str(bad_line))]
    assert len(docs) == n and docs[-1].external_id == f"r{n + 1}"
    assert time.monotonic() - t0 < 30


def test_an_over_long_line_is_never_held_in_memory(export: tuple[Path, int, int], tmp_path: Path) -> None:
    path, _, bad_line = export
    lines = path.read_bytes().split(b"\n")
    small = tmp_path / "one.jsonl"
    small.write_bytes(b"\n".join([lines[0], lines[bad_line - 1], lines[1]]) + b"\n")
    tracemalloc.start()
    try:
        out = list(read_json_file(small, max_bytes=64 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(o).__name__ for o in out] == ["SourceDoc", "Failure", "SourceDoc"]
    assert out[1].reason == "record-too-large" and peak < 2 * MB  # the line is 3 MB


def test_json_array_element_cap(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps([{"title": "ok", "body": "fine"}, {"title": "big", "body": "y" * 300_000}]))
    out = list(read_json_file(f, max_bytes=100_000))
    assert isinstance(out[0], SourceDoc) and isinstance(out[1], Failure) and out[1].reason == "record-too-large"
