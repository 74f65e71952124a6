"""Tables of the source-grading feature (issue 16): source registry, grade history, credibility overrides.

Kept apart from :mod:`workspace.models` (same ``Base``) so parallel features do not edit one file.
Created by the Alembic revision ``0004_grading``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from workspace.models import Base, UTCDateTime, utcnow

RELIABILITY_CHECK = "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')"
CREDIBILITY_CHECK = "credibility IS NULL OR credibility IN ('1', '2', '3', '4', '5', '6')"


class Source(Base):
    """One source as indexed (the ``source`` keyword of documents) with its current reliability grade."""

    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(RELIABILITY_CHECK, name="reliability"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)  # exactly the indexed ``source`` value
    name_key: Mapped[str] = mapped_column(String(256), unique=True)  # casefolded: look-ups ignore case
    type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    home_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    country: Mapped[str] = mapped_column(String(64), default="", server_default="")
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    owner: Mapped[str] = mapped_column(String(200), default="", server_default="")
    affiliation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    reliability: Mapped[str] = mapped_column(String(1), default="F", server_default="F")
    rationale: Mapped[str] = mapped_column(Text, default="", server_default="")
    graded_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    auto_registered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SourceGrade(Base):
    """Every grade a source was ever given (the first row is its registration), newest last."""

    __tablename__ = "source_grades"
    __table_args__ = (CheckConstraint(RELIABILITY_CHECK, name="reliability"),
                      Index("ix_source_grades_source", "source_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    reliability: Mapped[str] = mapped_column(String(1))
    rationale: Mapped[str] = mapped_column(Text)
    graded_by: Mapped[str] = mapped_column(String(200))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CredibilityOverride(Base):
    """An analyst's credibility for one document; the newest row per document wins (NULL = cleared)."""

    __tablename__ = "credibility_overrides"
    __table_args__ = (CheckConstraint(CREDIBILITY_CHECK, name="credibility"),
                      Index("ix_credibility_overrides_doc", "doc_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(512))
    credibility: Mapped[str | None] = mapped_column(String(1))
    rationale: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
