"""Saved searches: create, read, update, delete; the search itself is opaque JSON to the store.

Ownership is a principal name (a user name, or ``key:<id>`` / ``local`` for shared-key and open
installs). A private search is visible to its owner only; a shared one to every signed-in reader
(who still gets only the documents their own collections allow when running it).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workspace.alert_models import VISIBILITIES, SavedSearch
from workspace.errors import AlreadyExists, InvalidValue, NotFound
from workspace.models import utcnow
from workspace.store import add_unique

MIN_INTERVAL_S = 60


@dataclass(frozen=True)
class SavedSearchInfo:
    id: int
    owner: str
    name: str
    description: str
    visibility: str
    request: dict[str, Any]
    query_error: str | None
    watch: bool
    interval_s: int
    feed_token: str
    webhook_url: str | None
    webhook_secret: str | None
    email_to: str | None
    created_at: datetime
    updated_at: datetime
    seen_at: datetime
    checked_until: datetime | None
    last_run_at: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)


def info(row: SavedSearch) -> SavedSearchInfo:
    return SavedSearchInfo(
        row.id, row.owner, row.name, row.description, row.visibility, json.loads(row.request), row.query_error,
        row.watch, row.interval_s, row.feed_token, row.webhook_url, row.webhook_secret, row.email_to,
        row.created_at, row.updated_at, row.seen_at, row.checked_until, row.last_run_at,
    )


def _check(name: str | None = None, visibility: str | None = None, interval_s: int | None = None) -> None:
    if name is not None and not name.strip():
        raise InvalidValue("a saved search needs a name.")
    if visibility is not None and visibility not in VISIBILITIES:
        raise InvalidValue(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}.")
    if interval_s is not None and interval_s < MIN_INTERVAL_S:
        raise InvalidValue(f"an alert interval must be at least {MIN_INTERVAL_S} seconds.")


def create(db: Session, owner: str, name: str, request: dict[str, Any], **fields: Any) -> SavedSearchInfo:
    """A new saved search; a name the owner already uses raises AlreadyExists (API: 409)."""
    name = name.strip()
    _check(name, fields.get("visibility"), fields.get("interval_s"))
    row = SavedSearch(owner=owner, name=name, request=json.dumps(request, sort_keys=True, default=str),
                      feed_token=secrets.token_urlsafe(32), **fields)
    row.created_at = row.updated_at = row.seen_at = utcnow()
    taken = select(SavedSearch.id).where(SavedSearch.owner == owner, SavedSearch.name == name)
    add_unique(db, row, taken, "saved search", name)
    return info(row)


def _row(db: Session, search_id: int, viewer: str | None, *, write: bool = False) -> SavedSearch:
    """The row if ``viewer`` may see it (``None`` = the system: the alert engine, the CLI)."""
    row = db.get(SavedSearch, search_id)
    if row is None or (viewer is not None and row.owner != viewer and (write or row.visibility != "shared")):
        raise NotFound("saved search", str(search_id))  # someone else's private search does not exist for you
    return row


def get(db: Session, search_id: int, viewer: str | None = None) -> SavedSearchInfo:
    return info(_row(db, search_id, viewer))


def by_feed_token(db: Session, search_id: int, token: str) -> SavedSearchInfo | None:
    row = db.get(SavedSearch, search_id)
    if row is None or not secrets.compare_digest(row.feed_token.encode(), token.encode()):
        return None
    return info(row)


def visible(db: Session, viewer: str) -> list[SavedSearchInfo]:
    """The viewer's own searches, then the ones others shared, by name."""
    query = (select(SavedSearch).where(or_(SavedSearch.owner == viewer, SavedSearch.visibility == "shared"))
             .order_by(SavedSearch.owner != viewer, SavedSearch.name))
    return [info(r) for r in db.scalars(query)]


def every(db: Session, *, watched_only: bool = False) -> list[SavedSearchInfo]:
    query = select(SavedSearch).order_by(SavedSearch.id)
    if watched_only:
        query = query.where(SavedSearch.watch.is_(True))
    return [info(r) for r in db.scalars(query)]


UPDATABLE = {"name", "description", "visibility", "request", "query_error", "watch", "interval_s",
             "webhook_url", "webhook_secret", "email_to"}


def update(db: Session, search_id: int, viewer: str | None, **changes: Any) -> SavedSearchInfo:
    """Change fields (owner only); renaming onto a name the owner uses raises AlreadyExists."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise InvalidValue(f"cannot change {', '.join(sorted(unknown))}.")
    row = _row(db, search_id, viewer, write=True)
    _check(changes.get("name"), changes.get("visibility"), changes.get("interval_s"))
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if changes["name"] != row.name:
            taken = select(SavedSearch.id).where(SavedSearch.owner == row.owner, SavedSearch.name == changes["name"])
            if db.scalar(taken) is not None:
                raise AlreadyExists("saved search", changes["name"])
    if "request" in changes:
        changes["request"] = json.dumps(changes["request"], sort_keys=True, default=str)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    db.flush()
    return info(row)


def mark_seen(db: Session, search_id: int, viewer: str) -> None:
    """The owner looked at the new matches: the badge starts counting again from now."""
    row = _row(db, search_id, viewer, write=True)
    row.seen_at = utcnow()


def delete(db: Session, search_id: int, viewer: str | None) -> None:
    db.delete(_row(db, search_id, viewer, write=True))
    db.flush()
