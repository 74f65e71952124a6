"""A mixed load on the real API: search, facets, suggest, document, similar, export — 0 errors required.

    .venv/bin/python bench/load.py --alias bench-load-reuters          # an index with data (any alias)
    .venv/bin/python bench/load.py --duration 60 --concurrency 32       # the defaults

uvicorn serves ``periscope.server:create_app`` (what ``periscope serve`` runs) in a subprocess on a free
loopback port; ``--concurrency`` clients loop until ``--duration`` seconds have passed (and never more
than ``--max-requests`` in total). The request mix is built from the index's own values (facet values,
document ids, name prefixes), so every request is one an analyst could send. Any answer other than
200 is an error; the script exits 1 when there was one. Prints and saves ``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mappings.client import es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search import WORDS, api_server  # noqa: E402  (bench/search.py)

# kind -> share of the traffic (an analyst session: mostly searches, then facets and typing).
MIX = {"search": 40, "facets": 15, "suggest": 15, "document": 10, "similar": 10, "export": 10}


def samples(es: Any, alias: str) -> dict[str, list[str]]:
    """Values to build requests from: facet values, names, document ids — read from the index itself."""
    aggs = {n: {"terms": {"field": f, "size": 40}} for n, f in (
        ("person", "entities.person"), ("org", "entities.org"), ("location", "entities.location"),
        ("topics", "topics"), ("countries", "countries"))}
    res = es.search(index=alias, size=300, _source=False, aggs=aggs, query={"function_score": {"random_score": {"seed": 7, "field": "_seq_no"}}})
    out = {n: [b["key"] for b in res["aggregations"][n]["buckets"]] for n in aggs}
    out["ids"] = [h["_id"] for h in res["hits"]["hits"]]
    names = out["person"] + out["org"] + out["location"]
    out["prefixes"] = sorted({w[:k].lower() for n in names for w in n.split() for k in (3, 4) if len(w) >= k}) or ["oil"]
    return out


def request_for(kind: str, rng: random.Random, s: dict[str, list[str]]) -> tuple[str, list[tuple[str, str]]]:
    pick = lambda key, default="": rng.choice(s[key]) if s.get(key) else default  # noqa: E731
    if kind == "search":
        params = [("q", " ".join(rng.sample(WORDS, rng.choice([1, 2]))))]
        if rng.random() < 0.4 and s["topics"]:
            params.append(("topics", pick("topics")))
        if rng.random() < 0.2:
            params += [("sort", "date"), ("page", str(rng.choice([1, 2, 5])))]
        return "/api/v1/search", params
    if kind == "facets":
        name = rng.choice(["person", "org", "location", "countries", "topics"])
        return f"/api/v1/facets/{name}", [("prefix", pick("prefixes")[:3]), ("size", "20")]
    if kind == "suggest":
        return "/api/v1/suggest", [("q", pick("prefixes"))]
    if kind == "document":
        return f"/api/v1/documents/{pick('ids', 'missing')}", []
    if kind == "similar":
        return f"/api/v1/documents/{pick('ids', 'missing')}/similar", [("size", "10")]
    # export: a selective result set, as an analyst exports a narrowed search
    params = [("format", rng.choice(["csv", "jsonl"])), ("q", rng.choice(WORDS))]
    if s["countries"]:
        params.append(("countries", pick("countries")))
    return "/api/v1/export", params


async def load(base: str, s: dict[str, list[str]], duration: float, concurrency: int, max_requests: int,
               seed: int = 11) -> dict[str, Any]:
    kinds = [k for k, share in MIX.items() for _ in range(share)]
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[dict[str, Any]] = []
    sent = 0
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker(n: int) -> None:
            nonlocal sent
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < deadline and sent < max_requests:  # bounded by time and by count
                sent += 1
                kind = rng.choice(kinds)
                path, params = request_for(kind, rng, s)
                t = time.perf_counter()
                try:
                    r = await client.get(path, params=params)
                    status, detail = r.status_code, r.text[:200] if r.status_code != 200 else ""
                except httpx.HTTPError as exc:
                    status, detail = 0, repr(exc)[:200]
                latencies[kind].append((time.perf_counter() - t) * 1000)
                if status != 200:
                    errors.append({"kind": kind, "path": path, "params": params, "status": status, "detail": detail})

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        wall = time.perf_counter() - start

    def stats(values: list[float]) -> dict[str, Any]:
        values = sorted(values)
        q = lambda p: values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]  # noqa: E731
        return {"requests": len(values), "p50_ms": round(q(50), 1), "p95_ms": round(q(95), 1),
                "p99_ms": round(q(99), 1), "max_ms": round(values[-1], 1), "mean_ms": round(statistics.fmean(values), 1)}

    every = [v for vs in latencies.values() for v in vs]
    by_kind = {k: {**stats(v), "errors": sum(e["kind"] == k for e in errors)} for k, v in sorted(latencies.items())}
    return {"wall_s": round(wall, 1), "requests": len(every), "errors": len(errors),
            "throughput_rps": round(len(every) / wall, 1), "overall": stats(every), "by_kind": by_kind,
            "error_samples": errors[:10]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", help="index alias with data (default PERISCOPE_INDEX_ALIAS)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--max-requests", type=int, default=50_000, help="hard cap on requests, whatever the duration")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds of uncounted warm-up at concurrency 4")
    ap.add_argument("--out", default=str(ROOT / "bench/results/load.json"))
    args = ap.parse_args()

    settings = load_settings()
    alias = args.alias or settings.index_alias
    es = es_client(settings.es_connection())
    try:
        count = es.count(index=alias)["count"]
    except Exception as exc:  # noqa: BLE001 - say what to do rather than print a traceback
        raise SystemExit(f"index {alias!r} is missing ({type(exc).__name__}): run `periscope demo` or pass --alias")
    if count == 0:
        raise SystemExit(f"index {alias!r} is empty: run `periscope demo` or pass --alias")
    s = samples(es, alias)
    print(f"{alias}: {count} documents; {len(s['ids'])} ids, {len(s['prefixes'])} prefixes sampled", flush=True)
    with api_server(alias, args.workers) as base:
        # Warm-up (not counted): first kNN / aggregation calls load vectors and global ordinals.
        warm = asyncio.run(load(base, s, args.warmup, 4, 10_000, seed=3)) if args.warmup else None
        if warm:
            print(f"warm-up: {warm['requests']} requests, {warm['errors']} errors (not counted)", flush=True)
        report = asyncio.run(load(base, s, args.duration, args.concurrency, args.max_requests))
    report = {"index": alias, "documents": count, "duration_s": args.duration, "concurrency": args.concurrency,
              "uvicorn_workers": args.workers, "warmup_s": args.warmup, "mix_percent": MIX, "machine_cores": os.cpu_count(),
              "api_es_timeout_s": settings.api_es_timeout, **report,
              "command": " ".join(["bench/load.py"] + sys.argv[1:])}
    for kind, row in report["by_kind"].items():
        print(f"{kind:>9}: {row['requests']:6d} req  p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
              f"p99 {row['p99_ms']:7.1f}  max {row['max_ms']:7.1f} ms  errors {row['errors']}")
    print(f"total {report['requests']} requests in {report['wall_s']} s ({report['throughput_rps']}/s), "
          f"errors {report['errors']}")
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"-> {args.out}")
    sys.exit(1 if report["errors"] else 0)


if __name__ == "__main__":
    main()
