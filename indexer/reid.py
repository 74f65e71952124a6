"""Move an index to the source + origin ids (issue 14) through the versioned-alias migration.

Before, a URL alone gave the id (the same page from two feeds was one document); now the source is
part of every id. ``migrate_ids`` copies the alias's current index into ``<alias>-v<N>`` under the
new ids — rewriting ``id``, ``cluster_id``, ``duplicate_of`` and ``parent`` — then swaps the alias,
so nothing is re-enriched and nothing is wiped. Two passes over a point-in-time-free scan: the first
builds old → new ids (≈100 bytes per document in memory), the second is :func:`mappings.migrate`
with a transform that re-keys each document.

Records that had neither URL nor external id were keyed by their content, and their origin
(``file:line``) was not stored: they get a content-based id here, and the next ingest of the same
file creates them again under their origin id (the old copy can be dropped by source).
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import Elasticsearch, helpers

from mappings import index_name, migrate, version_of
from mappings.contract import upgrade_source
from mappings.install import InstallResult, current_index

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
    """:func:`mappings.migrate` to ``to_version`` with every document re-keyed (the contract's
    per-version upgrades applied, vectors kept). Pause writers first; running it again is harmless."""
    source = current_index(es, alias)
    if source is None or source == index_name(alias, to_version):
        return migrate(es, alias, to_version, body=body, shards=shards, replicas=replicas)
    start = version_of(source) or 1
    mapping = {h["_id"]: new_id(h["_source"]) for h in helpers.scan(
        es, index=source, query={"query": {"match_all": {}}}, size=batch_size, _source_includes=_FIELDS)}

    def rekey(doc: dict[str, Any]) -> dict[str, Any]:
        for step in range(start + 1, to_version + 1):
            doc = upgrade_source(doc, step)
        doc["id"] = mapping.get(doc.get("id"), doc.get("id"))
        for key in ("cluster_id", "duplicate_of", "parent"):
            if isinstance(doc.get(key), str):
                doc[key] = mapping.get(doc[key], doc[key])
        return doc

    result = migrate(es, alias, to_version, body=body, shards=shards, replicas=replicas, transform=rekey,
                     batch_size=batch_size)
    log.info("re-keyed %s -> %s: %d of %d ids changed", source, result.index,
             sum(1 for old, new in mapping.items() if old != new), len(mapping))
    return result
