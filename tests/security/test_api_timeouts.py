"""Elasticsearch accepts connections but never answers (issue 10 #6): the API must not hang for minutes.

A real TCP listener on loopback accepts every connection and never sends a byte. /health answers
within ~2 s, searches fail fast with 503 + Retry-After, and nothing is retried on a timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app

pytestmark = pytest.mark.integration


class SilentServer:
    """Accepts TCP connections and holds them open without ever answering."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(conn)

    def __enter__(self) -> "SilentServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


def _timed(client: TestClient, url: str) -> tuple[float, object]:
    start = time.monotonic()
    r = client.get(url)
    return time.monotonic() - start, r


def test_defaults_fail_fast(settings, silent):
    hung = settings.model_copy(update={"es_url": [f"http://127.0.0.1:{silent.port}"], "index_alias": "test-hung"})
    with TestClient(create_app(hung), raise_server_exceptions=False) as c:
        took, r = _timed(c, "/api/v1/search?q=oil")
        assert r.status_code == 503 and r.headers["retry-after"] and took < 5.0, (took, r.status_code)


def test_hung_elasticsearch_fails_fast_on_every_route(settings, silent):
    hung = settings.model_copy(update={"es_url": [f"http://127.0.0.1:{silent.port}"], "index_alias": "test-hung",
                                       "api_es_timeout": 2.0})
    with TestClient(create_app(hung), raise_server_exceptions=False) as c:
        took, r = _timed(c, "/health")
        assert took < 3.0 and r.status_code == 503 and r.headers["retry-after"], (took, r.status_code)
        assert r.json()["status"] == "elasticsearch-unavailable" and str(silent.port) not in r.text
        for url in ("/api/v1/search?q=oil", "/api/v1/facets/person?prefix=ab", "/api/v1/documents/x",
                    "/api/v1/suggest?q=oil", "/api/v1/export?format=csv"):
            took, r = _timed(c, url)
            assert took < hung.api_es_timeout + 1.5, (url, took)
            assert r.status_code == 503 and r.headers["retry-after"], (url, r.status_code, r.text[:200])
            assert r.headers["content-type"] == "application/problem+json"
            assert "did not answer" in r.json()["detail"] and str(silent.port) not in r.text
        took, r = _timed(c, "/?q=oil")  # the UI goes through the same service
        assert took < hung.api_es_timeout + 1.5 and r.status_code == 503


def test_search_timeout_is_not_retried(settings, silent):
    hung = settings.model_copy(update={"es_url": [f"http://127.0.0.1:{silent.port}"], "index_alias": "test-hung",
                                       "api_es_timeout": 1.0, "es_max_retries": 3})
    with TestClient(create_app(hung), raise_server_exceptions=False) as c:
        before = len(silent.accepted)
        took, r = _timed(c, "/api/v1/search?q=oil")
        assert r.status_code == 503 and took < 2.0  # one 1 s attempt, not four
        assert len(silent.accepted) - before <= 1
