"""Strategic warning on a real index: speed, weekly spikes vs known 1987 events, and an injection curve.

    PERISCOPE_INDEX_ALIAS=<alias> .venv/bin/python bench/trends.py latency   # p50/p99 vs a faceted search
    PERISCOPE_INDEX_ALIAS=<alias> .venv/bin/python bench/trends.py weekly    # top spikes per week + known events
    PERISCOPE_INDEX_ALIAS=<alias> .venv/bin/python bench/trends.py inject    # detection curve (writes, then deletes)
    .venv/bin/python bench/trends.py report                                  # markdown tables of the three

Everything goes through the same service objects the API uses (``SearchService``/``AnalyticsService``,
in process, as an administrator), so the ratios compare aggregation cost, not HTTP overhead. The
baseline of each ratio is a plain faceted search (20 hits, every facet, histogram) with the same
filters, interleaved with the measured requests in the same run. Results go to ``bench/results/trends-*.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elasticsearch import helpers  # noqa: E402

from mappings.client import async_es_client, es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api.access import OPEN  # noqa: E402
from search_api.analytics_service import AnalyticsService  # noqa: E402
from search_api.models import SearchRequest  # noqa: E402
from search_api.service import SearchService  # noqa: E402
from search_api.warning_models import NetworkRequest, TrendsRequest  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_RATIO = 3.0
SCOPES: list[dict[str, Any]] = [{}, {"q": "oil"}, {"countries": ["JP"]}, {"topics": ["trade"]}]
FIELDS = ("person", "org", "location", "countries", "topics")
# Known 1987 events the Reuters corpus reports: (event, week start (Monday), {field: values that count as "it"}).
# "Surfaced" = one of the values is in that field's top 10 for the week; the best rank is reported.
EVENTS: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    ("Brazil suspends interest payments (debt moratorium, 20 Feb)", "1987-02-23",
     {"countries": ("BR",), "person": ("Dilson Funaro",), "org": ("Bank of Brazil",)}),
    ("Brazil moratorium: creditor banks react", "1987-03-02",
     {"countries": ("BR",), "person": ("Dilson Funaro",), "org": ("Bank of Brazil",)}),
    ("US–Japan semiconductor sanctions announced (27 Mar)", "1987-03-23",
     {"org": ("MITI", "Ministry of International Trade and Industry", "Economic Policy Council",
              "White House Economic Policy Council", "Semiconductor Industry Association", "NEC Corp")}),
    ("US–Japan semiconductor tariffs imposed (17 Apr)", "1987-04-13",
     {"org": ("MITI", "Ministry of International Trade and Industry", "Semiconductor Industry Association"),
      "person": ("Yasuhiro Nakasone",)}),
    ("Gulf tanker war: US strikes Iranian platforms (19 Oct)", "1987-10-19",
     {"countries": ("IR", "KW"), "location": ("Gulf", "Persian Gulf", "Iran", "Kuwait")}),
    ("October stock market crash (19 Oct)", "1987-10-19",
     {"org": ("New York Stock Exchange", "NYSE", "Dow Jones"), "topics": ("markets", "stocks", "equities")}),
]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def services(alias: str) -> tuple[Any, SearchService, AnalyticsService]:
    settings = load_settings()
    es = async_es_client(settings.api_es_connection(), connections_per_node=8)
    svc = SearchService(es, alias)
    return es, svc, AnalyticsService(svc)


# --- latency ---------------------------------------------------------------------------------------------

async def latency(alias: str, rounds: int) -> dict[str, Any]:
    es, svc, an = await services(alias)
    top_org = (await svc.facet_values("org", SearchRequest(), OPEN, size=1)).buckets[0].value
    times: dict[str, list[float]] = {k: [] for k in ("search", "trends", "entity", "network")}
    try:
        for r in range(rounds + 2):
            for scope in SCOPES:
                calls = {
                    "search": lambda: svc.search(SearchRequest(**scope), OPEN),
                    "trends": lambda: an.trends(TrendsRequest(**scope, field="person"), OPEN),
                    "entity": lambda: an.entity("org", top_org, SearchRequest(**scope), OPEN),
                    "network": lambda: an.network(NetworkRequest(**scope), OPEN),
                }
                order = list(calls)
                random.Random(r).shuffle(order)
                for name in order:
                    t = time.perf_counter()
                    try:
                        await calls[name]()
                    except Exception:  # noqa: BLE001 - an entity absent from a scope is a 404: still timed
                        pass
                    if r >= 2:  # two warm-up rounds
                        times[name].append((time.perf_counter() - t) * 1000)
    finally:
        await es.close()
    base50, base99 = pct(times["search"], 50), pct(times["search"], 99)
    out = {"alias": alias, "rounds": rounds, "scopes": SCOPES, "entity": top_org, "target_ratio": TARGET_RATIO, "ms": {}}
    for name, xs in times.items():
        out["ms"][name] = {"p50": round(pct(xs, 50), 1), "p99": round(pct(xs, 99), 1),
                           "p50_ratio": round(pct(xs, 50) / base50, 2), "p99_ratio": round(pct(xs, 99) / base99, 2)}
    return out


# --- weekly spikes and known events ------------------------------------------------------------------------

async def weekly(alias: str, baseline: int) -> dict[str, Any]:
    es, svc, an = await services(alias)
    weeks: list[dict[str, Any]] = []
    try:
        hist = (await svc.search(SearchRequest(size=0, interval="week"), OPEN)).histogram
        starts = [b.date[:10] for b in hist.buckets if b.count] if hist else []
        for start in starts:
            end = (dt.date.fromisoformat(start) + dt.timedelta(days=6)).isoformat()
            week: dict[str, Any] = {"week": start, "fields": {}}
            for f in FIELDS:
                res = await an.trends(TrendsRequest(field=f, interval="week", date_to=end, baseline=baseline, size=10), OPEN)
                week["fields"][f] = [(v.value, v.score, v.window_count, v.new) for v in res.values]
            top = max(((f, v) for f, vs in week["fields"].items() for v in vs[:1]), key=lambda fv: fv[1][1], default=None)
            if top:
                f, v = top
                hits = await svc.search(SearchRequest(**{f: [v[0]]}, date_from=start, date_to=end, size=3, sort="date"), OPEN)
                week["top"] = {"field": f, "value": v[0], "score": v[1], "stories": [h.title for h in hits.hits]}
            weeks.append(week)
    finally:
        await es.close()
    by_week = {w["week"]: w for w in weeks}
    events = []
    for label, week, wanted in EVENTS:
        w = by_week.get(week)
        found = [(i + 1, f, v[0]) for f, accepted in wanted.items() for i, v in enumerate(w["fields"].get(f, []) if w else [])
                 if v[0] in accepted]
        best = min(found, default=None)
        events.append({"event": label, "week": week, "fields": sorted(wanted), "in_corpus": w is not None,
                       "rank": best[0] if best else None, "as": f"{best[1]}: {best[2]}" if best else None})
    return {"alias": alias, "baseline": baseline, "weeks": weeks, "events": events}


# --- injection ---------------------------------------------------------------------------------------------

async def inject(alias: str, field: str, value: str, day: str, ns: list[int]) -> dict[str, Any]:
    """Copy N real stories that mention ``value`` onto ``day`` and see where ``value`` ranks that day."""
    settings = load_settings()
    sync = es_client(settings.es_connection())
    es, svc, an = await services(alias)
    control = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    donors = await svc.export_first(SearchRequest(**{field: [value]}, sort="date"), OPEN)
    donors = [h for h in donors if (h["_source"].get("published_at") or "")[:10] != day]
    curve = []
    try:
        for n in ns:
            ids = []
            if n:
                docs = []
                for i in range(n):
                    src = await svc.document(donors[i % len(donors)]["_id"], OPEN)
                    src = {k: v for k, v in src.items() if k not in ("id", "mentions")}
                    doc_id = f"inject-{n}-{i}"
                    docs.append({"_index": alias, "_id": doc_id, "_source": {**src, "id": doc_id,
                                 "published_at": f"{day}T12:00:00Z", "duplicate_of": None, "cluster_id": None}})
                    ids.append(doc_id)
                helpers.bulk(sync, docs, refresh="wait_for")
            row: dict[str, Any] = {"n": n}
            for label, when in (("day", day), ("control", control)):
                res = await an.trends(TrendsRequest(field=field, interval="day", date_to=when, baseline=14, size=10), OPEN)
                ranked = [v.value for v in res.values]
                row[f"{label}_rank"] = ranked.index(value) + 1 if value in ranked else None
                row[f"{label}_top"] = [(v.value, v.score) for v in res.values[:3]]
            curve.append(row)
            if ids:
                helpers.bulk(sync, ({"_op_type": "delete", "_index": alias, "_id": i} for i in ids), refresh="wait_for")
    finally:
        await es.close()
        sync.close()
    first = next((r["n"] for r in curve if r["day_rank"] == 1 and r["control_rank"] is None), None)
    return {"alias": alias, "field": field, "value": value, "day": day, "curve": curve, "smallest_n_first": first}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def report() -> str:
    """Markdown tables (docs/warning.md) from the saved results of the three runs."""
    load = lambda w: json.loads((RESULTS / f"trends-{w}.json").read_text())  # noqa: E731
    out = []
    wk = load("weekly")
    out += ["| Known event | Week | Stories that week | Surfaced in the top 10? (best rank, as) |", "| --- | --- | --- | --- |"]
    for e in wk["events"]:
        seen = f"yes: #{e['rank']} ({e['as']})" if e["rank"] else "no"
        out.append(f"| {e['event']} | {e['week']} | {'yes' if e['in_corpus'] else 'none loaded'} | {seen} |")
    out += ["", "| Week | Top spike (field: value, score) | Stories behind it | Top 3 organisations | Top 3 countries |",
            "| --- | --- | --- | --- | --- |"]
    for w in wk["weeks"]:
        top = w.get("top")
        orgs = ", ".join(v[0] for v in w["fields"]["org"][:3])
        ctry = ", ".join(v[0] for v in w["fields"]["countries"][:3])
        if top:
            out.append(f"| {w['week']} | {top['field']}: {top['value']} ({top['score']:.1f}) | "
                       f"{_cell('; '.join(top['stories'][:2]))} | {_cell(orgs)} | {ctry} |")
    inj = load("inject")
    out += ["", f"Injected {inj['field']} **{inj['value']}** on {inj['day']}; smallest N that ranks it first with no alarm "
            f"on the control day: **{inj['smallest_n_first']}**.", "",
            "| N | Rank on the day | Rank on the control day | Top of the day (score) |", "| --- | --- | --- | --- |"]
    for r in inj["curve"]:
        out.append(f"| {r['n']} | {r['day_rank'] or '—'} | {r['control_rank'] or '—'} | "
                   f"{', '.join(f'{v} ({s:.1f})' for v, s in r['day_top'][:2])} |")
    lat = load("latency")
    out += ["", f"{lat['rounds']} rounds × {len(lat['scopes'])} scopes, interleaved; ratio = to the faceted search "
            f"(target ≤ {lat['target_ratio']}×).", "", "| Request | p50 ms | p99 ms | p50 ratio | p99 ratio |",
            "| --- | --- | --- | --- | --- |"]
    for name, m in lat["ms"].items():
        out.append(f"| {name} | {m['p50']} | {m['p99']} | {m['p50_ratio']} | {m['p99_ratio']} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["latency", "weekly", "inject", "report"])
    ap.add_argument("--alias", default=None, help="index alias (default: the settings' PERISCOPE_INDEX_ALIAS)")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--baseline", type=int, default=4, help="weeks of baseline for `weekly`")
    ap.add_argument("--field", default="org")
    ap.add_argument("--value", default="Petrobras")
    ap.add_argument("--day", default="1987-03-18")
    ap.add_argument("--ns", default="0,1,2,3,4,5,6,8,10")
    a = ap.parse_args()
    alias = a.alias or load_settings().index_alias
    if a.what == "report":
        print(report())
        return
    if a.what == "latency":
        out = asyncio.run(latency(alias, a.rounds))
    elif a.what == "weekly":
        out = asyncio.run(weekly(alias, a.baseline))
    else:
        out = asyncio.run(inject(alias, a.field, a.value, a.day, [int(x) for x in a.ns.split(",")]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"trends-{a.what}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(out if a.what != "weekly" else {"events": out["events"], "weeks": [
        {"week": w["week"], "top": w.get("top")} for w in out["weeks"]]}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
