"""The ingestion commands' help and the feed registry (no enrichment, no Elasticsearch writes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from periscope import settings as settings_mod
from periscope.cli import app
from tests.indexer_helpers import FIXTURES


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path))
    settings_mod.get_settings.cache_clear()
    yield tmp_path
    settings_mod.get_settings.cache_clear()


@pytest.mark.parametrize("cmd", [["index"], ["demo"], ["feeds"], ["feeds", "add"], ["feeds", "list"], ["feeds", "run"]])
def test_help(cmd: list[str]) -> None:
    res = CliRunner().invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0 and "Usage" in res.output


def test_feeds_add_list_remove(cache: Path) -> None:
    r = CliRunner()
    feed_file = FIXTURES / "feeds" / "feed_v1.xml"
    assert r.invoke(app, ["feeds", "add", "wire", str(feed_file)]).exit_code == 0
    assert r.invoke(app, ["feeds", "add", "remote", "https://example.org/rss", "--fetch-pages"]).exit_code == 0
    out = r.invoke(app, ["feeds", "list", "--json"])
    rows = {row["name"]: row for row in json.loads(out.stdout)}
    assert rows["wire"]["url"] == str(feed_file.resolve()) and rows["remote"]["fetch_pages"] is True
    assert rows["wire"]["seen"] == 0
    assert r.invoke(app, ["feeds", "remove", "remote"]).exit_code == 0
    assert r.invoke(app, ["feeds", "remove", "remote"]).exit_code == 1
    bad = r.invoke(app, ["feeds", "add", "x", "/no/such/file.xml"])
    assert bad.exit_code == 2 and "neither" in bad.output
    unknown = r.invoke(app, ["feeds", "run", "nope"])
    assert unknown.exit_code == 2 and "unknown feed" in unknown.output


def test_bad_source_type(cache: Path) -> None:
    res = CliRunner().invoke(app, ["index", "x", "--source-type", "ftp"])
    assert res.exit_code == 2 and "--source-type" in res.output


def test_ingestion_settings_reach_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from periscope.cli_indexer import dead_letter_dir, fetch_policy, source_limits
    from periscope.settings import SettingsError, load_settings

    monkeypatch.setenv("PERISCOPE_FETCH_ALLOW_NETWORKS", "10.0.0.0/8, fd00::/8")
    monkeypatch.setenv("PERISCOPE_INGEST_MAX_MB", "2")
    monkeypatch.setenv("PERISCOPE_INGEST_FOLLOW_SYMLINKS", "true")
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path))
    s = load_settings()
    policy = fetch_policy(s)
    assert policy.allow_networks == ("10.0.0.0/8", "fd00::/8") and policy.max_bytes == 2 * 1024 * 1024
    limits = source_limits(s)
    assert limits.max_bytes == 2 * 1024 * 1024 and limits.follow_symlinks
    assert source_limits(s, 0.5).max_bytes == 512 * 1024  # --max-mb wins
    assert dead_letter_dir(s) == tmp_path / "ingest" / "dead-letter"
    monkeypatch.setenv("PERISCOPE_FETCH_ALLOW_NETWORKS", "intranet")
    with pytest.raises(SettingsError, match="PERISCOPE_FETCH_ALLOW_NETWORKS.*CIDR"):
        load_settings()
