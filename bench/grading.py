"""Grading bench (issue 16): regrade cost and corroboration precision, on a real node.

* **Regrade**: a source of ``--docs`` (10,000) documents. ``regrade_source`` (PIT scan of the source's
  documents not yet at the grade, guarded bulk partial updates, conflict retry, verification count and
  refresh) against a bare PIT scan + unguarded bulk partial update of the same one field on the same
  documents. Runs interleaved; the ratio of medians is the figure (target ≤ 1.5×). The documents are
  whole Reuters-21578 stories as indexed by the demo (text, entities, 512-d vectors: a partial update
  rewrites the whole document), copied from ``--from`` into a throw-away index and cycled with new ids
  when the demo index holds fewer than ``--docs`` (said in the output).
* **Corroboration precision**: every same-story pair the matcher finds in ``--from`` (sample of
  ``--pairs``), judged by content with a rule the matcher does not use: the pair is *the same story*
  when the two share a near-duplicate fingerprint (``cluster_id`` / an LSH band), or their titles share
  ≥ 40 % of their content words (Jaccard of lowercased words of ≥ 3 letters), or they share ≥ 2 of
  their YAKE keywords. Target ≥ 0.9.

    .venv/bin/python bench/grading.py [--from periscope] [--docs 10000] [--pairs 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elasticsearch.helpers import bulk  # noqa: E402

from mappings import drop, install  # noqa: E402
from mappings.client import es_client  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api import corroboration as C  # noqa: E402
from search_api.regrade import pit_scan, regrade_source  # noqa: E402

SOURCE = "bench-wire"
WORD = re.compile(r"[a-z]{3,}")


def copy_docs(es, src_alias: str, alias: str, n: int) -> int:  # noqa: ANN001
    originals = [h["_source"] for hits in pit_scan(es, src_alias, {"match_all": {}}, source=True) for h in hits]
    if not originals:
        raise SystemExit(f"{src_alias} is empty: run `periscope demo` first (or pass --from)")

    def docs():  # noqa: ANN202
        for i in range(n):
            src = dict(originals[i % len(originals)], id=f"bench-{i}", source=SOURCE, reliability="F")
            yield {"_index": alias, "_id": src["id"], "_source": src}

    bulk(es, docs(), chunk_size=500, request_timeout=120)
    es.indices.refresh(index=alias)
    return len(originals)


def bare(es, alias: str, grade: str) -> float:  # noqa: ANN001
    """The baseline: PIT scan of the source + bulk partial update of one field, nothing else."""
    t0 = time.perf_counter()
    for hits in pit_scan(es, alias, {"term": {"source": SOURCE}}):
        ops = []
        for h in hits:
            ops += [{"update": {"_index": h["_index"], "_id": h["_id"]}}, {"doc": {"reliability": grade}}]
        es.bulk(operations=ops)
    es.indices.refresh(index=alias)
    return time.perf_counter() - t0


def regrade_bench(es, src_alias: str, n: int, repeat: int) -> dict:  # noqa: ANN001
    alias = f"bench-grading-{uuid.uuid4().hex[:8]}"
    install(es, alias)
    try:
        distinct = copy_docs(es, src_alias, alias, n)
        grades = iter("BCDEABCDEABCDEABCDE")
        ours, base = [], []
        for _ in range(repeat):
            base.append(bare(es, alias, next(grades)))
            r = regrade_source(es, alias, SOURCE, next(grades))
            assert r.updated == n and r.left == 0 and r.failed == 0, r
            ours.append(r.seconds)
        ratio = statistics.median(ours) / statistics.median(base)
        return {"docs": n, "distinct_stories": distinct, "regrade_s": ours, "bare_s": base,
                "ratio_of_medians": round(ratio, 3), "docs_per_s": round(n / statistics.median(ours))}
    finally:
        drop(es, alias)


def words(text: str | None) -> set[str]:
    return set(WORD.findall((text or "").lower()))


def judge(a: dict, b: dict) -> str | None:
    """Why a human-checkable rule says the pair is the same story (None: it does not)."""
    if a.get("cluster_id") and a.get("cluster_id") == b.get("cluster_id"):
        return "near-duplicate fingerprint (cluster_id)"
    if set(a.get("lsh_bands") or []) & set(b.get("lsh_bands") or []):
        return "near-duplicate fingerprint (LSH band)"
    ta, tb = words(a.get("title")), words(b.get("title"))
    if ta and tb and len(ta & tb) / len(ta | tb) >= 0.4:
        return "title words (Jaccard ≥ 0.4)"
    if len({k.lower() for k in a.get("keywords") or []} & {k.lower() for k in b.get("keywords") or []}) >= 2:
        return "≥ 2 shared keywords"
    return None


def precision_bench(es, src_alias: str, pairs: int) -> dict:  # noqa: ANN001
    fields = [*C.SOURCE_FIELDS, "title", "keywords", "lsh_bands"]
    hits = [h for page in pit_scan(es, src_alias, {"match_all": {}}, source=fields) for h in page]
    reports = [C.report_from_hit(h) for h in hits]
    t0 = time.perf_counter()
    near = C.neighbours(reports)
    took = time.perf_counter() - t0
    found = sorted({tuple(sorted((a, b.id))) for a, nb in near.items() for b in nb})
    sample = random.Random(16).sample(found, min(pairs, len(found)))
    src = {h["_id"]: h["_source"] for h in hits}
    verdicts = [(a, b, judge(src[a], src[b])) for a, b in sample]
    good = [v for v in verdicts if v[2]]
    reasons: dict[str, int] = {}
    for _, _, why in good:
        reasons[why] = reasons.get(why, 0) + 1
    return {"documents": len(reports), "pairs_found": len(found), "pairs_judged": len(sample),
            "same_story": len(good), "precision": round(len(good) / max(1, len(sample)), 3),
            "judged_by": reasons, "matching_s": round(took, 2),
            "rejected_examples": [(src[a].get("title"), src[b].get("title")) for a, b, why in verdicts if not why][:10]}


def rules_bench(es, src_alias: str) -> dict:  # noqa: ANN001
    """Every same-story pair of the corpus judged, with and without the strong-entity tier (issue 16 demo):
    what the tier adds and what it costs in precision, on the whole population rather than a sample."""
    fields = [*C.SOURCE_FIELDS, "title", "keywords", "lsh_bands"]
    hits = [h for page in pit_scan(es, src_alias, {"match_all": {}}, source=fields) for h in page]
    reports = [C.report_from_hit(h) for h in hits]
    src = {h["_id"]: h["_source"] for h in hits}

    def judged(strong: int) -> dict:
        saved, C.STRONG_SHARED = C.STRONG_SHARED, strong
        try:
            near = C.neighbours(reports)
        finally:
            C.STRONG_SHARED = saved
        pairs = {tuple(sorted((a, b.id))) for a, nb in near.items() for b in nb}
        same = sum(1 for a, b in pairs if judge(src[a], src[b]))
        return {"pairs": len(pairs), "judged_same": same, "precision": round(same / max(1, len(pairs)), 3)}

    return {"documents": len(reports), "without_strong_tier": judged(10**9), "with_strong_tier": judged(C.STRONG_SHARED),
            "rule": f"cosine >= {C.MIN_COSINE}, or >= {C.STRONG_SHARED} shared names within {C.STRONG_WINDOW} "
                    f"and cosine >= {C.MIN_COSINE_STRONG}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from", dest="src", default=None, help="index alias holding the demo corpus")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rules", action="store_true", help="only judge every pair with and without the strong tier")
    args = ap.parse_args()
    settings = load_settings()
    es = es_client(settings.es_connection(), request_timeout=300)
    src = args.src or settings.index_alias
    if args.rules:
        out = rules_bench(es, src)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        (ROOT / "bench" / "results" / "grading_rules.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return
    out = {"precision": precision_bench(es, src, args.pairs), "regrade": regrade_bench(es, src, args.docs, args.repeat)}
    print(json.dumps(out, indent=2, ensure_ascii=False))
    (ROOT / "bench" / "results" / "grading.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
