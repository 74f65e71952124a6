"""Names of throw-away Elasticsearch aliases for tests, and the sweep that deletes all they left behind.

One module (always imported as ``tests.names``) holds the registry, so aliases made through any import path
are swept by the session hook in conftest.
"""

from __future__ import annotations

import uuid

from elasticsearch import Elasticsearch

_CREATED: list[str] = []


def unique_alias(prefix: str) -> str:
    """A fresh alias name; everything named after it (side indices, templates) is swept at session end."""
    alias = f"test-{prefix.lower().replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    _CREATED.append(alias)
    return alias


def sweep_alias(client: Elasticsearch, alias: str) -> None:
    """Delete every index and index template named after ``alias`` (the index itself, ``-ingest-runs``,
    ``-ingest-log``, ``-audit-*``), by explicit names: a node may refuse wildcard deletes."""
    found = client.options(ignore_status=404).indices.get(index=f"{alias}*", expand_wildcards="all")
    names = list(found.body) if found.meta.status == 200 else []
    for i in range(0, len(names), 50):
        client.options(ignore_status=404).indices.delete(index=",".join(names[i:i + 50]))
    templates = client.options(ignore_status=404).indices.get_index_template(name=f"{alias}*")
    for t in templates.body.get("index_templates", []) if templates.meta.status == 200 else []:
        client.options(ignore_status=404).indices.delete_index_template(name=t["name"])


def created_aliases() -> list[str]:
    """Every alias this session named through :func:`unique_alias`."""
    return list(_CREATED)
