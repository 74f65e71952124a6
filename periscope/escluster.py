"""A managed multi-node Elasticsearch cluster on this machine (``PERISCOPE_ES_NODES`` > 1).

Each node is a :class:`periscope.esnode.ManagedNode` with its own ports, directories and pid file;
they find each other through ``discovery.seed_hosts`` (the transport ports of all nodes). The very
first start bootstraps the cluster with ``cluster.initial_master_nodes``; later starts (a whole
restart, or one node after a crash) rejoin from the state on disk, as Elasticsearch recommends.
This is for trying cluster mode and fault-testing it locally; production clusters run one node per
machine (docker-compose.yml has a 3-node profile) and Periscope points at them with PERISCOPE_ES_URL.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from periscope.esnode import ManagedNode, NodeError, NodeStatus, _get_json, cluster_dir
from periscope.settings import Settings


@dataclass(frozen=True)
class ClusterStatus:
    nodes: list[NodeStatus]
    health: str | None  # cluster health as any live node reports it
    joined: int  # nodes the cluster counts

    @property
    def running(self) -> bool:
        return all(n.running for n in self.nodes)

    @property
    def url(self) -> str:
        return ",".join(n.url for n in self.nodes)

    @property
    def version(self) -> str | None:
        return next((n.version for n in self.nodes if n.version), None)


class ManagedCluster:
    def __init__(self, settings: Settings) -> None:
        if settings.es_nodes < 2:
            raise ValueError("a managed cluster has at least 2 nodes; use ManagedNode for one")
        self.settings = settings
        self.nodes = [ManagedNode(settings, i + 1) for i in range(settings.es_nodes)]
        self.dir = cluster_dir(self.nodes[0].root, settings.es_port)

    def node(self, ordinal: int) -> ManagedNode:
        return self.nodes[ordinal - 1]

    def status(self) -> ClusterStatus:
        nodes = [n.status() for n in self.nodes]
        health = next((h for n in nodes if n.running and (h := _get_json(n.url + "/_cluster/health"))), None)
        return ClusterStatus(nodes, health and health.get("status"), (health or {}).get("number_of_nodes", 0))

    def start(self, timeout: float = 240.0, wait_for: str = "yellow") -> ClusterStatus:
        """Start every node that is not running (all at once: a lone node cannot elect a master)."""
        first = self.nodes[0]
        first.ensure_distribution()  # once, before the threads: they would all unpack it
        new_cluster = not any((n.data / "_state").exists() for n in self.nodes)
        for n in self.nodes:
            n.bootstrap = new_cluster
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda n: n.start(timeout=timeout), self.nodes))
        self.wait(wait_for, timeout)
        return self.status()

    def wait(self, status: str = "green", timeout: float = 240.0) -> float:
        """Wait until all nodes have joined and health is ``status``; returns the seconds it took."""
        t0 = time.monotonic()
        want = len(self.nodes)
        while time.monotonic() - t0 < timeout:
            for n in self.nodes:
                h = _get_json(f"{n.url}/_cluster/health?wait_for_status={status}&wait_for_nodes={want}&timeout=5s")
                if h and not h.get("timed_out") and h.get("number_of_nodes") == want:
                    return time.monotonic() - t0
            time.sleep(0.5)
        raise NodeError(f"the cluster did not reach {status} with {want} nodes in {timeout:.0f}s; "
                        f"see `periscope es logs` ({self.nodes[0].logs_path()})")

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop every node; False when none was running."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            return any(list(pool.map(lambda n: n.stop(timeout=timeout), self.nodes)))

    def destroy(self) -> None:
        """Stop the nodes and delete their directories (data included): for tests and benches."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs_path(self) -> Path:
        return self.nodes[0].logs_path()


def managed_service(settings: Settings) -> ManagedNode | ManagedCluster:
    """The managed node, or the managed cluster when ``PERISCOPE_ES_NODES`` > 1."""
    return ManagedCluster(settings) if settings.es_nodes > 1 else ManagedNode(settings)
