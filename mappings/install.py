"""Install the index contract idempotently and migrate between contract versions.

The concrete index is ``<alias>-v<N>``; readers and writers use only the alias. Moving to a new
version copies documents with a scroll + bulk (the core-only distribution has no ``_reindex``) and
then swaps the alias in one atomic ``_aliases`` call, so searches never see an empty index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, helpers

from .contract import CURRENT_VERSION, dynamic_settings, index_body, index_name, upgrade_source, version_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstallResult:
    alias: str
    index: str
    created: bool


def current_index(client: Elasticsearch, alias: str) -> str | None:
    """The concrete index the alias points to, or None when the alias does not exist."""
    try:
        found = client.indices.get_alias(name=alias)
    except NotFoundError:
        return None
    # Prefer the write index when an alias spans several (mid-migration).
    for index, spec in found.body.items():
        if spec["aliases"][alias].get("is_write_index"):
            return index
    return sorted(found.body)[-1]


def install(
    client: Elasticsearch,
    alias: str,
    *,
    version: int = CURRENT_VERSION,
    shards: int = 1,
    replicas: int = 0,
    body: dict[str, Any] | None = None,
) -> InstallResult:
    """Create ``<alias>-v<version>`` and point ``alias`` at it, unless the alias already exists.

    An existing alias is left alone (it may point at an older version: use :func:`migrate`).
    Safe to run concurrently (two indexers starting at once on an empty cluster): creating the index
    tolerates "already exists", and adding the same alias to the same index twice is a no-op.
    """
    existing = current_index(client, alias)
    if existing is not None:
        apply_dynamic_settings(client, existing)
        return InstallResult(alias, existing, created=False)
    index = index_name(alias, version)
    body = body or index_body(version, shards=shards, replicas=replicas)
    created = create_if_absent(client, index, body)
    client.indices.update_aliases(
        actions=[{"add": {"index": index, "alias": alias, "is_write_index": True}}]
    )
    client.cluster.health(index=index, wait_for_status="yellow", timeout="30s")
    return InstallResult(alias, index, created=created)


def apply_dynamic_settings(client: Elasticsearch, index: str) -> dict[str, Any]:
    """Bring an existing index's dynamic settings (the merge policy) in line with the contract; returns
    what changed. An index created before a setting was added gets it without a migration; merges follow
    as documents are written (or at once with ``_forcemerge`` without ``max_num_segments``)."""
    wanted = dynamic_settings()
    current = client.indices.get_settings(index=index, name=list(wanted), flat_settings=True)
    have = (current.body.get(index) or {}).get("settings", {})
    changed = {k: v for k, v in wanted.items() if str(have.get(k)) != str(v)}
    if changed:
        try:
            client.indices.put_settings(index=index, settings=changed)
        except ApiError as exc:  # e.g. a read-only block: searches and writes work as before, only slower
            log.warning("index %s: could not apply %s (%s); it keeps its settings", index, changed, exc)
            return {}
        log.info("index %s: settings %s applied", index, changed)
    return changed


def create_if_absent(client: Elasticsearch, index: str, body: dict[str, Any]) -> bool:
    """Create ``index``; False when it exists already (also when a concurrent caller just made it)."""
    try:
        client.indices.create(index=index, settings=body["settings"], mappings=body["mappings"])
    except BadRequestError as exc:
        error = exc.body.get("error") if isinstance(exc.body, dict) else None
        if not (isinstance(error, dict) and error.get("type") == "resource_already_exists_exception"):
            raise
        return False
    return True


def migrate(
    client: Elasticsearch,
    alias: str,
    to_version: int,
    *,
    body: dict[str, Any] | None = None,
    shards: int = 1,
    replicas: int = 0,
    transform: Any = None,
    batch_size: int = 500,
    delete_old: bool = False,
) -> InstallResult:
    """Copy every document from the alias's current index into ``<alias>-v<to_version>`` and swap.

    ``transform`` maps an old ``_source`` to the new one (default: the contract's
    :func:`~mappings.contract.upgrade_source` for each version step). Documents written to the old
    index during the copy are not lost if the caller pauses writers; for a live system run it again
    (it is idempotent: ids are kept, so a second pass only overwrites).
    """
    source = current_index(client, alias)
    target = index_name(alias, to_version)
    if source is None:
        return install(client, alias, version=to_version, body=body, shards=shards, replicas=replicas)
    if source == target:
        return InstallResult(alias, target, created=False)
    create_if_absent(client, target, body or index_body(to_version, shards=shards, replicas=replicas))

    if transform is None:
        start = version_of(source) or 1

        def transform(doc: dict[str, Any]) -> dict[str, Any]:
            for step in range(start + 1, to_version + 1):
                doc = upgrade_source(doc, step)
            return doc

    def actions():
        # Dense vectors are left out of _source by default in 9.x: ask for them, or the copy loses them.
        for hit in helpers.scan(client, index=source, query={"query": {"match_all": {}}}, size=batch_size,
                                source_exclude_vectors=False):
            doc = hit["_source"]
            if transform is not None:
                doc = transform(doc)
            # a transform may re-key a document (indexer.reid): its ``id`` field is the new _id
            yield {"_index": target, "_id": doc.get("id") or hit["_id"], "_source": doc}

    copied, errors = helpers.bulk(client, actions(), chunk_size=batch_size, raise_on_error=False)
    if errors:
        raise RuntimeError(f"migration to {target} failed for {len(errors)} documents: {errors[:3]}")
    client.indices.refresh(index=target)
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": source, "alias": alias}},
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ]
    )
    log.info("migrated %d documents %s -> %s", copied, source, target)
    if delete_old:
        client.indices.delete(index=source)
    return InstallResult(alias, target, created=True)


def drop(client: Elasticsearch, alias: str) -> None:
    """Delete every concrete index behind ``alias`` (tests)."""
    try:
        found = client.indices.get_alias(name=alias)
    except NotFoundError:
        return
    for index in found.body:
        client.indices.delete(index=index, ignore_unavailable=True)
