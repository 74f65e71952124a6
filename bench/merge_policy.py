"""What the contract's merge policy costs while loading, against Elasticsearch's defaults (issue 19).

    .venv/bin/python bench/merge_policy.py --seed-index p17-reuters-v2 --docs 20000

The contract (``mappings.contract.MERGE_POLICY``) merges more so that searches visit fewer segments; the
price is paid by ingest. Each policy loads the same ``--docs`` documents (bench/scale.py's corpus: enriched
Reuters stories and their variants, vectors included) into a fresh index of the contract — once with its
merge policy, once with the merge settings removed (Elasticsearch's defaults) — as the indexer writes: bulk
requests of 500 from two client threads, refresh every second. Order A B B A, so a drift of the machine
hits both alike. Reported per policy: documents per second until the last bulk answer, then the time until
background merges are done, bytes merged per byte stored (write amplification), segments at the end.
Prints and saves bench/results/merge_policy.json; the indices are deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mappings import drop, index_body, install  # noqa: E402
from mappings.client import es_client  # noqa: E402
from mappings.contract import MERGE_POLICY  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from scale import bulk_load, grow, load_seed, settle  # noqa: E402


def merge_settings(policy: str) -> dict[str, Any] | None:
    """``contract``: the contract's; ``defaults``: Elasticsearch's (None); else ``name=value/name=value`` of
    ``index.merge.policy.*`` settings to try (e.g. ``floor_segment=128mb/segments_per_tier=5``)."""
    if policy == "contract":
        return dict(MERGE_POLICY)
    if policy == "defaults":
        return None
    return {k: v for k, _, v in (kv.partition("=") for kv in policy.split("/"))}


def load_once(es: Any, seed: list[dict[str, Any]], vecs: Any, alias: str, policy: str, docs: int) -> dict[str, Any]:
    body = index_body()
    merge = merge_settings(policy)
    if merge is None:
        del body["settings"]["index"]["merge"]
    else:
        body["settings"]["index"]["merge"] = {"policy": merge}
    install(es, alias, body=body)
    try:
        t = time.monotonic()
        bulk_load(es, grow(seed, vecs, 0, docs, alias))
        load_s = time.monotonic() - t
        settle_s = settle(es, alias)
        es.indices.refresh(index=alias)
        st = es.indices.stats(index=alias, metric="merge,store,segments,docs")["_all"]["primaries"]
        store = st["store"]["size_in_bytes"]
        return {"documents": st["docs"]["count"], "load_s": round(load_s, 1), "docs_per_s": round(docs / load_s, 1),
                "settle_s": settle_s, "total_s": round(load_s + settle_s, 1), "segments": st["segments"]["count"],
                "store_mb": round(store / 2**20, 1), "merged_mb": round(st["merges"]["total_size_in_bytes"] / 2**20, 1),
                "merged_per_stored": round(st["merges"]["total_size_in_bytes"] / store, 2),
                "merge_time_s": round(st["merges"]["total_time_in_millis"] / 1000, 1)}
    finally:
        drop(es, alias)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed-index", required=True, help="an index of enriched Reuters stories (periscope demo)")
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--policies", default="contract,defaults",
                    help="comma-separated: contract, defaults, or name=value/name=value merge policy settings")
    ap.add_argument("--out", default=str(ROOT / "bench/results/merge_policy.json"))
    args = ap.parse_args()
    settings = load_settings()
    es = es_client(settings.es_connection(), request_timeout=600)
    seed, vecs = load_seed(es, args.seed_index, Path(settings.cache_dir))
    policies = args.policies.split(",")
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in policies}
    for i, policy in enumerate(policies + policies[::-1]):  # A B B A: a drift of the machine hits both alike
        row = load_once(es, seed, vecs, f"mergebench-{os.getpid()}-{i}", policy, args.docs)
        runs[policy].append(row)
        print(f"{policy}: {row}", flush=True)
    keys = ("docs_per_s", "total_s", "segments", "merged_per_stored", "merge_time_s")
    summary = {p: {k: round(statistics.mean(r[k] for r in rows), 2) for k in keys} for p, rows in runs.items()}
    if "defaults" in summary:
        for p in policies:
            if p != "defaults":
                summary[f"{p} vs defaults"] = {k: round(summary[p][k] / summary["defaults"][k], 3)
                                               for k in ("docs_per_s", "total_s") if summary["defaults"][k]}
    for name, row in summary.items():
        print(f"{name}: {row}", flush=True)
    report = {"command": " ".join(["bench/merge_policy.py", *sys.argv[1:]]), "contract_merge_policy": MERGE_POLICY,
              "policies": policies, "docs": args.docs, "runs": runs, "summary": summary, "loadavg": os.getloadavg()}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
