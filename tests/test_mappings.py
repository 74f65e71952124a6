"""The index contract on the real node: install, analysis per language, migration to v2."""


import pytest
from elasticsearch import Elasticsearch

from mappings import (
    FACET_FIELDS,
    LANGUAGE_LOCALES,
    body_field,
    current_index,
    drop,
    index_body,
    index_name,
    install,
    mapped_fields,
    migrate,
    default_collection,
    CURRENT_VERSION,
    VECTOR_DIMS,
    apply_dynamic_settings,
    title_field,
)
from mappings.contract import MERGE_POLICY, dynamic_settings
from mappings.vocabulary import NORMALISED_FIELDS
from tests.conftest import unique_alias


def test_contract_names_exist_in_mapping():
    fields = mapped_fields()
    for name in FACET_FIELDS.values():
        assert name in fields, name
    for lang in LANGUAGE_LOCALES:
        assert title_field(lang) in fields and body_field(lang) in fields
    for name in ("id", "published_at", "vector", "suggest", "lsh_bands", "mentions", "duplicate_of"):
        assert name in fields
    for name in NORMALISED_FIELDS:  # case-insensitive filters and word-prefix value search need both
        assert {f"{name}.lower", f"{name}.words"} <= fields, name


def test_lower_normalizer_is_in_the_core_distribution(es: Elasticsearch, index_alias: str):
    got = es.indices.analyze(index=index_alias, normalizer="periscope_lower", text="Saudi ARABIA")["tokens"]
    assert [t["token"] for t in got] == ["saudi arabia"]


def test_install_is_idempotent(es: Elasticsearch):
    alias = unique_alias("install")
    try:
        first = install(es, alias)
        second = install(es, alias)
        assert first.created and not second.created
        assert first.index == second.index == index_name(alias, CURRENT_VERSION)
        assert current_index(es, alias) == index_name(alias, CURRENT_VERSION)
        mapping = es.indices.get_mapping(index=alias)[first.index]["mappings"]
        assert mapping["dynamic"] == "strict"
        # strict: a field outside the contract is rejected, not silently added
        with pytest.raises(Exception, match="strict_dynamic_mapping_exception"):
            es.index(index=alias, document={"not_in_contract": 1})
    finally:
        drop(es, alias)


def test_existing_index_gets_the_contracts_merge_policy(es: Elasticsearch):
    """An index created before the merge policy was in the contract gets it at the next install, once."""
    alias = unique_alias("mergepolicy")
    body = index_body()
    del body["settings"]["index"]["merge"]  # as an index created by an earlier release
    names = list(dynamic_settings())
    try:
        install(es, alias, body=body)
        index = current_index(es, alias)
        before = es.indices.get_settings(index=index, name=names, flat_settings=True).body.get(index, {})
        assert not before  # Elasticsearch's defaults, not ours
        install(es, alias)  # the alias exists: only the dynamic settings change
        after = es.indices.get_settings(index=index, name=names, flat_settings=True)[index]["settings"]
        assert after == {k: str(v) for k, v in dynamic_settings().items()}
        assert after["index.merge.policy.floor_segment"] == MERGE_POLICY["floor_segment"]
        assert apply_dynamic_settings(es, index) == {}  # in line: nothing to change
        # a read-only index keeps what it has: install still answers (searches work, only slower)
        es.indices.put_settings(index=index, settings={"index.merge.policy.segments_per_tier": 10})
        es.indices.put_settings(index=index, settings={"index.blocks.read_only": True})
        try:
            assert install(es, alias).index == index
            assert apply_dynamic_settings(es, index) == {}
            kept = es.indices.get_settings(index=index, name=names, flat_settings=True)[index]["settings"]
            assert kept["index.merge.policy.segments_per_tier"] == "10"
        finally:
            es.indices.put_settings(index=index, settings={"index.blocks.read_only": None})
        fresh = unique_alias("mergepolicy-new")
        try:  # a new index has them from the start
            created = install(es, fresh).index
            assert es.indices.get_settings(index=created, name=names, flat_settings=True)[created]["settings"] == after
        finally:
            drop(es, fresh)
    finally:
        drop(es, alias)


# An inflected form must reach the same term as its base form in every stemmed language.
INFLECTIONS = {
    "en": ("sanctioned", "sanction"),
    "fr": ("sanctions", "sanction"),
    "es": ("sanciones", "sanción"),
    "de": ("Sanktionen", "Sanktion"),
    "ru": ("санкциями", "санкция"),
    "it": ("elezioni", "elezione"),
    "pt": ("eleições", "eleição"),
    "nl": ("sancties", "sanctie"),
    "uk": ("санкціями", "санкція"),
}


def test_every_language_analyzer_stems(es: Elasticsearch, index_alias: str):
    assert set(INFLECTIONS) == set(LANGUAGE_LOCALES)
    for lang, (inflected, base) in INFLECTIONS.items():
        analyzer = f"periscope_{lang}"
        got = {t["token"] for t in es.indices.analyze(index=index_alias, analyzer=analyzer, text=inflected)["tokens"]}
        want = {t["token"] for t in es.indices.analyze(index=index_alias, analyzer=analyzer, text=base)["tokens"]}
        assert got & want, f"{lang}: {inflected}->{got} vs {base}->{want}"


def test_inflected_query_matches_stemmed_field(es: Elasticsearch, index_alias: str):
    es.index(index=index_alias, id="d1", document={"id": "d1", "title": "EU widens sanctions",
             "title_en": "EU widens sanctions", "language": "en"}, refresh=True)
    hits = es.search(index=index_alias, query={"match": {"title_en": "sanctioned"}})["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["d1"]
    # the language-neutral field stays exact
    assert es.search(index=index_alias, query={"match": {"title": "sanctioned"}})["hits"]["total"]["value"] == 0


def test_migration_v1_to_v2_copies_transforms_and_swaps_alias(es: Elasticsearch):
    """A v1 index (the first contract, as deployed) moves to v2: every document gets its source's
    default collection, vectors survive the copy, the alias moves atomically, a re-run is a no-op."""
    alias = unique_alias("migrate")
    try:
        install(es, alias, version=1)
        docs = [{"id": f"m{i}", "title": f"report {i}", "language": "en",
                 "source": "Reuters Wire" if i % 2 else "think-tank/CSIS"} for i in range(1200)]
        docs[7]["vector"] = [0.01] * VECTOR_DIMS
        from elasticsearch import helpers

        helpers.bulk(es, ({"_index": alias, "_id": d["id"], "_source": d} for d in docs), refresh=True)
        res = migrate(es, alias, 2, batch_size=300)
        assert res.index == index_name(alias, 2) and res.created
        assert current_index(es, alias) == index_name(alias, 2)
        aliases = es.indices.get_alias(name=alias).body
        assert list(aliases) == [index_name(alias, 2)]  # swapped, not doubled
        assert es.count(index=alias)["count"] == 1200
        hit = es.get(index=alias, id="m7", source_exclude_vectors=False)["_source"]
        assert hit["collection"] == "reuters-wire" and hit["title"] == "report 7" and len(hit["vector"]) == VECTOR_DIMS
        assert es.get(index=alias, id="m8")["_source"]["collection"] == default_collection("think-tank/CSIS") == "think-tank-csis"
        counts = es.search(index=alias, size=0, aggs={"c": {"terms": {"field": "collection"}}})["aggregations"]["c"]
        assert {b["key"]: b["doc_count"] for b in counts["buckets"]} == {"reuters-wire": 600, "think-tank-csis": 600}
        # running it again is a no-op
        assert not migrate(es, alias, 2).created
    finally:
        drop(es, alias)
        es.indices.delete(index=index_name(alias, 1), ignore_unavailable=True)
