"""Registered feeds and their per-feed state, kept in one small JSON file under the cache folder.

State is written atomically (temp file + rename) and only after the run that read the items has
indexed them, so Ctrl-C between reading and indexing never marks unindexed items as seen.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from .http import FetchError, FetchPolicy, fetch
from .models import Failure, Item
from .sources.errors import BadDocument
from .sources.formats.feed import read_feed_bytes
from .sources.walk import read_capped

MAX_SEEN = 20_000  # keys remembered per feed: bounded, feeds rarely carry more than a few hundred items


class Feed(BaseModel):
    name: str
    url: str
    fetch_pages: bool = False
    source: str | None = None
    added_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    etag: str | None = None
    modified: str | None = None
    last_run: str | None = None
    seen: list[str] = Field(default_factory=list)


class FeedStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_cache(cls, cache_dir: Path, alias: str) -> "FeedStore":
        return cls(cache_dir / "ingest" / f"feeds-{alias}.json")

    def load(self) -> dict[str, Feed]:
        if not self.path.is_file():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return {name: Feed.model_validate(v) for name, v in raw.items()}

    def save(self, feeds: dict[str, Feed]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".feeds-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({n: f.model_dump() for n, f in feeds.items()}, fh, indent=1)
        os.replace(tmp, self.path)

    def add(self, name: str, url: str, *, fetch_pages: bool = False, source: str | None = None) -> Feed:
        feeds = self.load()
        old = feeds.get(name)
        feed = Feed(name=name, url=url, fetch_pages=fetch_pages, source=source)
        if old is not None and old.url == url:  # re-adding keeps the state
            feed = old.model_copy(update={"fetch_pages": fetch_pages, "source": source})
        feeds[name] = feed
        self.save(feeds)
        return feed

    def remove(self, name: str) -> bool:
        feeds = self.load()
        if feeds.pop(name, None) is None:
            return False
        self.save(feeds)
        return True

    def commit(self, name: str, new_keys: list[str], etag: str | None, modified: str | None) -> None:
        feeds = self.load()
        feed = feeds.get(name)
        if feed is None:
            return
        seen = feed.seen + [k for k in new_keys if k not in set(feed.seen)]
        feed.seen = seen[-MAX_SEEN:]
        feed.etag, feed.modified = etag or feed.etag, modified or feed.modified
        feed.last_run = datetime.now(timezone.utc).isoformat()
        self.save(feeds)


class FeedRun:
    """Reads one registered feed's new items; :meth:`commit` records them as seen afterwards."""

    def __init__(self, store: FeedStore, feed: Feed, policy: FetchPolicy = FetchPolicy()) -> None:
        self.store, self.feed, self.policy = store, feed, policy
        self.keys: list[str] = []
        self.etag: str | None = None
        self.modified: str | None = None

    def items(self) -> Iterator[Item]:
        feed = self.feed
        source = feed.source or feed.name
        seen = set(feed.seen)
        if feed.url.startswith(("http://", "https://")):
            headers = {}
            if feed.etag:
                headers["If-None-Match"] = feed.etag
            if feed.modified:
                headers["If-Modified-Since"] = feed.modified
            try:
                resp = fetch(feed.url, self.policy, headers=headers)
            except FetchError as exc:
                yield Failure(feed.url, exc.reason, exc.detail, source, "feed")
                return
            if resp.status == 304:
                return
            self.etag = resp.headers.get("etag")
            self.modified = resp.headers.get("last-modified")
            data = resp.content
        else:
            path = Path(feed.url.removeprefix("file://"))
            try:
                data = read_capped(path, self.policy.max_bytes)
            except BadDocument as exc:
                yield Failure(feed.url, exc.reason, exc.detail, source, "feed")
                return
            except OSError as exc:
                yield Failure(feed.url, "unreadable", str(exc), source, "feed")
                return
        yield from read_feed_bytes(data, feed_url=feed.url, source=source, fetch_pages=feed.fetch_pages,
                                   policy=self.policy, seen=seen.__contains__, keys_out=self.keys)

    def commit(self) -> None:
        self.store.commit(self.feed.name, self.keys, self.etag, self.modified)
