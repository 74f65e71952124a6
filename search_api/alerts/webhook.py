"""Webhook channel: signed JSON POSTs, retried with exponential backoff, and the URL policy.

The signature is ``X-Periscope-Signature: sha256=<hex HMAC-SHA256 of the raw body with the search's
webhook secret>``; ``X-Periscope-Delivery`` carries the delivery id, stable across retries, so a
receiver can drop a repeat (the only way to get exactly-once over HTTP when a sender may crash
after the receiver acted but before it heard the answer).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from mappings.netpolicy import refusal

SIGNATURE_HEADER = "X-Periscope-Signature"
DELIVERY_HEADER = "X-Periscope-Delivery"


class WebhookRefused(ValueError):
    """The URL is not allowed; the message says why (API: 422)."""


class WebhookFailed(Exception):
    pass


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL if a webhook may be sent there; else :class:`WebhookRefused` saying why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("a webhook URL must be http:// or https:// with a host name")
    if allow_private:
        return url.strip()
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookRefused(f"the host {parts.hostname!r} does not resolve") from None
    for info in infos:
        why = refusal(ipaddress.ip_address(info[4][0].split("%", 1)[0]))
        if why:
            raise WebhookRefused(f"{parts.hostname} resolves to a {why} address ({info[4][0]}); such targets "
                                 "are refused unless the operator sets PERISCOPE_ALERTS_WEBHOOK_ALLOW_PRIVATE=true")
    return url.strip()


def payload(delivery_id: str, search: dict[str, Any], document: dict[str, Any]) -> bytes:
    return json.dumps({"delivery_id": delivery_id, "saved_search": search, "document": document},
                      ensure_ascii=False, separators=(",", ":")).encode()


async def post(client: httpx.AsyncClient, url: str, secret: str, delivery_id: str, body: bytes, *,
               tries: int, backoff_s: float) -> None:
    """POST with up to ``tries`` attempts (exponential backoff); a 2xx is success, anything else retried."""
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body), DELIVERY_HEADER: delivery_id,
               "User-Agent": "Periscope-Alerts/1"}
    async for attempt in AsyncRetrying(stop=stop_after_attempt(tries), reraise=True,
                                       wait=wait_exponential(multiplier=backoff_s, max=30),
                                       retry=retry_if_exception_type((WebhookFailed, httpx.HTTPError))):
        with attempt:
            res = await client.post(url, content=body, headers=headers)
            if not 200 <= res.status_code < 300:
                raise WebhookFailed(f"HTTP {res.status_code} from the receiver")


async def check_url_async(url: str, *, allow_private: bool) -> str:
    return await asyncio.to_thread(check_url, url, allow_private=allow_private)
