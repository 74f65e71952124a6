"""A second, multi-source demo corpus (issue 16): the news pages of newspaper4k's source distribution.

``tests/data`` of the newspaper4k sdist holds about twenty real articles from as many outlets (CNN,
Fox 13, Time, Wired, Yonhap, Nikkei, AFPBB, Xinhua…) with reference text and metadata (URL, title,
date). Each becomes a document whose source is the outlet's domain, so the demo has several sources
to grade. The sdist is fetched with pip into ``<cache>/bench-data`` on first use (never committed;
bench/ingest_formats.py uses the same copy).
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


def newspaper_data(cache_dir: Path) -> Path | None:
    """The sdist's ``tests/data``, downloaded and unpacked once; None when the registry is unreachable."""
    dest = cache_dir / "bench-data"
    data = dest / NEWSPAPER_SDIST.replace("==", "-") / "tests" / "data"
    if data.is_dir():
        return data
    dest.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", NEWSPAPER_SDIST, "--no-binary", ":all:",
                           "--no-deps", "-d", str(dest)], capture_output=True, check=False)
    archives = list(dest.glob("newspaper4k-*.tar.gz"))
    if done.returncode != 0 or not archives:
        return None
    with tarfile.open(archives[0]) as tf:
        tf.extractall(dest, filter="data")
    return data if data.is_dir() else None


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
