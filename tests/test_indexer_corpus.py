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


FIRM = [
    ("Oil Stocks Rise", '"Nobody knows where this will settle," said analyst Rosario Ilacqua of L.F. Rothschild. '
                        "Texaco shares rose two dlrs in active trading on the New York Stock Exchange."),
    ("Notes Priced", "Synergy Group Inc said its 50 mln dlrs of senior subordinated notes were priced at par, "
                     "said sole manager L.F. Rothschild, Unterberg, Towbin Inc."),
    ("Shares Offered", "Sharper Image Corp said the offering of two mln shares would be underwritten by a group "
                       "managed by L.F. Rothschild, Unterberg, Towbin Inc and Dean Witter Reynolds Inc."),
    ("Bank Issue", "The issue is rated A-2 by Moody's Investors Service Inc. Salomon Brothers and "
                   "L.F. Rothschild co-managed the deal."),
    ("Rice Market", "Trade Representative Clayton Yeutter said on Tuesday that Japan must open its rice market."),
    ("Exports", "Yeutter told reporters in Washington that the Soviet Union would buy more wheat this year."),
]


def test_a_firm_read_as_a_person_is_retyped_for_the_whole_source(es: Elasticsearch, alias: str, tmp_path: Path) -> None:
    docs = [SourceDoc("wire-d", "corpus", t, b, external_id=f"wire-d-{i}", language_hint="en")
            for i, (t, b) in enumerate(FIRM)]
    cfg = PipelineConfig(alias=alias, workers=0, batch_size=8, dead_letter_dir=tmp_path / "dead", corpus_pass=False)
    assert Pipeline(es, cfg, enricher=shared_enricher()).run(iter(docs)).ok
    before = _persons(es, alias, "wire-d")
    # the story without a company cue: NER reads the firm as a person (else this test proves nothing)
    assert "L.F. Rothschild" in before["Bank Issue"]["entities"]["person"]
    done = corpus_pass(es, alias, ["wire-d"])
    assert done["wire-d"]["person_to_org"] == ["L.F. Rothschild"]
    after = _persons(es, alias, "wire-d")
    bank = after["Bank Issue"]
    assert "L.F. Rothschild" in bank["entities"]["org"] and "L.F. Rothschild" not in bank["entities"]["person"]
    assert {m["type"] for m in bank["mentions"] if m["canonical"] == "L.F. Rothschild"} == {"org"}
    # real persons stay persons, and their short forms still resolve
    assert after["Oil Stocks Rise"]["entities"]["person"] == ["Rosario Ilacqua"]
    assert after["Exports"]["entities"]["person"] == ["Clayton Yeutter"]
