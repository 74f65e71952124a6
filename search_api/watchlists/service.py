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
            # nothing to look up (only vessels and keywords): every variant is a phrase, no request
            res = await svc._search(WQ.resolve_body(chunk), principal) if WQ.variants(chunk) else {}
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
    """Counts per entry per interval, the number of matching documents and the latest matches.

    Entries go in chunks of ``STATS_CHUNK``, one request each (counts + that chunk's latest matches with
    named queries), run concurrently with the total: every request stays well inside the API's
    per-request budget even for a 1,000-name list, where one request holding every entry would not.
    The global latest ``size`` are among the chunks' latest ``size``; a document matched by entries of
    several chunks names them all.
    """
    offsets = range(0, len(entries), STATS_CHUNK)
    results = await asyncio.gather(svc._search(WQ.total_body(entries), principal), *(
        svc._search(WQ.stats_body(entries[o:o + STATS_CHUNK], interval, size, o), principal) for o in offsets))
    total, chunks = _check(results[0]), [_check(r) for r in results[1:]]
    buckets = {k: b for c in chunks for k, b in c["aggregations"]["entries"]["buckets"].items()}
    dates = sorted({x["key_as_string"] for b in buckets.values() for x in b["t"]["buckets"]})
    rows = []
    for i, e in enumerate(entries):
        b = buckets[str(i)]
        per = {x["key_as_string"]: x["doc_count"] for x in b["t"]["buckets"]}
        rows.append({"entry": e, "count": b["doc_count"], "series": [per.get(d, 0) for d in dates],
                     "matched_by": "entity" if e.resolved else "phrase"})
    hits: dict[str, dict[str, Any]] = {}
    named: dict[str, set[int]] = {}
    for h in (h for c in chunks for h in c["hits"]["hits"]):
        hits.setdefault(h["_id"], h)
        named.setdefault(h["_id"], set()).update(int(n) for n in h.get("matched_queries", []) if n.isdigit())
    newest = sorted(hits.values(), key=lambda h: h["_id"])  # stable order for equal dates
    newest.sort(key=lambda h: (h["sort"][0] is not None, h["sort"][0] or 0), reverse=True)
    latest = [{"hit": shape_hit(h), "entries": [entries[n].name for n in sorted(named[h["_id"]]) if n < len(entries)]}
              for h in newest[:size]]
    return {"total": total["hits"]["total"]["value"], "dates": dates, "rows": rows, "latest": latest}
