"""The audit trail's index contract: one index per month behind an index template (no ILM needed).

Audit events are an append-only stream (logins, searches, document views, exports, grade and user
changes), so they live in Elasticsearch next to the documents, not in the workspace store: writes
are cheap appends and admins search them like anything else. A month per index keeps retention a
matter of deleting old indices, which the core distribution can do without ILM.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from elasticsearch import Elasticsearch

AUDIT_MAPPING: dict[str, Any] = {
    # strict: an event with an unknown top-level field is a bug in the writer, not a new column.
    "dynamic": "strict",
    "properties": {
        "@timestamp": {"type": "date"},
        "action": {"type": "keyword"},        # login, logout, search, view, export, grade, user, collection, key
        "outcome": {"type": "keyword"},       # success | failure | denied
        "user": {"type": "keyword"},
        "role": {"type": "keyword"},
        "auth": {"type": "keyword"},          # session | api-key | shared-key | anonymous
        "client": {"type": "keyword"},
        "request_id": {"type": "keyword"},
        "method": {"type": "keyword"},
        "path": {"type": "keyword", "ignore_above": 1024},
        "target": {"type": "keyword", "ignore_above": 512},   # document id, user name, collection...
        "query": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
        "count": {"type": "long"},
        "status": {"type": "short"},
        # Free-form context (filters, before/after values): kept, shown, not indexed field by field.
        "details": {"type": "object", "enabled": False},
    },
}


def audit_template_name(alias: str) -> str:
    return f"{alias}-audit"


def audit_pattern(alias: str) -> str:
    """What readers search: every monthly audit index of this installation."""
    return f"{alias}-audit-*"


def audit_index(alias: str, when: dt.datetime) -> str:
    """The monthly index an event at ``when`` (UTC) is written to, e.g. ``periscope-docs-audit-2026.11``."""
    return f"{alias}-audit-{when:%Y.%m}"


def audit_template(alias: str, *, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Keyword arguments of ``indices.put_index_template`` (sync or async client alike)."""
    return {
        "name": audit_template_name(alias),
        "index_patterns": [audit_pattern(alias)],
        "template": {"settings": {"number_of_shards": shards, "number_of_replicas": replicas},
                     "mappings": AUDIT_MAPPING},
        "priority": 200,
        "meta": {"managed_by": "periscope", "purpose": "audit trail, one index per month"},
    }


def install_audit_template(client: Elasticsearch, alias: str, *, shards: int = 1, replicas: int = 0) -> None:
    """Create or update the index template so each new monthly index gets the audit mapping."""
    client.indices.put_index_template(**audit_template(alias, shards=shards, replicas=replicas))
