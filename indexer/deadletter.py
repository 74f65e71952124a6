"""Where failures go: a JSON Lines dead-letter file per run and the ``<alias>-ingest-log`` index.

The file is written first and flushed at once (it survives Elasticsearch being down); the index copy
is for analysts who look at failures in Kibana-like tools or with a search, written in batches.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from mappings.ingest_log import LOG_MAPPING, SMALL_INDEX, log_index
from mappings.install import create_if_absent

from .models import Failure

__all__ = ["DeadLetters", "LOG_MAPPING", "log_index"]

class DeadLetters:
    def __init__(self, path: Path, run_id: str, alias: str) -> None:
        self.path, self.run_id, self.alias = path, run_id, alias
        self.count = 0
        self._pending: list[dict[str, Any]] = []
        self._fh: Any = None

    def add(self, failure: Failure) -> None:
        rec = {"run_id": self.run_id, "at": datetime.now(timezone.utc).isoformat(), "alias": self.alias,
               **asdict(failure)}
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self._fh.flush()
        self.count += 1
        self._pending.append(rec)

    def flush_to_index(self, es: Elasticsearch, call: Any) -> None:
        """Copy recorded failures into the ingest-log index (retried like any other write)."""
        if not self._pending:
            return
        index = log_index(self.alias)
        recs, self._pending = self._pending, []

        def write() -> None:
            create_if_absent(es, index, {"mappings": LOG_MAPPING, "settings": SMALL_INDEX})
            helpers.bulk(es, ({"_index": index, "_source": r} for r in recs), raise_on_error=False)

        call("ingest log", write)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
