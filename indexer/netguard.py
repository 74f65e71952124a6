"""Server-side request forgery guard: the indexer only connects to public addresses.

Feed items and pages are written by strangers; a link (or a redirect) to ``127.0.0.1``, a cloud
metadata address or an intranet host must not make the indexer fetch and index internal pages.
The check runs inside the HTTP client's connect step (an httpcore network backend), so it applies to
every hop of a redirect chain, and the connection goes to the very address that was checked — a DNS
answer that changes between check and connect (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache

import httpcore
import httpx

from mappings.netpolicy import Network, refusal



class BlockedAddress(Exception):
    """The host resolves to an address the policy refuses; ``detail`` says which and how to allow it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnresolvableHost(Exception):
    pass


@lru_cache(maxsize=32)
def parse_networks(specs: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.0/8", "fd00::/8")`` as networks; a bad entry raises ValueError naming it."""
    out = []
    for spec in specs:
        try:
            out.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{spec!r} is not an IP network (use CIDR, e.g. 10.0.0.0/8)") from exc
    return tuple(out)


def check_host(host: str, port: int, allowed: tuple[Network, ...]) -> str:
    """Resolve ``host`` and return one address to connect to; refuse if ANY answer is non-public
    (a name resolving to both a public and a private address is an attack, not a mirror)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve {host!r}: {exc}") from None
    addrs = list(dict.fromkeys(info[4][0] for info in infos))
    for addr in addrs:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
        why = refusal(ip, allowed)
        if why is not None:
            raise BlockedAddress(
                f"{host} resolves to {ip}, a {why} address; the indexer only fetches public addresses "
                f"(allow a range deliberately with PERISCOPE_FETCH_ALLOW_NETWORKS, e.g. {ip}/32)")
    if not addrs:
        raise UnresolvableHost(f"no address for {host!r}")
    return addrs[0]


class GuardedBackend(httpcore.SyncBackend):
    """Connects only after :func:`check_host`, and to the checked address (pinned)."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        self.allowed = allowed

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        addr = check_host(host, port, self.allowed)
        return super().connect_tcp(addr, port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with the guarded connect step. No proxies from the environment: a proxy
    would make the connect-time check see the proxy's address instead of the target's."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend; its pool is replaced by one with ours
        # (tests/security/test_ingest_ssrf.py fails loudly if a future httpx stops using it).
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             network_backend=GuardedBackend(allowed), max_connections=4)
