"""Names and mappings of the ingestion bookkeeping indices, shared by the indexer (writes them) and
the API (reads them): ``<alias>-ingest-log`` (one record per failed item) and ``<alias>-ingest-runs``
(one summary per run)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(kw_only=True)
class RunCounts:
    """What a run counted, once for the indexer (which counts), the runs index and the API (which shows it)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    es_retries: int = 0

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RUN_COUNT_FIELDS}


RUN_COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RunCounts))

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
        **{name: {"type": "long"} for name in RUN_COUNT_FIELDS},
        "elapsed_s": {"type": "float"}, "docs_per_s": {"type": "float"},
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
