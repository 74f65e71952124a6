"""Watchlists: create, read, rename, replace entries, record how entries resolved, delete.

A watchlist is private to its owner (a principal name, like saved searches). Entries keep the order of
the imported list; each has a kind (``any`` or a type the importer gave), aliases and ``resolved`` —
the name variants found as entity values (matched with an entity filter; the rest as exact phrases).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workspace.errors import AlreadyExists, InvalidValue, NotFound
from workspace.models import utcnow
from workspace.store import add_unique
from workspace.watchlist_models import KINDS, Watchlist, WatchlistEntry


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str = "any"
    aliases: tuple[str, ...] = ()
    resolved: tuple[tuple[str, str], ...] = ()  # (facet, value) found as entity values
    id: int | None = None

    @property
    def variants(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class WatchlistInfo:
    id: int
    owner: str
    name: str
    description: str
    saved_search_id: int | None
    created_at: datetime
    updated_at: datetime
    size: int
    entries: tuple[Entry, ...] = ()


def _entry(row: WatchlistEntry) -> Entry:
    return Entry(row.name, row.kind, tuple(json.loads(row.aliases)),
                 tuple((f, v) for f, v in json.loads(row.resolved)), row.id)


def _info(db: Session, row: Watchlist, *, entries: bool) -> WatchlistInfo:
    rows = (list(db.scalars(select(WatchlistEntry).where(WatchlistEntry.watchlist_id == row.id)
                            .order_by(WatchlistEntry.position))) if entries else [])
    size = len(rows) if entries else db.scalar(
        select(func.count(WatchlistEntry.id)).where(WatchlistEntry.watchlist_id == row.id)) or 0
    return WatchlistInfo(row.id, row.owner, row.name, row.description, row.saved_search_id, row.created_at,
                         row.updated_at, size, tuple(_entry(r) for r in rows))


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidValue("a watchlist needs a name.")
    return name


def _add_entries(db: Session, watchlist_id: int, entries: list[Entry]) -> None:
    for pos, e in enumerate(entries):
        if e.kind not in KINDS:
            raise InvalidValue(f"entry {e.name!r}: type {e.kind!r} is not one of {', '.join(KINDS)}.")
        db.add(WatchlistEntry(watchlist_id=watchlist_id, position=pos, name=e.name, kind=e.kind,
                              aliases=json.dumps(list(e.aliases)), resolved=json.dumps([list(r) for r in e.resolved])))
    db.flush()


def create(db: Session, owner: str, name: str, entries: list[Entry], description: str = "") -> WatchlistInfo:
    """A new watchlist; a name the owner already uses raises AlreadyExists (API: 409)."""
    name = _check_name(name)
    row = Watchlist(owner=owner, name=name, description=description)
    row.created_at = row.updated_at = utcnow()
    add_unique(db, row, select(Watchlist.id).where(Watchlist.owner == owner, Watchlist.name == name), "watchlist", name)
    _add_entries(db, row.id, entries)
    return _info(db, row, entries=True)


def _row(db: Session, watchlist_id: int, owner: str | None) -> Watchlist:
    row = db.get(Watchlist, watchlist_id)
    if row is None or (owner is not None and row.owner != owner):
        raise NotFound("watchlist", str(watchlist_id))
    return row


def get(db: Session, watchlist_id: int, owner: str | None = None, *, entries: bool = True) -> WatchlistInfo:
    """``owner=None``: the system (the alert engine)."""
    return _info(db, _row(db, watchlist_id, owner), entries=entries)


def by_saved_search(db: Session, saved_search_id: int) -> WatchlistInfo | None:
    row = db.scalar(select(Watchlist).where(Watchlist.saved_search_id == saved_search_id))
    return None if row is None else _info(db, row, entries=True)


def listing(db: Session, owner: str) -> list[WatchlistInfo]:
    rows = db.scalars(select(Watchlist).where(Watchlist.owner == owner).order_by(Watchlist.name))
    return [_info(db, r, entries=False) for r in rows]


def update(db: Session, watchlist_id: int, owner: str, *, name: str | None = None, description: str | None = None,
           entries: list[Entry] | None = None, saved_search_id: int | None | type[...] = ...) -> WatchlistInfo:
    row = _row(db, watchlist_id, owner)
    if name is not None and _check_name(name) != row.name:
        name = _check_name(name)
        if db.scalar(select(Watchlist.id).where(Watchlist.owner == owner, Watchlist.name == name)) is not None:
            raise AlreadyExists("watchlist", name)
        row.name = name
    if description is not None:
        row.description = description
    if entries is not None:
        db.execute(sql_delete(WatchlistEntry).where(WatchlistEntry.watchlist_id == row.id))
        _add_entries(db, row.id, entries)
    if saved_search_id is not ...:
        row.saved_search_id = saved_search_id  # type: ignore[assignment]
    row.updated_at = utcnow()
    db.flush()
    return _info(db, row, entries=True)


def set_resolved(db: Session, watchlist_id: int, resolved: dict[int, list[tuple[str, str]]]) -> None:
    """Record, per entry id, the variants found as entity values."""
    for row in db.scalars(select(WatchlistEntry).where(WatchlistEntry.watchlist_id == watchlist_id)):
        if row.id in resolved:
            row.resolved = json.dumps([list(r) for r in resolved[row.id]])
    db.flush()


def delete(db: Session, watchlist_id: int, owner: str) -> int | None:
    """Delete; returns the id of the saved search that carried its alert (the caller deletes it too)."""
    row = _row(db, watchlist_id, owner)
    alert = row.saved_search_id
    db.delete(row)
    db.flush()
    return alert
