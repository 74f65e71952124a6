"""Ingest benchmark: Reuters-21578 into the managed node.

Measures, in one run (each phase in a fresh child process so peak RSS is its own):
* end-to-end docs/s of the full pipeline (read → skip check → enrich in the worker pool → near-duplicate
  linking → bulk) into a fresh bench alias;
* enrichment-only docs/s: the same worker pool, same batches, no Elasticsearch;
* bulk-only docs/s: the pre-enriched documents of the end-to-end run, scanned back and bulk-loaded
  into a second alias with the same loader;
* peak RSS of the indexer (main process, and the largest worker) for a small and a large run.
Rates exclude model loading (reported as ``warmup_s``). Target: e2e ≥ 0.85 × min(enrich, bulk),
peak RSS within ±10 % between the small and the large run. The bench aliases are dropped at the end
unless ``--keep``.

    .venv/bin/python bench/ingest.py [--limit N] [--small 2000] [--workers N] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ALIAS = "bench-ingest"
BULK_ALIAS = "bench-ingest-bulk"
SMALL_ALIAS = "bench-ingest-small"


class RssSampler:
    """Peak RSS of this process's descendants (enrichment workers, forkserver), sampled from /proc.

    Workers are started through the forkserver, so they are not our direct children and
    ``RUSAGE_CHILDREN`` does not see them.
    """

    def __init__(self, interval: float = 0.5) -> None:
        import os
        import threading

        self.pid, self.interval, self.peak_worker_kb, self.peak_tree_kb = os.getpid(), interval, 0, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
                status = (d / "status").read_text()
            except OSError:
                continue
            parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    rss[int(d.name)] = int(line.split()[1])
        desc, frontier = set(), {self.pid}
        while frontier:
            frontier = {p for p, pp in parents.items() if pp in frontier and p not in desc}
            desc |= frontier
        if desc:
            self.peak_worker_kb = max(self.peak_worker_kb, max(rss.get(p, 0) for p in desc))
        self.peak_tree_kb = max(self.peak_tree_kb, rss.get(self.pid, 0) + sum(rss.get(p, 0) for p in desc))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._t.join()
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"main_peak_rss_mb": round(self_mb, 1), "worker_peak_rss_mb": round(self.peak_worker_kb / 1024, 1),
                "tree_peak_rss_mb": round(self.peak_tree_kb / 1024, 1)}


def child_e2e(alias: str, limit: int | None, workers: int, batch_size: int) -> dict:
    from indexer.pipeline import Pipeline, PipelineConfig
    from indexer.sources.reuters import read_reuters, reuters_dir
    from mappings import drop
    from mappings.client import es_client
    from periscope.settings import load_settings

    sampler = RssSampler()
    settings = load_settings()
    es = es_client(settings)
    drop(es, alias)
    es.indices.delete(index=f"{alias}-ingest-log", ignore_unavailable=True)
    cfg = PipelineConfig(alias=alias, workers=workers, batch_size=batch_size,
                         dead_letter_dir=settings.cache_dir / "ingest" / "dead-letter")
    stats = Pipeline(es, cfg).run(read_reuters(reuters_dir(settings.cache_dir), limit=limit))
    es.indices.refresh(index=alias)
    out = stats.as_dict()
    out["count_in_index"] = es.count(index=alias)["count"]
    out.update(sampler.stop())
    return out


def child_enrich(limit: int, workers: int, batch_size: int) -> dict:
    from collections import deque

    from indexer.enrich import EnrichPool
    from indexer.sources.reuters import read_reuters, reuters_dir
    from nlp import EnrichInput
    from periscope.settings import load_settings

    docs = list(read_reuters(reuters_dir(load_settings().cache_dir), limit=limit))
    batches = [[EnrichInput(title=d.title, body=d.body, language_hint=d.language_hint) for d in docs[i:i + batch_size]]
               for i in range(0, len(docs), batch_size)]
    with EnrichPool(workers, recycle_after=max(1, 2048 // batch_size)) as pool:  # as the pipeline does
        t0 = time.monotonic()
        pool.wait_ready()
        warm = time.monotonic() - t0
        t0 = time.monotonic()
        inflight: deque = deque()
        n = 0
        for b in batches:
            inflight.append((pool.submit(b), b))
            while len(inflight) >= 2 * max(workers, 1) + 1:
                f, bb = inflight.popleft()
                n += len(pool.result(f, bb))
        while inflight:
            f, bb = inflight.popleft()
            n += len(pool.result(f, bb))
        dt = time.monotonic() - t0
    return {"docs": n, "elapsed_s": round(dt, 3), "docs_per_s": round(n / dt, 2), "warmup_s": round(warm, 2)}


def child_bulk(src_alias: str, alias: str, chunk: int) -> dict:
    from elasticsearch import helpers

    from indexer.loader import Loader
    from mappings import drop, install
    from mappings.client import es_client
    from periscope.settings import load_settings

    es = es_client(load_settings())
    drop(es, alias)
    install(es, alias)
    loader = Loader(es, alias, chunk_size=500)
    spent, n, batch = 0.0, 0, []

    def flush() -> None:
        nonlocal spent, n, batch
        t0 = time.monotonic()
        res = loader.load(batch)
        spent += time.monotonic() - t0
        n += res.created + res.updated
        batch = []

    for hit in helpers.scan(es, index=src_alias, query={"query": {"match_all": {}}}, size=chunk):
        batch.append(hit["_source"])
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    es.indices.refresh(index=alias)
    return {"docs": n, "elapsed_s": round(spent, 3), "docs_per_s": round(n / spent, 2) if spent else None,
            "count_in_index": es.count(index=alias)["count"]}


def _child(args: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr[-4000:])
        raise SystemExit(f"bench phase {args[0]} failed (exit {res.returncode})")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    from indexer.enrich import EnrichPool  # noqa: F401 - fail early if the package is broken
    from periscope.cli_indexer import default_workers

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="stories for the large run (0 = all 20,841 with text)")
    ap.add_argument("--small", type=int, default=2000, help="stories for the small run (RSS comparison)")
    ap.add_argument("--enrich-limit", type=int, default=0, help="stories for enrichment-only (0 = same as --limit)")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--keep", action="store_true", help="keep the bench aliases")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.json"))
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.child:
        kind, *rest = a.child
        if kind == "e2e":
            out = child_e2e(rest[0], int(rest[1]) or None, a.workers, a.batch_size)
        elif kind == "enrich":
            out = child_enrich(int(rest[0]) or None, a.workers, a.batch_size)
        else:
            out = child_bulk(rest[0], rest[1], int(rest[2]))
        print(json.dumps(out))
        return

    common = ["--workers", str(a.workers), "--batch-size", str(a.batch_size)]
    t0 = time.monotonic()
    print(f"[1/4] small end-to-end run ({a.small} stories) ...", flush=True)
    small = _child(["e2e", SMALL_ALIAS, str(a.small), *common])
    print(f"      {small['docs_per_s']} docs/s, main RSS {small['main_peak_rss_mb']} MB", flush=True)
    print(f"[2/4] large end-to-end run ({a.limit or 'all'} stories) ...", flush=True)
    large = _child(["e2e", ALIAS, str(a.limit), *common])
    print(f"      {large['docs_per_s']} docs/s, main RSS {large['main_peak_rss_mb']} MB", flush=True)
    print(f"[3/4] enrichment only ({a.enrich_limit or a.limit or 'all'} stories) ...", flush=True)
    enrich = _child(["enrich", str(a.enrich_limit or a.limit), *common])
    print(f"      {enrich['docs_per_s']} docs/s", flush=True)
    print("[4/4] bulk only (pre-enriched documents of the large run) ...", flush=True)
    bulk = _child(["bulk", ALIAS, BULK_ALIAS, "500", *common])
    print(f"      {bulk['docs_per_s']} docs/s", flush=True)

    bound = min(enrich["docs_per_s"], bulk["docs_per_s"] or float("inf"))
    ratio = large["docs_per_s"] / bound if bound else None
    rss_delta = (large["main_peak_rss_mb"] - small["main_peak_rss_mb"]) / small["main_peak_rss_mb"]
    wrk_delta = (large["worker_peak_rss_mb"] - small["worker_peak_rss_mb"]) / max(small["worker_peak_rss_mb"], 1)
    result = {
        "benchmark": "ingest", "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "bench/ingest.py", *sys.argv[1:]]),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                    "loadavg_at_end": list(__import__("os").getloadavg())},
        "workers": a.workers, "batch_size": a.batch_size,
        "end_to_end": large, "small_run": small, "enrich_only": enrich, "bulk_only": bulk,
        "e2e_over_min_enrich_bulk": round(ratio, 3) if ratio else None, "target_ratio": 0.85,
        "ratio_met": bool(ratio and ratio >= 0.85),
        "rss_main_change": round(rss_delta, 3), "rss_worker_change": round(wrk_delta, 3),
        "rss_flat_within_10pct": abs(rss_delta) <= 0.10 and abs(wrk_delta) <= 0.10,
        "total_bench_s": round(time.monotonic() - t0, 1),
    }
    if not a.keep:
        from mappings import drop
        from mappings.client import es_client
        from periscope.settings import load_settings

        es = es_client(load_settings())
        for alias in (ALIAS, BULK_ALIAS, SMALL_ALIAS):
            drop(es, alias)
            es.indices.delete(index=f"{alias}-ingest-log", ignore_unavailable=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("e2e_over_min_enrich_bulk", "ratio_met", "rss_main_change",
                                             "rss_worker_change", "rss_flat_within_10pct")}, indent=1))
    print(f"e2e {large['docs_per_s']} docs/s | enrich-only {enrich['docs_per_s']} docs/s | "
          f"bulk-only {bulk['docs_per_s']} docs/s → saved {a.out}")


if __name__ == "__main__":
    main()
