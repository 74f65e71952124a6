"""Which IP addresses Periscope may contact on a user's behalf: one rule for the indexer's fetches (feeds,
pages) and the alert webhooks, so both refuse loopback, private, link-local, … in the same way.

Pure (standard library only): the indexer wraps it in its connect-time guard, the API in its URL check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_CHECKS = (("is_loopback", "loopback"), ("is_unspecified", "unspecified"), ("is_link_local", "link-local"),
           ("is_multicast", "multicast"), ("is_reserved", "reserved"), ("is_private", "private"))


def refusal(ip: IPAddress, allowed: Iterable[Network] = ()) -> str | None:
    """Why ``ip`` must not be contacted (e.g. "loopback"), or None when it is public or allowed."""
    allowed = tuple(allowed)
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
            return refusal(embedded, allowed)
    for attr, label in _CHECKS:
        if getattr(ip, attr):
            return label
    if not ip.is_global:  # shared address space (100.64/10) and other special-purpose ranges
        return "non-public"
    return None
