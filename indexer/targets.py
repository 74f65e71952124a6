"""Turn command-line targets (paths, folders, URLs) into one stream of items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .http import FetchError, FetchPolicy, fetch
from .models import Failure, Item
from .sources.detect import sniff
from .sources.feeds import read_feed_bytes
from .sources.files import DEFAULT_MAX_BYTES, BadDocument, html_to_doc, iter_files, read_paths
from .sources.jsonl import FieldMap, read_json_file
from .sources.walk import walk

SOURCE_TYPES = ("auto", "file", "json", "feed", "web")


def count_files(targets: list[str]) -> int | None:
    """How many files the local targets hold (for the progress bar's ETA); None if unknowable."""
    if any(t.startswith(("http://", "https://")) for t in targets):
        return None
    return sum(1 for _ in iter_files(targets))


def read_url(url: str, *, source: str | None, fetch_pages: bool, policy: FetchPolicy) -> Iterator[Item]:
    """A URL is a feed (its items) or a web page (its main text), decided by the content."""
    from urllib.parse import urlsplit

    src = source or urlsplit(url).hostname or "web"
    try:
        resp = fetch(url, policy)
    except FetchError as exc:
        yield Failure(url, exc.reason, exc.detail, src, "web")
        return
    kind = sniff(resp.content[:8192])
    ctype = resp.headers.get("content-type", "")
    if kind == "feed" or any(x in ctype for x in ("rss", "atom")):
        yield from read_feed_bytes(resp.content, feed_url=url, source=src, fetch_pages=fetch_pages, policy=policy)
        return
    try:
        doc = html_to_doc(resp.content, url=resp.url)
    except BadDocument as exc:
        yield Failure(url, exc.reason, exc.detail, src, "web")
        return
    doc.source, doc.source_type, doc.url, doc.origin = src, "web", resp.url, url
    yield doc


def read_targets(
    targets: list[str], *, source: str | None = None, source_type: str = "auto",
    field_map: FieldMap | None = None, fetch_pages: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
    policy: FetchPolicy | None = None, follow_symlinks: bool = False,
) -> Iterator[Item]:
    policy = policy or FetchPolicy(max_bytes=max_bytes)
    for target in targets:
        if target.startswith(("http://", "https://")):
            yield from read_url(target, source=source, fetch_pages=fetch_pages, policy=policy)
        elif source_type == "json":
            for path in walk([target], follow_symlinks=follow_symlinks):
                if isinstance(path, Failure):
                    yield path
                else:
                    yield from read_json_file(path, field_map=field_map, source=source, max_bytes=max_bytes)
        elif not Path(target).exists() and not Path(target).is_symlink():
            yield Failure(target, "not-found", "no such file or folder", source or "", source_type)
        else:
            st = "file" if source_type in ("auto", "file") else source_type
            yield from read_paths([target], source=source, source_type=st, max_bytes=max_bytes, field_map=field_map,
                                  follow_symlinks=follow_symlinks)
