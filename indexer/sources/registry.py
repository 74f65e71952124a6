"""The format registry: chooses a plug-in for each input and applies the limits, once, for all.

Choice: a format whose content test (magic bytes / ``sniff``) matches wins over one named by the
MIME type, which wins over one named by the extension; ``priority`` orders formats within a level.
Content nothing claims is read as text unless it looks binary (then ``unsupported-format``).

Limits, the same for every format, counted in bytes: whole-document formats get at most
``max_bytes`` read from the file (a bounded read); record formats (JSON Lines, mailboxes) read
themselves and each record is held to ``max_bytes``; every document's body is checked again after
parsing; zip containers are checked for bombs before parsing; each document's parse time is capped.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..models import Failure, Item, SourceDoc
from . import formats as _formats_pkg
from .base import BadDocument, Format, Input, ReadContext
from .guards import check_zip, time_limit
from .walk import open_regular, read_capped

HEAD_BYTES = 8192
GENERIC_TYPES = ("file", "web")
CONTENT, MIME, EXTENSION = 2000, 1000, 0  # score levels; priority (0..999) is added
# Known binary containers no plug-in reads: reported, not guessed at (7z: see formats/archive.py).
UNSUPPORTED_MAGIC = {b"7z\xbc\xaf\x27\x1c": "a 7-zip archive (not read: extract it first)",
                     b"Rar!\x1a\x07": "a RAR archive (not read: extract it first)"}


class Registry:
    def __init__(self, formats: Iterable[Format] = ()) -> None:
        self.formats: list[Format] = []
        for f in formats:
            self.register(f)

    def register(self, fmt: Format) -> None:
        if any(f.name == fmt.name for f in self.formats):
            raise ValueError(f"a format named {fmt.name!r} is already registered")
        self.formats.append(fmt)

    def get(self, name: str) -> Format:
        return next(f for f in self.formats if f.name == name)

    def detect(self, head: bytes, path: Path | None = None, mimetype: str | None = None) -> Format | None:
        """The best format for content starting with ``head``; None when nothing may read it."""
        ext = path.suffix.lower() if path else ""
        mime = (mimetype or "").split(";", 1)[0].strip().lower()
        best, best_score = None, -1
        for fmt in self.formats:
            if fmt.sniff(head, ext):
                score = CONTENT + fmt.priority
            elif mime and mime in fmt.mimetypes:
                score = MIME + fmt.priority
            elif ext and ext in fmt.extensions:
                score = EXTENSION + fmt.priority
            else:
                continue
            if score > best_score:
                best, best_score = fmt, score
        if best is not None:
            return best
        if _looks_binary(head):
            return None
        return self.get("text")

    def sniff(self, head: bytes, path: Path | None = None) -> str:
        """The name of the format :meth:`detect` chooses, or ``"unknown"``."""
        fmt = self.detect(head, path)
        return fmt.name if fmt else "unknown"

    # -- reading ------------------------------------------------------------------------------------
    def read_file(self, path: Path, ctx: ReadContext, *, fmt: Format | None = None) -> Iterator[Item]:
        """Every document in one (already walked) file, failures included; never raises.
        ``fmt`` forces a format (``--source-type json``) instead of detecting one."""
        path = path.absolute()  # origins give ids (records, members): not the current directory's
        origin = str(path)
        try:
            with open_regular(path) as fh:
                head = fh.read(HEAD_BYTES)
            fmt = fmt or self._require(head, path=path)
            data = None if fmt.streaming else read_capped(path, ctx.limits.max_bytes)
            inp = Input(origin, path=path, data=data, url=path.resolve().as_uri())
        except BadDocument as exc:
            yield self._failure(Failure(origin, exc.reason, exc.detail), ctx)
            return
        except OSError as exc:
            yield self._failure(Failure(origin, "unreadable", f"{type(exc).__name__}: {exc}"), ctx)
            return
        yield from self._read(fmt, inp, ctx)

    def read_data(self, data: bytes, ctx: ReadContext, *, origin: str, url: str | None = None,
                  mimetype: str | None = None) -> Iterator[Item]:
        """Every document in ``data`` (a fetched page or feed), failures included; never raises."""
        try:
            if len(data) > ctx.limits.max_bytes:
                raise BadDocument("too-large", f"{len(data)} bytes > limit {ctx.limits.max_bytes}")
            fmt = self._require(data[:HEAD_BYTES], mimetype=mimetype)
        except BadDocument as exc:
            yield self._failure(Failure(origin, exc.reason, exc.detail), ctx)
            return
        charset = next((p.split("=", 1)[1].strip(' "\'') for p in (mimetype or "").split(";")[1:]
                        if p.strip().lower().startswith("charset=")), None)
        yield from self._read(fmt, Input(origin, data=data, url=url, charset=charset), ctx)

    def read_member(self, data: bytes, ctx: ReadContext, *, origin: str, parent: str, path: str,
                    name: str = "") -> Iterator[Item]:
        """Documents in one archive member or mail attachment: each gets ``parent`` (the container's
        id) and ``path``; nested containers go one level deeper, at most ``archive_max_depth``."""
        if ctx.depth + 1 > ctx.limits.archive_max_depth:
            yield self._failure(Failure(origin, "too-deep", f"nested deeper than {ctx.limits.archive_max_depth} "
                                                            f"containers"), ctx)
            return
        sub = ReadContext(**{**ctx.__dict__, "depth": ctx.depth + 1})
        try:
            if len(data) > ctx.limits.max_bytes:
                raise BadDocument("too-large", f"{len(data)} bytes > limit {ctx.limits.max_bytes}")
            fmt = self._require(data[:HEAD_BYTES], path=Path(name) if name else None)
        except BadDocument as exc:
            yield self._failure(Failure(origin, exc.reason, exc.detail), sub)
            return
        for item in self._read(fmt, Input(origin, data=data, name=name), sub):
            if isinstance(item, SourceDoc):
                item.parent = item.parent or parent
                item.path = item.path or path
                if item.title == "" and name:
                    item.title = Path(name).name
            yield item

    def _require(self, head: bytes, *, path: Path | None = None, mimetype: str | None = None) -> Format:
        fmt = self.detect(head, path, mimetype)
        if fmt is None:
            what = next((label for magic, label in UNSUPPORTED_MAGIC.items() if head.startswith(magic)),
                        "binary content no format reads")
            raise BadDocument("unsupported-format", what)
        return fmt

    def _read(self, fmt: Format, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        # a format's own type (json, feed) replaces the generic ones; an explicit choice is kept
        source_type = fmt.source_type if fmt.source_type and ctx.source_type in GENERIC_TYPES else ctx.source_type
        sub = ReadContext(**{**ctx.__dict__, "source_type": source_type, "registry": self})
        try:
            if fmt.zip_container and inp.data is not None:
                check_zip(inp.data, ctx.limits, broken=f"broken-{fmt.name}")
            items = iter(fmt.read(inp, sub))
            while True:
                with time_limit(ctx.limits.parse_timeout):  # per document, also inside record formats
                    item = next(items, None)
                if item is None:
                    return
                yield self._finish(item, fmt, inp, sub)
        except BadDocument as exc:
            yield self._failure(Failure(inp.origin, exc.reason, exc.detail), sub)
        except Exception as exc:  # noqa: BLE001 - a parser library choked on this one input: skip it, go on
            yield self._failure(Failure(inp.origin, "parse-error", f"{type(exc).__name__}: {exc}"[:500]), sub)

    def _finish(self, item: Item, fmt: Format, inp: Input, ctx: ReadContext) -> Item:
        """Name the document and hold it to the limits every format shares."""
        if isinstance(item, Failure):
            return self._failure(item, ctx)
        doc: SourceDoc = item
        doc.source = doc.source or ctx.source
        doc.source_type = doc.source_type or ctx.source_type
        if not fmt.records and doc.origin in ("", inp.origin):  # rows of a sheet name themselves
            doc.url = doc.url or inp.url
            if not doc.title.strip() and inp.name:
                doc.title = Path(inp.name).stem
            if inp.path is not None:
                doc.meta.setdefault("path", str(inp.path))
        doc.origin = doc.origin or inp.origin
        doc.meta.setdefault("format", fmt.name)
        # a record's title is its own text; a file's may be its name, which says nothing
        counted = f"{doc.title} {doc.body}" if fmt.records else doc.body
        chars = sum(1 for c in counted if not c.isspace())
        if chars < ctx.limits.min_text_chars and doc.ocr_job is None:  # OCR'd text is checked after OCR
            what = "no extractable text" if not chars else f"{chars} characters of text < minimum {ctx.limits.min_text_chars}"
            return self._failure(Failure(doc.origin, "no-text", what), ctx)
        size = len(doc.body.encode("utf-8", "surrogatepass"))
        if size > ctx.limits.max_bytes:
            return self._failure(Failure(doc.origin, "too-large",
                                         f"extracted text of {size} bytes > limit {ctx.limits.max_bytes}"), ctx)
        return doc

    @staticmethod
    def _failure(failure: Failure, ctx: ReadContext) -> Failure:
        failure.source = failure.source or ctx.source
        failure.source_type = failure.source_type or ctx.source_type
        return failure


def _looks_binary(head: bytes) -> bool:
    return any(head.startswith(m) for m in UNSUPPORTED_MAGIC) or b"\x00" in head[:1024] and not (
        head.startswith((b"\xff\xfe", b"\xfe\xff")))  # UTF-16 text has NULs too: the text reader reports it


def discover() -> Registry:
    """A registry of every plug-in module in :mod:`indexer.sources.formats`."""
    reg = Registry()
    for mod in sorted(pkgutil.iter_modules(_formats_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_formats_pkg.__name__}.{mod.name}")
        for fmt in getattr(module, "FORMATS", ()) or ((module.FORMAT,) if hasattr(module, "FORMAT") else ()):
            reg.register(fmt)
    return reg


REGISTRY = discover()
