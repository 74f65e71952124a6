"""`periscope index --workers N`: end-to-end speed-up from 1 to 2 enrichment workers, with the ES load.

    .venv/bin/python bench/workers.py --limit 3000 --workers 1 2
    .venv/bin/python bench/workers.py --limit 0 --workers 2 --out bench/results/workers_full.json
        # the whole Reuters corpus: worker memory over a long run

Each run is the real pipeline (read → skip check → enrich in the worker pool → near-duplicate linking →
bulk) into a fresh alias ``t20-workers-<N>`` (dropped afterwards), in its own child process. While it
runs, the enrichment workers are sampled every second from /proc (CPU time, RSS), and so are the load
average and the Elasticsearch node's own CPU (``_nodes/_local/stats``). On a shared machine the wall-clock
speed-up is depressed by other load; CPU-seconds per document per worker say what a worker costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float, int]]:
    """pid → (parent pid, CPU seconds, RSS kB) for every readable process."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            rss = next((int(line.split()[1]) for line in (d / "status").read_text().splitlines()
                        if line.startswith("VmRSS:")), 0)
        except (OSError, StopIteration, ValueError):
            continue
        out[int(d.name)] = (int(stat[1]), (int(stat[11]) + int(stat[12])) / TICK, rss)
    return out


class Sampler:
    """Descendants of ``root`` (the forkserver's workers included): CPU, RSS; plus load and ES CPU."""

    def __init__(self, root: int, es_cpu) -> None:  # noqa: ANN001
        self.root, self.es_cpu = root, es_cpu
        self.cpu: dict[int, float] = {}  # last CPU seconds seen per descendant
        self.rss: dict[int, list[float]] = {}  # RSS MB samples per descendant
        self.rss_t: dict[int, list[float]] = {}  # when each of those samples was taken (s since start)
        self.load: list[float] = []
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t0 = time.monotonic()
        self._t.start()

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            table = _proc_table()
            desc, frontier = set(), {self.root}
            while frontier:
                frontier = {p for p, (pp, _, _) in table.items() if pp in frontier and p not in desc}
                desc |= frontier
            for p in desc:
                _, cpu, rss = table[p]
                self.cpu[p] = cpu
                self.rss.setdefault(p, []).append(rss / 1024)
                self.rss_t.setdefault(p, []).append(time.monotonic() - self._t0)
            self.load.append(os.getloadavg()[0])
            workers = [table[p][2] / 1024 for p in desc if table[p][2] > 200 * 1024]  # model-holding processes
            self.samples.append({"t": round(time.monotonic() - self._t0, 1), "load1": self.load[-1],
                                 "worker_rss_mb": sorted(round(w) for w in workers)})

    def stop(self) -> None:
        self._stop.set()
        self._t.join()


def child(alias: str, limit: int | None, workers: int, batch_size: int) -> dict:
    from indexer.pipeline import Pipeline, PipelineConfig
    from indexer.sources.reuters import read_reuters, reuters_dir
    from mappings import drop
    from mappings.client import es_client
    from periscope.settings import load_settings

    settings = load_settings()
    es = es_client(settings)
    drop(es, alias)
    es.indices.delete(index=f"{alias}-ingest-log", ignore_unavailable=True)

    def es_cpu_s() -> float:
        node = next(iter(es.nodes.stats(node_id="_local", metric="process")["nodes"].values()))
        return node["process"]["cpu"]["total_in_millis"] / 1000

    sampler = Sampler(os.getpid(), es_cpu_s)
    es0, load0, cpu0 = es_cpu_s(), os.getloadavg(), time.process_time()
    cfg = PipelineConfig(alias=alias, workers=workers, batch_size=batch_size,
                         dead_letter_dir=settings.cache_dir / "ingest" / "dead-letter")
    stats = Pipeline(es, cfg).run(read_reuters(reuters_dir(settings.cache_dir), limit=limit))
    es.indices.refresh(index=alias)
    sampler.stop()
    out = stats.as_dict()
    docs = out.get("created", 0) + out.get("updated", 0) + out.get("unchanged", 0)
    worker_cpu = {p: c for p, c in sampler.cpu.items() if max(sampler.rss.get(p, [0])) > 200}
    n_workers_seen = len(worker_cpu)
    es_cpu = es_cpu_s() - es0
    out.update({
        "workers": workers, "docs": docs, "count_in_index": es.count(index=alias)["count"],
        # the pool's model loading (warmup_s) is paid once per run: on a short run it hides the steady rate
        "docs_per_s_after_warmup": round(docs / max(1e-9, out["elapsed_s"] - (out.get("warmup_s") or 0.0)), 2),
        "main_cpu_s": round(time.process_time() - cpu0, 1),
        "worker_processes_seen": n_workers_seen,  # > workers: recycled every ~16,384 documents (PipelineConfig.recycle_worker_docs)
        "worker_cpu_s_total": round(sum(worker_cpu.values()), 1),
        "worker_cpu_ms_per_doc": round(1000 * sum(worker_cpu.values()) / max(1, docs), 2),
        "es_cpu_s": round(es_cpu, 1), "es_cpu_ms_per_doc": round(1000 * es_cpu / max(1, docs), 2),
        "loadavg_start": load0, "loadavg_end": os.getloadavg(),
        "load1_mean": round(sum(sampler.load) / max(1, len(sampler.load)), 2),
        "worker_peak_rss_mb_each": sorted(round(max(v)) for p, v in sampler.rss.items() if p in worker_cpu),
        # flat memory: each worker's RSS once the pool is warm (models loaded: ``warmup_s`` + 10 s), first
        # sample to last, and the range in between
        **_rss_after_warmup(sampler, worker_cpu, out.get("warmup_s") or 0.0),
        "rss_samples_every_10s": sampler.samples[::10],
    })
    drop(es, alias)
    for suffix in ("ingest-log", "ingest-runs"):  # the run's failure log and summary
        es.indices.delete(index=f"{alias}-{suffix}", ignore_unavailable=True)
    return out


def _rss_after_warmup(sampler: Sampler, workers: dict, warmup_s: float) -> dict:
    """Per worker process, its RSS samples once its models are in: after the pool's warm-up and from the
    first sample at 80 % of its own peak (a worker recycled mid-run loads its models later)."""
    growth, ranges = [], []
    for p in workers:
        rss = [r for t, r in zip(sampler.rss_t.get(p, []), sampler.rss.get(p, [])) if t > warmup_s]
        loaded = next((i for i, r in enumerate(rss) if rss and r >= 0.8 * max(rss)), len(rss))
        warm = rss[loaded:]
        if len(warm) >= 2:
            growth.append(round(warm[-1] - warm[0]))
            ranges.append([round(min(warm)), round(max(warm))])
    return {"worker_rss_growth_mb_each": sorted(growth), "worker_rss_range_after_warmup_mb": sorted(ranges)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=3000, help="Reuters stories (0 = all 20,841 with text)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "workers.json")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], a.limit or None, int(a.child[1]), a.batch_size)))
        return
    report: dict = {"command": " ".join([".venv/bin/python bench/workers.py"] + sys.argv[1:]),
                    "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": {}}
    for n in a.workers:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--limit", str(a.limit),
               "--batch-size", str(a.batch_size), "--child", f"t20-workers-{n}", str(n)]
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if res.returncode != 0:
            sys.stderr.write(res.stderr[-4000:])
            raise SystemExit(f"run with {n} workers failed (exit {res.returncode})")
        r = report["runs"][str(n)] = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"{n} worker(s): {r['docs_per_s']} docs/s end to end ({r['docs_per_s_after_warmup']} after the "
              f"{r['warmup_s']} s warm-up), {r['worker_cpu_ms_per_doc']} worker CPU-ms/doc, "
              f"ES {r['es_cpu_ms_per_doc']} CPU-ms/doc, load1 mean {r['load1_mean']}, "
              f"worker peak RSS {r['worker_peak_rss_mb_each']} MB; after warm-up RSS {r['worker_rss_range_after_warmup_mb']} "
              f"MB, first to last {r['worker_rss_growth_mb_each']} MB (flat: ~0); worker CPU-s {r['worker_cpu_s_total']}",
              flush=True)
    runs = report["runs"]
    if "1" in runs and "2" in runs:
        report["speedup_2_over_1"] = round(runs["2"]["docs_per_s"] / runs["1"]["docs_per_s"], 3)
        report["speedup_2_over_1_after_warmup"] = round(runs["2"]["docs_per_s_after_warmup"]
                                                        / runs["1"]["docs_per_s_after_warmup"], 3)
        report["worker_cpu_per_doc_2_over_1"] = round(runs["2"]["worker_cpu_ms_per_doc"]
                                                      / runs["1"]["worker_cpu_ms_per_doc"], 3)
        print(f"speed-up 1 → 2 workers: {report['speedup_2_over_1']}× end to end, "
              f"{report['speedup_2_over_1_after_warmup']}× after warm-up (worker CPU per doc "
              f"{report['worker_cpu_per_doc_2_over_1']}× of 1-worker's)")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"saved {a.out}")


if __name__ == "__main__":
    main()
