"""Move an index to the source + origin ids (issue 14) through the versioned-alias migration.

Before, a URL alone gave the id (the same page from two feeds was one document); now the source is
part of every id. ``migrate_ids`` copies the alias's current index into ``<alias>-v<N>`` under the
new ids — rewriting ``id``, ``cluster_id``, ``duplicate_of`` and ``parent`` — then swaps the alias,
so nothing is re-enriched and nothing is wiped. Two passes over a point-in-time-free scan: the first
builds old → new ids (≈100 bytes per document in memory), the second writes.

Records that had neither URL nor external id were keyed by their content, and their origin
(``file:line``) was not stored: they get a content-based id here, and the next ingest of the same
file creates them again under their origin id (the old copy can be dropped by source).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch, helpers

from mappings import index_body, index_name, version_of
from mappings.contract import upgrade_source
from mappings.install import InstallResult, create_if_absent, current_index, install

from .ids import make_id

log = logging.getLogger(__name__)
_FIELDS = ["source", "url", "external_id", "meta.external_id", "title", "body"]


def new_id(src: dict[str, Any]) -> str:
    """The id a stored document has under the source + origin scheme."""
    meta = src.get("meta") or {}
    return make_id(src.get("source") or "", url=src.get("url"),
                   external_id=src.get("external_id") or meta.get("external_id"),
                   content=f"{(src.get('title') or '').strip()}\x00{(src.get('body') or '').strip()}")


def migrate_ids(es: Elasticsearch, alias: str, to_version: int, *, body: dict[str, Any] | None = None,
                shards: int = 1, replicas: int = 0, batch_size: int = 500) -> InstallResult:
    """Copy the alias's index into ``<alias>-v<to_version>`` under the new ids (and the contract's
    per-version upgrades, vectors kept) and point the alias at it. Pause writers first; running it
    again is harmless. ``result.created`` is False when there was nothing to do."""
    source = current_index(es, alias)
    target = index_name(alias, to_version)
    if source is None:
        return install(es, alias, version=to_version, body=body, shards=shards, replicas=replicas)
    if source == target:
        return InstallResult(alias, target, created=False)
    start = version_of(source) or 1
    mapping = {h["_id"]: new_id(h["_source"]) for h in helpers.scan(
        es, index=source, query={"query": {"match_all": {}}}, size=batch_size, _source_includes=_FIELDS)}
    create_if_absent(es, target, body or index_body(to_version, shards=shards, replicas=replicas))

    def remap(value: Any) -> Any:
        return mapping.get(value, value) if isinstance(value, str) else value

    def actions() -> Iterator[dict[str, Any]]:
        # dense vectors are left out of _source by default in 9.x: ask for them, or the copy loses them
        for hit in helpers.scan(es, index=source, query={"query": {"match_all": {}}}, size=batch_size,
                                source_exclude_vectors=False):
            doc = hit["_source"]
            for step in range(start + 1, to_version + 1):
                doc = upgrade_source(doc, step)
            doc["id"] = mapping[hit["_id"]]
            for key in ("cluster_id", "duplicate_of", "parent"):
                if doc.get(key):
                    doc[key] = remap(doc[key])
            yield {"_index": target, "_id": doc["id"], "_source": doc}

    copied, errors = helpers.bulk(es, actions(), chunk_size=batch_size, raise_on_error=False)
    if errors:
        raise RuntimeError(f"id migration to {target} failed for {len(errors)} documents: {errors[:3]}")
    es.indices.refresh(index=target)
    es.indices.update_aliases(actions=[{"remove": {"index": source, "alias": alias}},
                                       {"add": {"index": target, "alias": alias, "is_write_index": True}}])
    changed = sum(1 for old, new in mapping.items() if old != new)
    log.info("migrated %d documents %s -> %s (%d new ids)", copied, source, target, changed)
    return InstallResult(alias, target, created=True)
