"""One summary document per run in ``<alias>-ingest-runs`` (what ran, when, counts by reason), next to
the failures in ``<alias>-ingest-log``: what ``periscope runs`` / ``periscope failures RUN_ID`` and the
API's ingest page read, for whoever maintains the database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from mappings.ingest_log import RUNS_MAPPING, SMALL_INDEX, log_index, runs_index
from mappings.install import create_if_absent

__all__ = ["get_run", "list_failures", "list_runs", "log_index", "record_run", "runs_index"]


def record_run(es: Elasticsearch, summary: dict[str, Any], *, started_at: datetime, description: str = "") -> None:
    """Write (or overwrite) the run's summary document, id = run id."""
    index = runs_index(summary["alias"])
    create_if_absent(es, index, {"mappings": RUNS_MAPPING, "settings": SMALL_INDEX})
    doc = {**summary, "description": description[:1024], "started_at": started_at.isoformat(),
           "finished_at": datetime.now(timezone.utc).isoformat()}
    es.index(index=index, id=summary["run_id"], document=doc, refresh="wait_for")


def list_runs(es: Elasticsearch, alias: str, *, size: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first ([] when nothing ran yet)."""
    try:
        resp = es.search(index=runs_index(alias), size=size, sort=[{"started_at": "desc"}], query={"match_all": {}})
    except NotFoundError:
        return []
    return [h["_source"] for h in resp["hits"]["hits"]]


def get_run(es: Elasticsearch, alias: str, run_id: str) -> dict[str, Any] | None:
    try:
        return es.get(index=runs_index(alias), id=run_id)["_source"]
    except NotFoundError:
        return None


def list_failures(es: Elasticsearch, alias: str, run_id: str, *, size: int = 100,
                  reason: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(total, the first ``size`` failures) of one run, optionally of one reason."""
    filters: list[dict[str, Any]] = [{"term": {"run_id": run_id}}]
    if reason:
        filters.append({"term": {"reason": reason}})
    try:
        resp = es.search(index=log_index(alias), size=size, sort=[{"at": "asc"}], track_total_hits=True,
                         query={"bool": {"filter": filters}})
    except NotFoundError:
        return 0, []
    return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]
