"""Issue 14 items 4 and 10 against the real node: every run's failures reach the ingest log (also a
re-run that loads nothing new), each run has a summary document, `periscope runs` / `failures` list
them; the progress counter never shows more done than its total, library warnings go to the log file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer.deadletter import log_index
from indexer.runlog import runs_index
from mappings import drop
from periscope.cli import app
from tests.conftest import unique_alias
from tests.indexer_helpers import build_tree

pytestmark = pytest.mark.integration


@pytest.fixture()
def cli_env(es, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path / "cache"))
    from periscope import settings as settings_mod

    settings_mod.get_settings.cache_clear()
    alias = unique_alias("runs")
    yield alias
    settings_mod.get_settings.cache_clear()
    drop(es, alias)
    for index in (log_index(alias), runs_index(alias)):
        es.indices.delete(index=index, ignore_unavailable=True)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_rerun_logs_its_failures_and_runs_are_listed(es, cli_env, tmp_path: Path) -> None:
    alias = cli_env
    tree = build_tree(tmp_path)
    (tree / "empty.txt").write_text("   \n")
    first = invoke("index", str(tree), "--index", alias, "--workers", "0")
    second = invoke("index", str(tree), "--index", alias, "--workers", "0")
    assert first.exit_code == second.exit_code == 1, second.output
    assert "EOF marker" not in first.output + second.output  # pypdf's warning went to the log file
    assert "EOF marker not found" in (tmp_path / "cache" / "logs" / "ingest.log").read_text()
    assert " docs " in first.output.replace("\n", " ") or "docs/s" in first.output  # an honest counter
    listed = json.loads(invoke("runs", "--index", alias, "--json").stdout)
    assert len(listed) == 2 and listed[0]["started_at"] >= listed[1]["started_at"]
    newest, oldest = listed
    assert oldest["created"] > 0 and newest["created"] == 0 and newest["unchanged"] == oldest["created"]
    assert newest["failed"] == oldest["failed"] == 5 and newest["failures_by_reason"]["no-text"] == 2
    es.indices.refresh(index=log_index(alias))
    for run in listed:  # the re-run's failures are in the index too, not only in its dead-letter file
        assert es.count(index=log_index(alias), query={"term": {"run_id": run["run_id"]}})["count"] == 5
    out = invoke("failures", newest["run_id"], "--index", alias, "--json")
    rows = json.loads(out.stdout)
    assert rows["total"] == 5 and {Path(r["origin"]).name for r in rows["failures"]} >= {"broken.pdf", "empty.txt"}
    text = invoke("failures", newest["run_id"], "--index", alias, "--reason", "broken-pdf")
    assert text.exit_code == 0 and "broken.pdf" in text.stdout and "empty.txt" not in text.stdout
    assert invoke("failures", "no-such-run", "--index", alias).exit_code == 2
    human = invoke("runs", "--index", alias)
    assert newest["run_id"] in human.stdout and "no-text: 2" in human.stdout


def test_progress_total_is_known_only_when_files_are_documents(tmp_path: Path) -> None:
    from indexer.targets import count_files

    (tmp_path / "a.txt").write_text("Grain\nGdansk handled record grain volumes.\n")
    (tmp_path / "b.html").write_text("<html><body><p>Cocoa prices rose.</p></body></html>")
    assert count_files([str(tmp_path)]) == 2
    (tmp_path / "wire.jsonl").write_text('{"title": "a"}\n{"title": "b"}\n')
    assert count_files([str(tmp_path)]) is None  # 210 records in one file must not read "210/1"
    (tmp_path / "wire.jsonl").unlink()
    import zipfile

    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.writestr("x.txt", "one\n")
    assert count_files([str(tmp_path)]) is None
    assert count_files(["https://example.org/feed.xml"]) is None
