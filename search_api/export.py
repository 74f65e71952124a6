"""Streamed data export (``/api/v1/export``): the whole result set, no 10,000 cap (issue 18).

* Paged with a point in time + ``search_after`` through :meth:`SearchService.export_pages`, so every
  page carries the caller's access filter; stops at the operator's ``PERISCOPE_EXPORT_MAX_ROWS`` (or the
  caller's smaller ``limit``).
* Progress: ``X-Export-Total`` (matching documents) and ``X-Export-Rows`` (rows this file will hold) are
  sent before the first row, so a client can show a progress bar while it reads.
* CSV: the vocabulary's columns + ``link`` (the document in Periscope) + ``snippet`` (start of the body);
  with ``query_comment=true`` (the UI's links) the first line is a ``#`` comment naming the query, the
  date and the row count — opt-in, so integrators' plain CSV readers keep working. Cells that a
  spreadsheet would run as a formula get a leading ``'`` (OWASP "CSV injection"); every cell is quoted.
* JSONL: whole documents minus vectors and index-only fields.
* The file name says what it holds: ``periscope-<query>-<UTC date and time>.<csv|jsonl>``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import StreamingResponse

from mappings.vocabulary import export_columns

from .access import Principal
from .models import ExportRequest
from .service import SearchService
from .shaping import export_row

CSV_COLUMNS: list[str] = [*export_columns(), "link", "snippet"]
SNIPPET_CHARS = 300
# OWASP "CSV injection": a cell starting with one of these is a formula to a spreadsheet. Such cells get
# a leading single quote (shown as text, not evaluated), and every cell is quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def csv_cell(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def describe(req: ExportRequest) -> str:
    """The query and filters as the search page's query string (what the comment line and name show)."""
    fields = req.model_dump(exclude_defaults=True, exclude={"format", "size", "page", "facet_size", "cursor", "interval"})
    return urlencode([(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])])


def file_name(req: ExportRequest, now: datetime) -> str:
    what = re.sub(r"[^A-Za-z0-9]+", "-", req.q or "").strip("-").lower()[:50] or "all"
    return f"periscope-{what}-{now:%Y%m%d-%H%M}Z.{req.format}"


def snippet(body: str | None) -> str:
    text = " ".join((body or "").split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


async def stream_export(req: ExportRequest, svc: SearchService, who: Principal, request: Request,
                        max_rows: int, *, query_comment: bool = False) -> StreamingResponse:
    now = datetime.now(UTC)
    full = req.format == "jsonl"
    total, pages = await svc.export_pages(req, who, max_rows, full=full)  # errors: problems, before streaming
    rows = min(total, max_rows)
    base = str(request.base_url).rstrip("/")

    async def csv_lines() -> AsyncIterator[str]:
        buf = io.StringIO()
        if query_comment:
            buf.write(f"# Periscope export · query: {describe(req) or '(everything)'} · {now:%Y-%m-%d %H:%M} UTC · "
                      f"{rows} of {total} matching documents\n".replace('"', "'"))
        writer = csv.writer(buf, quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        async for page in pages:
            for h in page:
                row = export_row(h) | {"link": f"{base}/doc/{quote(h['_id'], safe='')}",
                                       "snippet": snippet(h["_source"].get("body"))}
                writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
            if buf.tell() > FLUSH_BYTES:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    async def jsonl_lines() -> AsyncIterator[str]:
        async for page in pages:
            yield "".join(json.dumps({"id": h["_id"], **h["_source"]}, ensure_ascii=False) + "\n" for h in page)

    media = "text/csv; charset=utf-8" if req.format == "csv" else "application/x-ndjson"
    headers = {"Content-Disposition": f'attachment; filename="{file_name(req, now)}"',
               "X-Export-Total": str(total), "X-Export-Rows": str(rows), "X-Export-Limit": str(max_rows)}
    return StreamingResponse(csv_lines() if req.format == "csv" else jsonl_lines(), media_type=media, headers=headers)
