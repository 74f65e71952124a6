"""The managed node: status, start reuse, a full stop/start cycle on a second node, clear errors."""

import shutil
import socket
from pathlib import Path

import pytest

from periscope.esnode import ManagedNode, NodeError
from periscope.settings import Settings


def test_running_node_is_reused(es, settings: Settings):
    if not settings.managed:
        pytest.skip("PERISCOPE_ES_URL points at an external cluster")
    node = ManagedNode(settings)
    before = node.status()
    assert before.running and before.health in ("green", "yellow")
    assert before.version and before.version.startswith("9.")
    again = node.start()  # idempotent: finds the running node, starts nothing
    assert again.running and again.pid == before.pid


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_port_in_use_gives_clear_error(settings: Settings, tmp_path: Path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        node = ManagedNode(settings.model_copy(update={"es_port": port, "cache_dir": tmp_path}))
        with pytest.raises(NodeError, match="in use.*PERISCOPE_ES_PORT"):
            node.start()


def test_failed_download_gives_clear_error(settings: Settings, tmp_path: Path):
    node = ManagedNode(settings.model_copy(update={
        "es_version": "9.99.0", "es_port": _free_port(), "cache_dir": tmp_path}))
    with pytest.raises(NodeError, match="could not download Elasticsearch 9.99.0"):
        node.ensure_distribution()


def test_bad_java_home_gives_clear_error(settings: Settings, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("ES_JAVA_HOME", str(tmp_path))
    with pytest.raises(NodeError, match="ES_JAVA_HOME"):
        ManagedNode(settings).find_java()


@pytest.mark.slow
def test_second_node_full_lifecycle(settings: Settings, tmp_path_factory):
    """Fetch, configure, start, status, restart-reuse, stop — on its own port and cache."""
    cache = tmp_path_factory.mktemp("node2")
    cache.chmod(0o755)
    s2 = settings.model_copy(update={"es_port": _free_port(), "cache_dir": cache, "es_heap": "512m"})
    node = ManagedNode(s2)
    try:
        st = node.start(timeout=240)
        assert st.running and st.health in ("green", "yellow")
        assert node.start().pid == st.pid
        assert (node.conf / "hunspell" / "en_US" / "en_US.dic").is_file()
        assert node.stop() is True
        assert not node.status().running
        assert node.stop() is False
    finally:
        node.stop()
        shutil.rmtree(node.root, ignore_errors=True)  # may live under /var/tmp (see _node_root)
