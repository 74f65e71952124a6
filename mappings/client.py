"""Elasticsearch clients built from settings — the one place connection options are interpreted."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from periscope.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "hosts": settings.es_hosts,
        "request_timeout": settings.es_request_timeout,
        "max_retries": settings.es_max_retries,
        "retry_on_timeout": True,
    }
    if settings.es_api_key:
        opts["api_key"] = settings.es_api_key
    if settings.es_username is not None:
        opts["basic_auth"] = (settings.es_username, settings.es_password)
    if settings.es_ca_certs is not None:
        opts["ca_certs"] = str(settings.es_ca_certs)
    if any(h.startswith("https") for h in settings.es_hosts):
        opts["verify_certs"] = settings.es_verify_certs
    return opts


def es_client(settings: Settings, **extra: Any) -> Elasticsearch:
    return Elasticsearch(**{**client_options(settings), **extra})


def async_es_client(settings: Settings, **extra: Any) -> AsyncElasticsearch:
    return AsyncElasticsearch(**{**client_options(settings), **extra})
