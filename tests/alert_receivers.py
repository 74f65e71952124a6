"""Real local receivers for alert tests: an HTTP webhook receiver and an SMTP server (aiosmtpd), on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from periscope.pgnode import free_port


class WebhookReceiver:
    """Records every POST (body, headers); answers ``status`` after ``delay_s``. ``secret`` checks signatures."""

    def __init__(self, status: int = 200, delay_s: float = 0.0) -> None:
        self.status, self.delay_s = status, delay_s
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay_s)
                receiver.requests.append({"body": body, "headers": dict(self.headers)})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Payloads whose X-Periscope-Signature is right (the others are dropped)."""
        out = []
        for r in self.requests:
            expected = "sha256=" + hmac.new(secret.encode(), r["body"], hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, r["headers"].get("X-Periscope-Signature", "")):
                out.append(json.loads(r["body"]))
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = _Collect()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def close(self) -> None:
        self.controller.stop()
