"""Finding 12 (UI side): an unexpected upstream error never shows its text or class name on a page;
the page says something went wrong (and the request id when there is one)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app

pytestmark = pytest.mark.integration
SECRET_TEXT = "unable to authenticate user [elastic] for REST request [/_search]"


class _Refuses(BaseHTTPRequestHandler):
    """An HTTP server in front of which the API is put: it answers every request with a 401 like a
    secured Elasticsearch whose credentials are wrong."""

    def _answer(self) -> None:
        body = json.dumps({"error": {"type": "security_exception", "reason": SECRET_TEXT}, "status": 401}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("WWW-Authenticate", 'Basic realm="security"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def client(module_settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = module_settings.model_copy(update={"es_url": [f"http://127.0.0.1:{server.server_port}"],
                                                  "es_max_retries": 0})
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c
    server.shutdown()


@pytest.mark.parametrize("path", ["/?q=oil", "/doc/any-id", "/ui/facets/person?prefix=ab"])
def test_pages_do_not_leak_upstream_errors(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code < 600
    for leak in (SECRET_TEXT, "elastic]", "AuthenticationException", "PeriscopeError", "ApiError", "Traceback",
                 "security_exception", "127.0.0.1"):
        assert leak not in r.text, (path, leak)
    if path != "/ui/facets/person?prefix=ab":
        assert r.status_code == 502 and "The search index returned an error" in r.text
        assert re.search(r"Request id: <code>[0-9a-f]{32}</code>", r.text)  # what to report, nothing more
        assert r.headers["x-request-id"] in r.text
