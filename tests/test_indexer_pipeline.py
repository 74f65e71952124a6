"""The indexer against a real Elasticsearch node: load, re-run, update, near-duplicates, feeds,
Elasticsearch going away mid-run, interruption + resume, dead letters and the CLI's exit status.

Each test has its own index and its own copy of the fixture tree, so tests do not depend on each
other's order or leftovers; the NLP models are loaded once per session (``shared_enricher``).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from indexer.deadletter import log_index
from indexer.feedstore import FeedRun, FeedStore
from indexer.http import FetchPolicy
from indexer.ids import doc_id
from indexer.models import Failure, SourceDoc
from indexer.pipeline import Pipeline, PipelineConfig
from indexer.sources import read_paths
from indexer.sources.reuters import read_reuters, reuters_dir
from mappings import drop, install
from tests.conftest import unique_alias
from tests.indexer_helpers import FIXTURES, LocalHTTPServer, TcpProxy, build_tree, shared_enricher

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def enricher():
    return shared_enricher()


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture()
def tree(work: Path) -> Path:
    return build_tree(work)


@pytest.fixture()
def index_alias(es: Elasticsearch) -> Iterator[str]:
    """A fresh index (and ingest log) per test: no test sees another's documents."""
    alias = unique_alias("pipeline")
    install(es, alias)
    yield alias
    drop(es, alias)
    es.indices.delete(index=log_index(alias), ignore_unavailable=True)


def run(es: Elasticsearch, alias: str, items, enricher, work: Path, **kw):
    cfg = PipelineConfig(alias=alias, workers=0, batch_size=kw.pop("batch_size", 8),
                         dead_letter_dir=work / "dead-letter", **kw)
    stats = Pipeline(es, cfg, enricher=enricher).run(items)
    es.indices.refresh(index=alias)
    return stats


def count(es: Elasticsearch, alias: str, **term) -> int:
    q = {"term": term} if term else {"match_all": {}}
    return es.count(index=alias, query=q)["count"]


def test_tree_is_indexed_and_failures_recorded(es, index_alias, enricher, tree, work) -> None:
    expected = list(read_paths([tree], source="tree"))
    good = [d for d in expected if isinstance(d, SourceDoc)]
    bad = [f for f in expected if isinstance(f, Failure)]
    stats = run(es, index_alias, iter(expected), enricher, work)
    assert stats.created == len(good) and stats.failed == len(bad) == 4 and not stats.ok
    assert count(es, index_alias, source="tree") == len(good)
    # dead letters: one JSON line per failure, with its reason, and the same in the ingest-log index
    lines = [json.loads(ln) for ln in Path(stats.dead_letter_file).read_text().splitlines()]
    assert sorted(r["reason"] for r in lines) == sorted(f.reason for f in bad)
    assert {Path(r["origin"]).name for r in lines} >= {"broken.pdf", "broken.docx"}
    es.indices.refresh(index=log_index(index_alias))
    logged = es.search(index=log_index(index_alias), query={"term": {"run_id": stats.run_id}}, size=50)
    assert logged["hits"]["total"]["value"] == len(bad)
    # a document as stored: contract fields filled from the enrichment
    pdf = next(d for d in good if d.meta["format"] == "pdf" and d.title.startswith("Kirkuk"))
    src = es.get(index=index_alias, id=doc_id(pdf))["_source"]
    assert src["title"] == "Kirkuk-Ceyhan pipeline to restart" and src["author"] == "Energy Desk"
    assert src["language"] == "en" and "Kirkuk-Ceyhan" in src["body_en"] and src["url"].startswith("file://")
    assert src["published_at"].startswith("2024-03-12") and src["cluster_id"] == src["id"] == doc_id(pdf)
    assert src["lsh_bands"] and src["content_hash"] and src["ingest"]["pipeline_version"].startswith("indexer-")
    assert any(src["entities"][k] for k in ("person", "org", "location")) or src["countries"]


def test_rerun_adds_nothing(es, index_alias, enricher, tree, work) -> None:
    first = run(es, index_alias, read_paths([tree], source="tree"), enricher, work)
    before = count(es, index_alias)
    assert before == first.created > 0
    stats = run(es, index_alias, read_paths([tree], source="tree"), enricher, work)
    assert (stats.created, stats.updated) == (0, 0) and stats.unchanged == before
    assert count(es, index_alias) == before


def test_changed_document_is_updated_in_place(es, index_alias, enricher, tree, work) -> None:
    path = tree / "sanctions.txt"
    doc = next(d for d in read_paths([path], source="tree") if isinstance(d, SourceDoc))
    run(es, index_alias, read_paths([tree], source="tree"), enricher, work)
    before = count(es, index_alias)
    path.write_text(path.read_text() + "Hungary said it would not block the package.\n", encoding="utf-8")
    stats = run(es, index_alias, read_paths([tree], source="tree"), enricher, work)
    assert (stats.created, stats.updated) == (0, 1)
    assert count(es, index_alias) == before
    assert "Hungary said" in es.get(index=index_alias, id=doc_id(doc))["_source"]["body"]


def _mirrors(tree: Path, work: Path) -> Path:
    dup_dir = work / "dups"
    dup_dir.mkdir()
    original = (tree / "report.html").read_text()
    (dup_dir / "mirror.html").write_text(original.replace("on Tuesday", "on Tuesday morning"))
    (dup_dir / "mirror2.html").write_text(original.replace("to new highs", "to fresh highs"))
    return dup_dir


def test_near_duplicates_are_linked(es, index_alias, enricher, tree, work) -> None:
    """Copies in one collection point at its first copy; the cluster (one story) spans collections."""
    run(es, index_alias, read_paths([tree / "report.html"], source="tree"), enricher, work, collection="shared")
    dup_dir = _mirrors(tree, work)
    stats = run(es, index_alias, read_paths([dup_dir], source="mirror"), enricher, work, collection="shared")
    assert stats.created == 2 and stats.duplicates == 2
    orig_id = doc_id(next(d for d in read_paths([tree / "report.html"]) if isinstance(d, SourceDoc)))
    hits = es.search(index=index_alias, query={"term": {"source": "mirror"}})["hits"]["hits"]
    assert [h["_source"]["duplicate_of"] for h in hits] == [orig_id, orig_id]
    assert {h["_source"]["cluster_id"] for h in hits} == {orig_id}


def test_duplicate_of_never_points_into_another_collection(es, index_alias, enricher, tree, work) -> None:
    """A reader of the mirror collection alone must not be pointed at (or have hidden as a duplicate of)
    the original they cannot read; the shared cluster still says it is one story for corroboration."""
    run(es, index_alias, read_paths([tree / "report.html"], source="tree"), enricher, work, collection="wire")
    dup_dir = _mirrors(tree, work)
    stats = run(es, index_alias, read_paths([dup_dir], source="mirror"), enricher, work, collection="mirror")
    assert stats.created == 2 and stats.duplicates == 1
    orig_id = doc_id(next(d for d in read_paths([tree / "report.html"]) if isinstance(d, SourceDoc)))
    hits = es.search(index=index_alias, query={"term": {"source": "mirror"}})["hits"]["hits"]
    by_id = {h["_id"]: h["_source"] for h in hits}
    assert {src["cluster_id"] for src in by_id.values()} == {orig_id}
    first, second = sorted(by_id, key=lambda i: by_id[i]["duplicate_of"] is not None)
    assert by_id[first]["duplicate_of"] is None and by_id[second]["duplicate_of"] == first


def test_feed_incremental_run(es, index_alias, enricher, work) -> None:
    site = work / "site"
    (site / "articles").mkdir(parents=True)
    srv = LocalHTTPServer(site)
    try:
        for v in ("v1", "v2"):
            (site / f"feed_{v}.xml").write_text((FIXTURES / "feeds" / f"feed_{v}.xml").read_text().replace("{base}", srv.base))
        (site / "articles" / "2.html").write_text((FIXTURES / "feeds" / "article_2.html").read_text())
        shutil.copy(site / "feed_v1.xml", site / "feed.xml")
        store = FeedStore(work / "feeds.json")
        store.add("wire", f"{srv.base}/feed.xml", fetch_pages=True)

        local = FetchPolicy(allow_networks=("127.0.0.1/32",))  # the test server is on loopback
        first = FeedRun(store, store.load()["wire"], policy=local)
        s1 = run(es, index_alias, first.items(), enricher, work)
        first.commit()
        assert (s1.created, s1.failed) == (2, 1)  # item 3 has no text anywhere: dead-lettered
        assert count(es, index_alias, source="wire") == 2

        shutil.copy(site / "feed_v2.xml", site / "feed.xml")  # one new item, two old ones
        st = (site / "feed.xml").stat()  # HTTP dates have 1 s resolution: make the change visible
        os.utime(site / "feed.xml", (st.st_atime + 10, st.st_mtime + 10))
        second = FeedRun(store, store.load()["wire"], policy=local)
        s2 = run(es, index_alias, second.items(), enricher, work)
        second.commit()
        assert (s2.read, s2.created, s2.updated, s2.failed) == (1, 1, 0, 0)
        assert count(es, index_alias, source="wire") == 3

        third = FeedRun(store, store.load()["wire"], policy=local)
        s3 = run(es, index_alias, third.items(), enricher, work)
        assert s3.read == 0
    finally:
        srv.close()


@pytest.fixture(scope="module")
def reuters_docs(settings) -> list[SourceDoc]:
    data = reuters_dir(settings.cache_dir)
    if not data.is_dir():
        pytest.skip("Reuters-21578 not installed (bash scripts/setup.sh)")
    return list(read_reuters(data, limit=120))


def test_elasticsearch_down_mid_run_loses_nothing(es, settings, index_alias, enricher, reuters_docs, work) -> None:
    host, port = settings.es_hosts[0].rsplit("//", 1)[1].split(":")
    proxy = TcpProxy(host, int(port))
    proxy.start()
    client = Elasticsearch(proxy.url, request_timeout=10, max_retries=0)
    docs = [SourceDoc(**{**d.__dict__, "source": "outage"}) for d in reuters_docs[:80]]
    restarted = threading.Event()

    def source():
        for i, d in enumerate(docs):
            if i == 30:  # Elasticsearch "goes down" in the middle of the run, back 3 s later
                proxy.stop()
                threading.Timer(3.0, lambda: (proxy.start(), restarted.set())).start()
            yield d

    try:
        cfg = PipelineConfig(alias=index_alias, workers=0, batch_size=10, dead_letter_dir=work / "dl",
                             es_give_up_after=60)
        stats = Pipeline(client, cfg, enricher=enricher).run(source())
    finally:
        proxy.stop()
        client.close()
    es.indices.refresh(index=index_alias)
    assert restarted.is_set() and stats.es_retries > 0 and stats.aborted is None
    assert stats.created == len(docs) and stats.failed == 0
    ids = {doc_id(d) for d in docs}
    found = es.search(index=index_alias, query={"term": {"source": "outage"}}, size=200, _source=False)["hits"]
    assert found["total"]["value"] == len(docs) and {h["_id"] for h in found["hits"]} == ids


def test_interrupted_run_resumes_without_loss_or_duplicates(es, index_alias, enricher, reuters_docs, work) -> None:
    docs = [SourceDoc(**{**d.__dict__, "source": "resume"}) for d in reuters_docs[:60]]

    def interrupted():
        for i, d in enumerate(docs):
            if i == 35:
                raise KeyboardInterrupt  # Ctrl-C in the middle of the run
            yield d

    with pytest.raises(KeyboardInterrupt):
        run(es, index_alias, interrupted(), enricher, work, batch_size=10)
    es.indices.refresh(index=index_alias)
    partial = count(es, index_alias, source="resume")
    assert 0 < partial < len(docs)
    stats = run(es, index_alias, iter(docs), enricher, work, batch_size=10)
    assert stats.unchanged == partial and stats.created == len(docs) - partial
    assert count(es, index_alias, source="resume") == len(docs)


def test_cli_index_exit_status_and_summary(es, settings, index_alias, enricher, tree, work, monkeypatch) -> None:
    from periscope.cli import app

    # --workers 0 enriches in this process with the models the session already loaded
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(work / "cache"))
    from periscope import settings as settings_mod

    settings_mod.get_settings.cache_clear()
    try:
        ok_dir = work / "clean"
        ok_dir.mkdir()
        shutil.copy(tree / "briefing.md", ok_dir)
        res = CliRunner().invoke(app, ["index", str(ok_dir), "--index", index_alias, "--workers", "0", "--source", "cli"])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(app, ["index", str(tree), "--index", index_alias, "--workers", "0", "--source", "cli"])
        assert res.exit_code == 1, res.output
        out = res.output.replace("\n", "")  # rich folds long paths at the terminal width
        assert "4 failed" in out and "dead-letter" in out
        files = list((work / "cache" / "ingest" / "dead-letter").glob(f"{index_alias}-*.jsonl"))
        assert len(files) == 1 and len(files[0].read_text().splitlines()) == 4
        bad = CliRunner().invoke(app, ["index", str(tree), "--map", "nonsense", "--index", index_alias])
        assert bad.exit_code == 2 and "target=field" in bad.output
    finally:
        settings_mod.get_settings.cache_clear()


def test_two_worker_processes(es, index_alias, enricher, reuters_docs, work) -> None:
    """The process pool (forkserver workers, each loading the models) gives what in-process enrichment gives."""
    from nlp import EnrichInput

    docs = [SourceDoc(**{**d.__dict__, "source": "pool"}) for d in reuters_docs[:24]]
    cfg = PipelineConfig(alias=index_alias, dead_letter_dir=work / "dl", workers=2, batch_size=4)
    stats = Pipeline(es, cfg).run(iter(docs))
    es.indices.refresh(index=index_alias)
    assert (stats.created, stats.failed, stats.aborted) == (len(docs), 0, None)
    assert count(es, index_alias, source="pool") == len(docs)
    for d in docs[:3]:
        stored = es.get(index=index_alias, id=doc_id(d))["_source"]
        local = enricher.enrich_batch([EnrichInput(title=d.title, body=d.body, language_hint=d.language_hint)])[0]
        assert stored["language"] == local.language and stored["lsh_bands"] == list(local.lsh_bands)
        assert stored["entities"] == {k: list(local.entities.get(k, [])) for k in stored["entities"]}
