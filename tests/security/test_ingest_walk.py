"""Finding 3: the file walker stays inside the indexed folder and reads regular files only, with a
bounded read; symlinks to /etc/passwd or /dev/zero and a FIFO are skipped with recorded reasons."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer.models import Failure, SourceDoc
from indexer.sources import read_paths
from indexer.sources.base import BadDocument
from indexer.sources.walk import read_capped

pytestmark = pytest.mark.timeout(120)  # today's main hangs forever on the FIFO


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "drop"
    root.mkdir()
    (root / "note.txt").write_text("Harbour note\nThe harbour master in Gdansk reported record grain loads.\n")
    os.symlink("/etc/passwd", root / "passwd.txt")
    os.symlink("/dev/zero", root / "zero.txt")
    os.symlink(root / "note.txt", root / "alias.txt")  # inside the root: fine
    os.mkfifo(root / "pipe.txt")
    return root


def reasons(items: list) -> dict[str, str]:
    return {Path(f.origin).name: f.reason for f in items if isinstance(f, Failure)}


def test_walker_skips_what_it_must_not_read(hostile: Path) -> None:
    t0 = time.monotonic()
    items = list(read_paths([hostile], source="drop"))
    assert time.monotonic() - t0 < 10
    assert reasons(items) == {"passwd.txt": "symlink-outside-root", "zero.txt": "symlink-outside-root",
                              "pipe.txt": "not-a-regular-file"}
    docs = [d for d in items if isinstance(d, SourceDoc)]
    assert sorted(Path(d.origin).name for d in docs) == ["alias.txt", "note.txt"]
    assert all("root:" not in d.body for d in docs)


def test_following_symlinks_still_reads_regular_files_only(hostile: Path) -> None:
    items = list(read_paths([hostile], source="drop", follow_symlinks=True))
    r = reasons(items)
    assert r == {"zero.txt": "not-a-regular-file", "pipe.txt": "not-a-regular-file"}
    assert any(isinstance(d, SourceDoc) and Path(d.origin).name == "passwd.txt" for d in items)


def test_devices_named_directly_are_refused() -> None:
    out = list(read_paths(["/dev/zero"], source="x"))
    assert [(type(o).__name__, o.reason) for o in out] == [("Failure", "not-a-regular-file")]
    with pytest.raises(BadDocument) as err:
        read_capped(Path("/dev/zero"), 1024)
    assert err.value.reason == "not-a-regular-file"


def test_bounded_read(tmp_path: Path) -> None:
    f = tmp_path / "f.txt"
    f.write_bytes(b"a" * 5000)
    assert len(read_capped(f, 5000)) == 5000
    with pytest.raises(BadDocument) as err:
        read_capped(f, 4999)
    assert err.value.reason == "too-large"


@pytest.mark.integration
def test_periscope_index_finishes_and_records_reasons(es, index_alias, hostile: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from periscope import settings as settings_mod
    from periscope.cli import app

    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path / "cache"))
    settings_mod.get_settings.cache_clear()
    try:
        t0 = time.monotonic()
        res = CliRunner().invoke(app, ["index", str(hostile), "--index", index_alias, "--workers", "0"])
        assert res.exit_code == 1, res.output
        assert time.monotonic() - t0 < 60
        [dead] = (tmp_path / "cache" / "ingest" / "dead-letter").glob(f"{index_alias}-*.jsonl")
        got = {Path(r["origin"]).name: r["reason"] for r in map(json.loads, dead.read_text().splitlines())}
        assert got == {"passwd.txt": "symlink-outside-root", "zero.txt": "symlink-outside-root",
                       "pipe.txt": "not-a-regular-file"}
    finally:
        settings_mod.get_settings.cache_clear()
        from indexer.deadletter import log_index

        es.indices.delete(index=log_index(index_alias), ignore_unavailable=True)
