"""Bulk partial updates of grading fields over a point-in-time scan, with optimistic concurrency.

The core Elasticsearch distribution has no ``_update_by_query`` we may rely on, so a regrade is:

1. open a point in time (PIT) on the alias and page through the source's documents that do not yet
   carry the new value (``search_after`` on ``_shard_doc``, ``seq_no_primary_term``, no ``_source``);
2. send each page as one ``_bulk`` of partial updates guarded by ``if_seq_no`` / ``if_primary_term``;
3. a 409 means a writer (ingest) changed the document since the scan: read its new sequence number and
   retry it (bounded), so a concurrent rewrite is never silently overwritten by a stale copy;
4. refresh and look again for documents still carrying another value (written by an ingest that started
   with the old grade): another bounded round fixes them. The result says what is left, if anything.

Synchronous on purpose: it runs from the CLI and, for the API, in a worker thread.

Need-to-know: these scans are maintenance of a source-wide property (a source's grade applies to all
its documents, whatever collection they are in); they return counts, never document content, so they
do not go through ``SearchService._search``. Every read on behalf of a user still does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

PAGE = 1000  # documents per scan page = per bulk request
KEEP_ALIVE = "2m"
MAX_CONFLICT_RETRIES = 5
MAX_ROUNDS = 3  # full passes (scan + verification) before giving up and reporting what is left

Progress = Callable[[int, int], None]  # (documents updated so far, documents to update)


@dataclass
class UpdateResult:
    matched: int = 0  # documents found needing the change (all rounds)
    updated: int = 0
    conflicts: int = 0  # version conflicts met and retried
    failed: int = 0  # documents that could not be updated (error other than a conflict)
    left: int = 0  # documents still needing the change after the last round
    rounds: int = 0
    seconds: float = 0.0


def pit_scan(es: Elasticsearch, alias: str, query: dict[str, Any], *, page: int = PAGE,
             source: list[str] | bool = False):  # noqa: ANN201 - yields lists of hits
    """Yield pages of hits (``_id``, ``_index``, ``_seq_no``, ``_primary_term``) under one PIT."""
    pit = es.open_point_in_time(index=alias, keep_alive=KEEP_ALIVE)["id"]
    after: list[Any] | None = None
    try:
        while True:
            body: dict[str, Any] = {"query": query, "size": page, "sort": [{"_shard_doc": "asc"}],
                                    "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
                                    "seq_no_primary_term": True, "_source": source, "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            resp = es.search(body=body)
            pit = resp.get("pit_id", pit)
            hits = resp["hits"]["hits"]
            if not hits:
                return
            yield hits
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


def _bulk_guarded(es: Elasticsearch, items: list[tuple[str, str, int, int]], fields: Callable[[str], dict[str, Any]]
                  ) -> tuple[int, list[tuple[str, str]], int]:
    """One ``_bulk`` of guarded partial updates: (updated, conflicted (index, id), failed)."""
    if not items:  # e.g. every conflicted document was re-read and no longer needs the update
        return 0, [], 0
    ops: list[dict[str, Any]] = []
    for index, doc_id, seq_no, term in items:
        ops.append({"update": {"_index": index, "_id": doc_id, "if_seq_no": seq_no, "if_primary_term": term}})
        ops.append({"doc": fields(doc_id)})
    resp = es.bulk(operations=ops, refresh=False)
    updated, failed, conflicted = 0, 0, []
    for item in resp["items"]:
        res = item["update"]
        if res.get("status", 500) < 300:
            updated += 1
        elif res.get("status") == 409:
            conflicted.append((res["_index"], res["_id"]))
        elif res.get("status") != 404:  # deleted meanwhile: nothing to grade
            failed += 1
    return updated, conflicted, failed


def guarded_update(es: Elasticsearch, alias: str, query: dict[str, Any], fields: Callable[[str], dict[str, Any]],
                   *, still_needed: Callable[[dict[str, Any]], bool], needs_change: dict[str, Any] | None = None,
                   page: int = PAGE, progress: Progress | None = None) -> UpdateResult:
    """Apply ``fields(doc_id)`` to every document of ``query`` (see the module docstring).

    ``needs_change`` narrows the scan to documents not yet up to date (makes re-runs and verification
    rounds cheap); ``still_needed(_source)`` decides, after a conflict, whether the re-read document
    still belongs to the update (e.g. ingest may have moved it to another source).
    """
    out, start = UpdateResult(), time.perf_counter()
    scan_query = {"bool": {"filter": [query], **({"must_not": [needs_change]} if needs_change else {})}}
    # Without ``needs_change`` a document cannot be told done from not done: one pass only.
    for round_ in range(1, (MAX_ROUNDS if needs_change else 1) + 1):
        out.rounds = round_
        es.indices.refresh(index=alias)  # see what writers have sent so far
        total = es.count(index=alias, query=scan_query)["count"]
        if total == 0:
            break
        out.matched += total
        for hits in pit_scan(es, alias, scan_query, page=page):
            items = [(h["_index"], h["_id"], h["_seq_no"], h["_primary_term"]) for h in hits]
            updated, conflicted, failed = _bulk_guarded(es, items, fields)
            out.updated, out.failed = out.updated + updated, out.failed + failed
            for _ in range(MAX_CONFLICT_RETRIES):
                if not conflicted:
                    break
                out.conflicts += len(conflicted)
                docs = es.mget(docs=[{"_index": i, "_id": d} for i, d in conflicted])["docs"]
                retry = [(d["_index"], d["_id"], d["_seq_no"], d["_primary_term"]) for d in docs
                         if d.get("found") and still_needed(d["_source"])]
                updated, conflicted, failed = _bulk_guarded(es, retry, fields)
                out.updated, out.failed = out.updated + updated, out.failed + failed
            out.failed += len(conflicted)
            if progress:
                progress(out.updated, out.matched)
    es.indices.refresh(index=alias)
    out.left = es.count(index=alias, query=scan_query)["count"] if needs_change else 0
    out.seconds = time.perf_counter() - start
    return out


def regrade_source(es: Elasticsearch, alias: str, source: str, reliability: str, *, page: int = PAGE,
                   progress: Progress | None = None) -> UpdateResult:
    """Stamp ``reliability`` on every document of ``source`` (exact ``source`` keyword)."""
    return guarded_update(
        es, alias, {"term": {"source": source}}, lambda _id: {"reliability": reliability},
        still_needed=lambda doc: doc.get("source") == source and doc.get("reliability") != reliability,
        needs_change={"term": {"reliability": reliability}}, page=page, progress=progress,
    )
