"""The alert ledger: matches found, the push-channel outbox, checkpoints and the pass lock.

Exactly once per (saved search, document): a pass first records what it found (``record_matches``,
which skips pairs already recorded thanks to the unique constraint) together with one pending
delivery per push channel, commits, then delivers; each delivery is marked sent in its own
transaction, and the checkpoint moves only after that. A crash anywhere leaves either nothing
recorded (the next pass finds the same documents again, the checkpoint has not moved) or pending
deliveries (the next pass sends them). Delivery ids are stable across retries so a receiver that
saw a request whose answer was lost in a crash can recognise the retry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workspace.alert_models import AlertDelivery, AlertLock, AlertMatch, SavedSearch
from workspace.models import utcnow

LOOKUP_CHUNK = 400
INSERT_CHUNK = 5000


@dataclass(frozen=True)
class Match:
    saved_search_id: int
    doc_id: str
    title: str
    url: str | None
    snippet: str
    ingested_at: str | None
    matched_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    saved_search_id: int
    doc_id: str
    channel: str
    delivery_id: str
    state: str
    attempts: int
    last_error: str | None


def delivery_id(saved_search_id: int, doc_id: str, channel: str) -> str:
    return hashlib.sha256(f"{saved_search_id}\0{doc_id}\0{channel}".encode()).hexdigest()[:32]


def record_matches(db: Session, matches: list[Match], channels: dict[int, list[str]]) -> list[Match]:
    """Insert the pairs not seen before (and their pending deliveries); return those new ones."""
    if not matches:
        return []
    known: set[tuple[int, str]] = set()
    for i in range(0, len(matches), LOOKUP_CHUNK):  # bound the IN lists (SQLite caps bound parameters)
        chunk = matches[i:i + LOOKUP_CHUNK]
        known.update(db.execute(select(AlertMatch.saved_search_id, AlertMatch.doc_id)
                                .where(AlertMatch.saved_search_id.in_({m.saved_search_id for m in chunk}),
                                       AlertMatch.doc_id.in_({m.doc_id for m in chunk}))).all())
    fresh: list[Match] = []
    now = utcnow()
    rows: list[dict[str, object]] = []
    outbox: list[dict[str, object]] = []
    for m in matches:
        if (m.saved_search_id, m.doc_id) in known:
            continue
        known.add((m.saved_search_id, m.doc_id))
        rows.append({"saved_search_id": m.saved_search_id, "doc_id": m.doc_id, "title": m.title, "url": m.url,
                     "snippet": m.snippet, "ingested_at": m.ingested_at, "matched_at": now})
        outbox += [{"saved_search_id": m.saved_search_id, "doc_id": m.doc_id, "channel": channel,
                    "delivery_id": delivery_id(m.saved_search_id, m.doc_id, channel), "state": "pending",
                    "attempts": 0, "created_at": now} for channel in channels.get(m.saved_search_id, [])]
        fresh.append(m)
    # bulk INSERTs (executemany / multi-row VALUES), not one ORM object per row: tens of thousands of
    # matches per pass are common. A concurrent pass inserting the same pair fails here: the lock prevents it.
    for table, values in ((AlertMatch, rows), (AlertDelivery, outbox)):
        for i in range(0, len(values), INSERT_CHUNK):
            db.execute(insert(table), values[i:i + INSERT_CHUNK])
    return fresh


def _match(row: AlertMatch) -> Match:
    return Match(row.saved_search_id, row.doc_id, row.title, row.url, row.snippet, row.ingested_at, row.matched_at)


def matches(db: Session, saved_search_id: int, *, since: datetime | None = None, limit: int = 50) -> list[Match]:
    """Newest first."""
    query = select(AlertMatch).where(AlertMatch.saved_search_id == saved_search_id)
    if since is not None:
        query = query.where(AlertMatch.matched_at > since)
    return [_match(r) for r in db.scalars(query.order_by(AlertMatch.matched_at.desc(), AlertMatch.id.desc()).limit(limit))]


def match(db: Session, saved_search_id: int, doc_id: str) -> Match | None:
    row = db.scalar(select(AlertMatch).where(AlertMatch.saved_search_id == saved_search_id, AlertMatch.doc_id == doc_id))
    return None if row is None else _match(row)


def unseen_counts(db: Session, owner: str) -> dict[int, int]:
    """New matches per saved search of ``owner`` since the owner last looked at it."""
    query = (select(SavedSearch.id, func.count(AlertMatch.id))
             .join(AlertMatch, AlertMatch.saved_search_id == SavedSearch.id)
             .where(SavedSearch.owner == owner, AlertMatch.matched_at > SavedSearch.seen_at)
             .group_by(SavedSearch.id))
    return {sid: n for sid, n in db.execute(query)}


def _delivery(row: AlertDelivery) -> Delivery:
    return Delivery(row.id, row.saved_search_id, row.doc_id, row.channel, row.delivery_id, row.state, row.attempts,
                    row.last_error)


def deliveries(db: Session, *, saved_search_id: int | None = None, state: str | None = None,
               channel: str | None = None, limit: int = 10_000) -> list[Delivery]:
    query = select(AlertDelivery).order_by(AlertDelivery.id).limit(limit)
    if saved_search_id is not None:
        query = query.where(AlertDelivery.saved_search_id == saved_search_id)
    if state is not None:
        query = query.where(AlertDelivery.state == state)
    if channel is not None:
        query = query.where(AlertDelivery.channel == channel)
    return [_delivery(r) for r in db.scalars(query)]


def mark_sent(db: Session, ids: list[int]) -> None:
    db.execute(update(AlertDelivery).where(AlertDelivery.id.in_(ids))
               .values(state="sent", sent_at=utcnow(), attempts=AlertDelivery.attempts + 1, last_error=None))


def mark_failed(db: Session, ids: list[int], error: str, attempts: int, max_attempts: int) -> None:
    """Count ``attempts`` more tries; a delivery tried ``max_attempts`` times in all becomes dead (a dead letter)."""
    for row in db.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids))):
        row.attempts += attempts
        row.last_error = error[:2000]
        if row.attempts >= max_attempts:
            row.state = "dead"


def requeue(db: Session, delivery_ids: list[int]) -> int:
    """Dead letters back to pending (after the receiver is fixed)."""
    res = db.execute(update(AlertDelivery).where(AlertDelivery.id.in_(delivery_ids), AlertDelivery.state == "dead")
                     .values(state="pending", attempts=0))
    return res.rowcount  # type: ignore[attr-defined]


def checkpoint(db: Session, saved_search_id: int, until: datetime) -> None:
    """Everything ingested before ``until`` has been looked at (and delivered) for this search."""
    db.execute(update(SavedSearch).where(SavedSearch.id == saved_search_id)
               .values(checked_until=until, last_run_at=utcnow()))


def checkpoints(db: Session, until: dict[int, datetime]) -> None:
    """:func:`checkpoint` for many searches in one executemany (an UPDATE by primary key each)."""
    if until:
        now = utcnow()
        db.execute(update(SavedSearch), [{"id": sid, "checked_until": u, "last_run_at": now} for sid, u in until.items()])


# --- one pass at a time ----------------------------------------------------------------------------------
def acquire_lock(db: Session, name: str, holder: str, ttl: timedelta) -> bool:
    """Take (or renew) a lease; False while another holder's lease runs. Expired leases are taken over,
    so a killed process blocks others for ``ttl`` at most."""
    now = utcnow()
    row = db.get(AlertLock, name, with_for_update=True)
    if row is None:
        db.add(AlertLock(name=name, holder=holder, expires_at=now + ttl))
        try:
            db.flush()
        except IntegrityError:
            return False
        return True
    if row.holder != holder and row.expires_at > now:
        return False
    row.holder, row.expires_at = holder, now + ttl
    return True


def release_lock(db: Session, name: str, holder: str) -> None:
    db.execute(delete(AlertLock).where(AlertLock.name == name, AlertLock.holder == holder))
