"""Decide what a file is from its first bytes, with the extension only as a tie-breaker.

A ``.txt`` that is really a PDF, or an ``.html`` export without an extension, is read correctly.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

KINDS = ("pdf", "docx", "eml", "mbox", "html", "feed", "json", "jsonl", "text")
_EXT = {
    ".pdf": "pdf", ".docx": "docx", ".eml": "eml", ".mbox": "mbox", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".rss": "feed", ".atom": "feed", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".txt": "text", ".md": "text", ".markdown": "text", ".text": "text",
}
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]")
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:", b"return-path:", b"mime-version:")


def sniff(head: bytes, path: Path | None = None) -> str:
    """The kind of content in ``head`` (the first few KB); ``path`` helps when the bytes are ambiguous."""
    ext = _EXT.get(path.suffix.lower(), "") if path else ""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    low = stripped[:2048].lower()
    if stripped.startswith(b"%PDF-") or ext == "pdf" and b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if path is not None and _is_docx(path):
            return "docx"
        return "zip"
    if head.startswith(b"From ") and b"\n" in head:
        return "mbox"
    if low.startswith((b"<!doctype html", b"<html")) or (b"<html" in low[:1024] and b"<rss" not in low):
        return "html"
    if low.startswith(b"<?xml") or low.startswith((b"<rss", b"<feed", b"<rdf:rdf")):
        if b"<rss" in low or b"<feed" in low or b"<rdf:rdf" in low:
            return "feed"
        return "html" if ext == "html" else ext or "text"
    first = stripped.split(b"\n", 1)[0].lower()
    if _HEADER.match(stripped) and any(first.startswith(h) for h in _MAIL_HEADERS):
        lines = stripped.split(b"\n", 20)
        if sum(1 for ln in lines if any(ln.lower().startswith(h) for h in _MAIL_HEADERS)) >= 2:
            return "eml"
    if stripped.startswith(b"[") and ext in ("json", "jsonl", ""):
        return "json"
    if stripped.startswith(b"{") and ext in ("json", "jsonl", ""):
        return "jsonl" if ext != "json" else "json"
    if ext in ("html", "eml", "mbox", "json", "jsonl", "feed"):
        return ext
    if ext in ("docx", "pdf"):
        return ext  # claims to be a document but is not: the reader reports it as broken
    return "text"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
