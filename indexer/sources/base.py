"""What every source format shares: the plug-in interface, the read context, the limits and the
exception a reader raises for one bad document (see :mod:`.registry` for how a format is chosen)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ..models import Item
from .errors import BadDocument
from .walk import open_regular

__all__ = ["BadDocument", "DEFAULT_MAX_BYTES", "Format", "Input", "Limits", "ReadContext"]
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-document limits, applied by the registry the same way to every format (bytes, not characters)."""

    max_bytes: int = DEFAULT_MAX_BYTES  # a file, a page, one record of a line-oriented file
    parse_timeout: float = 60.0  # seconds to parse one document (enforced in the main thread)
    follow_symlinks: bool = False  # index symlinks that point outside the indexed folder
    zip_max_members: int = 10_000  # zip containers (docx …): members
    zip_max_ratio: float = 100.0  # uncompressed / compressed, per member
    zip_total_factor: float = 5.0  # declared uncompressed total <= this × max_bytes
    min_text_chars: int = 10  # fewer non-blank characters of text → failure ``no-text``
    archive_max_depth: int = 3  # archives/attachments inside archives/attachments, this deep
    archive_max_members: int = 10_000  # members read from one archive (tar, zip) or attachments of a mail
    sheet_rows_as_documents: bool = False  # csv/xlsx/ods: one document per row instead of per sheet
    ocr_languages: str = ""  # tesseract languages ("eng+fra"); empty: guess the script
    ocr_page_timeout: float = 60.0  # seconds tesseract may spend on one page
    ocr_max_pages: int = 50  # pages OCR'd per document; later pages are skipped (recorded)
    ocr: bool = True  # False: scanned pages and images give no-text instead of being OCR'd

    @property
    def zip_max_total(self) -> int:
        return int(self.max_bytes * self.zip_total_factor)


@dataclass
class ReadContext:
    """What a format needs besides the bytes: limits, naming, and options of some formats."""

    source: str
    source_type: str = "file"
    limits: Limits = field(default_factory=Limits)
    field_map: Any = None  # JSON exports: which record field feeds which document field
    fetch_pages: bool = False  # feeds: fetch each item's page
    fetch_policy: Any = None  # feeds: indexer.http.FetchPolicy for those pages
    seen: Any = None  # feeds: callable(key) -> bool, items already taken
    keys_out: list[str] | None = None  # feeds: keys of the items yielded
    registry: Any = None  # the registry reading this input (containers read their members with it)
    depth: int = 0  # how many containers this input is inside


@dataclass
class Input:
    """One thing to read: a verified regular file (``path``) or bytes already in memory (a fetched
    page). ``data`` is filled by the registry — bounded by ``Limits.max_bytes`` — for formats that
    read whole documents; record formats (``streaming``) read through :meth:`open` instead."""

    origin: str  # the path or URL, for failures and logs
    path: Path | None = None
    data: bytes | None = None
    url: str | None = None  # where the content lives (file:// URI or the final http URL)
    name: str = ""  # the member's or attachment's file name (containers), for titles and detection
    charset: str | None = None  # declared by the container (HTTP Content-Type, MIME part); tried first

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open_regular(self.path)


class Format:
    """A source format plug-in. Subclasses declare what they accept and implement :meth:`read`.

    Choice (see :mod:`.registry`): content (``magic`` prefixes or :meth:`sniff`) beats a MIME type,
    which beats the file extension; ``priority`` breaks ties within each level.
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]] = ()  # lower-case, with the dot
    mimetypes: ClassVar[tuple[str, ...]] = ()
    magic: ClassVar[tuple[bytes, ...]] = ()  # prefixes of the file's first bytes
    priority: ClassVar[int] = 50
    streaming: ClassVar[bool] = False  # True: reads records itself, ``max_bytes`` limits each record
    records: ClassVar[bool] = False  # True: one file holds many documents, each with its own origin/url
    expands: ClassVar[bool] = False  # True: may yield several documents (archives, sheets, attachments)
    zip_container: ClassVar[bool] = False  # True: the registry checks the zip directory before reading
    source_type: ClassVar[str | None] = None  # overrides the default "file" source type (json, feed)

    def sniff(self, head: bytes, ext: str) -> bool:
        """True when ``head`` (the first 8 KB) is this format; the default tests ``magic``."""
        return bool(self.magic) and head.startswith(self.magic)

    def read(self, inp: Input, ctx: ReadContext) -> Iterable[Item]:
        """The documents (``SourceDoc``) and per-record failures in ``inp``; raise :class:`BadDocument`
        when the whole input is unreadable."""
        raise NotImplementedError
