"""Elasticsearch clients from plain connection parameters — the one place client options are interpreted.

``mappings`` imports nothing of ours: the caller (the CLI, the API app, the tests) turns its settings
into an :class:`ESConnection` (``Settings.es_connection()``) and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch


@dataclass(frozen=True)
class ESConnection:
    hosts: list[str] = field(default_factory=lambda: ["http://127.0.0.1:9200"])
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    verify_certs: bool = True
    # Budget of one request, connection included (elastic-transport has no separate connect timeout).
    request_timeout: float = 30.0
    # Retries go to the next node on connection errors and 429/502/503/504. A timeout is retried only
    # where the work is idempotent and worth waiting for (bulk indexing), never for interactive search.
    max_retries: int = 3
    retry_on_timeout: bool = False

    @classmethod
    def of(cls, source: Any) -> "ESConnection":
        """An ``ESConnection`` as is, or built from an object with ``es_*`` attributes (settings)."""
        if isinstance(source, cls):
            return source
        values = {f.name: getattr(source, "es_" + f.name) for f in fields(cls)
                  if hasattr(source, "es_" + f.name)}
        if "ca_certs" in values and values["ca_certs"] is not None:
            values["ca_certs"] = str(values["ca_certs"])
        return cls(**values)


def client_options(conn: ESConnection | Any) -> dict[str, Any]:
    conn = ESConnection.of(conn)
    opts: dict[str, Any] = {
        "hosts": list(conn.hosts),
        "request_timeout": conn.request_timeout,
        "max_retries": conn.max_retries,
        "retry_on_timeout": conn.retry_on_timeout,
    }
    if conn.api_key:
        opts["api_key"] = conn.api_key
    if conn.username is not None:
        opts["basic_auth"] = (conn.username, conn.password)
    if conn.ca_certs is not None:
        opts["ca_certs"] = conn.ca_certs
    if any(h.startswith("https") for h in conn.hosts):
        opts["verify_certs"] = conn.verify_certs
    return opts


def es_client(conn: ESConnection | Any, **extra: Any) -> Elasticsearch:
    return Elasticsearch(**{**client_options(conn), **extra})


def async_es_client(conn: ESConnection | Any, **extra: Any) -> AsyncElasticsearch:
    return AsyncElasticsearch(**{**client_options(conn), **extra})
