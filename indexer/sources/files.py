"""Files and directory trees: text, Markdown, HTML, PDF, DOCX, e-mail (.eml) and mailboxes (.mbox).

The kind is sniffed from the content (see :mod:`.detect`); title, author and dates come from the
file's own metadata (PDF info, DOCX core properties, HTML meta tags, mail headers) where present.
Each file gets its ``file://`` URI as URL, so an edited file keeps its id and is updated in place.
"""

from __future__ import annotations

import email
import email.policy
import io
import mailbox
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from ..models import Failure, Item, SourceDoc
from .base import DEFAULT_MAX_BYTES, BadDocument, Limits
from .detect import sniff
from .guards import check_zip, time_limit
from .walk import open_regular, read_capped, walk


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Readable files under ``paths`` (see :func:`.walk.walk`)."""
    return (p for p in walk(paths) if isinstance(p, Path))


def read_paths(
    paths: Iterable[str | Path], *, source: str | None = None, source_type: str = "file",
    max_bytes: int = DEFAULT_MAX_BYTES, field_map: Any = None, follow_symlinks: bool = False,
    limits: Limits | None = None,
) -> Iterator[Item]:
    """Every document in ``paths`` (files or folders). JSON/JSONL files use ``field_map``."""
    limits = limits or Limits(max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    from .feeds import read_feed_bytes
    from .jsonl import read_json_file

    for path in walk(paths, follow_symlinks=follow_symlinks):
        if isinstance(path, Failure):
            path.source, path.source_type = source or Path(path.origin).parent.name or "files", source_type
            yield path
            continue
        src = source or path.parent.name or "files"
        origin = str(path)
        try:
            with open_regular(path) as fh:
                head = fh.read(8192)
            kind = sniff(head, path)
            if kind in ("json", "jsonl"):
                yield from read_json_file(path, field_map=field_map, source=src, max_bytes=max_bytes,
                                          source_type="json" if source_type == "file" else source_type)
                continue
            if kind == "feed":
                yield from read_feed_bytes(read_capped(path, max_bytes), feed_url=path.resolve().as_uri(), source=src,
                                           source_type="feed")
                continue
            if kind == "mbox":
                yield from _read_mbox(path, src, source_type, max_bytes)
                continue
            reader = _READERS.get(kind)
            if reader is None:
                raise BadDocument("unsupported", f"content looks like {kind!r}")
            data = read_capped(path, max_bytes)
            if kind == "docx":
                check_zip(data, limits, broken="broken-docx")
            with time_limit(limits.parse_timeout):
                doc = reader(path, data)
            doc.source, doc.source_type, doc.origin = src, source_type, origin
            doc.url = doc.url or path.resolve().as_uri()
            doc.meta.setdefault("path", str(path))
            doc.meta.setdefault("format", kind)
            if not (doc.title.strip() or doc.body.strip()):
                raise BadDocument("no-text", "no extractable text")
            if len(doc.body.encode("utf-8", "surrogatepass")) > max_bytes:
                raise BadDocument("too-large", f"extracted text larger than {max_bytes} bytes")
            yield doc
        except BadDocument as exc:
            yield Failure(origin, exc.reason, exc.detail, src, source_type)
        except OSError as exc:
            yield Failure(origin, "unreadable", f"{type(exc).__name__}: {exc}", src, source_type)
        except Exception as exc:  # a reader library choked on this one file: skip it, go on
            yield Failure(origin, "parse-error", f"{type(exc).__name__}: {exc}"[:500], src, source_type)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument("invalid-utf8", f"byte {exc.start}: {exc.reason}") from None


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat()


_MD_TITLE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _read_text(path: Path, data: bytes) -> SourceDoc:
    text = _decode(data).replace("\r\n", "\n")
    if "\x00" in text:
        raise BadDocument("binary", "NUL bytes in a text file")
    title, body = "", text.strip()
    lines = body.split("\n", 1)
    m = _MD_TITLE.match(lines[0]) if lines else None
    if m:
        title, body = m.group(1), (lines[1] if len(lines) > 1 else "").strip()
    elif lines and 0 < len(lines[0]) <= 200 and len(lines) > 1:
        title, body = lines[0].strip(), lines[1].strip()
    return SourceDoc("", "", title or path.stem, body, meta={"modified": _mtime(path)})


def parse_date(value: Any) -> datetime | None:
    """Best-effort date parsing for metadata strings (ISO 8601, RFC 2822, PDF ``D:`` dates)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    s = str(value).strip()
    if not s:
        return None
    if s.startswith("D:"):
        m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", s)
        if m:
            parts = [int(g) if g else d for g, d in zip(m.groups(), (0, 1, 1, 0, 0, 0))]
            try:
                return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]
            except ValueError:
                return None
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    except ValueError:
        pass
    try:
        dt = parsedate_to_datetime(s)
        return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    except (TypeError, ValueError, IndexError):
        return None


def html_to_doc(html: str | bytes, url: str | None = None) -> SourceDoc:
    """Main text and metadata of an HTML page via trafilatura (menus, footers, ads removed)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise BadDocument("no-text", "no main text found in the HTML")
    meta = {k: v for k, v in (("sitename", doc.sitename), ("hostname", doc.hostname)) if v}
    return SourceDoc("", "", (doc.title or "").strip(), doc.text.strip(), url=None, author=doc.author or None,
                     published_at=parse_date(doc.date), meta=meta)


def _read_html(path: Path, data: bytes) -> SourceDoc:
    return html_to_doc(_decode(data))


def _read_pdf(path: Path, data: bytes) -> SourceDoc:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadDocument("encrypted-pdf", "the PDF is encrypted")
        text = "\n".join((page.extract_text() or "") for page in reader.pages).strip()
        info = reader.metadata or {}
    except BadDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise BadDocument("broken-pdf", f"{type(exc).__name__}: {exc}") from None
    title = str(info.get("/Title") or "").strip()
    return SourceDoc("", "", title or path.stem, text, author=(str(info.get("/Author") or "").strip() or None),
                     published_at=parse_date(info.get("/CreationDate")), meta={"pages": len(reader.pages)})


def _read_docx(path: Path, data: bytes) -> SourceDoc:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        d = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise BadDocument("broken-docx", f"{type(exc).__name__}: {exc}") from None
    cp = d.core_properties
    text = "\n".join(p.text for p in d.paragraphs if p.text.strip())
    return SourceDoc("", "", (cp.title or "").strip() or path.stem, text, author=(cp.author or None),
                     published_at=parse_date(cp.created), meta={})


def message_to_doc(msg: EmailMessage) -> SourceDoc:
    """Subject, sender, date and plain-text body (HTML parts via trafilatura) of a mail message."""
    body = ""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is not None:
        try:
            content = part.get_content()
        except (LookupError, UnicodeError) as exc:
            raise BadDocument("invalid-encoding", str(exc)) from None
        if part.get_content_type() == "text/html":
            try:
                content = html_to_doc(content).body
            except BadDocument:
                content = ""
        body = str(content).strip()
    mid = str(msg.get("Message-ID") or "").strip() or None
    return SourceDoc(
        "", "", str(msg.get("Subject") or "").strip(), body, external_id=mid,
        author=str(msg.get("From") or "").strip() or None, published_at=parse_date(msg.get("Date")),
        meta={k: str(msg.get(k)) for k in ("To", "Cc", "Message-ID") if msg.get(k)},
    )


def _read_eml(path: Path, data: bytes) -> SourceDoc:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if msg.defects and not msg.keys():
        raise BadDocument("broken-email", "; ".join(type(d).__name__ for d in msg.defects))
    doc = message_to_doc(msg)  # type: ignore[arg-type]
    doc.external_id = None  # the file URI identifies it
    return doc


def _read_mbox(path: Path, source: str, source_type: str, max_bytes: int) -> Iterator[Item]:
    box = mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default),
                       create=False)
    try:
        for key in box.iterkeys():
            origin = f"{path}#{key}"
            try:
                doc = message_to_doc(box[key])
                doc.source, doc.source_type, doc.origin = source, source_type, origin
                if doc.external_id is None:
                    doc.url = path.resolve().as_uri() + f"#{key}"
                doc.meta["path"] = str(path)
                doc.meta["format"] = "mbox"
                if not (doc.title or doc.body):
                    raise BadDocument("no-text", "empty message")
                if len(doc.body) > max_bytes:
                    raise BadDocument("too-large", "message body over the size limit")
                yield doc
            except BadDocument as exc:
                yield Failure(origin, exc.reason, exc.detail, source, source_type)
            except Exception as exc:
                yield Failure(origin, "parse-error", f"{type(exc).__name__}: {exc}"[:500], source, source_type)
    finally:
        box.close()


_READERS = {"text": _read_text, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx, "eml": _read_eml}
