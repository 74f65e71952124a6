"""How good is ``/documents/{id}/similar``? Two third-party evaluation sets (bench/evalsets.py):

* **parallel multilingual** (man pages in up to 9 languages): for each document, recall@10 of its own
  translations among the similar documents;
* **news similarity** (Lee LP50, 50 stories, human judgments of all 1,225 pairs): Spearman correlation
  between the human similarity and the system's (the score of j in i's similar list, best of both
  directions, 0 when absent).

Variants, on the same throw-away indices: ``api`` (the real :class:`SearchService.similar`), ``vector``
(kNN alone), ``text`` (the API's more-like-this alone) and ``before`` (the previous answer: rank fusion
of a ``min_doc_freq: 1`` more-like-this list with the kNN list).

    .venv/bin/python bench/similar.py            # → bench/results/similar.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import evalsets  # noqa: E402
from evalindex import EvalDoc, eval_index, run_async  # noqa: E402
from mappings import VECTOR_FIELD  # noqa: E402
from mappings.client import async_es_client, es_client  # noqa: E402
from nlp.topics import Encoder  # noqa: E402
from periscope.settings import load_settings  # noqa: E402
from search_api import similar as S  # noqa: E402
from search_api.access import OPEN  # noqa: E402
from search_api.service import SearchService  # noqa: E402

BEFORE_MLT = {"min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 25, "minimum_should_match": "20%"}


def variant_lists(es, alias: str, doc_id: str, size: int) -> dict[str, list[tuple[str, float]]]:
    """(id, score) lists of the bench-only variants for one document."""
    got = es.get(index=alias, id=doc_id, source_exclude_vectors=False, source_includes=[VECTOR_FIELD, "duplicate_of", "cluster_id"])
    src = got["_source"]
    vector = src[VECTOR_FIELD]
    exclude = S.same_story_filter(src, doc_id)
    knn = es.search(index=alias, knn={"field": VECTOR_FIELD, "query_vector": vector, "k": size,
                                      "num_candidates": max(100, 5 * size), "filter": exclude}, size=size, source=False)
    text = es.search(index=alias, query={"bool": {"must": [S.more_like_this(alias, doc_id)], "filter": [exclude]}},
                     size=size, source=False)
    old_mlt = {"more_like_this": {"fields": S.MLT_FIELDS, "like": [{"_index": alias, "_id": doc_id}], **BEFORE_MLT}}
    old = es.search(index=alias, query={"bool": {"must": [old_mlt], "filter": [exclude]}}, size=size, source=False)
    fused: dict[str, float] = {}
    for res in (old, knn):
        for rank, h in enumerate(res["hits"]["hits"]):
            fused[h["_id"]] = fused.get(h["_id"], 0.0) + 1.0 / (60 + rank)
    pairs = lambda res: [(h["_id"], h["_score"]) for h in res["hits"]["hits"]]  # noqa: E731
    return {"vector": pairs(knn), "text": pairs(text),
            "before": sorted(fused.items(), key=lambda kv: -kv[1])[:size]}


async def api_lists(conn, alias: str, ids: list[str], size: int) -> dict[str, list[tuple[str, float]]]:
    es = async_es_client(conn)
    try:
        svc = SearchService(es, alias)
        out = {}
        for doc_id in ids:
            hits = (await svc.similar(doc_id, OPEN, size=size)).hits
            out[doc_id] = [(h.id, h.score or 0.0) for h in hits]
        return out
    finally:
        await es.close()


def all_variants(es, conn, alias: str, ids: list[str], size: int) -> dict[str, dict[str, list[tuple[str, float]]]]:
    out: dict[str, dict[str, list[tuple[str, float]]]] = {"api": run_async(api_lists(conn, alias, ids, size))}
    for doc_id in ids:
        for name, lst in variant_lists(es, alias, doc_id, size).items():
            out.setdefault(name, {})[doc_id] = lst
    return out


def parallel_set(es, conn, encoder: Encoder, size: int) -> dict[str, Any]:
    pages = evalsets.manpages(min_langs=4)
    docs = [EvalDoc(f"{p.page}:{lang}", lang, p.title, p.body) for versions in pages.values() for lang, p in versions.items()]
    with eval_index(es, "s19q-similar-man", docs, encoder) as alias:
        ids = [d.id for d in docs]
        lists = all_variants(es, conn, alias, ids, size)
    result: dict[str, Any] = {"documents": len(docs), "pages": len(pages), "k": size}
    for name, per_doc in lists.items():
        recalls, by_lang = [], {}
        for doc_id, lst in per_doc.items():
            page, lang = doc_id.rsplit(":", 1)
            wanted = {f"{page}:{other}" for other in pages[page] if other != lang}
            r = len(wanted & {i for i, _ in lst[:size]}) / len(wanted)
            recalls.append(r)
            by_lang.setdefault(lang, []).append(r)
        result[name] = {"recall_at_10": round(float(np.mean(recalls)), 3),
                        "by_language": {k: round(float(np.mean(v)), 3) for k, v in sorted(by_lang.items())}}
    return result


def lee_set(es, conn, encoder: Encoder) -> dict[str, Any]:
    texts, human = evalsets.lee()
    docs = [EvalDoc(f"lee-{i:02d}", "en", "", t) for i, t in enumerate(texts)]
    n = len(docs)
    with eval_index(es, "s19q-similar-lee", docs, encoder) as alias:
        lists = all_variants(es, conn, alias, [d.id for d in docs], n - 1)
    iu = np.triu_indices(n, 1)
    result: dict[str, Any] = {"documents": n, "pairs": len(iu[0])}
    for name, per_doc in lists.items():
        score = np.zeros((n, n))
        for doc_id, lst in per_doc.items():
            i = int(doc_id[4:])
            for other, s in lst:
                j = int(other[4:])
                score[i, j] = score[j, i] = max(score[i, j], s)
        rho = spearmanr(human[iu], score[iu]).statistic
        result[name] = {"spearman": round(float(rho), 3)}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "bench/results/similar.json"))
    args = ap.parse_args()
    settings = load_settings()
    conn = settings.es_connection()
    es = es_client(conn, request_timeout=120)
    encoder = Encoder(threads=1)
    t = time.perf_counter()
    report = {"parallel_manpages": parallel_set(es, conn, encoder, 10), "lee_lp50": lee_set(es, conn, encoder),
              "command": " ".join(["bench/similar.py"] + sys.argv[1:]), "seconds": round(time.perf_counter() - t, 1)}
    print(json.dumps(report, indent=2))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
