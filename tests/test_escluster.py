"""Cluster mode (issue 19): node configuration (fast), and a real 3-node cluster losing a node (slow)."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest

from periscope.escluster import ManagedCluster, managed_service
from periscope.esnode import ManagedNode
from periscope.settings import Settings, load_settings

SLOW_BASE_PORT = 9440  # the slow test's cluster: 9440-9442 (HTTP), 9540-9542 (transport)


def test_cluster_nodes_get_own_ports_dirs_and_seed_hosts(tmp_path: Path):
    s = load_settings(es_nodes=3, es_port=9410, cache_dir=tmp_path)
    cluster = managed_service(s)
    assert isinstance(cluster, ManagedCluster)
    configs = [n.node_config() for n in cluster.nodes]
    assert [c["http.port"] for c in configs] == [9410, 9411, 9412]
    assert [c["transport.port"] for c in configs] == [9510, 9511, 9512]
    assert len({c["path.data"] for c in configs}) == 3
    assert all(Path(str(c["path.data"])).is_relative_to(cluster.dir) for c in configs)
    assert {c["cluster.name"] for c in configs} == {"periscope-local-9410"}  # never joins the dev node
    assert all(c["discovery.seed_hosts"] == ["127.0.0.1:9510", "127.0.0.1:9511", "127.0.0.1:9512"] for c in configs)
    assert all("discovery.type" not in c for c in configs)
    # initial_master_nodes only for the first start of a new cluster, never on a rejoin
    assert all("cluster.initial_master_nodes" not in c for c in configs)
    cluster.nodes[1].bootstrap = True
    assert cluster.nodes[1].node_config()["cluster.initial_master_nodes"] == [
        "periscope-node-1", "periscope-node-2", "periscope-node-3"]


def test_single_node_config_is_unchanged(tmp_path: Path):
    node = managed_service(load_settings(cache_dir=tmp_path, es_port=9200))
    assert isinstance(node, ManagedNode)
    cfg = node.node_config()
    assert cfg["discovery.type"] == "single-node" and cfg["node.name"] == "periscope-node-1"
    assert cfg["cluster.name"] == "periscope-local" and node.dir == node.root


def _pid_of(node: ManagedNode) -> int:
    pid = node._pid()
    assert pid is not None
    return pid


def _docs(n: int) -> list[dict]:
    words = ["oil", "bank", "trade", "grain", "gold", "yen", "tariff", "merger", "coffee", "sugar"]
    return [{"id": f"doc-{i:05d}", "title": f"{words[i % 10].title()} report {i}",
             "body": f"The {words[i % 10]} market moved after {words[(i * 7) % 10]} news, story number {i}.",
             "language": "en", "published_at": f"1987-03-{1 + i % 28:02d}T12:00:00Z"} for i in range(n)]


@pytest.mark.slow
def test_three_nodes_survive_a_node_kill(tmp_path: Path, settings: Settings):
    """kill -9 the node holding the primary while the Loader bulk-loads and the API searches:
    no failed request, every document exactly once, back to green after the restart."""
    from fastapi.testclient import TestClient

    from indexer.loader import Loader
    from mappings import install
    from mappings.client import es_client
    from search_api.app import create_app
    from workspace import sqlite_url

    alias = f"s19c-kill-{uuid.uuid4().hex[:8]}"
    s = load_settings(es_nodes=3, es_port=SLOW_BASE_PORT, es_heap="512m", cache_dir=settings.cache_dir,
                      index_alias=alias, alerts_scheduler=False,
                      database_url=sqlite_url(tmp_path / "workspace.sqlite3"))
    assert s.index_replicas == 1 and len(s.es_hosts) == 3
    cluster = ManagedCluster(s)
    try:
        cluster.start(wait_for="green")
        es = es_client(s.es_connection())
        install(es, alias, shards=s.index_shards, replicas=s.index_replicas)
        docs = _docs(3000)
        loaded: list[int] = []

        def load() -> None:
            loader = Loader(es, alias, chunk_size=100)
            for i in range(0, len(docs), 100):
                out = loader.load(docs[i:i + 100])
                assert not out.failed
                loaded.append(i + 100)
                time.sleep(0.2)  # stretch the load over the kill and the restart

        loading = threading.Thread(target=load)
        statuses: list[int] = []
        with TestClient(create_app(s)) as client:
            loading.start()
            while not loaded:
                time.sleep(0.2)
            es.indices.refresh(index=alias)
            rows = es.cat.shards(index=alias, format="json", h="prirep,node")
            victim = next(n for n in cluster.nodes if n.node_name == next(r["node"] for r in rows if r["prirep"] == "p"))
            os.kill(_pid_of(victim), signal.SIGKILL)
            killed_at = time.monotonic()
            restart = threading.Thread(target=lambda: (time.sleep(10), cluster.start(wait_for="yellow")))
            restart.start()
            words = ["oil", "bank", "trade", "grain", "gold"]
            while loading.is_alive() or restart.is_alive():
                statuses.append(client.get("/api/v1/search", params={"q": words[len(statuses) % 5]}).status_code)
            restart.join()
            loading.join()
        back_to_green = cluster.wait("green", timeout=300) + (time.monotonic() - killed_at)
        es.indices.refresh(index=alias)
        assert [c for c in statuses if c != 200] == []
        assert len(statuses) > 20
        assert es.count(index=alias)["count"] == len(docs)
        ids = {h["_id"] for h in es.search(index=alias, size=len(docs), _source=False)["hits"]["hits"]}
        assert ids == {d["id"] for d in docs}
        assert back_to_green < 300
        es.close()
    finally:
        cluster.destroy()


def test_status_lists_every_node(monkeypatch, tmp_path: Path):
    from typer.testing import CliRunner

    from periscope.cli import app

    monkeypatch.setenv("PERISCOPE_ES_PORT", "9470")  # nothing listens there
    monkeypatch.setenv("PERISCOPE_CACHE_DIR", str(tmp_path))
    out = CliRunner().invoke(app, ["es", "status", "--nodes", "3"])
    assert out.exit_code == 1  # down
    lines = out.stdout.strip().splitlines()
    assert [ln.split("\t")[1] for ln in lines[:3]] == [f"url=http://127.0.0.1:{p}" for p in (9470, 9471, 9472)]
    assert lines[3].startswith("cluster\tnodes=0/3")
