"""Existing indices move to the source + origin ids through the versioned-alias migration: ids,
cluster and duplicate links rewritten, the alias swapped, nothing re-enriched, nothing wiped."""

from __future__ import annotations

import hashlib

import pytest

from indexer.document import IndexDocument, fit_to_mapping
from indexer.ids import canonical_url, make_id
from indexer.reid import migrate_ids
from mappings import current_index, drop, index_body, index_name, install
from tests.conftest import unique_alias

pytestmark = pytest.mark.integration


def old_id(url: str) -> str:  # the id scheme before issue 14: the canonical URL alone
    return hashlib.sha256(("url:" + canonical_url(url)).encode()).hexdigest()[:32]


def test_ids_are_migrated_and_links_follow(es) -> None:
    alias = unique_alias("reid")
    install(es, alias, version=1, body=index_body(1))  # a v1 index, as deployed
    try:
        a_url, b_url = "https://wire.example/a", "https://mirror.example/a"
        a, b = old_id(a_url), old_id(b_url)
        docs = [IndexDocument(id=a, title="Grain exports rise", body="Odesa shipped more grain.", source="wire",
                              url=a_url),
                IndexDocument(id=b, title="Grain exports rise", body="Odesa shipped more grain.", source="mirror",
                              url=b_url, duplicate_of=a, cluster_id=a)]
        v1_fields = set(index_body(1)["mappings"]["properties"])
        for d in docs:
            es.index(index=alias, id=d.id, document=fit_to_mapping(d.to_source(), v1_fields))
        es.indices.refresh(index=alias)
        assert migrate_ids(es, alias, 2).created
        assert current_index(es, alias).endswith("-v2") and es.count(index=alias)["count"] == 2
        new_a, new_b = make_id("wire", url=a_url), make_id("mirror", url=b_url)
        got_b = es.get(index=alias, id=new_b)["_source"]
        assert got_b["id"] == new_b and got_b["duplicate_of"] == new_a and got_b["cluster_id"] == new_a
        assert es.get(index=alias, id=new_a)["_source"]["cluster_id"] == new_a
        assert got_b["collection"]  # the contract's own v1 -> v2 upgrade ran too
        assert not migrate_ids(es, alias, 2).created  # already there
    finally:
        drop(es, alias)
        es.indices.delete(index=index_name(alias, 1), ignore_unavailable=True)  # no longer behind the alias
