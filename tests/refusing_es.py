"""An HTTP server that answers every request with 401 like a secured Elasticsearch whose credentials are wrong.

Not a mock of Elasticsearch's behaviour: it stands for a misconfigured upstream, to prove the API and the
pages never pass an upstream's words (user names, addresses, exception names) on to the caller.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_REASON = "unable to authenticate user [spymaster] for REST request [/_search]"
AUTH_ERROR = {"error": {"root_cause": [{"type": "security_exception", "reason": SECRET_REASON,
                                        "header": {"WWW-Authenticate": 'Basic realm="security"'}}],
                        "type": "security_exception", "reason": SECRET_REASON}, "status": 401}


class _Refuses(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps(AUTH_ERROR).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("WWW-Authenticate", 'Basic realm="security"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _answer

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@contextmanager
def refusing_server() -> Iterator[str]:
    """The URL of a fresh refusing server on a free loopback port, shut down afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
