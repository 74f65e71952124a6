"""Tables of saved searches and alerts (issue 15): kept apart from ``models.py`` so the area merges cleanly.

``saved_searches`` holds the search (the API's SearchRequest fields as JSON) and how it is watched;
``alert_matches`` is the record of every (saved search, document) pair ever found — its unique
constraint is what makes an alert fire once per document; ``alert_deliveries`` is the outbox of the
push channels (webhook, e-mail), one row per (saved search, document, channel), also unique;
``alert_locks`` lets exactly one process run an alert pass at a time (several API workers, cron).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from workspace.models import Base, UTCDateTime, utcnow

VISIBILITIES = ("private", "shared")
CHANNELS = ("webhook", "email")
DELIVERY_STATES = ("pending", "sent", "dead")


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    __table_args__ = (
        UniqueConstraint("owner", "name"),
        CheckConstraint("visibility IN ('private', 'shared')", name="visibility"),
        CheckConstraint("interval_s >= 60", name="interval"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(String(16), default="private", server_default="private")
    request: Mapped[str] = mapped_column(Text)  # JSON: the SearchRequest's fields (q, filters, dates, sort)
    query_error: Mapped[str | None] = mapped_column(Text)  # set when the saved query no longer parses
    watch: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    interval_s: Mapped[int] = mapped_column(Integer, default=300, server_default="300")
    feed_token: Mapped[str] = mapped_column(String(64))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    email_to: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # owner's last visit (badge)
    checked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the checkpoint
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertMatch(Base):
    __tablename__ = "alert_matches"
    __table_args__ = (UniqueConstraint("saved_search_id", "doc_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    doc_id: Mapped[str] = mapped_column(String(512))
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    snippet: Mapped[str] = mapped_column(Text, default="")  # HTML-escaped with <mark>, as the API gives it
    ingested_at: Mapped[str | None] = mapped_column(String(40))
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AlertDelivery(Base):
    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("saved_search_id", "doc_id", "channel"),
        CheckConstraint("channel IN ('webhook', 'email')", name="channel"),
        CheckConstraint("state IN ('pending', 'sent', 'dead')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    doc_id: Mapped[str] = mapped_column(String(512))
    channel: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(64), unique=True)  # stable across retries: receivers dedupe on it
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertLock(Base):
    __tablename__ = "alert_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BatchSearch(Base):
    """A batch search (issue 15 item 5): up to 1,000 terms, their counts and first hits, kept for later."""

    __tablename__ = "batch_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[str] = mapped_column(Text)  # JSON list: term, q, count, relation, first hits, error
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
