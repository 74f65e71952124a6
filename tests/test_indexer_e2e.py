"""End to end: files on disk -> the real `periscope index` command -> facets, search and the
document read back through the HTTP API (FastAPI TestClient on the real app)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indexer.deadletter import log_index
from mappings import drop
from search_api.app import create_app
from tests.conftest import unique_alias
from tests.indexer_helpers import FIXTURES, make_pdf, shared_enricher

pytestmark = pytest.mark.integration


@pytest.fixture()
def alias(es: Elasticsearch) -> Iterator[str]:
    name = unique_alias("e2e")  # the command itself creates the index
    yield name
    drop(es, name)
    es.indices.delete(index=log_index(name), ignore_unavailable=True)


def test_files_to_api(es, settings, alias: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from periscope import settings as settings_mod
    from periscope.cli import app

    shared_enricher()  # `--workers 0` enriches in this process: reuse the session's loaded models
    drop_dir = tmp_path / "desk"
    drop_dir.mkdir()
    for name in ("report.html", "briefing.md", "sanctions.txt"):
        shutil.copy(FIXTURES / "tree" / name, drop_dir)
    make_pdf(drop_dir / "pipeline.pdf", ["Turkey and Iraq agreed to restart oil flows through the Kirkuk-Ceyhan",
                                         "pipeline, energy officials in Ankara said."],
             title="Kirkuk-Ceyhan pipeline to restart", author="Energy Desk")
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path / "cache"))
    settings_mod.get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["index", str(drop_dir), "--index", alias, "--workers", "0", "--source", "desk"])
    finally:
        settings_mod.get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    assert "4 new" in res.output
    es.indices.refresh(index=alias)

    with TestClient(create_app(settings.model_copy(update={"index_alias": alias}))) as client:
        body = client.get("/api/v1/search", params={"facet_size": 50}).json()
        assert body["total"]["value"] == 4
        sources = {b["value"]: b["count"] for b in body["facets"]["source"]["buckets"]}
        assert sources == {"desk": 4}
        langs = {b["value"]: b["count"] for b in body["facets"]["language"]["buckets"]}
        agg = es.search(index=alias, size=0, aggs={"l": {"terms": {"field": "language"}}})["aggregations"]["l"]
        assert langs == {b["key"]: b["doc_count"] for b in agg["buckets"]} and langs.get("en") == 4
        types = {b["value"] for b in body["facets"]["source_type"]["buckets"]}
        assert types == {"file"}

        hits = client.get("/api/v1/search", params={"q": "Kirkuk-Ceyhan"}).json()["hits"]
        assert [h["title"] for h in hits] == ["Kirkuk-Ceyhan pipeline to restart"]
        doc = client.get(f"/api/v1/documents/{hits[0]['id']}").json()
        assert doc["author"] == "Energy Desk" and "Ankara" in doc["body"] and doc["url"].startswith("file://")
        assert doc["meta"]["format"] == "pdf" and doc["source"] == "desk"
        cocoa = client.get("/api/v1/search", params={"q": "cocoa Ghana"}).json()["hits"]
        assert cocoa and cocoa[0]["title"] == "Drought threatens cocoa harvest in Ghana"
