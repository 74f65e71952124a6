"""Network reads of untrusted feeds and pages: http/https only, public addresses only (see
:mod:`.netguard`), redirects followed here (each hop checked), short timeouts, a size cap while
streaming and an overall deadline, transient failures retried by the shared :class:`RetryPolicy`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .netguard import BlockedAddress, GuardedTransport, UnresolvableHost, parse_networks
from .retry import RetryPolicy

USER_AGENT = "Periscope/0.1 (+https://github.com/periscope-osint; OSINT indexer)"
SCHEMES = ("http", "https")


class FetchError(Exception):
    def __init__(self, reason: str, detail: str, *, transient: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.transient = reason, detail, transient


@dataclass
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # per read (and the whole response gets 3× this)
    connect_timeout: float = 5.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 2
    backoff: float = 0.5
    max_redirects: int = 5
    allow_networks: tuple[str, ...] = ()  # CIDR ranges fetched although not public


def check_url(url: str) -> None:
    """Refuse anything but an absolute http(s) URL (``file:``, ``ftp:``, ``gopher:`` …)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise FetchError("bad-scheme", f"{url[:200]!r}: only http and https URLs are fetched")


def fetch(url: str, policy: FetchPolicy = FetchPolicy(), headers: dict[str, str] | None = None) -> Response:
    """GET ``url``; connection errors, timeouts, 429 and 5xx are retried, everything else is final."""
    retry = RetryPolicy(initial=policy.backoff, maximum=8.0, give_up_after=max(policy.timeout * 6, 30.0),
                        max_attempts=policy.retries + 1)
    return retry.run(f"GET {url[:200]}", lambda: _fetch_once(url, policy, headers),
                     retry_on=lambda e: isinstance(e, FetchError) and e.transient)


def _fetch_once(url: str, policy: FetchPolicy, headers: dict[str, str] | None) -> Response:
    hdrs = {"User-Agent": USER_AGENT, **(headers or {})}
    timeout = httpx.Timeout(policy.timeout, connect=policy.connect_timeout)
    deadline = time.monotonic() + policy.timeout * 3
    current = url
    try:
        with httpx.Client(transport=GuardedTransport(parse_networks(policy.allow_networks)), timeout=timeout,
                          follow_redirects=False, trust_env=False) as client:
            for _hop in range(policy.max_redirects + 1):
                check_url(current)
                with client.stream("GET", current, headers=hdrs) as r:
                    if r.has_redirect_location:
                        current = urljoin(current, r.headers["location"])
                        continue
                    return _read(r, current, policy, deadline)
            raise FetchError("too-many-redirects", f"{url}: more than {policy.max_redirects} redirects")
    except BlockedAddress as exc:
        raise FetchError("blocked-address", f"{current[:200]}: {exc.detail}") from None
    except UnresolvableHost as exc:
        raise FetchError("network-error", str(exc)) from None
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"{current}: {type(exc).__name__}", transient=True) from None
    except httpx.TransportError as exc:
        raise FetchError("network-error", f"{current}: {type(exc).__name__}: {exc}", transient=True) from None
    except httpx.InvalidURL as exc:
        raise FetchError("bad-url", f"{current[:200]}: {exc}") from None


def _read(r: httpx.Response, url: str, policy: FetchPolicy, deadline: float) -> Response:
    if r.status_code == 304:
        return Response(url, 304, b"", dict(r.headers))
    if r.status_code == 429 or r.status_code >= 500:
        raise FetchError("http-error", f"HTTP {r.status_code} from {url}", transient=True)
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
        if time.monotonic() > deadline:  # a server trickling bytes forever
            raise FetchError("timeout", f"{url} took longer than {policy.timeout * 3:.0f}s", transient=True)
    return Response(url, r.status_code, bytes(buf), dict(r.headers))
