"""JSON Lines and JSON array exports with a field mapping (``--map title=headline,body=text``).

Any export can be loaded: the map names which record field feeds which document field (dotted paths
reach into nested objects); unmapped fields are kept in ``meta``. Arrays are decoded element by
element, so a multi-gigabyte export never sits in memory as a whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...models import Failure, Item, SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date

TARGETS = ("title", "body", "url", "id", "author", "published_at", "language", "source")
DEFAULTS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "subject", "name"),
    "body": ("body", "text", "content", "description", "summary"),
    "url": ("url", "link", "href"),
    "id": ("id", "_id", "guid", "uuid"),
    "author": ("author", "byline", "creator"),
    "published_at": ("published_at", "date", "published", "pubDate", "created_at", "timestamp"),
    "language": ("language", "lang"),
    "source": (),
}


class FieldMapError(ValueError):
    pass


@dataclass(frozen=True)
class FieldMap:
    """Document field -> record field (dotted path). Missing targets fall back to common names."""

    fields: dict[str, str] = field(default_factory=dict)

    def candidates(self, target: str) -> tuple[str, ...]:
        return (self.fields[target],) if target in self.fields else DEFAULTS[target]


def parse_field_map(specs: list[str] | str | None) -> FieldMap:
    """Parse ``["title=headline,body=text", "url=link"]`` into a :class:`FieldMap` with clear errors."""
    if not specs:
        return FieldMap()
    if isinstance(specs, str):
        specs = [specs]
    out: dict[str, str] = {}
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            target, sep, src = part.partition("=")
            target, src = target.strip(), src.strip()
            if not sep or not target or not src:
                raise FieldMapError(f"--map entry {part!r} is not of the form target=field (e.g. title=headline)")
            if target not in TARGETS:
                raise FieldMapError(f"--map target {target!r} unknown; use one of {', '.join(TARGETS)}")
            out[target] = src
    return FieldMap(out)


def _get(record: dict[str, Any], path: str) -> Any:
    cur: Any = record
    for key in path.split("."):
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("value") or value.get("text") or "")
    return str(value)


def record_to_doc(record: Any, fmap: FieldMap, *, source: str, source_type: str, origin: str,
                  max_bytes: int) -> Item:
    """One JSON record as a document, or a :class:`Failure` saying what is wrong with it."""
    if not isinstance(record, dict):
        return Failure(origin, "bad-record", f"expected a JSON object, got {type(record).__name__}", source, source_type)
    used: set[str] = set()
    values: dict[str, Any] = {}
    for target in TARGETS:
        for cand in fmap.candidates(target):
            v = _get(record, cand)
            if v not in (None, "", []):
                values[target] = v
                used.add(cand.split(".", 1)[0])
                break
    title, body = _text(values.get("title")).strip(), _text(values.get("body")).strip()
    if not (title or body):
        return Failure(origin, "no-text", "record has no title or body (check --map)", source, source_type)
    if len(body.encode("utf-8", "surrogatepass")) > max_bytes:
        return Failure(origin, "too-large", f"body larger than {max_bytes} bytes", source, source_type)
    meta = {k: v for k, v in record.items() if k not in used and isinstance(v, (str, int, float, bool, list, dict))}
    lang = _text(values.get("language")).strip().lower()[:2] or None
    return SourceDoc(
        source=_text(values.get("source")) or source, source_type=source_type, title=title, body=body,
        url=_text(values.get("url")).strip() or None, external_id=_text(values.get("id")).strip() or None,
        author=_text(values.get("author")).strip() or None, published_at=parse_date(values.get("published_at")),
        meta=meta, language_hint=lang, origin=origin,
    )


class RecordTooLarge(ValueError):
    pass


def iter_json_array(fh: Any, chunk: int = 1 << 16, max_record: int | None = None) -> Iterator[tuple[int, Any]]:
    """Decode the elements of a top-level JSON array one at a time (bounded memory: an element
    longer than ``max_record`` characters raises :class:`RecordTooLarge`)."""
    dec = json.JSONDecoder()
    buf, pos, index, started, eof = "", 0, 0, False, False
    while True:
        if not eof and len(buf) - pos < chunk:
            data = fh.read(chunk)
            eof = not data
            buf = buf[pos:] + data
            pos = 0
        while pos < len(buf) and buf[pos] in " \t\r\n,":
            pos += 1
        if not started:
            if pos >= len(buf):
                if eof:
                    raise ValueError("empty file")
                continue
            if buf[pos] != "[":
                raise ValueError("not a JSON array")
            started, pos = True, pos + 1
            continue
        if pos < len(buf) and buf[pos] == "]":
            return
        try:
            obj, end = dec.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if eof:
                raise
            if max_record is not None and len(buf) - pos > max_record:
                raise RecordTooLarge(f"array element {index} is longer than {max_record} characters") from None
            data = fh.read(chunk)  # element spans the chunk boundary: read more
            eof = not data
            buf = buf[pos:] + data
            pos = 0
            continue
        yield index, obj
        index += 1
        pos = end


def read_json_file(path: str | Path, *, field_map: FieldMap | None = None, source: str | None = None,
                   source_type: str = "json", max_bytes: int = 20 * 1024 * 1024) -> Iterator[Item]:
    """Records of a JSON Lines file or a JSON array file (detected by the first character)."""
    path = Path(path)
    inp = Input(str(path), path=path)
    try:
        yield from read_records(inp, field_map or FieldMap(), source=source or path.stem, source_type=source_type,
                                max_bytes=max_bytes)
    except (OSError, BadDocument) as exc:
        reason = exc.reason if isinstance(exc, BadDocument) else "unreadable"
        yield Failure(str(path), reason, str(exc), source or path.stem, source_type)


def read_records(inp: Input, fmap: FieldMap, *, source: str, source_type: str, max_bytes: int) -> Iterator[Item]:
    """Stream the records of ``inp``: ``max_bytes`` limits each record, not the file, and no read is
    longer than the limit (an over-long line is one ``record-too-large`` failure; the rest goes on)."""
    with inp.open() as fh:
        is_array = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["
        fh.seek(0)
        if is_array:
            yield from _array_records(io.TextIOWrapper(fh, encoding="utf-8-sig"), inp.origin, fmap, source,
                                      source_type, max_bytes)
            return
        for lineno, raw in enumerate(iter(lambda: fh.readline(max_bytes + 1), b""), 1):
            origin = f"{inp.origin}:{lineno}"
            if len(raw) > max_bytes and not raw.endswith(b"\n"):  # the line goes on past the limit
                skipped = len(raw) + _skip_line(fh)
                yield Failure(origin, "record-too-large", f"line of {skipped} bytes > limit {max_bytes}", source,
                              source_type)
                continue
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8-sig" if lineno == 1 else "utf-8"))
            except UnicodeDecodeError as exc:
                yield Failure(origin, "invalid-utf8", str(exc), source, source_type)
                continue
            except json.JSONDecodeError as exc:
                yield Failure(origin, "bad-json", str(exc), source, source_type)
                continue
            yield record_to_doc(rec, fmap, source=source, source_type=source_type, origin=origin, max_bytes=max_bytes)


def _array_records(fh: Any, origin: str, fmap: FieldMap, source: str, source_type: str,
                   max_bytes: int) -> Iterator[Item]:
    try:
        for i, rec in iter_json_array(fh, max_record=max_bytes):
            yield record_to_doc(rec, fmap, source=source, source_type=source_type, origin=f"{origin}[{i}]",
                                max_bytes=max_bytes)
    except RecordTooLarge as exc:
        yield Failure(origin, "record-too-large", str(exc), source, source_type)
    except (ValueError, UnicodeDecodeError) as exc:
        yield Failure(origin, "bad-json", f"{type(exc).__name__}: {exc}"[:500], source, source_type)


def _skip_line(fh: Any, chunk: int = 1 << 16) -> int:
    """Read past the rest of the current line in bounded chunks; how many bytes were skipped."""
    n = 0
    while part := fh.readline(chunk):
        n += len(part)
        if part.endswith(b"\n"):
            break
    return n


class JsonRecords(Format):
    """JSON Lines (one object per line) and JSON arrays of objects: one document per record."""

    name = "json"
    extensions = (".json", ".jsonl", ".ndjson")
    mimetypes = ("application/json", "application/x-ndjson", "application/jsonl")
    priority = 40
    streaming = True
    records = True
    source_type = "json"

    def sniff(self, head: bytes, ext: str) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return first in (b"[", b"{") and ext in self.extensions + ("",)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        yield from read_records(inp, ctx.field_map or FieldMap(), source=ctx.source, source_type=ctx.source_type,
                                max_bytes=ctx.limits.max_bytes)


FORMAT = JsonRecords()
