"""Briefing products and streamed export (issue 18, item 6).

    PYTHONPATH=. .venv/bin/python bench/briefing.py --source p17-reuters [--docs 50 --annotations 100]

1. A case of ``--docs`` documents of the source index with ``--annotations`` passage annotations (in a
   throw-away SQLite workspace), rendered to PDF (headless Chromium) and DOCX (python-docx): time and
   size of each (median of 3). Target: PDF ≤ 10 s on this machine. Also writes the PDF's first page as
   ``docs/screenshots/briefing.png`` (pypdfium2) for docs/briefings.md.
2. The streamed export of the whole source index (``SearchService.export_pages``: point in time +
   ``search_after``, the access filter on every page, export columns + body for the snippet) as a ratio
   to a bare point-in-time scroll of the same fields with the Elasticsearch client (interleaved, medians).
   Target: ≤ 1.5×.
Figures are printed and written to bench/results/briefing.json with the load average. Reads the source
index only; creates nothing on the node but points in time (closed afterwards).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mappings.client import async_es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api import query as Q  # noqa: E402
from search_api.access import OPEN  # noqa: E402
from search_api.cases import briefing  # noqa: E402
from search_api.cases.view import case_view  # noqa: E402
from search_api.models import SearchRequest  # noqa: E402
from search_api.service import STREAM_PAGE, SearchService  # noqa: E402
from workspace import cases as C  # noqa: E402
from workspace import marks as M  # noqa: E402
from workspace import open_store  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "briefing.json"
SHOT = ROOT / "docs" / "screenshots" / "briefing.png"


async def build_case(ws, es, source: str, n_docs: int, n_notes: int) -> int:  # noqa: ANN001
    res = await es.search(index=source, size=n_docs * 4, query={"function_score": {"random_score": {"seed": 18, "field": "_seq_no"}}},
                          _source=["title", "body", "published_at"])
    hits = [h for h in res["hits"]["hits"] if len(h["_source"].get("body") or "") > 400][:n_docs]
    rnd = random.Random(18)
    with ws.session() as db:
        case = C.create(db, "local", "Bench: commodity shocks", classification="OFFICIAL – bench sample",
                        summary="Commodity prices moved sharply in the period; the sample shows how a product looks.",
                        judgements="Supply disruptions drove most moves.\nPolicy responses lagged by weeks.")
        for h in hits:
            C.add_document(db, case.id, "local", h["_id"], "sampled for the benchmark")
        for i in range(n_notes):
            h = hits[i % len(hits)]
            text = h["_source"]["body"]
            start = rnd.randrange(0, len(text) - 200)
            M.annotate(db, "local", h["_id"], text, start, start + rnd.randrange(60, 200), f"annotation {i + 1}")
        return case.id


async def time_products(ws, svc, case_id: int, settings) -> dict:  # noqa: ANN001
    out: dict = {}
    view = await case_view(ws, svc, OPEN, case_id)
    for fmt in ("pdf", "docx", "html", "md"):
        times, size = [], 0
        for _ in range(3):
            t0 = time.perf_counter()
            product = await briefing.render(view, fmt, settings)
            times.append(time.perf_counter() - t0)
            size = len(product.content)
        out[fmt] = {"median_s": round(statistics.median(times), 3), "bytes": size}
        if fmt == "pdf":
            import pypdfium2

            page = pypdfium2.PdfDocument(product.content)[0]
            SHOT.parent.mkdir(parents=True, exist_ok=True)
            page.render(scale=1.3).to_pil().save(SHOT, optimize=True)
            out["pdf"]["pages"] = len(pypdfium2.PdfDocument(product.content))
    out["documents"], out["excerpts"] = len(view.docs), len(view.excerpts)
    return out


async def service_export(svc: SearchService) -> int:
    """The export as the API streams it: pages through the service, each row shaped and written as CSV."""
    import csv
    import io

    from search_api.export import CSV_COLUMNS, csv_cell, snippet
    from search_api.shaping import export_row

    _, pages = await svc.export_pages(SearchRequest(sort="date", duplicates="show"), OPEN, 10_000_000)
    n, buf = 0, io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL)
    async for page in pages:
        for h in page:
            row = export_row(h) | {"link": "/doc/" + h["_id"], "snippet": snippet(h["_source"].get("body"))}
            writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
            n += 1
        buf.seek(0)
        buf.truncate()
    return n


async def bare_scroll(es, source: str) -> int:  # noqa: ANN001
    pit = (await es.open_point_in_time(index=source, keep_alive="2m"))["id"]
    n, after = 0, None
    try:
        while True:
            body = {"size": STREAM_PAGE, "sort": Q.SORTS["date"], "_source": [*Q.EXPORT_SOURCE, "body"],
                    "pit": {"id": pit, "keep_alive": "2m"}, "track_total_hits": after is None}
            if after:
                body["search_after"] = after
            res = await es.search(body=body)
            hits = res["hits"]["hits"]
            n += len(hits)
            if len(hits) < STREAM_PAGE:
                return n
            after, pit = hits[-1]["sort"], res.get("pit_id", pit)
    finally:
        await es.close_point_in_time(id=pit)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default="p17-reuters")
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--annotations", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    settings = load_settings()
    es = async_es_client(settings.es_connection())
    svc = SearchService(es, args.source)
    tmp = tempfile.mkdtemp(prefix="bench-briefing-")
    ws = open_store(f"sqlite:///{tmp}/ws.sqlite3")
    try:
        case_id = await build_case(ws, es, args.source, args.docs, args.annotations)
        products = await time_products(ws, svc, case_id, settings)
        ours, bare = [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter(); rows = await service_export(svc); ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); rows_bare = await bare_scroll(es, args.source); bare.append(time.perf_counter() - t0)
        assert rows == rows_bare, (rows, rows_bare)
        export = {"rows": rows, "service_median_s": round(statistics.median(ours), 3),
                  "bare_pit_median_s": round(statistics.median(bare), 3),
                  "ratio": round(statistics.median(ours) / statistics.median(bare), 3)}
    finally:
        ws.close()
        await es.close()
    report = {"source": args.source, "load_avg": os.getloadavg(), "products": products, "export": export,
              "targets": {"pdf_s": 10, "export_ratio": 1.5}}
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
