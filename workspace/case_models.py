"""Tables of marking and case files (issue 18): kept apart from ``models.py`` so the area merges cleanly.

Marks are per (owner, document): a star and a note in ``doc_marks``, free tags in ``doc_tags``,
passage annotations in ``annotations`` (character offsets into the stored text of one field, plus the
quoted passage so a product can cite it without asking Elasticsearch again). A case file (``cases``)
holds members, documents (with why they were added), saved searches (a query string) and notes;
annotations of its members on its documents are the case's annotations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from workspace.models import Base, UTCDateTime, utcnow

CASE_STATUSES = ("open", "closed", "archived")
ANNOTATED_FIELDS = ("body", "title")


class DocMark(Base):
    __tablename__ = "doc_marks"
    __table_args__ = (UniqueConstraint("owner", "doc_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    doc_id: Mapped[str] = mapped_column(String(512))
    starred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocTag(Base):
    __tablename__ = "doc_tags"
    __table_args__ = (UniqueConstraint("owner", "doc_id", "tag_key"), Index("ix_doc_tags_owner_tag", "owner", "tag_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    doc_id: Mapped[str] = mapped_column(String(512), index=True)
    tag: Mapped[str] = mapped_column(String(100))
    tag_key: Mapped[str] = mapped_column(String(100))  # casefolded: "Oil" and "oil" are one tag
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="offsets"),
        CheckConstraint("field IN ('body', 'title')", name="field"),
        Index("ix_annotations_doc", "doc_id", "start_offset"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    doc_id: Mapped[str] = mapped_column(String(512))
    field: Mapped[str] = mapped_column(String(16), default="body", server_default="body")
    start_offset: Mapped[int] = mapped_column(Integer)  # Python str indices (code points) into the stored text
    end_offset: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed', 'archived')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    classification: Mapped[str] = mapped_column(String(500), default="", server_default="")
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")  # BLUF
    judgements: Mapped[str] = mapped_column(Text, default="", server_default="")  # one key judgement a line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseMember(Base):
    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    member: Mapped[str] = mapped_column(String(200), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseDocument(Base):
    __tablename__ = "case_documents"
    __table_args__ = (UniqueConstraint("case_id", "doc_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    doc_id: Mapped[str] = mapped_column(String(512), index=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseSearch(Base):
    __tablename__ = "case_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)  # the search page's query string (q, filters, dates)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
