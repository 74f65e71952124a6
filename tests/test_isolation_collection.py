"""Every document gets a collection: ``--collection`` (validated), else one per source; moves are loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from indexer.pipeline import Pipeline, PipelineConfig
from indexer.sources import read_paths
from mappings import default_collection
from periscope.cli import app
from periscope.cli_indexer import DEMO_COLLECTION, check_collection
from tests.indexer_helpers import FIXTURES, shared_enricher


@pytest.mark.parametrize("name", ["Field", "a_b", "a.b", "x" * 65, "", "é", "a b"])
def test_bad_collection_names_are_refused_with_a_hint(name: str) -> None:
    res = CliRunner().invoke(app, ["index", "whatever", "--collection", name])
    assert res.exit_code == 2
    assert "lowercase letters, digits" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("name", ["alpha", "field-reports-2024", "x" * 64, "7"])
def test_good_collection_names(name: str) -> None:
    assert check_collection(name) == name


def test_demo_collection_is_reuters() -> None:
    assert DEMO_COLLECTION == "reuters" and check_collection(DEMO_COLLECTION)


@pytest.mark.integration
def test_pipeline_stores_the_collection_and_moves_documents(es: Elasticsearch, index_alias: str, tmp_path: Path) -> None:
    tree = FIXTURES / "tree"

    def run(collection: str | None):
        cfg = PipelineConfig(alias=index_alias, workers=0, batch_size=8, dead_letter_dir=tmp_path,
                             collection=collection)
        return Pipeline(es, cfg, enricher=shared_enricher()).run(read_paths([tree], source="Field Notes"))

    def collections() -> set[str]:
        es.indices.refresh(index=index_alias)
        res = es.search(index=index_alias, size=0, aggs={"c": {"terms": {"field": "collection"}}})
        return {b["key"] for b in res["aggregations"]["c"]["buckets"]}

    first = run(None)
    assert first.created > 0 and collections() == {default_collection("Field Notes")} == {"field-notes"}
    again = run(None)
    assert again.created == again.updated == 0  # unchanged: nothing reloaded
    moved = run("alpha")
    assert moved.updated == first.created and collections() == {"alpha"}
