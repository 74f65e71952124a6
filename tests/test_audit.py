"""The audit trail against a real node: buffered writes, monthly indices, privacy, no duplicates."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest

from mappings.audit import audit_index, audit_pattern, audit_template, audit_template_name
from mappings.client import async_es_client
from search_api.audit import AuditEvent, AuditLog

from tests.conftest import unique_alias

pytestmark = pytest.mark.integration


@pytest.fixture()
def alias(es):
    name = unique_alias("audit")
    yield name
    es.indices.delete(index=audit_pattern(name), ignore_unavailable=True, allow_no_indices=True)
    es.options(ignore_status=404).indices.delete_index_template(name=audit_template_name(name))


def _run(settings, alias, body, **kwargs):
    async def main():
        client = async_es_client(settings)
        log = AuditLog(client, alias, **kwargs)
        try:
            return await body(log)
        finally:
            await client.close()
    return asyncio.run(main())


def test_events_are_written_once_to_their_month_and_searchable(settings, alias, es):
    march = dt.datetime(2026, 3, 31, 23, 59, tzinfo=dt.timezone.utc)
    april = dt.datetime(2026, 4, 1, 0, 1, tzinfo=dt.timezone.utc)

    async def body(log):
        log.record(AuditEvent("login", user="alice", client="127.0.0.1", at=march))
        log.record(AuditEvent("search", user="alice", query="opec AND iran", count=12, at=april,
                              details={"filters": {"countries": ["IR"]}}))
        log.record(AuditEvent("export", user="bob", count=250, target="csv", at=april))
        written = await log.flush()
        again = await log.flush()  # nothing buffered any more: nothing written twice
        await log.refresh()
        return written, again, await log.search(user="alice"), await log.search(text="opec")

    written, again, (n_alice, alice), (n_text, by_text) = _run(settings, alias, body)
    assert (written, again) == (3, 0)
    assert n_alice == 2 and [h["action"] for h in alice] == ["search", "login"]  # newest first
    assert n_text == 1 and by_text[0]["details"] == {"filters": {"countries": ["IR"]}}
    assert es.count(index=audit_index(alias, march))["count"] == 1
    assert es.count(index=audit_index(alias, april))["count"] == 2


def test_query_text_can_be_left_out_for_privacy(settings, alias):
    async def body(log):
        log.record(AuditEvent("search", user="carol", query="secret source name", count=3,
                              details={"filters": {"person": ["x"]}, "page": 2}))
        await log.flush()
        await log.refresh()
        return await log.search(user="carol")

    total, hits = _run(settings, alias, body, record_queries=False)
    assert total == 1
    assert "query" not in hits[0] and hits[0]["details"] == {"page": 2} and hits[0]["count"] == 3


def test_events_survive_an_unreachable_node_and_go_out_later(settings, alias, es):
    async def body(log):
        good_es = log.es
        from elasticsearch import AsyncElasticsearch

        dead = AsyncElasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0)
        log.es = dead
        log.record(AuditEvent("view", user="dave", target="doc-1"))
        first = await log.flush()
        await dead.close()
        log.es = good_es
        second = await log.flush()
        await log.refresh()
        return first, second, await log.search(user="dave")

    first, second, (total, _) = _run(settings, alias, body)
    assert (first, second, total) == (0, 1, 1)


def test_a_month_index_whose_shard_is_still_starting_is_waited_for_not_a_503(settings, alias, es):
    """The first event of a month creates its index; an admin reading at that moment must not get 503.

    The shard is held unassigned (allocation filter to a node that does not exist) and released
    half a second after the read starts: the read must wait for it and answer.
    """
    now = dt.datetime.now(dt.timezone.utc)
    index = audit_index(alias, now)
    es.indices.put_index_template(**audit_template(alias))  # the month index gets the real mapping
    es.indices.create(index=index, settings={
        "number_of_shards": 1, "number_of_replicas": 0,
        "index.routing.allocation.require._name": "no-such-node"}, wait_for_active_shards="0")

    async def body(log):
        async def release():
            await asyncio.sleep(0.5)
            await log.es.indices.put_settings(index=index, settings={
                "index.routing.allocation.require._name": None})
        releaser = asyncio.create_task(release())
        try:
            return await log.search()
        finally:
            await releaser

    total, hits = _run(settings, alias, body)
    assert (total, hits) == (0, [])
