"""Watchlists against the index, always as a principal through the service's filtered wrappers:
resolving entries, counts per entry over time, the latest matches."""

from __future__ import annotations

import dataclasses
from typing import Any

from workspace.watchlists import Entry

from ..access import Principal
from ..errors import SearchBackendError
from ..service import SearchService
from ..shaping import shape_hit
from . import query as WQ

RESOLVE_CHUNK = 2000  # (facet, variant) filters per resolving request


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
    """Counts per entry per interval and the latest matches, in one ``_msearch``."""
    res = await svc._msearch([WQ.stats_body(entries, interval), WQ.hits_body(entries, size)], principal)
    stats, hits = (_check(r) for r in res["responses"])
    buckets = stats["aggregations"]["entries"]["buckets"]
    dates = sorted({b["key_as_string"] for e in buckets.values() for b in e["t"]["buckets"]})
    rows = []
    for i, e in enumerate(entries):
        b = buckets[str(i)]
        per = {x["key_as_string"]: x["doc_count"] for x in b["t"]["buckets"]}
        rows.append({"entry": e, "count": b["doc_count"], "series": [per.get(d, 0) for d in dates],
                     "matched_by": "entity" if e.resolved else "phrase"})
    latest = []
    for h in hits["hits"]["hits"]:
        names = [entries[int(n)].name for n in h.get("matched_queries", []) if n.isdigit() and int(n) < len(entries)]
        latest.append({"hit": shape_hit(h), "entries": names})
    return {"total": stats["hits"]["total"]["value"], "dates": dates, "rows": rows, "latest": latest}
