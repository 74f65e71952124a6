"""Growth: latency of the benchmark query mix (BM25 product bodies + kNN hybrid) at 10k … 1M documents.

    .venv/bin/python bench/scale.py --seed-index periscope-docs                # 10k, 100k, 1M
    .venv/bin/python bench/scale.py --seed-index periscope-docs --sizes 10000,100000,300000

How the corpus is built (a fast path that skips the NLP but keeps real fields and vectors):

* **seed**: every document of ``--seed-index``, an index of Reuters-21578 stories enriched by the real
  pipeline (``periscope demo --limit 0``: 20,841 stories with entities, topics, countries, keywords,
  MinHash, suggest inputs and the 512-d USE vector). It is read once, vectors included, into
  ``<cache>/bench-data/scale-seed-<index>.jsonl.gz`` and reused by later runs.
* **growth**: documents 1..S are the seed as is. Beyond S each new document k takes a random seed
  story s and a second random story t: the title and fields of s, the body of s followed by the lead
  paragraph of t (so term statistics and lengths vary), the vector ``normalise(0.85 v_s + 0.15 v_t +
  N(0, 0.015²))`` (cos ≈ 0.9 to v_s, so kNN has no exact ties), the date moved by 0-38 whole years
  (1987 → 2025, so date ranges and histograms spread), its own id and story cluster.

The index (contract v2, 1 shard, no replica) grows in place on the configured Elasticsearch (refresh
off while a step loads, as bulk loads do); at each size, after a refresh and once background merges
are done (steady state), the same query mix runs at concurrency 1 directly against Elasticsearch: the API's
own ``search_body`` for a mix of words, phrases, boolean syntax, facet selections, browsing, date ranges,
deep pages (bench/search.py ``query_mix``), and one hybrid body in five (the same BM25 body plus a
``knn`` clause on ``vector`` with the query embedded by the product's encoder, k=10, 100 candidates).
The API (``periscope serve``'s app, one process for the whole run) answers ``--api-queries`` searches
at each size and its resident memory is read from /proc. Index size = primary store size.
Prints and saves bench/results/scale.json; the indices are deleted at the end unless ``--keep``.

``--variants exact,sampled`` (issue 19): each search is timed as the product sends it — ``sampled``: on an
index of more than 2 × FACET_SAMPLE_DOCS documents a sampled count request, then hits and aggregations at
once (search_api/sampling.py); ``exact``: the one body with every count exact — interleaved in the same
rounds, so before/after is a same-run ratio. ``--keep`` then ``--reuse`` measures kept indices again.
``--facets sidebar`` (default): each search counts the facets the search page shows, as the page asks
(``facets=``); ``--facets all``: every facet, the API's default.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from elasticsearch import helpers  # noqa: E402

from mappings import apply_dynamic_settings, current_index, drop, install  # noqa: E402
from mappings.audit import audit_pattern, audit_template_name  # noqa: E402  (the API's audit trail)
from mappings.client import es_client  # noqa: E402
from mappings.vocabulary import FACET_SAMPLE_DOCS, FACETS  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search import api_server, as_params, query_mix, run, summary  # noqa: E402
from search_api import sampling  # noqa: E402
from search_api.query import aggregated_sets, search_body  # noqa: E402
from search_api.textfields import languages_body, languages_from  # noqa: E402

VECTOR = "vector"
SIDEBAR = tuple(f.name for f in FACETS if f.sidebar)
KNN_SHARE = 5  # one body in five is hybrid (BM25 + kNN)


def load_seed(es: Any, index: str, cache: Path) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The enriched seed documents (without vector) and their vectors; read from ES once, then cached."""
    path = cache / "bench-data" / f"scale-seed-{index}.jsonl.gz"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        n = 0
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            for hit in helpers.scan(es, index=index, size=500, query={"query": {"exists": {"field": VECTOR}}},
                                    _source_exclude_vectors=False):
                out.write(json.dumps(hit["_source"]) + "\n")
                n += 1
        tmp.rename(path)
        print(f"seed: {n} documents from {index} -> {path}", flush=True)
    docs, vecs = [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            vecs.append(d.pop(VECTOR))
            docs.append(d)
    return docs, np.asarray(vecs, dtype=np.float64)  # float64: rounded values print short in JSON


def lead(body: str) -> str:
    para = re.split(r"\n\s*\n|\n {2,}", body.strip(), maxsplit=1)[0]
    return para[:400]


def grow(seed: list[dict[str, Any]], vecs: np.ndarray, start: int, stop: int, alias: str, rng_seed: int = 19):
    """Bulk actions for documents ``start`` .. ``stop`` - 1 (see the module docstring)."""
    S = len(seed)
    rng = np.random.default_rng(rng_seed + start)
    pick = random.Random(rng_seed + start)
    for k in range(start, stop):
        doc_id = f"scale-{k:07d}"
        if k < S:
            src = {**seed[k], VECTOR: vecs[k].round(6).tolist()}
        else:
            i, j = pick.randrange(S), pick.randrange(S)
            s, t = seed[i], seed[j]
            body = (s.get("body") or "") + "\n\n" + lead(t.get("body") or "")
            v = 0.85 * vecs[i] + 0.15 * vecs[j] + rng.normal(0, 0.015, vecs.shape[1])
            src = {**s, "body": body, "cluster_id": doc_id, "duplicate_of": None, "content_hash": f"{k:064x}",
                   VECTOR: (v / np.linalg.norm(v)).round(6).tolist()}
            for key in s:  # the language copies (body_en, body_de, ...) carry the same new body
                if key.startswith("body_"):
                    src[key] = body
            if s.get("published_at"):
                dy = pick.randrange(0, 39)
                src["published_at"] = f"{int(s['published_at'][:4]) + dy}{s['published_at'][4:]}"
        src["id"] = doc_id
        yield {"_index": alias, "_id": doc_id, "_source": src}


def hybrid(body: dict[str, Any], vector: list[float]) -> dict[str, Any]:
    """The product body plus the kNN half of hybrid search (scores add up; aggregations see both)."""
    return {**body, "knn": {"field": VECTOR, "query_vector": vector, "k": 10, "num_candidates": 100}}


def settle(es: Any, alias: str, limit_s: float = 3600.0) -> float:
    """Wait until background merges are done (steady state, as a live index between bursts)."""
    t = time.monotonic()
    while time.monotonic() - t < limit_s:
        merges = es.indices.stats(index=alias, metric="merge")["_all"]["primaries"]["merges"]["current"]
        if merges == 0:
            break
        time.sleep(2)
    return round(time.monotonic() - t, 1)


def api_rss_mb(port: int) -> float | None:
    """Resident memory of the uvicorn process serving ``port`` (found in /proc by its command line)."""
    needle = f"--port\0{port}\0".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if needle in Path(f"/proc/{pid}/cmdline").read_bytes():
                rss = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("VmRSS"))
                return round(int(rss.split()[1]) / 1024, 1)
        except (OSError, StopIteration):
            continue
    return None


# What a variant sends per search: "exact" = every count exact (the body before sampling, one request);
# "sampled" = the product (search_api/sampling.py: a count request first on an index holding more than
# 2 × FACET_SAMPLE_DOCS documents, then the body with its aggregations under random_sampler when the
# search matches more than that). "sampled:N" uses N instead of FACET_SAMPLE_DOCS. "serial" is the product
# before issue 19's third step, for a before/after in one run: the hits wait for the count, and the
# timeline is always day buckets.
VARIANTS = ("exact", "sampled", "serial")


def sample_docs_of(variant: str) -> int:
    name, _, n = variant.partition(":")
    if name not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r}: use {', '.join(VARIANTS)} (sampled:N for another sample size)")
    return 0 if name == "exact" else int(n or FACET_SAMPLE_DOCS)


# url, body, count body (or None), sample docs, sets, serial flow
Plan = tuple[str, dict[str, Any], dict[str, Any] | None, int, dict[str, Any], bool]


def jobs_for(es: Any, es_url: str, alias: str, mix: list[Any], vectors: dict[str, list[float]],
             variant: str) -> dict[str, list[Plan]]:
    """The mix as the product sends it to ``alias``: its BM25 bodies (only the index's languages' fields, as
    SearchService does), one in five with the kNN half; per search the count request when the variant has one."""
    languages = languages_from(es.search(index=alias, body=languages_body()))
    index_docs = es.count(index=alias)["count"]
    n_sample = sample_docs_of(variant)
    out: dict[str, list[Plan]] = {"bm25": [], "hybrid_knn": []}
    for n, req in enumerate(mix):
        body, kind = search_body(req, languages=languages), "bm25"
        if n % KNN_SHARE == 0 and req.q:
            body, kind = hybrid(body, vectors[req.q]), "hybrid_knn"
        sets = aggregated_sets(req)
        count = sampling.count_body(body, sets, index_docs=index_docs, sample_docs=n_sample)
        if count is not None and variant == "serial":  # as before: no dates in the count request
            inner = count["aggs"].get(sampling.COUNT, {}).get("aggs", count["aggs"])
            inner.pop(sampling.SPAN, None)
        out[kind].append((f"{es_url}/{alias}/_search", body, count, n_sample, sets, variant == "serial"))
    return out


async def large_index_search(post: Any, url: str, body: dict[str, Any], count: dict[str, Any], n_sample: int,
                             sets: dict[str, Any], *, serial: bool = False, coarse: bool = True) -> dict[str, float]:
    """The requests of one search with a count request, as ``SearchService.search`` sends them: the hits at
    once beside the count, the aggregations after it, the timeline's interval from the count's dates.
    ``serial``: the flow before issue 19's third step (count, then hits and aggregations at once);
    ``coarse=False``: day buckets. Returns the sampling probabilities."""
    async def aggregations() -> dict[str, float]:  # (serial: and the hits) once the count has answered
        counted = await post(url, count)
        probs = sampling.probabilities(counted, n_sample)
        b = sampling.coarse_histogram(body, sampling.span_interval(counted)) if coarse else body
        hits, aggs = sampling.split(sampling.sampled(b, probs), sets)
        await (asyncio.gather(post(url, hits), post(url, aggs)) if serial else post(url, aggs))
        return probs

    if serial:
        return await aggregations()
    _, probs = await asyncio.gather(post(url, sampling.split(body, sets)[0]), aggregations())
    return probs


async def run_plans(plans: list[Plan], samples: list[float] | None = None,
                    sampled: list[float] | None = None) -> list[float]:
    """Each search at concurrency 1, timed from the first request to the last answer (all requests of a
    two-round-trip search, and the probability computed in between, as SearchService.search does). ``sampled``
    collects each search's smallest sampling probability (1.0 = exact)."""
    lat: list[float] = []
    async with httpx.AsyncClient(timeout=600) as client:
        async def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
            # no answer from the shard request cache (size-0 bodies are cached by default): every round
            # computes every search, as the first time an analyst sends it. (Clearing the cache instead
            # also drops the global ordinals: 2-3x slower searches, a cold start no live index has.)
            r = await client.post(url, json=body, params={"request_cache": "false"})
            r.raise_for_status()
            return r.json()

        for url, body, count, n_sample, sets, serial in plans:
            t = time.perf_counter()
            p = 1.0
            if count is None:
                await post(url, body)
            else:
                probs = await large_index_search(post, url, body, count, n_sample, sets, serial=serial,
                                                 coarse=not serial)
                p = min(probs.values())
            lat.append((time.perf_counter() - t) * 1000)
            if sampled is not None:
                sampled.append(p)
    if samples is not None:
        samples.extend(lat)
    return lat


def bulk_load(es: Any, actions: Any) -> None:
    """Bulk requests of 500 from two client threads (one per Elasticsearch write thread here); a failed
    item stops the load."""
    for ok, item in helpers.parallel_bulk(es, actions, thread_count=2, chunk_size=500, queue_size=4):
        if not ok:
            raise RuntimeError(f"bulk item failed: {item}")


def build(es: Any, seed: list[dict[str, Any]], vecs: np.ndarray, alias: str, size: int,
          reuse: bool = False) -> dict[str, Any]:
    if reuse and es.indices.exists(index=alias) and es.count(index=alias)["count"] == size:
        # an index kept by an earlier release gets today's dynamic settings (merge policy), as `periscope up`
        # gives a live one; the merges they call for are started here and waited for by settle()
        changed = apply_dynamic_settings(es, current_index(es, alias))
        if changed:
            es.indices.forcemerge(index=alias)  # no max_num_segments: starts the policy's merges, returns
        print(f"reusing {alias} ({size} documents, kept by an earlier --keep run){' with ' + str(changed) if changed else ''}",
              flush=True)
        return {"build_s": None, "docs_per_s": None, "reused": True, "settings_applied": changed}
    install(es, alias)
    t = time.monotonic()
    # bulk-load practice: no refresh while loading (fewer tiny segments to merge), then settle;
    # two client threads so both of Elasticsearch's write threads (one per core here) are busy
    es.indices.put_settings(index=alias, settings={"index": {"refresh_interval": "-1"}})
    bulk_load(es, grow(seed, vecs, 0, size, alias))
    es.indices.put_settings(index=alias, settings={"index": {"refresh_interval": None}})
    es.indices.refresh(index=alias)
    return {"build_s": round(time.monotonic() - t, 1), "docs_per_s": round(size / (time.monotonic() - t), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed-index", required=True, help="an index of enriched Reuters stories (periscope demo)")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=100, help="bodies in the mix (the same at every size)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds over the sizes")
    ap.add_argument("--api-queries", type=int, default=100, help="API searches per size (memory)")
    ap.add_argument("--alias", default=f"s19c-scale-{os.getpid()}")
    ap.add_argument("--keep", action="store_true", help="keep the indices")
    ap.add_argument("--reuse", action="store_true",
                    help="use an index kept by an earlier --keep run (same --alias, complete) instead of building it")
    ap.add_argument("--variants", default="sampled",
                    help="comma-separated, measured interleaved in the same run: exact (every count exact), "
                         "sampled (the product), sampled:N (another sample size)")
    ap.add_argument("--facets", choices=("sidebar", "all"), default="sidebar",
                    help="facets counted per search: the search page's (default) or every facet (the API's default)")
    ap.add_argument("--out", default=str(ROOT / "bench/results/scale.json"))
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="periscope-scale-"))  # a private workspace store for the API process
    os.environ.update(PERISCOPE_DATABASE_URL=f"sqlite:///{tmp}/workspace.sqlite3", PERISCOPE_ALERTS_SCHEDULER="false")
    settings = load_settings()
    es = es_client(settings.es_connection(), request_timeout=600)
    es_url = settings.es_hosts[0].rstrip("/")
    seed, vecs = load_seed(es, args.seed_index, Path(settings.cache_dir))
    aliases = {size: f"{args.alias}-{size}" for size in sizes}
    report: dict[str, Any] = {"seed_index": args.seed_index, "seed_documents": len(seed), "es": es_url,
                              "queries": args.queries, "rounds": args.rounds, "knn_share": f"1/{KNN_SHARE}",
                              "facets": args.facets, "command": " ".join(["bench/scale.py", *sys.argv[1:]]),
                              "sizes": {}}
    try:
        for size in sizes:
            report["sizes"][size] = build(es, seed, vecs, aliases[size], size, args.reuse)
            print(f"built {aliases[size]}: {report['sizes'][size]}", flush=True)
        for size in sizes:
            row = report["sizes"][size]
            row["settle_s"] = settle(es, aliases[size])
            st = es.indices.stats(index=aliases[size], metric="store,docs,segments")["_all"]["primaries"]
            row.update(documents=st["docs"]["count"], store_mb=round(st["store"]["size_in_bytes"] / 2**20, 1),
                       segments=st["segments"]["count"])
        from nlp.topics import Encoder  # the product's encoder (USE), as the indexer embeds documents

        mix = query_mix(es, aliases[sizes[0]], args.queries)  # facet values that exist at every size
        if args.facets == "sidebar":  # what the search page asks for (search_api/ui/pages.py)
            mix = [r.model_copy(update={"facets": list(SIDEBAR)}) for r in mix]
        texts = sorted({r.q for r in mix if r.q})
        vectors = dict(zip(texts, Encoder().encode(texts).tolist()))
        variants = args.variants.split(",")
        for v in variants:
            sample_docs_of(v)
        report["variants"] = variants
        keys = [(size, v) for size in sizes for v in variants]
        jobs = {(size, v): jobs_for(es, es_url, aliases[size], mix, vectors, v) for size, v in keys}
        for key in keys:  # warm-up, every body once: caches, global ordinals, vectors paged in
            asyncio.run(run_plans(jobs[key]["bm25"] + jobs[key]["hybrid_knn"]))
        lat = {key: {"bm25": [], "hybrid_knn": []} for key in keys}
        probs: dict[tuple[int, str], list[float]] = {key: [] for key in keys}
        loads = []
        for r in range(args.rounds):  # interleaved, so the machine's load hits every size and variant alike
            for size in sizes[r % len(sizes):] + sizes[: r % len(sizes)]:
                for v in variants[r % len(variants):] + variants[: r % len(variants)]:
                    for kind in ("bm25", "hybrid_knn"):
                        asyncio.run(run_plans(jobs[size, v][kind], lat[size, v][kind], probs[size, v] if r == 0 else None))
            loads.append(os.getloadavg())
            print(f"round {r + 1}/{args.rounds} done, loadavg {loads[-1]}", flush=True)
        report["loadavg_per_round"] = loads
        for size in sizes:
            row = report["sizes"][size]
            row["variants"] = {}
            for v in variants:
                d = {k: summary(x) for k, x in lat[size, v].items()}
                d["all"] = summary(lat[size, v]["bm25"] + lat[size, v]["hybrid_knn"])
                ps = probs[size, v]
                d["searches_sampled"] = sum(p < 1 for p in ps)
                d["min_probability"] = min(ps)
                row["variants"][v] = d
            with api_server(aliases[size]) as base:
                api_jobs = [("GET", f"{base}/api/v1/search", as_params(q)) for q in mix[: args.api_queries]]
                asyncio.run(run(1, api_jobs[:20], 120))
                row["api"] = asyncio.run(run(1, api_jobs, 120))
                row["api_rss_mb"] = api_rss_mb(int(base.rsplit(":", 1)[1]))
            row["loadavg"] = os.getloadavg()
        base_row = report["sizes"][sizes[0]]
        for size in sizes:
            row = report["sizes"][size]
            for v in variants:
                d, b = row["variants"][v], base_row["variants"][v]
                d["growth_vs_smallest"] = {f"{kind}_{q}": round(d[kind][f"{q}_ms"] / b[kind][f"{q}_ms"], 2)
                                           for kind in ("bm25", "hybrid_knn", "all") for q in ("p50", "p99")}
                print(f"{size:>8} docs {v:>14}  store {row['store_mb']:8.1f} MB  bm25 p50 {d['bm25']['p50_ms']:7.1f} "
                      f"p99 {d['bm25']['p99_ms']:7.1f}  hybrid p50 {d['hybrid_knn']['p50_ms']:7.1f} p99 "
                      f"{d['hybrid_knn']['p99_ms']:7.1f}  all p50 {d['all']['p50_ms']:7.1f} "
                      f"x{d['growth_vs_smallest']['all_p50']}  sampled {d['searches_sampled']}/{len(mix)}", flush=True)
            if len(variants) > 1:
                first = row["variants"][variants[0]]["all"]
                row["p50_vs_" + variants[0]] = {v: round(row["variants"][v]["all"]["p50_ms"] / first["p50_ms"], 3)
                                                for v in variants[1:]}
            print(f"{size:>8} docs  API p50 {row['api']['p50_ms']:.1f}  API RSS {row['api_rss_mb']} MB", flush=True)
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    finally:
        if not args.keep:
            for alias in aliases.values():
                drop(es, alias)
                es.indices.delete(index=audit_pattern(alias), ignore_unavailable=True, allow_no_indices=True)
                es.options(ignore_status=404).indices.delete_index_template(name=audit_template_name(alias))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
