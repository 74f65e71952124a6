"""Shared fixtures: one real Elasticsearch node per session, a fresh index per test module.

The node is the managed local one (started if needed) unless PERISCOPE_ES_URL points elsewhere.
Never a mock: integration tests talk to Elasticsearch for real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from mappings import drop, install
from mappings.audit import audit_pattern, audit_template_name
from mappings.client import es_client
from periscope.settings import Settings, load_settings
from tests.names import created_aliases, sweep_alias, unique_alias


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # A private workspace store: the accounts of a developer's own install (or of `make run`) must not
    # turn sign-in on for tests that expect an open loopback install.
    from workspace import sqlite_url

    return load_settings(database_url=sqlite_url(tmp_path_factory.mktemp("workspace") / "workspace.sqlite3"))


@pytest.fixture(scope="session")
def es(settings: Settings) -> Iterator[Elasticsearch]:
    if settings.managed:
        from periscope.escluster import managed_service

        managed_service(settings).start()  # the node, or every node of PERISCOPE_ES_NODES
    client = es_client(settings.es_connection())
    client.cluster.health(wait_for_status="yellow", timeout="60s")
    yield client
    client.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tests clean up what they create, including the side indices an app or a run writes next to an
    alias (run summaries, failure log, audit) that no module fixture knows about."""
    if not created_aliases():
        return
    client = es_client(load_settings().es_connection())
    try:
        for alias in created_aliases():
            sweep_alias(client, alias)
    finally:
        client.close()


@pytest.fixture(scope="module")
def index_alias(request: pytest.FixtureRequest, es: Elasticsearch) -> Iterator[str]:
    """A fresh, empty Periscope index (contract v1) for this test module; deleted afterwards."""
    alias = unique_alias(request.module.__name__.rsplit(".", 1)[-1])
    install(es, alias)
    yield alias
    drop(es, alias)
    es.indices.delete(index=audit_pattern(alias), ignore_unavailable=True, allow_no_indices=True)  # apps audit
    es.options(ignore_status=404).indices.delete_index_template(name=audit_template_name(alias))


@pytest.fixture(scope="module")
def module_settings(settings: Settings, index_alias: str) -> Settings:
    """Settings pointing at this module's index alias."""
    return settings.model_copy(update={"index_alias": index_alias})
