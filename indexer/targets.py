"""Turn command-line targets (paths, folders, URLs) into one stream of items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from .http import FetchError, FetchPolicy, fetch
from .models import Failure, Item
from .sources.base import DEFAULT_MAX_BYTES, Limits, ReadContext
from .sources.files import iter_files, read_paths
from .sources.formats.jsonl import FieldMap
from .sources.registry import HEAD_BYTES, REGISTRY

SOURCE_TYPES = ("auto", "file", "json", "feed", "web")


def count_files(targets: list[str]) -> int | None:
    """How many documents the local targets hold (for the progress bar's ETA), or None when that is
    unknowable before reading: URLs, and files holding several documents (JSON Lines, mailboxes,
    archives, spreadsheets) — the bar then counts without a total instead of showing "210/1"."""
    if any(t.startswith(("http://", "https://")) for t in targets):
        return None
    n = 0
    for path in iter_files(targets):
        try:
            with path.open("rb") as fh:
                head = fh.read(HEAD_BYTES)
        except OSError:
            n += 1  # a failure is one item too
            continue
        fmt = REGISTRY.detect(head, path)
        if fmt is not None and (fmt.records or fmt.expands):
            return None
        n += 1
    return n


def read_url(url: str, *, source: str | None, fetch_pages: bool, policy: FetchPolicy,
             limits: Limits | None = None) -> Iterator[Item]:
    """A URL is a feed (its items), a web page (its main text) or any other format, decided by the content."""
    src = source or urlsplit(url).hostname or "web"
    try:
        resp = fetch(url, policy)
    except FetchError as exc:
        yield Failure(url, exc.reason, exc.detail, src, "web")
        return
    ctx = ReadContext(source=src, source_type="web", limits=limits or Limits(max_bytes=policy.max_bytes),
                      fetch_pages=fetch_pages, fetch_policy=policy)
    # a page's URL is its final address (after redirects), not the one asked for
    yield from REGISTRY.read_data(resp.content, ctx, origin=url, url=resp.url,
                                  mimetype=resp.headers.get("content-type"))


def read_targets(
    targets: list[str], *, source: str | None = None, source_type: str = "auto",
    field_map: FieldMap | None = None, fetch_pages: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
    policy: FetchPolicy | None = None, follow_symlinks: bool = False, limits: Limits | None = None,
) -> Iterator[Item]:
    limits = limits or Limits(max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    policy = policy or FetchPolicy(max_bytes=limits.max_bytes)
    for target in targets:
        if target.startswith(("http://", "https://")):
            yield from read_url(target, source=source, fetch_pages=fetch_pages, policy=policy, limits=limits)
        elif not Path(target).exists() and not Path(target).is_symlink():
            yield Failure(target, "not-found", "no such file or folder", source or "", source_type)
        else:
            st = "file" if source_type in ("auto", "file", "json") else source_type
            yield from read_paths([target], source=source, source_type=st, field_map=field_map, limits=limits,
                                  fetch_pages=fetch_pages, fetch_policy=policy,
                                  force_format="json" if source_type == "json" else None)
