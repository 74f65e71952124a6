"""Small key/value facts about this installation (admin-editable settings, first-run markers)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workspace.models import Meta, utcnow


def get_meta(db: Session, key: str) -> str | None:
    row = db.get(Meta, key)
    return row.value if row else None


def set_meta(db: Session, key: str, value: str) -> None:
    row = db.get(Meta, key)
    if row is None:
        db.add(Meta(key=key, value=value, updated_at=utcnow()))
    else:
        row.value = value
    db.flush()
