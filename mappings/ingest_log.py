"""Names and mappings of the ingestion bookkeeping indices, shared by the indexer (writes them) and
the API (reads them): ``<alias>-ingest-log`` (one record per failed item) and ``<alias>-ingest-runs``
(one summary per run)."""

from __future__ import annotations

from typing import Any

LOG_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "run_id": {"type": "keyword"}, "at": {"type": "date"}, "origin": {"type": "keyword", "ignore_above": 2048},
        "reason": {"type": "keyword"}, "detail": {"type": "text"}, "source": {"type": "keyword"},
        "source_type": {"type": "keyword"}, "doc_id": {"type": "keyword"}, "alias": {"type": "keyword"},
    },
}

RUNS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "run_id": {"type": "keyword"}, "alias": {"type": "keyword"}, "started_at": {"type": "date"},
        "finished_at": {"type": "date"}, "description": {"type": "keyword", "ignore_above": 1024},
        "read": {"type": "long"}, "created": {"type": "long"}, "updated": {"type": "long"},
        "unchanged": {"type": "long"}, "duplicates": {"type": "long"}, "failed": {"type": "long"},
        "es_retries": {"type": "long"}, "elapsed_s": {"type": "float"}, "docs_per_s": {"type": "float"},
        "aborted": {"type": "keyword", "ignore_above": 1024}, "failures_by_reason": {"type": "flattened"},
        "dead_letter_file": {"type": "keyword", "index": False},
    },
}

# One copy on a single node, a replica as soon as there are two nodes (cluster mode, issue 19): losing a
# node must not stall a run that writes its log while the cluster recovers.
SMALL_INDEX = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


def log_index(alias: str) -> str:
    return f"{alias}-ingest-log"


def runs_index(alias: str) -> str:
    return f"{alias}-ingest-runs"
