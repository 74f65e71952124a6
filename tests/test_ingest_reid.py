"""Existing indices move to the source + origin ids through the versioned-alias migration: ids,
cluster and duplicate links rewritten, the alias swapped, nothing re-enriched, nothing wiped."""

from __future__ import annotations

import hashlib
import json

import pytest

from indexer.document import IndexDocument
from indexer.ids import canonical_url, make_id
from indexer.reid import migrate_ids
from mappings import current_index, drop, index_body, index_name, install
from tests.conftest import unique_alias
from tests.indexer_helpers import V2_ADDITIONS

pytestmark = pytest.mark.integration


def old_id(url: str) -> str:  # the id scheme before issue 14: the canonical URL alone
    return hashlib.sha256(("url:" + canonical_url(url)).encode()).hexdigest()[:32]


def test_ids_are_migrated_and_links_follow(es) -> None:
    alias = unique_alias("reid")
    install(es, alias)  # a v1 index, as deployed
    try:
        a_url, b_url = "https://wire.example/a", "https://mirror.example/a"
        a, b = old_id(a_url), old_id(b_url)
        docs = [IndexDocument(id=a, title="Grain exports rise", body="Odesa shipped more grain.", source="wire",
                              url=a_url),
                IndexDocument(id=b, title="Grain exports rise", body="Odesa shipped more grain.", source="mirror",
                              url=b_url, duplicate_of=a, cluster_id=a)]
        for d in docs:
            es.index(index=alias, id=d.id, document=d.to_source())
        es.indices.refresh(index=alias)
        body = index_body()
        body["mappings"]["properties"].update(json.loads(V2_ADDITIONS.read_text()))
        counts = migrate_ids(es, alias, 2, body)
        assert counts == {"copied": 2, "changed": 2}
        assert current_index(es, alias).endswith("-v2")
        new_a, new_b = make_id("wire", url=a_url), make_id("mirror", url=b_url)
        got_b = es.get(index=alias, id=new_b)["_source"]
        assert got_b["id"] == new_b and got_b["duplicate_of"] == new_a and got_b["cluster_id"] == new_a
        assert es.get(index=alias, id=new_a)["_source"]["cluster_id"] == new_a
        assert migrate_ids(es, alias, 2, body) == {"copied": 0, "changed": 0}  # already there
    finally:
        drop(es, alias)
        es.indices.delete(index=index_name(alias, 1), ignore_unavailable=True)  # no longer behind the alias
