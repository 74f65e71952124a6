"""Watchlists against the index, always as a principal through the service's filtered wrappers:
resolving entries, counts per entry over time, the latest matches."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from workspace.watchlists import Entry

from ..access import Principal
from ..errors import SearchBackendError
from ..service import SearchService
from ..shaping import shape_hit
from . import query as WQ

RESOLVE_CHUNK = 2000  # (facet, variant) filters per resolving request
STATS_CHUNK = 200  # entries per counting request


async def resolve(svc: SearchService, entries: list[Entry], principal: Principal) -> list[Entry]:
    """The entries with ``resolved`` set from the values the principal's documents hold."""
    out: list[Entry] = []
    chunk: list[Entry] = []

    async def flush() -> None:
        if chunk:
            res = await svc._search(WQ.resolve_body(chunk), principal)
            out.extend(dataclasses.replace(e, resolved=r) for e, r in zip(chunk, WQ.resolved_from(chunk, res), strict=True))
            chunk.clear()

    n = 0
    for e in entries:
        k = len(WQ.FACETS_FOR_KIND[e.kind]) * len(e.variants)
        if n + k > RESOLVE_CHUNK:
            await flush()
            n = 0
        chunk.append(e)
        n += k
    await flush()
    return out


def _check(r: dict[str, Any]) -> dict[str, Any]:
    if "error" in r:
        raise SearchBackendError("the watchlist search failed: " + str(r["error"])[:200], "try again; if it persists, shorten the watchlist")
    return r


async def overview(svc: SearchService, entries: list[Entry], principal: Principal, *, interval: str,
                   size: int) -> dict[str, Any]:
    """Counts per entry per interval and the latest matches.

    The counts run in chunks of ``STATS_CHUNK`` entries (each narrowed to its own entries), concurrently
    with the latest-matches request: each request stays well inside the API's per-request budget even
    for a 1,000-name list, where one request holding every entry three times would not.
    """
    chunks = [entries[i:i + STATS_CHUNK] for i in range(0, len(entries), STATS_CHUNK)]
    results = await asyncio.gather(svc._search(WQ.hits_body(entries, size), principal),
                                   *(svc._search(WQ.stats_body(c, interval), principal) for c in chunks))
    hits, stats = _check(results[0]), [_check(r) for r in results[1:]]
    per_entry = [b for st, c in zip(stats, chunks, strict=True)
                 for b in (st["aggregations"]["entries"]["buckets"][str(i)] for i in range(len(c)))]
    dates = sorted({x["key_as_string"] for b in per_entry for x in b["t"]["buckets"]})
    rows = []
    for e, b in zip(entries, per_entry, strict=True):
        per = {x["key_as_string"]: x["doc_count"] for x in b["t"]["buckets"]}
        rows.append({"entry": e, "count": b["doc_count"], "series": [per.get(d, 0) for d in dates],
                     "matched_by": "entity" if e.resolved else "phrase"})
    latest = []
    for h in hits["hits"]["hits"]:
        names = [entries[int(n)].name for n in h.get("matched_queries", []) if n.isdigit() and int(n) < len(entries)]
        latest.append({"hit": shape_hit(h), "entries": names})
    return {"total": hits["hits"]["total"]["value"], "dates": dates, "rows": rows, "latest": latest}
