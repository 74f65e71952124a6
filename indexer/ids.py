"""Stable document ids and content hashes.

The id is the hash of the source and the origin: the canonical URL when the document has one (a feed
item, a web page, a file's ``file://`` URI), else the source's own id, else where it was read
(``path:line``), and only for in-memory documents with no origin at all, the content. So re-ingesting
the same input never creates a second copy, a changed page or file is updated in place under the same
id, and the same text from two sources stays two documents — linked by ``content_hash`` /
``cluster_id``, since for an analyst two sources saying the same thing is corroboration, not one report.
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


def make_id(source: str, *, url: str | None = None, external_id: str | None = None, origin: str | None = None,
            content: str | None = None) -> str:
    """The id of a document of ``source`` at the first of url / external id / origin / content given."""
    if url:
        key = "url:" + canonical_url(url)
    elif external_id:
        key = "ext:" + external_id
    elif origin:
        key = "origin:" + origin
    else:
        key = "content:" + (content or "")
    return _sha(f"src:{source}\x00{key}")[:32]


def doc_id(doc: SourceDoc) -> str:
    """Stable id of ``doc``: source + (canonical URL, else source-given id, else origin, else content)."""
    return make_id(doc.source, url=doc.url, external_id=doc.external_id, origin=doc.origin,
                   content=f"{doc.title.strip()}\x00{doc.body.strip()}")


def text_hash(doc: SourceDoc) -> str:
    """Hash of the text alone (title + body, whitespace-normalised): the same text from any source
    has the same one — what links independent reports of one story exactly (``meta.text_hash``)."""
    return _sha(" ".join(doc.title.split()) + "\x00" + " ".join(doc.body.split()))[:32]


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
