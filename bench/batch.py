"""Batch search cost: 1,000 terms end to end through the API vs the same searches as bare ``_msearch``.

    PYTHONPATH=. .venv/bin/python bench/batch.py --source p17-reuters [--terms 1000 --rounds 3]

The terms are a realistic list: person and organisation names taken from the source index (searched as
exact phrases), single words and a few analyst-syntax lines. End to end = ``POST /api/v1/batch-searches``
through the real app (parse the list, build each body with the query builder, batched ``_msearch`` as
the caller with the access filter, shape the first hits, keep the table in a throw-away SQLite workspace,
answer JSON). Bare = the same bodies sent as ``_msearch`` batches of the same size with the
Elasticsearch client. Rounds interleaved, medians reported; target (issue 15): end to end ≤ 2× bare.
Writes bench/results/batch.json. Read-only on the source index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from mappings.client import es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api.alerts import batch  # noqa: E402
from search_api.app import create_app  # noqa: E402
from search_api.models import SearchRequest  # noqa: E402
from search_api.service import SearchService  # noqa: E402


def terms_from(es, source: str, n: int) -> list[str]:
    aggs = {f: {"terms": {"field": f"entities.{f}", "size": n}} for f in ("person", "org")}
    res = es.search(index=source, size=0, aggs=aggs)
    names = [b["key"] for f in ("person", "org") for b in res["aggregations"][f]["buckets"]]
    words = ["oil", "wheat", "coffee", "opec", "yen", "tariffs", "merger", "strike", "gold", "sugar"]
    syntax = ['"central bank" AND rates', "crude OR oil -opec", "org:opec", "bank*"]
    out = list(dict.fromkeys(syntax + words + names))
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="p17-reuters")
    ap.add_argument("--terms", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    settings = load_settings().model_copy(update={
        "index_alias": args.source, "database_url": f"sqlite:///{tmp / 'ws.sqlite3'}", "alerts_scheduler": False,
        "api_es_timeout": 300.0})  # a 200-search _msearch on a loaded 2-core machine outlasts the 4 s API budget
    es = es_client(settings.es_connection()).options(request_timeout=300)
    svc = SearchService(None, args.source)  # only to build the same bodies the API builds
    terms, bodies = [], []
    for t in terms_from(es, args.source, args.terms + 50):
        try:
            b = svc.search_body(SearchRequest(q=batch.query_for(t), size=batch.FIRST_HITS, facet_size=0))
        except Exception:  # noqa: BLE001 - a name the syntax cannot take (a stray quote): the API reports it per row
            continue
        b["track_total_hits"] = True
        terms.append(t)
        bodies.append(b)
    terms, bodies = terms[:args.terms], bodies[:args.terms]
    text = "\n".join(terms)

    def bare() -> float:
        t0 = time.perf_counter()
        for i in range(0, len(bodies), batch.BATCH):
            searches = [x for b in bodies[i:i + batch.BATCH] for x in ({"index": args.source}, b)]
            res = es.msearch(searches=searches)
            assert all("error" not in r for r in res["responses"])
        return time.perf_counter() - t0

    with TestClient(create_app(settings)) as client:
        def end_to_end() -> float:
            t0 = time.perf_counter()
            r = client.post("/api/v1/batch-searches", params={"name": "bench"}, content=text,
                            headers={"Content-Type": "text/plain"})
            assert r.status_code == 200, r.text[:300]
            assert len(r.json()["rows"]) == len(terms)
            return time.perf_counter() - t0

        bare(), end_to_end()  # warm-up
        e2e, bares = [], []
        for _ in range(args.rounds):
            e2e.append(end_to_end())
            bares.append(bare())
    result = {
        "source": args.source, "terms": len(terms), "msearch_batch": batch.BATCH, "first_hits": batch.FIRST_HITS,
        "end_to_end_s": [round(x, 3) for x in e2e], "bare_msearch_s": [round(x, 3) for x in bares],
        "end_to_end_median_s": round(statistics.median(e2e), 3), "bare_median_s": round(statistics.median(bares), 3),
        "ratio": round(statistics.median(e2e) / statistics.median(bares), 3), "target_ratio": 2.0,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "batch.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
