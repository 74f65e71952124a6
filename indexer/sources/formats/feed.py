"""RSS/Atom feeds (feedparser), from a URL or a file, optionally fetching each item's article page.

Per-feed state (seen item keys, ETag / Last-Modified) lives in :class:`indexer.feedstore.FeedStore`;
the reader only yields items not seen before, and the caller commits the new keys once they are
safely indexed — so an interrupted run takes the same items again next time, never fewer.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import feedparser

from ...http import FetchError, FetchPolicy, fetch
from ...models import Failure, Item, SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from .html import html_to_doc


def strip_html(text: str) -> str:
    if "<" not in text:
        return text.strip()
    try:
        import lxml.html

        return lxml.html.fromstring(text).text_content().strip()
    except Exception:  # not parseable as HTML: keep it as is
        return text.strip()


def item_key(entry: Any) -> str:
    """A stable key for a feed item: its guid, else its link, else a hash of its text."""
    for k in ("id", "guid", "link"):
        v = entry.get(k)
        if v:
            return str(v)
    raw = f"{entry.get('title', '')}\x00{entry.get('summary', '')}"
    return "sha:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _when(entry: Any) -> datetime | None:
    for k in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(k)
        if t:
            return datetime.fromtimestamp(calendar.timegm(t), tz=timezone.utc)
    return None


# A page refused for safety is a recorded failure (dead letter, ingest log), not just a note on the item.
REFUSALS = ("blocked-address", "bad-scheme")


def entry_to_doc(entry: Any, *, source: str, feed_url: str, fetch_pages: bool, policy: FetchPolicy) -> list[Item]:
    """The item as a document (or a failure), preceded by a failure when its page was refused."""
    out: list[Item] = []
    key = item_key(entry)
    origin = f"{feed_url}#{key}"
    link = entry.get("link") or None
    title = strip_html(entry.get("title") or "")
    body = ""
    if entry.get("content"):
        body = strip_html(entry["content"][0].get("value") or "")
    if not body:
        body = strip_html(entry.get("summary") or entry.get("description") or "")
    meta: dict[str, Any] = {"feed": feed_url, "item_key": key}
    tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    if tags:
        meta["tags"] = tags
    author = entry.get("author") or None
    published = _when(entry)
    if fetch_pages and link:
        try:
            resp = fetch(link, policy)
            ctype = resp.headers.get("content-type", "")
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip(' "\'') if "charset=" in ctype else None
            page = html_to_doc(resp.content, url=link, charset=charset)
            if len(page.body) > len(body):
                body = page.body
            title = title or page.title
            author = author or page.author
            published = published or page.published_at
            meta["page_fetched"] = True
        except (FetchError, BadDocument) as exc:
            meta["page_error"] = f"{exc.reason}: {exc.detail}"[:300]
            if exc.reason in REFUSALS:
                out.append(Failure(f"{origin} -> {link}"[:2000], exc.reason, exc.detail, source, "feed"))
    if not body.strip():
        reason = "no-text"
        detail = "feed item has no text" + (f" and its page failed ({meta['page_error']})" if "page_error" in meta else "")
        return [*out, Failure(origin, reason, detail, source, "feed")]
    if len(body.encode("utf-8", "surrogatepass")) > policy.max_bytes:
        return [*out, Failure(origin, "too-large", f"item text larger than {policy.max_bytes} bytes", source, "feed")]
    return [*out, SourceDoc(source, "feed", title, body, url=link, external_id=None if link else key, author=author,
                            published_at=published, meta=meta, origin=origin)]


def read_feed_bytes(
    data: bytes, *, feed_url: str, source: str, source_type: str = "feed", fetch_pages: bool = False,
    policy: FetchPolicy = FetchPolicy(), seen: Callable[[str], bool] | None = None,
    keys_out: list[str] | None = None,
) -> Iterator[Item]:
    """Items of a feed document not yet ``seen``; their keys are appended to ``keys_out``."""
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        yield Failure(feed_url, "bad-feed", f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}"[:500],
                      source, source_type)
        return
    for entry in parsed.entries:
        key = item_key(entry)
        if seen is not None and seen(key):
            continue
        if keys_out is not None:
            keys_out.append(key)
        yield from entry_to_doc(entry, source=source, feed_url=feed_url, fetch_pages=fetch_pages, policy=policy)


class Feed(Format):
    name = "feed"
    extensions = (".rss", ".atom")
    mimetypes = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
    priority = 60
    records = True
    source_type = "feed"

    def sniff(self, head: bytes, ext: str) -> bool:
        low = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
        if not low.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")):
            return False
        return b"<rss" in low or b"<feed" in low or b"<rdf:rdf" in low

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        yield from read_feed_bytes(inp.data, feed_url=inp.url or inp.origin, source=ctx.source,
                                   source_type=self.source_type or ctx.source_type, fetch_pages=ctx.fetch_pages,
                                   policy=ctx.fetch_policy or FetchPolicy(max_bytes=ctx.limits.max_bytes),
                                   seen=ctx.seen, keys_out=ctx.keys_out)


FORMAT = Feed()
