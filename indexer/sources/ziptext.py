"""Shared by the zip-based document formats (OpenDocument, EPUB, …): bounded member reads and an
XML parser that resolves no entities and fetches nothing (no XXE, no billion laughs)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .base import BadDocument


def open_zip(data: bytes, fmt: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BadDocument(f"broken-{fmt}", str(exc)) from None


def member(zf: zipfile.ZipFile, name: str, fmt: str, limit: int) -> bytes:
    """One member's bytes (at most ``limit``; the registry has checked the declared sizes)."""
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except KeyError:
        raise BadDocument(f"broken-{fmt}", f"no {name!r} in the file") from None


def parse_xml(data: bytes, fmt: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadDocument(f"broken-{fmt}", f"XML: {exc}") from None


def rows_text(rows: list[list[str]]) -> str:
    """A table as text: one line per row, cells separated by " | ", empty rows dropped."""
    return "\n".join(" | ".join(c for c in r) for r in rows if any(c.strip() for c in r))


def row_docs_text(header: list[str], row: list[str]) -> str:
    """One row as "column: value" lines (the header names the cells)."""
    names = header + [f"column {i + 1}" for i in range(len(header), len(row))]
    return "\n".join(f"{n}: {v}" for n, v in zip(names, row) if v.strip())
