"""Request flows of a large-index search, compared search by search on indices kept by ``bench/scale.py``.

    .venv/bin/python bench/scale_flows.py --aliases scale19-100000,scale19-1000000 --rounds 4

``bench/scale.py`` times each variant over the whole mix in turn, so a drift of the machine between two
blocks of 100 searches shows up as a difference between variants. Here every search of the mix is sent in
each flow one after the other (the order rotated every round), which cancels that drift:

* ``serial_day``: the count request, then hits and aggregations at once; day buckets (before issue 19's
  third step);
* ``serial_coarse``: the same with the timeline's interval chosen from the count's dates;
* ``parallel_day``: the hits at once beside the count, the aggregations after it; day buckets;
* ``parallel_coarse``: both (the product, ``SearchService.search``).

Searches on an index small enough to need no count request are left out (the flows do not differ).
Prints and saves the p50 and mean per flow and index, and the timeline intervals chosen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mappings.client import es_client  # noqa: E402
from nlp.topics import Encoder  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from scale import SIDEBAR, jobs_for, large_index_search  # noqa: E402
from search import query_mix  # noqa: E402
from search_api import sampling  # noqa: E402

FLOWS = ("serial_day", "serial_coarse", "parallel_day", "parallel_coarse")


async def measure(es_url: str, plans: list[Any], rounds: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=600) as client:
        async def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await client.post(url, json=body, params={"request_cache": "false"})  # as bench/scale.py
            r.raise_for_status()
            return r.json()

        async def flow(name: str, url: str, body: dict, count: dict, n: int, sets: dict) -> None:
            await large_index_search(post, url, body, count, n, sets, serial=name.startswith("serial"),
                                     coarse=name.endswith("coarse"))

        lat: dict[str, list[float]] = {f: [] for f in FLOWS}
        intervals: dict[str, int] = {}
        for r in range(rounds + 1):  # round 0 warms up
            order = list(FLOWS[r % len(FLOWS):] + FLOWS[: r % len(FLOWS)])
            for url, body, count, n, sets, _serial in plans:
                if count is None:
                    continue
                if r == 1:
                    iv = sampling.span_interval(await post(url, count)) or "day"
                    intervals[iv] = intervals.get(iv, 0) + 1
                for name in order:
                    t = time.perf_counter()
                    await flow(name, url, body, count, n, sets)
                    if r:
                        lat[name].append((time.perf_counter() - t) * 1000)
    searches = len(lat[FLOWS[0]]) // max(1, rounds)
    return {"searches": searches, "intervals": intervals,
            "flows": {f: {"p50_ms": round(statistics.median(v), 2), "mean_ms": round(statistics.mean(v), 2)}
                      for f, v in lat.items() if v}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aliases", required=True, help="comma-separated aliases kept by bench/scale.py --keep")
    ap.add_argument("--mix-alias", default=None, help="alias the query mix is drawn from (default: the first)")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale_flows.json")
    args = ap.parse_args()
    settings = load_settings()
    es = es_client(settings.es_connection(), request_timeout=600)
    es_url = settings.es_hosts[0].rstrip("/")
    aliases = args.aliases.split(",")
    mix = [r.model_copy(update={"facets": list(SIDEBAR)})
           for r in query_mix(es, args.mix_alias or aliases[0], args.queries)]
    texts = sorted({r.q for r in mix if r.q})
    vectors = dict(zip(texts, Encoder().encode(texts).tolist()))
    report: dict[str, Any] = {"command": " ".join([".venv/bin/python bench/scale_flows.py"] + sys.argv[1:]),
                              "rounds": args.rounds, "indices": {}}
    for alias in aliases:
        plans = [p for v in jobs_for(es, es_url, alias, mix, vectors, "sampled").values() for p in v]
        row = asyncio.run(measure(es_url, plans, args.rounds)) | {"loadavg": os.getloadavg()}
        report["indices"][alias] = row
        base = row["flows"].get("serial_day", {}).get("p50_ms")
        for f, d in row["flows"].items():
            print(f"{alias:>24} {f:>16} p50 {d['p50_ms']:7.1f} ms  mean {d['mean_ms']:7.1f} ms"
                  + (f"  ×{d['p50_ms'] / base:.3f} of serial_day" if base else ""), flush=True)
        print(f"{alias:>24} timeline intervals chosen: {row['intervals']} ({row['searches']} searches)", flush=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
