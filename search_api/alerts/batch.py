"""Batch search: up to 1,000 terms or queries → a count and the first hits each, via batched ``_msearch``.

A line that is plain words (no quotes, operators or field prefixes) is searched as an exact phrase —
a name like ``Rosneft Trading SA`` should not match documents that merely contain the three words;
anything else is taken as analyst syntax. A line that does not parse gets its error in its row instead
of failing the whole batch.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from ..access import Principal
from ..errors import PeriscopeError
from ..models import SearchRequest
from ..service import SearchService
from ..shaping import shape_hit

MAX_TERMS = 1000
FIRST_HITS = 3
BATCH = 50  # searches per _msearch: each request must fit the API's per-request budget (4 s) on a loaded node
_SYNTAX = re.compile(r'["()*:+\-]|\b(AND|OR|NOT)\b')


class TooManyTerms(PeriscopeError):
    status = 413
    title = "Too many terms"
    type = "/problems/too-large"


def parse_terms(text: str, *, is_csv: bool) -> list[str]:
    """One term per line (TXT) or the first column (CSV; a header named term/query/name is skipped)."""
    if is_csv:
        rows = [r[0].strip() for r in csv.reader(io.StringIO(text)) if r and r[0].strip()]
        if rows and rows[0].lower() in ("term", "query", "name"):
            rows = rows[1:]
    else:
        rows = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    terms = list(dict.fromkeys(rows))  # duplicates once, order kept
    if len(terms) > MAX_TERMS:
        raise TooManyTerms(f"{len(terms)} terms; a batch search takes at most {MAX_TERMS}",
                           f"split the list into files of at most {MAX_TERMS} lines")
    return terms


def query_for(term: str) -> str:
    term = term.strip()
    return term if _SYNTAX.search(term) or " " not in term else f'"{term}"'


def plan(svc: SearchService, terms: list[str]) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]]]:
    """The rows (``pending`` until searched; a line that does not parse gets its error now) and the bodies to run."""
    rows: list[dict[str, Any]] = []
    runnable: list[tuple[int, dict[str, Any]]] = []
    for term in terms:
        q = query_for(term)
        row: dict[str, Any] = {"term": term, "q": q, "count": None, "relation": "eq", "hits": [], "error": None,
                               "link": "/?" + urlencode({"q": q})}
        try:
            body = svc.search_body(SearchRequest(q=q, size=FIRST_HITS, facet_size=0))
            body["track_total_hits"] = True
            runnable.append((len(rows), body))
            row["pending"] = True
        except (PeriscopeError, ValueError) as exc:
            row["error"] = getattr(exc, "detail", str(exc))
        rows.append(row)
    return rows, runnable


async def run(svc: SearchService, terms: list[str], principal: Principal,
              progress: Callable[[list[dict[str, Any]]], Awaitable[None]] | None = None) -> list[dict[str, Any]]:
    """Counts and first hits of every term, ``BATCH`` searches per ``_msearch``; ``progress`` after each one."""
    rows, runnable = plan(svc, terms)
    failed: PeriscopeError | None = None
    for i in range(0, len(runnable), BATCH):
        chunk = runnable[i:i + BATCH]
        try:
            res = await svc._msearch([b for _, b in chunk], principal)
        except PeriscopeError as exc:  # e.g. a timeout on a loaded node: those rows say so, the rest still run
            failed = exc
            for pos, _ in chunk:
                rows[pos].pop("pending", None)
                rows[pos]["error"] = f"the search failed ({exc.detail}); run the batch again"
            if progress is not None:
                await progress(rows)
            continue
        for (pos, _), r in zip(chunk, res["responses"], strict=True):
            rows[pos].pop("pending", None)
            if "error" in r:
                rows[pos]["error"] = "the search failed"
                continue
            rows[pos]["count"] = r["hits"]["total"]["value"]
            rows[pos]["relation"] = r["hits"]["total"]["relation"]
            rows[pos]["hits"] = [{"id": h.id, "title": h.title, "url": h.url} for h in map(shape_hit, r["hits"]["hits"])]
        if progress is not None:
            await progress(rows)
    if failed is not None and all(r["count"] is None for r in rows):
        raise failed  # nothing answered (Elasticsearch down): the API says so instead of a table of errors
    return rows


def to_csv(rows: list[dict[str, Any]], public_url: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(["term", "query", "count", "first_hit_title", "first_hit_link", "search_link", "error"])
    for r in rows:
        first = r["hits"][0] if r["hits"] else {}
        cells = [r["term"], r["q"], "" if r["count"] is None else r["count"], first.get("title") or "",
                 f"{public_url}/doc/{first['id']}" if first else "", public_url + r["link"], r["error"] or ""]
        w.writerow(["'" + c if isinstance(c, str) and c.lstrip(" ").startswith(("=", "+", "-", "@")) else c for c in cells])
    return buf.getvalue()
