"""Regrade: bulk partial updates over a PIT scan with optimistic concurrency, on a real node (issue 16)."""

from __future__ import annotations

import threading

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk

from search_api.regrade import guarded_update, regrade_source

N = 1200  # more than one scan page at page=250


def _load(es: Elasticsearch, alias: str, source: str, n: int, grade: str = "F") -> None:
    docs = ({"_index": alias, "_id": f"{source}-{i}", "_source": {
        "id": f"{source}-{i}", "source": source, "title": f"story {i}", "reliability": grade}} for i in range(n))
    bulk(es, docs, refresh=True)


def _count(es: Elasticsearch, alias: str, query: dict) -> int:
    return es.count(index=alias, query=query)["count"]


def test_regrade_updates_every_document_of_the_source_only(es: Elasticsearch, index_alias: str):
    _load(es, index_alias, "wire-a", N)
    _load(es, index_alias, "wire-b", 50)
    seen: list[tuple[int, int]] = []
    result = regrade_source(es, index_alias, "wire-a", "B", page=250, progress=lambda d, t: seen.append((d, t)))
    assert (result.matched, result.updated, result.failed, result.left) == (N, N, 0, 0)
    assert seen[-1] == (N, N) and len(seen) == N // 250 + 1  # one progress report per page
    assert _count(es, index_alias, {"bool": {"filter": [{"term": {"source": "wire-a"}}, {"term": {"reliability": "B"}}]}}) == N
    assert _count(es, index_alias, {"bool": {"filter": [{"term": {"source": "wire-b"}}, {"term": {"reliability": "F"}}]}}) == 50
    again = regrade_source(es, index_alias, "wire-a", "B")  # nothing left to do: the scan skips graded docs
    assert (again.matched, again.updated) == (0, 0)


def test_a_write_between_scan_and_update_is_retried_not_lost(es: Elasticsearch, index_alias: str):
    """Deterministic race: while the bulk for a page is built, another writer changes some of its docs."""
    _load(es, index_alias, "race", 300)
    touched: set[str] = set()

    def fields(doc_id: str) -> dict:
        if doc_id.endswith("7") and doc_id not in touched:  # 30 docs rewritten by "ingest" mid-flight
            touched.add(doc_id)
            es.update(index=index_alias, id=doc_id, doc={"title": f"rewritten {doc_id}"})
        return {"reliability": "C"}

    result = guarded_update(es, index_alias, {"term": {"source": "race"}}, fields,
                            still_needed=lambda d: d["source"] == "race", page=100)
    assert result.conflicts == len(touched) == 30 and result.updated == 300 and result.left == 0
    for doc_id in touched:  # both writes survived: the writer's title and the regrade's grade
        src = es.get(index=index_alias, id=doc_id)["_source"]
        assert src["title"] == f"rewritten {doc_id}" and src["reliability"] == "C"


def test_conflicts_that_no_longer_need_the_update_are_dropped(es: Elasticsearch, index_alias: str):
    """Seen in `make run`: every conflicted document was moved away meanwhile, so the retry is empty —
    the update must finish (an empty _bulk is a 400 from Elasticsearch), not crash the demo."""
    _load(es, index_alias, "moving", 20)

    def fields(doc_id: str) -> dict:
        if doc_id == "moving-3":
            es.update(index=index_alias, id=doc_id, doc={"source": "elsewhere"})
        return {"reliability": "D"}

    result = guarded_update(es, index_alias, {"term": {"source": "moving"}}, fields,
                            still_needed=lambda d: d["source"] == "moving", page=50)
    assert (result.conflicts, result.updated, result.failed) == (1, 19, 0)
    assert es.get(index=index_alias, id="moving-3")["_source"]["source"] == "elsewhere"


def test_regrade_while_ingest_rewrites_the_same_documents(es: Elasticsearch, index_alias: str):
    """A real concurrent writer re-indexes whole documents (with the old grade) during the regrade."""
    _load(es, index_alias, "busy", N)
    stop = threading.Event()
    rewrites: list[int] = []

    def ingest() -> None:
        i = 0
        while not stop.is_set() and i < N:
            es.index(index=index_alias, id=f"busy-{i}", document={
                "id": f"busy-{i}", "source": "busy", "title": f"updated {i}", "reliability": "F"})
            rewrites.append(i)
            i += 7

    writer = threading.Thread(target=ingest)
    writer.start()
    first = regrade_source(es, index_alias, "busy", "A", page=200)
    stop.set()
    writer.join()
    final = regrade_source(es, index_alias, "busy", "A", page=200)  # what a later run (or round) finds
    assert first.failed == 0 and final.failed == 0 and final.left == 0
    assert _count(es, index_alias, {"term": {"source": "busy"}}) == N
    assert _count(es, index_alias, {"bool": {"filter": [{"term": {"source": "busy"}}, {"term": {"reliability": "A"}}]}}) == N
    for i in rewrites[:20]:  # the ingest's own changes are kept
        assert es.get(index=index_alias, id=f"busy-{i}")["_source"]["title"] == f"updated {i}"
