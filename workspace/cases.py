"""Case files: a named workspace of documents (with why they were added), saved searches, notes,
a status, analyst-written BLUF and key judgements, and members.

Who may see a case: its members (the creator is one). Someone else's case does not exist for you
(NotFound, never "forbidden"). Which of its *documents* a member may see is not decided here: the
API fetches them through the search service, whose access filter hides unreadable ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.case_models import CASE_STATUSES, Case, CaseDocument, CaseMember, CaseNote, CaseSearch
from workspace.errors import AlreadyExists, InvalidValue, NotFound
from workspace.models import utcnow

MAX_CASE_DOCUMENTS = 5_000


@dataclass(frozen=True)
class CaseInfo:
    id: int
    name: str
    owner: str
    status: str
    classification: str
    summary: str
    judgements: str
    created_at: datetime
    updated_at: datetime
    members: tuple[str, ...]


@dataclass(frozen=True)
class CaseDocInfo:
    doc_id: str
    reason: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class CaseSearchInfo:
    id: int
    name: str
    query: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class CaseNoteInfo:
    id: int
    author: str
    text: str
    created_at: datetime


def _info(db: Session, row: Case) -> CaseInfo:
    members = tuple(db.scalars(select(CaseMember.member).where(CaseMember.case_id == row.id).order_by(CaseMember.member)))
    return CaseInfo(row.id, row.name, row.owner, row.status, row.classification, row.summary, row.judgements,
                    row.created_at, row.updated_at, members)


def _check(name: str | None = None, status: str | None = None) -> None:
    if name is not None and not name.strip():
        raise InvalidValue("a case needs a name.")
    if name is not None and len(name.strip()) > 200:
        raise InvalidValue("a case name has at most 200 characters.")
    if status is not None and status not in CASE_STATUSES:
        raise InvalidValue(f"status {status!r} is not one of {', '.join(CASE_STATUSES)}.")


def create(db: Session, owner: str, name: str, **fields: Any) -> CaseInfo:
    _check(name, fields.get("status"))
    now = utcnow()
    row = Case(owner=owner, name=name.strip(), created_at=now, updated_at=now, **fields)
    db.add(row)
    db.flush()
    db.add(CaseMember(case_id=row.id, member=owner, added_at=now))
    db.flush()
    return _info(db, row)


def _row(db: Session, case_id: int, viewer: str | None) -> Case:
    row = db.get(Case, case_id)
    if row is None or (viewer is not None and db.scalar(
            select(CaseMember.id).where(CaseMember.case_id == case_id, CaseMember.member == viewer)) is None):
        raise NotFound("case", str(case_id))
    return row


def get(db: Session, case_id: int, viewer: str | None) -> CaseInfo:
    return _info(db, _row(db, case_id, viewer))


def visible(db: Session, viewer: str) -> list[CaseInfo]:
    ids = select(CaseMember.case_id).where(CaseMember.member == viewer)
    rows = db.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.status != "open", Case.updated_at.desc()))
    return [_info(db, r) for r in rows]


UPDATABLE = {"name", "status", "classification", "summary", "judgements"}


def update(db: Session, case_id: int, viewer: str, **changes: Any) -> CaseInfo:
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise InvalidValue(f"cannot change {', '.join(sorted(unknown))}.")
    _check(changes.get("name"), changes.get("status"))
    row = _row(db, case_id, viewer)
    for key, value in changes.items():
        setattr(row, key, value.strip() if key == "name" else value)
    row.updated_at = utcnow()
    db.flush()
    return _info(db, row)


def delete(db: Session, case_id: int, viewer: str) -> None:
    row = _row(db, case_id, viewer)
    if row.owner != viewer:
        raise InvalidValue("only the case's creator can delete it.")
    db.delete(row)
    db.flush()


def touch(db: Session, case_id: int) -> None:
    row = db.get(Case, case_id)
    if row is not None:
        row.updated_at = utcnow()


# --- members ---------------------------------------------------------------------------------------------
def add_member(db: Session, case_id: int, viewer: str, member: str) -> CaseInfo:
    row = _row(db, case_id, viewer)
    if not member.strip() or len(member) > 200:
        raise InvalidValue("a member is a user name of 1 to 200 characters.")
    if db.scalar(select(CaseMember.id).where(CaseMember.case_id == case_id, CaseMember.member == member)) is not None:
        raise AlreadyExists("case member", member)
    db.add(CaseMember(case_id=case_id, member=member, added_at=utcnow()))
    db.flush()
    return _info(db, row)


def remove_member(db: Session, case_id: int, viewer: str, member: str) -> CaseInfo:
    row = _row(db, case_id, viewer)
    if member == row.owner:
        raise InvalidValue("the case's creator stays a member.")
    found = db.scalar(select(CaseMember).where(CaseMember.case_id == case_id, CaseMember.member == member))
    if found is None:
        raise NotFound("case member", member)
    db.delete(found)
    db.flush()
    return _info(db, row)


# --- documents -------------------------------------------------------------------------------------------
def add_document(db: Session, case_id: int, viewer: str, doc_id: str, reason: str = "") -> CaseDocInfo:
    """Add (or, when already there, re-explain) a document."""
    _row(db, case_id, viewer)
    existing = db.scalar(select(CaseDocument).where(CaseDocument.case_id == case_id, CaseDocument.doc_id == doc_id))
    if existing is None:
        count = len(db.scalars(select(CaseDocument.id).where(CaseDocument.case_id == case_id)).all())
        if count >= MAX_CASE_DOCUMENTS:
            raise InvalidValue(f"a case holds at most {MAX_CASE_DOCUMENTS} documents; start another case.")
        existing = CaseDocument(case_id=case_id, doc_id=doc_id, reason=reason, added_by=viewer, added_at=utcnow())
        db.add(existing)
    else:
        existing.reason = reason or existing.reason
    touch(db, case_id)
    db.flush()
    return CaseDocInfo(existing.doc_id, existing.reason, existing.added_by, existing.added_at)


def remove_document(db: Session, case_id: int, viewer: str, doc_id: str) -> None:
    _row(db, case_id, viewer)
    found = db.scalar(select(CaseDocument).where(CaseDocument.case_id == case_id, CaseDocument.doc_id == doc_id))
    if found is None:
        raise NotFound("document in this case", doc_id)
    db.delete(found)
    touch(db, case_id)
    db.flush()


def documents(db: Session, case_id: int, viewer: str | None) -> list[CaseDocInfo]:
    _row(db, case_id, viewer)
    rows = db.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.added_at, CaseDocument.id))
    return [CaseDocInfo(r.doc_id, r.reason, r.added_by, r.added_at) for r in rows]


def cases_of_document(db: Session, viewer: str, doc_id: str) -> list[int]:
    mine = select(CaseMember.case_id).where(CaseMember.member == viewer)
    return list(db.scalars(select(CaseDocument.case_id).where(CaseDocument.doc_id == doc_id, CaseDocument.case_id.in_(mine))))


# --- saved searches and notes ----------------------------------------------------------------------------
def add_search(db: Session, case_id: int, viewer: str, name: str, query: str) -> CaseSearchInfo:
    _row(db, case_id, viewer)
    if not name.strip():
        raise InvalidValue("a saved search needs a name.")
    if len(query) > 4_000:
        raise InvalidValue("a saved search's query string has at most 4,000 characters.")
    row = CaseSearch(case_id=case_id, name=name.strip()[:200], query=query, added_by=viewer, added_at=utcnow())
    db.add(row)
    touch(db, case_id)
    db.flush()
    return CaseSearchInfo(row.id, row.name, row.query, row.added_by, row.added_at)


def searches(db: Session, case_id: int, viewer: str) -> list[CaseSearchInfo]:
    _row(db, case_id, viewer)
    rows = db.scalars(select(CaseSearch).where(CaseSearch.case_id == case_id).order_by(CaseSearch.id))
    return [CaseSearchInfo(r.id, r.name, r.query, r.added_by, r.added_at) for r in rows]


def add_note(db: Session, case_id: int, viewer: str, text: str) -> CaseNoteInfo:
    _row(db, case_id, viewer)
    if not text.strip():
        raise InvalidValue("a note cannot be empty.")
    row = CaseNote(case_id=case_id, author=viewer, text=text, created_at=utcnow())
    db.add(row)
    touch(db, case_id)
    db.flush()
    return CaseNoteInfo(row.id, row.author, row.text, row.created_at)


def notes(db: Session, case_id: int, viewer: str) -> list[CaseNoteInfo]:
    _row(db, case_id, viewer)
    rows = db.scalars(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id))
    return [CaseNoteInfo(r.id, r.author, r.text, r.created_at) for r in rows]
