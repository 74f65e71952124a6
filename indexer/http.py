"""Network reads with a timeout, a size cap and retries with exponential backoff.

Feeds and article pages are untrusted: a slow or huge response must not hang or exhaust the indexer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

USER_AGENT = "Periscope/0.1 (+https://github.com/periscope-osint; OSINT indexer)"


class FetchError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 15.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 3
    backoff: float = 0.5


def fetch(url: str, policy: FetchPolicy = FetchPolicy(), headers: dict[str, str] | None = None) -> Response:
    """GET ``url``; retry connection errors, timeouts, 429 and 5xx; never read past ``max_bytes``."""
    hdrs = {"User-Agent": USER_AGENT, **(headers or {})}
    last: FetchError | None = None
    for attempt in range(policy.retries + 1):
        if attempt:
            time.sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            with httpx.stream("GET", url, headers=hdrs, timeout=policy.timeout, follow_redirects=True) as r:
                if r.status_code == 304:
                    return Response(str(r.url), 304, b"", dict(r.headers))
                if r.status_code == 429 or r.status_code >= 500:
                    last = FetchError("http-error", f"HTTP {r.status_code} from {url}")
                    continue
                if r.status_code >= 400:
                    raise FetchError("http-error", f"HTTP {r.status_code} from {url}")
                declared = int(r.headers.get("content-length") or 0)
                if declared > policy.max_bytes:
                    raise FetchError("too-large", f"{url} declares {declared} bytes > limit {policy.max_bytes}")
                buf = bytearray()
                for chunk in r.iter_bytes():
                    buf.extend(chunk)
                    if len(buf) > policy.max_bytes:
                        raise FetchError("too-large", f"{url} is larger than {policy.max_bytes} bytes")
                return Response(str(r.url), r.status_code, bytes(buf), dict(r.headers))
        except httpx.TimeoutException as exc:
            last = FetchError("timeout", f"{url}: {type(exc).__name__}")
        except httpx.TransportError as exc:
            last = FetchError("network-error", f"{url}: {type(exc).__name__}: {exc}")
        except httpx.InvalidURL as exc:
            raise FetchError("bad-url", f"{url}: {exc}") from None
    assert last is not None
    raise last
