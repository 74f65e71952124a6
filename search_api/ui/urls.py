"""URL safety: which stored URLs may become links, and where the UI may send a browser back to.

Browsers are lenient: following the WHATWG URL standard they drop leading/trailing C0 controls and
spaces and remove every tab and newline *inside* a URL, and they treat ``\\`` like ``/``. So
``java<TAB>script:`` runs script and ``/<TAB>/evil.example`` or ``/\\evil.example`` leave the site.
Both checks first see the URL the way a browser will, then allow only what is known to be safe.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))  # U+0000..U+0020
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def browser_view(url: str) -> str:
    """``url`` as a browser parses it (WHATWG "basic URL parser" pre-processing)."""
    return _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))


def safe_url(url: object) -> str | None:
    """The href for a stored URL, or ``None`` when it must be shown as text.

    Only absolute ``http``/``https`` URLs with a host, and ``mailto:`` with an address, are links:
    ``javascript:``, ``data:``, ``vbscript:``, relative or malformed URLs are not.
    """
    if not isinstance(url, str) or not url:
        return None
    cleaned = browser_view(url)
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
    except ValueError:  # e.g. an invalid IPv6 literal or port
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None
    if scheme in ("http", "https") and not host:
        return None
    if scheme == "mailto" and not parts.path:
        return None
    return cleaned


def safe_redirect(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default``. Used for every redirect the
    UI takes from a request (sign-in ``next``, the document page's ``back`` link).

    Refused: anything with a scheme or host, ``//`` (protocol-relative), backslashes anywhere
    (browsers read ``/\\host`` as ``//host``), control characters and whitespace; the path is
    checked once more percent-decoded (``/%09/evil`` must not become ``//evil`` downstream). The query
    string may hold encoded spaces or backslashes: they cannot change where the browser goes.
    """
    if not target or not target.startswith("/"):
        return default
    for candidate in (target, unquote(target.split("?", 1)[0])):
        if "\\" in candidate or _CONTROL_OR_SPACE.search(candidate) or candidate.startswith("//"):
            return default
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return default
    return target


def reader_context(back_param: str | None, q_param: str | None) -> tuple[str, str]:
    """The document page's way back and query: ``back`` (a result list URL, checked by :func:`safe_redirect`)
    and ``q`` (given, or the one in ``back``), so the reader marks the hits and returns to the same
    query, filters and page; with only a query, back leads to its first page of results."""
    back = safe_redirect(back_param)
    q = (q_param or "").strip()
    if not q and urlsplit(back).path == "/":
        q = (parse_qs(urlsplit(back).query).get("q") or [""])[0].strip()
    if back == "/" and q:
        back = "/?" + urlencode({"q": q})
    return back, q
