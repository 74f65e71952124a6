"""Tables of watchlists (issue 15 item 4): named lists of names or terms, each entry with its aliases.

Kept apart from the other areas' models (same ``Base``); created by the Alembic revision
``0005_watchlists``. A watchlist's alert *is* a saved search (``saved_search_id``): the alert ledger,
channels and scheduler of saved searches serve it unchanged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.models import Base, UTCDateTime, utcnow

KINDS = ("any", "person", "org", "location", "vessel", "keyword")


class Watchlist(Base):
    __tablename__ = "watchlists"
    __table_args__ = (UniqueConstraint("owner", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the saved search that carries this watchlist's alert (None: not alerted on)
    saved_search_id: Mapped[int | None] = mapped_column(ForeignKey("saved_searches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WatchlistEntry(Base):
    __tablename__ = "watchlist_entries"
    __table_args__ = (
        UniqueConstraint("watchlist_id", "position"),
        CheckConstraint("kind IN ('any', 'person', 'org', 'location', 'vessel', 'keyword')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order of the imported list
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16), default="any", server_default="any")
    aliases: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # JSON list of strings
    # JSON list of [facet, value]: the name/aliases found as entity values when last resolved (entity filter);
    # the variants not found are matched as exact phrases
    resolved: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
