"""Finding 2 (SSRF): feeds and --fetch-pages must not fetch loopback/private pages, directly or via a
redirect, unless a range is allowed deliberately; a refusal is a recorded failure, not a crash."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.deadletter import log_index
from indexer.feedstore import FeedRun, FeedStore
from indexer.http import FetchError, FetchPolicy, fetch
from indexer.models import Failure, SourceDoc
from mappings.netpolicy import refusal
from indexer.pipeline import Pipeline, PipelineConfig
from tests.indexer_helpers import LocalHTTPServer, shared_enricher

SECRET = "Internal payroll ledger zebra-quartz-7781"
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Direct link</title><link>{secret}</link><description>Teaser one about ports.</description></item>
<item><title>Redirected link</title><link>{hop}</link><description>Teaser two about grain.</description></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalHTTPServer, LocalHTTPServer]]:
    """``inner`` (127.0.0.1) serves the secret page; ``outer`` (127.0.0.2) answers /go with a 302 to it."""
    root = tmp_path_factory.mktemp("intranet")
    (root / "secret.html").write_text(
        f"<html><head><title>Payroll</title></head><body><article><p>{SECRET}. "
        "This page must never leave the intranet, whatever a feed links to.</p></article></body></html>")
    inner = LocalHTTPServer(root)
    outer = LocalHTTPServer(root, host="127.0.0.2", redirects={"/go": f"{inner.base}/secret.html"})
    yield inner, outer
    inner.close()
    outer.close()


@pytest.mark.parametrize("addr,why", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.0.10", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("::ffff:10.0.0.1", "private"), ("fd00::1", "private"), ("100.64.0.1", "non-public"),
    ("240.0.0.1", "reserved"), ("2002:7f00:1::", "loopback"),
])
def test_non_public_addresses_are_refused(addr: str, why: str) -> None:
    assert refusal(ipaddress.ip_address(addr)) == why


def test_public_and_allowed_addresses_pass() -> None:
    assert refusal(ipaddress.ip_address("93.184.215.14")) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111")) is None
    assert refusal(ipaddress.ip_address("10.9.8.7"), [ipaddress.ip_network("10.0.0.0/8")]) is None


def test_direct_and_redirected_fetches_are_refused(servers) -> None:
    inner, outer = servers
    for url in (f"{inner.base}/secret.html", "http://localhost:%d/secret.html" % inner.httpd.server_address[1]):
        with pytest.raises(FetchError) as err:
            fetch(url)
        assert err.value.reason == "blocked-address" and "loopback" in err.value.detail
    # the first hop (127.0.0.2) is allowed; the redirect target (127.0.0.1) is checked again and refused
    policy = FetchPolicy(allow_networks=("127.0.0.2/32",))
    with pytest.raises(FetchError) as err:
        fetch(f"{outer.base}/go", policy)
    assert err.value.reason == "blocked-address" and "127.0.0.1" in err.value.detail
    for bad in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/"):
        with pytest.raises(FetchError) as err:
            fetch(bad)
        assert err.value.reason == "bad-scheme"


def test_allowed_range_is_fetched(servers) -> None:
    inner, outer = servers
    policy = FetchPolicy(allow_networks=("127.0.0.0/8",))
    assert SECRET in fetch(f"{outer.base}/go", policy).content.decode()
    assert SECRET in fetch(f"{inner.base}/secret.html", policy).content.decode()


def test_redirect_loop_and_size_cap(tmp_path: Path) -> None:
    (tmp_path / "big.html").write_bytes(b"x" * 200_000)
    srv = LocalHTTPServer(tmp_path, redirects={"/a": "/b", "/b": "/a"})
    try:
        policy = FetchPolicy(allow_networks=("127.0.0.1/32",), max_bytes=50_000)
        t0 = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetch(f"{srv.base}/a", policy)
        assert err.value.reason == "too-many-redirects" and time.monotonic() - t0 < 5
        with pytest.raises(FetchError) as err:
            fetch(f"{srv.base}/big.html", policy)
        assert err.value.reason == "too-large"
    finally:
        srv.close()


def _feed_items(tmp_path: Path, servers, policy: FetchPolicy) -> list:
    inner, outer = servers
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED.format(secret=f"{inner.base}/secret.html", hop=f"{outer.base}/go"))
    store = FeedStore(tmp_path / "feeds.json")
    store.add("wire", str(feed), fetch_pages=True)
    return list(FeedRun(store, store.load()["wire"], policy=policy).items())


@pytest.mark.integration
def test_feed_pages_refused_and_recorded(es: Elasticsearch, index_alias: str, servers, tmp_path: Path) -> None:
    items = _feed_items(tmp_path, servers, FetchPolicy(allow_networks=("127.0.0.2/32",)))
    docs = [i for i in items if isinstance(i, SourceDoc)]
    assert [f.reason for f in items if isinstance(f, Failure)] == ["blocked-address", "blocked-address"]
    assert all(SECRET not in d.body for d in docs) and len(docs) == 2  # teasers kept, secret not fetched
    cfg = PipelineConfig(alias=index_alias, workers=0, dead_letter_dir=tmp_path / "dl")
    try:
        stats = Pipeline(es, cfg, enricher=shared_enricher()).run(iter(items))
        es.indices.refresh(index=index_alias)
        assert stats.failures_by_reason == {"blocked-address": 2} and stats.created == 2
        assert es.count(index=index_alias, query={"match_phrase": {"body": "zebra-quartz-7781"}})["count"] == 0
        lines = [json.loads(ln) for ln in Path(stats.dead_letter_file).read_text().splitlines()]
        assert {ln["reason"] for ln in lines} == {"blocked-address"}
        es.indices.refresh(index=log_index(index_alias))
        logged = es.count(index=log_index(index_alias), query={"term": {"run_id": stats.run_id}})["count"]
        assert logged == 2
    finally:
        es.indices.delete(index=log_index(index_alias), ignore_unavailable=True)


def test_feed_pages_fetched_when_allowed(tmp_path: Path, servers) -> None:
    items = _feed_items(tmp_path, servers, FetchPolicy(allow_networks=("127.0.0.0/8",)))
    assert all(isinstance(i, SourceDoc) for i in items)
    assert sum(SECRET in i.body for i in items) == 2
