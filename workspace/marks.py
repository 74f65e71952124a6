"""Marking while searching: stars, free tags and a note per (owner, document); passage annotations.

The store knows nothing of the documents themselves: the caller checks that the document is readable
and that an annotation's offsets fall inside its text (the API answers 422 otherwise), then records
the quoted passage here so it survives re-rendering and can be cited in a product.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workspace.case_models import ANNOTATED_FIELDS, Annotation, DocMark, DocTag
from workspace.errors import InvalidValue, NotFound
from workspace.models import utcnow

MAX_TAG_CHARS = 100
MAX_TAGS_PER_DOC = 50
MAX_NOTE_CHARS = 20_000


@dataclass(frozen=True)
class MarkInfo:
    doc_id: str
    starred: bool
    note: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class AnnotationInfo:
    id: int
    owner: str
    doc_id: str
    field: str
    start: int
    end: int
    quote: str
    comment: str
    created_at: datetime


def tag_key(tag: str) -> str:
    return unicodedata.normalize("NFKC", tag).casefold().strip()


def clean_tag(tag: str) -> str:
    tag = " ".join(tag.split())
    if not tag:
        raise InvalidValue("a tag cannot be empty.")
    if len(tag) > MAX_TAG_CHARS:
        raise InvalidValue(f"a tag has at most {MAX_TAG_CHARS} characters.")
    if any(unicodedata.category(c) == "Cc" for c in tag):
        raise InvalidValue("a tag cannot contain control characters.")
    return tag


def _mark_row(db: Session, owner: str, doc_id: str) -> DocMark:
    row = db.scalar(select(DocMark).where(DocMark.owner == owner, DocMark.doc_id == doc_id))
    if row is None:
        row = DocMark(owner=owner, doc_id=doc_id, starred=False, note="", updated_at=utcnow())
        db.add(row)
    return row


def get(db: Session, owner: str, doc_id: str) -> MarkInfo:
    row = db.scalar(select(DocMark).where(DocMark.owner == owner, DocMark.doc_id == doc_id))
    tags = db.scalars(select(DocTag.tag).where(DocTag.owner == owner, DocTag.doc_id == doc_id).order_by(DocTag.tag_key))
    return MarkInfo(doc_id, bool(row and row.starred), row.note if row else "", tuple(tags))


def set_mark(db: Session, owner: str, doc_id: str, *, starred: bool | None = None, note: str | None = None,
             tags: Iterable[str] | None = None) -> MarkInfo:
    """Change what is given (None = leave as is); ``tags`` replaces the document's tag set."""
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidValue(f"a note has at most {MAX_NOTE_CHARS} characters.")
    if starred is not None or note is not None:
        row = _mark_row(db, owner, doc_id)
        if starred is not None:
            row.starred = starred
        if note is not None:
            row.note = note
        row.updated_at = utcnow()
    if tags is not None:
        wanted: dict[str, str] = {}
        for t in tags:
            t = clean_tag(t)
            wanted.setdefault(tag_key(t), t)
        if len(wanted) > MAX_TAGS_PER_DOC:
            raise InvalidValue(f"a document has at most {MAX_TAGS_PER_DOC} tags.")
        db.execute(delete(DocTag).where(DocTag.owner == owner, DocTag.doc_id == doc_id))
        db.add_all(DocTag(owner=owner, doc_id=doc_id, tag=t, tag_key=k, created_at=utcnow()) for k, t in wanted.items())
    db.flush()
    return get(db, owner, doc_id)


def tag_suggestions(db: Session, owners: Iterable[str], prefix: str = "", limit: int = 20) -> list[str]:
    """Tags already used by ``owners`` starting with ``prefix``, most used first (autocomplete)."""
    key = tag_key(prefix)
    query = (select(DocTag.tag_key, func.min(DocTag.tag), func.count()).where(DocTag.owner.in_(list(owners)))
             .group_by(DocTag.tag_key).order_by(func.count().desc(), DocTag.tag_key).limit(max(1, min(limit, 100))))
    if key:
        query = query.where(DocTag.tag_key.startswith(key, autoescape=True))
    return [row[1] for row in db.execute(query)]


def doc_ids(db: Session, owners: Iterable[str], *, starred: bool = False, tags: Iterable[str] = (),
            within: Iterable[str] | None = None) -> set[str]:
    """Documents marked by any of ``owners``: starred (if asked) and carrying every tag in ``tags``."""
    owners = list(owners)
    result: set[str] | None = set(within) if within is not None else None
    if starred:
        ids = set(db.scalars(select(DocMark.doc_id).where(DocMark.owner.in_(owners), DocMark.starred.is_(True))))
        result = ids if result is None else result & ids
    for t in tags:
        ids = set(db.scalars(select(DocTag.doc_id).where(DocTag.owner.in_(owners), DocTag.tag_key == tag_key(t))))
        result = ids if result is None else result & ids
    return result or set()


def tag_index(db: Session, owners: Iterable[str], within: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Tag → documents, for the tag facet and for grouping a case's documents."""
    query = select(DocTag.tag_key, DocTag.tag, DocTag.doc_id).where(DocTag.owner.in_(list(owners)))
    if within is not None:
        query = query.where(DocTag.doc_id.in_(list(within)))
    names: dict[str, str] = {}
    out: dict[str, set[str]] = {}
    for key, tag, doc in db.execute(query):
        names.setdefault(key, tag)
        out.setdefault(key, set()).add(doc)
    return {names[k]: sorted(v) for k, v in sorted(out.items())}


def starred_ids(db: Session, owners: Iterable[str]) -> set[str]:
    return set(db.scalars(select(DocMark.doc_id).where(DocMark.owner.in_(list(owners)), DocMark.starred.is_(True))))


def tag_counts(db: Session, owner: str) -> Counter[str]:
    rows = db.execute(select(func.min(DocTag.tag), func.count()).where(DocTag.owner == owner).group_by(DocTag.tag_key))
    return Counter({tag: n for tag, n in rows})


# --- passage annotations -------------------------------------------------------------------------------
def _annotation(row: Annotation) -> AnnotationInfo:
    return AnnotationInfo(row.id, row.owner, row.doc_id, row.field, row.start_offset, row.end_offset, row.quote,
                          row.comment, row.created_at)


def annotate(db: Session, owner: str, doc_id: str, text: str, start: int, end: int, comment: str = "",
             field: str = "body") -> AnnotationInfo:
    """Highlight ``text[start:end]`` (the stored text of ``field``) with a comment."""
    if field not in ANNOTATED_FIELDS:
        raise InvalidValue(f"field {field!r} is not one of {', '.join(ANNOTATED_FIELDS)}.")
    if not 0 <= start < end <= len(text):
        raise InvalidValue(f"offsets {start}..{end} fall outside the document's {field} "
                           f"({len(text)} characters); select a passage of the text.")
    if len(comment) > MAX_NOTE_CHARS:
        raise InvalidValue(f"a comment has at most {MAX_NOTE_CHARS} characters.")
    row = Annotation(owner=owner, doc_id=doc_id, field=field, start_offset=start, end_offset=end,
                     quote=text[start:end], comment=comment, created_at=utcnow())
    db.add(row)
    db.flush()
    return _annotation(row)


def annotations(db: Session, owners: Iterable[str], doc_ids: Iterable[str] | None = None) -> list[AnnotationInfo]:
    query = select(Annotation).where(Annotation.owner.in_(list(owners)))
    if doc_ids is not None:
        query = query.where(Annotation.doc_id.in_(list(doc_ids)))
    return [_annotation(r) for r in db.scalars(query.order_by(Annotation.doc_id, Annotation.start_offset, Annotation.id))]


def delete_annotation(db: Session, owner: str, annotation_id: int) -> None:
    row = db.get(Annotation, annotation_id)
    if row is None or row.owner != owner:
        raise NotFound("annotation", str(annotation_id))
    db.delete(row)
    db.flush()
