"""Alert pass cost: N saved searches checked against a fresh batch of documents, vs. bare ``_msearch``.

    PYTHONPATH=. .venv/bin/python bench/alerts.py --source p17-reuters [--searches 1000]

Copies the source index's documents (a Reuters demo index already on the node: loading 10,000 stories
through the NLP pipeline takes minutes on this machine) into a throw-away alias with
``ingest.ingested_at`` = now — the "fresh batch" — after saving N watched searches in a throw-away
SQLite workspace. Then times (1) one alert pass (AlertEngine.run_pass: build bodies, ``_msearch`` in
batches as each owner, record matches in the workspace ledger, checkpoints), (2) the same bodies sent
as bare ``_msearch`` batches with the Elasticsearch client, interleaved 3 times each, medians reported.
Target (issue 15): pass ≤ 1.3× bare. Also the steady state: a second pass that finds nothing new.
Writes bench/results/alerts.json. Drops the alias and the workspace afterwards.

No percolator here (not in the distribution used): matching is by query over ingestion time, so a pass
costs one search per saved search — this bench shows that cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elasticsearch import helpers  # noqa: E402

from mappings import drop, install  # noqa: E402
from mappings.client import async_es_client, es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api.alerts.config import AlertConfig  # noqa: E402
from search_api.alerts.engine import AlertEngine  # noqa: E402
from search_api.alerts.matching import request_of, since_body, window_start  # noqa: E402
from search_api.service import SearchService  # noqa: E402
from workspace import alerts as ledger  # noqa: E402
from workspace import open_store, sqlite_url  # noqa: E402
from workspace import saved_searches as saved  # noqa: E402

WORDS = ["oil", "prices", "bank", "trade", "dollar", "wheat", "coffee", "sugar", "gold", "exports", "tariffs",
         "shares", "profit", "merger", "interest", "inflation", "crude", "opec", "japan", "yen", "deficit", "grain",
         "steel", "copper", "bonds", "rates", "earnings", "dividend", "acquisition", "strike"]
PHRASES = ['"central bank"', '"interest rates"', '"trade deficit"', '"crude oil"', '"stock exchange"', '"money supply"']


def queries(n: int, seed: int = 15) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(rnd.choice(WORDS))
        elif kind == 1:
            out.append(f"{rnd.choice(WORDS)} AND {rnd.choice(WORDS)}")
        elif kind == 2:
            out.append(rnd.choice(PHRASES))
        else:
            out.append(f"({rnd.choice(WORDS)} OR {rnd.choice(WORDS)}) -{rnd.choice(WORDS)}")
    return out


async def bare(es, alias: str, bodies: list[dict], batch: int) -> float:
    t = time.perf_counter()
    for i in range(0, len(bodies), batch):
        searches = []
        for b in bodies[i:i + batch]:
            searches += [{"index": alias}, b]
        res = await es.msearch(searches=searches)
        assert all("error" not in r for r in res["responses"])
    return time.perf_counter() - t


def reset(ws, ids: list[int]) -> None:
    """Forget the matches and checkpoints so the next pass does the same work again."""
    from sqlalchemy import delete, update

    from workspace.alert_models import AlertMatch, SavedSearch

    with ws.session() as db:
        db.execute(delete(AlertMatch))
        db.execute(update(SavedSearch).values(checked_until=None, last_run_at=None))


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="p17-reuters", help="an existing index/alias holding demo documents")
    ap.add_argument("--searches", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hits", type=int, default=50, help="max new matches per saved search per pass")
    ap.add_argument("--docs", type=int, default=10_000, help="size of the fresh batch (issue 15: 10,000)")
    args = ap.parse_args()
    settings = load_settings()
    sync = es_client(settings.es_connection())
    alias = f"bench-alerts-{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp())
    ws = open_store(sqlite_url(tmp / "ws.sqlite3"))
    install(sync, alias)
    raw_es = async_es_client(settings.api_es_connection())
    es = raw_es.options(request_timeout=600)  # a pass over 1,000 searches with highlights is long
    try:
        created = datetime.now(UTC) - timedelta(seconds=5)
        with ws.session() as db:
            ids = [saved.create(db, "local", f"s{i}", {"q": q}, watch=True).id for i, q in enumerate(queries(args.searches))]
        t = time.perf_counter()
        now = datetime.now(UTC).isoformat()
        # _reindex is not in the distribution used here: scan + bulk, stamping the ingestion time
        def fresh():
            for n, h in enumerate(helpers.scan(sync, index=args.source, query={"query": {"match_all": {}}}, size=500,
                                               source_exclude_vectors=False)):
                if n >= args.docs:
                    return
                src = h["_source"]
                src["ingest"] = {**(src.get("ingest") or {}), "ingested_at": now}
                yield {"_index": alias, "_id": h["_id"], "_source": src}

        helpers.bulk(sync, fresh(), chunk_size=500, refresh="wait_for", request_timeout=300)
        docs = sync.count(index=alias)["count"]
        load_s = time.perf_counter() - t
        svc = SearchService(es, alias)
        cfg = AlertConfig(scheduler=False, max_hits_per_search=args.hits)
        engine = AlertEngine(ws, svc, cfg)
        with ws.session(readonly=True) as db:
            infos = saved.every(db)
        bodies = [since_body(svc.search_body(request_of(s.request)), window_start(None, created, timedelta(0)),
                             cfg.max_hits_per_search) for s in infos]
        await bare(es, alias, bodies, cfg.msearch_batch)  # warm-up: every body once, so neither side runs cold
        passes, bares, matches = [], [], 0

        async def one_pass() -> None:
            nonlocal matches
            reset(ws, ids)
            t = time.perf_counter()
            report = await engine.run_pass(due_only=False)
            passes.append(time.perf_counter() - t)
            assert report.ok, report
            matches = report.new_matches

        for r in range(args.rounds):  # alternate which side goes first: the second one finds warmer caches
            if r % 2:
                bares.append(await bare(es, alias, bodies, cfg.msearch_batch))
                await one_pass()
            else:
                await one_pass()
                bares.append(await bare(es, alias, bodies, cfg.msearch_batch))
        t = time.perf_counter()
        steady = await engine.run_pass(due_only=False)
        steady_s = time.perf_counter() - t
        with ws.session(readonly=True) as db:
            recorded = sum(len(ledger.matches(db, i, limit=10_000)) for i in ids[:50])
        result = {
            "documents": docs, "source": args.source, "copy_s": round(load_s, 2), "saved_searches": len(ids),
            "max_hits_per_search": cfg.max_hits_per_search, "msearch_batch": cfg.msearch_batch,
            "matches_recorded": matches, "pass_s": [round(x, 3) for x in passes], "bare_msearch_s": [round(x, 3) for x in bares],
            "pass_median_s": round(statistics.median(passes), 3), "bare_median_s": round(statistics.median(bares), 3),
            "ratio": round(statistics.median(passes) / statistics.median(bares), 3),
            "ratio_per_round": [round(p / b, 3) for p, b in zip(passes, bares)],
            "steady_pass_s": round(steady_s, 3), "steady_new_matches": steady.new_matches,
            "sample_matches_first_50_searches": recorded, "target_ratio": 1.3, "load_average": os.getloadavg(),
        }
        print(json.dumps(result, indent=2))
        out = ROOT / "bench" / "results" / "alerts.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        await raw_es.close()
        drop(sync, alias)
        ws.close()


if __name__ == "__main__":
    asyncio.run(main())
