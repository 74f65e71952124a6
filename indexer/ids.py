"""Stable document ids and content hashes.

The id is the hash of the canonical URL when the document has one (a feed item, a web page, a file's
``file://`` URI), else of a source-given id, else of the content: so re-ingesting the same input never
creates a second copy, and a changed page or file is updated in place under the same id.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .models import SourceDoc

# Query parameters that only track the reader, never change the content.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
_TRACKING_KEYS = {"fbclid", "gclid", "yclid", "msclkid", "igshid", "ref", "ref_src", "cmpid"}


def canonical_url(url: str) -> str:
    """Lowercase scheme/host, drop default ports, fragments and tracking parameters, sort the query."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = host + (f":{port}" if port else "")
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def doc_id(doc: SourceDoc) -> str:
    """Stable id: canonical URL, else source + source-given id, else source + content."""
    if doc.url:
        return _sha("url:" + canonical_url(doc.url))[:32]
    if doc.external_id:
        return _sha(f"ext:{doc.source}:{doc.external_id}")[:32]
    return _sha(f"content:{doc.source}:{doc.title.strip()}\x00{doc.body.strip()}")[:32]


def content_hash(doc: SourceDoc, pipeline_version: str) -> str:
    """Hash of everything that ends up in the index, so an unchanged document can be skipped.

    The pipeline version is part of it: upgrading the enrichment re-processes everything once.
    """
    payload = json.dumps(
        [pipeline_version, doc.title, doc.body, doc.url, doc.author,
         doc.published_at.isoformat() if doc.published_at else None, doc.meta, doc.source, doc.source_type],
        sort_keys=True, default=str, ensure_ascii=False,
    )
    return _sha(payload)
