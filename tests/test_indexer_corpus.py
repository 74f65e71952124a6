"""The indexer's corpus pass (indexer/corpus.py) against a real Elasticsearch node and the real NLP
models: short forms resolved per source after a load, boilerplate keywords dropped and remembered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.corpus import corpus_pass, known_boilerplate
from indexer.deadletter import log_index
from indexer.document import IndexDocument
from indexer.models import SourceDoc
from indexer.pipeline import Pipeline, PipelineConfig
from indexer.runlog import list_runs, runs_index
from mappings import drop, install
from tests.conftest import unique_alias
from tests.nlp_shared import shared_enricher

pytestmark = pytest.mark.integration

STORIES = {
    "wire-a": [
        ("Baker Backs Dollar", "U.S. Treasury Secretary James Baker said on Tuesday that the administration "
                               "wants a stable dollar and closer cooperation with Japan and West Germany."),
        ("Dollar Steady", "Baker told reporters in Washington that the dollar had fallen far enough against "
                          "the yen, and that further declines would hurt trade."),
    ],
    "wire-b": [
        ("Senate Leader Speaks", "White House chief of staff Howard Baker said on Monday the president would "
                                 "veto the highway bill passed by Congress last week."),
        ("Veto Expected", "Baker said the bill spent too much money and the veto would be sustained in the "
                          "House, according to aides in Washington."),
    ],
}


@pytest.fixture()
def alias(es: Elasticsearch) -> Iterator[str]:
    name = unique_alias("q13-corpus")
    install(es, name)
    yield name
    drop(es, name)
    for index in (log_index(name), runs_index(name)):
        es.indices.delete(index=index, ignore_unavailable=True)


def _persons(es: Elasticsearch, alias: str, source: str) -> dict[str, list[str]]:
    hits = es.search(index=alias, query={"term": {"source": source}}, size=10)["hits"]["hits"]
    return {h["_source"]["title"]: h["_source"] for h in hits}


def test_load_resolves_surnames_within_each_source(es: Elasticsearch, alias: str, tmp_path: Path) -> None:
    docs = [SourceDoc(src, "corpus", t, b, external_id=f"{src}-{i}", language_hint="en")
            for src, stories in STORIES.items() for i, (t, b) in enumerate(stories)]
    cfg = PipelineConfig(alias=alias, workers=0, batch_size=8, dead_letter_dir=tmp_path / "dead")
    stats = Pipeline(es, cfg, enricher=shared_enricher()).run(iter(docs))
    assert stats.ok and stats.created == 4
    a, b = _persons(es, alias, "wire-a"), _persons(es, alias, "wire-b")
    # the lone "Baker" is the Baker of its own source: never merged across sources
    assert a["Dollar Steady"]["entities"]["person"] == ["James Baker"]
    assert b["Veto Expected"]["entities"]["person"] == ["Howard Baker"]
    assert {m["canonical"] for m in a["Dollar Steady"]["mentions"] if m["type"] == "person"} == {"James Baker"}
    assert "Baker" not in a["Dollar Steady"]["suggest"]["input"]
    assert stats.corpus["wire-a"]["person_short_forms"] == 1 and stats.corpus["wire-a"]["updated"] == 1
    # the decisions are in the run summary, and the facet counts what an analyst reads
    assert list_runs(es, alias)[0]["corpus"]["wire-b"]["documents"] == 2
    es.indices.refresh(index=alias)
    facet = es.search(index=alias, size=0, aggs={"p": {"terms": {"field": "entities.person"}}})
    assert {x["key"]: x["doc_count"] for x in facet["aggregations"]["p"]["buckets"]} == {
        "James Baker": 2, "Howard Baker": 2}


def _doc(i: int, keywords: list[str]) -> dict:
    return IndexDocument(id=f"kw-{i}", title=f"Story {i}", body="text", source="wire-c", source_type="corpus",
                         language="en", keywords=keywords).to_source()


def test_boilerplate_keywords_are_dropped_and_remembered(es: Elasticsearch, alias: str) -> None:
    for i in range(40):
        es.index(index=alias, id=f"kw-{i}", document=_doc(i, ["reuter", f"topic {i}"]))
    done = corpus_pass(es, alias, ["wire-c"], min_docs=20)
    assert done["wire-c"]["boilerplate"] == ["reuter"] and done["wire-c"]["updated"] == 40
    es.indices.refresh(index=alias)
    assert es.get(index=alias, id="kw-7")["_source"]["keywords"] == ["topic 7"]
    # a later, small run: "reuter" is rare in the index now, but the recorded decision still holds
    es.index(index=alias, id="kw-new", document=_doc(99, ["reuter", "fresh"]))
    known = known_boilerplate([{"run_id": "x", "corpus": done}])
    assert corpus_pass(es, alias, ["wire-c"], known=known, min_docs=20)["wire-c"]["updated"] == 1
    assert es.get(index=alias, id="kw-new")["_source"]["keywords"] == ["fresh"]
    assert corpus_pass(es, alias, ["wire-c"], min_docs=20)["wire-c"]["boilerplate"] == []  # nothing left to judge
