"""Batch searches kept in the store: the owner's name for it and the table of results (JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.alert_models import BatchSearch
from workspace.errors import NotFound
from workspace.models import utcnow


@dataclass(frozen=True)
class BatchInfo:
    id: int
    owner: str
    name: str
    rows: list[dict[str, Any]]
    created_at: datetime


def _info(row: BatchSearch) -> BatchInfo:
    return BatchInfo(row.id, row.owner, row.name, json.loads(row.rows), row.created_at)


def save(db: Session, owner: str, name: str, rows: list[dict[str, Any]]) -> BatchInfo:
    row = BatchSearch(owner=owner, name=name.strip() or "batch", rows=json.dumps(rows), created_at=utcnow())
    db.add(row)
    db.flush()
    return _info(row)


def get(db: Session, batch_id: int, owner: str) -> BatchInfo:
    row = db.get(BatchSearch, batch_id)
    if row is None or row.owner != owner:
        raise NotFound("batch search", str(batch_id))
    return _info(row)


def listing(db: Session, owner: str) -> list[BatchInfo]:
    query = select(BatchSearch).where(BatchSearch.owner == owner).order_by(BatchSearch.created_at.desc())
    return [_info(r) for r in db.scalars(query)]


def update_rows(db: Session, batch_id: int, rows: list[dict[str, Any]]) -> None:
    """Progress of a batch run in the background: the table so far (rows still to run carry ``pending``)."""
    row = db.get(BatchSearch, batch_id)
    if row is None:
        raise NotFound("batch search", str(batch_id))
    row.rows = json.dumps(rows)
