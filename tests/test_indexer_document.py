"""The typed index document against the contract: what it serialises is exactly what the strict
mapping accepts, and every mapped field can be produced by it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from elasticsearch import Elasticsearch

from indexer.document import IndexDocument, fit_to_mapping
from mappings.grading import GRADE_FIELDS
from mappings import STEMMED_LANGUAGES, VECTOR_DIMS, body_field, index_body, mapped_fields, title_field

pytestmark = pytest.mark.integration


def full_document(lang: str = "fr") -> IndexDocument:
    """Every field set, as the indexer would."""
    return IndexDocument(
        id="doc-1", title="L'OPEP réduit sa production", body="Les ministres de l'OPEP se sont réunis à Vienne.",
        source="AFP", source_type="news", url="https://example.org/a", author="Desk",
        published_at=datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc), collected_at="2024-03-02T00:00:00+00:00",
        language=lang, language_confidence=0.97,
        entities={"person": ["Jean Dupont"], "org": ["OPEC"], "location": ["Vienne"], "other": ["Brent"]},
        mentions=[{"text": "OPEP", "type": "org", "start": 17, "end": 21, "canonical": "OPEC", "field": "body"}],
        countries=["AT"], topics=["energy"], topic_scores={"energy": 0.9}, keywords=["opep"],
        lsh_bands=["0:abc", "1:def"], minhash=[1, 2, 3], duplicate_of="doc-0", cluster_id="doc-0",
        content_hash="h1", word_count=9, warnings=["short"],
        ingest={"pipeline_version": "indexer-1+nlp-x", "ingested_at": "2024-03-02T00:00:00+00:00", "models": {"ner": "x"}},
        meta={"path": "/x", "when": datetime(2024, 1, 1)}, vector=[0.01] * VECTOR_DIMS,
        collection="afp-wire", external_id="AFP-123", encoding="utf-8", ocr=True, ocr_confidence=91.5,
        ocr_language="fra", page_count=2, parent="zip-1", path="batch.zip/a.pdf", text_hash="t1",
    )


def test_fields_match_the_mapping() -> None:
    props = set(index_body()["mappings"]["properties"])
    stemmed = {f(lang) for lang in STEMMED_LANGUAGES for f in (title_field, body_field)}
    fields = {f.name for f in dataclasses.fields(IndexDocument)}
    grading = set(GRADE_FIELDS)  # stamped from the source by mappings.grading.grade_fields, not carried
    assert fields == props - stemmed - grading  # one dataclass field per mapped property, and no more
    source = full_document().to_source()
    assert set(source) == fields | {"title_fr", "body_fr"} | grading
    assert set(source) <= mapped_fields()
    v1 = fit_to_mapping(full_document().to_source(), set(index_body(1)["mappings"]["properties"]))
    assert set(v1) <= mapped_fields(1) and v1["meta"]["external_id"] == "AFP-123"  # a v1 index: kept in meta
    assert source["suggest"] == {"input": ["L'OPEP réduit sa production", "Jean Dupont", "OPEC", "Vienne"]}


def test_defaults_follow_the_contract() -> None:
    src = IndexDocument(id="x", title="T", body="B", language="xx").to_source()
    assert src["cluster_id"] == "x" and src["duplicate_of"] is None and "vector" not in src
    assert src["entities"] == {"person": [], "org": [], "location": [], "other": []}
    assert not any(k.startswith(("title_", "body_")) for k in src)


def test_strict_mapping_accepts_the_serialised_document(es: Elasticsearch, index_alias: str) -> None:
    for lang in ("fr", "und"):
        doc = full_document(lang)
        doc.id = f"doc-{lang}"
        es.index(index=index_alias, id=doc.id, document=doc.to_source(), refresh="wait_for")
        stored = es.get(index=index_alias, id=doc.id)["_source"]
        sent = doc.to_source()
        sent.pop("vector")  # Elasticsearch 9 keeps dense vectors out of _source by default
        assert {k: v for k, v in stored.items() if k != "vector"} == sent
