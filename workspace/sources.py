"""Source registry and grading (issue 16): the NATO "Admiralty" scale of AJP-2.1 / STANAG 2511.

Every source has a reliability grade A–F with a rationale, who gave it and when, and the full history
of grades. Unknown sources are registered with F ("reliability cannot be judged"). Documents get a
credibility 1–6, computed from corroboration unless an analyst overrides it (with a rationale, kept
with author and time; the newest override wins, a cleared one falls back to the computed value).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workspace.errors import InvalidValue, NotFound
from workspace.grading_models import CredibilityOverride, Source, SourceGrade
from workspace.models import utcnow

# The doctrine's wording (AJP-2.1, STANAG 2511 "Admiralty code").
RELIABILITY: dict[str, str] = {
    "A": "Completely reliable", "B": "Usually reliable", "C": "Fairly reliable",
    "D": "Not usually reliable", "E": "Unreliable", "F": "Reliability cannot be judged",
}
CREDIBILITY: dict[str, str] = {
    "1": "Confirmed by other sources", "2": "Probably true", "3": "Possibly true",
    "4": "Doubtful", "5": "Improbable", "6": "Truth cannot be judged",
}
SOURCE_TYPES: tuple[str, ...] = ("agency", "news", "think tank", "government", "social", "feed", "corpus", "")
UNGRADED = "F"
AUTO_RATIONALE = "registered automatically on ingest; not yet graded"
MAX_RATIONALE = 2000
EDITABLE = ("type", "home_url", "country", "language", "owner", "affiliation", "description")


@dataclass(frozen=True)
class GradeEvent:
    reliability: str
    rationale: str
    graded_by: str
    graded_at: datetime


@dataclass(frozen=True)
class SourceInfo:
    name: str
    type: str
    home_url: str
    country: str
    language: str
    owner: str
    affiliation: str
    description: str
    reliability: str
    rationale: str
    graded_by: str
    graded_at: datetime
    auto_registered: bool
    history: tuple[GradeEvent, ...] = field(default=())

    @property
    def label(self) -> str:
        return RELIABILITY[self.reliability]


@dataclass(frozen=True)
class Override:
    doc_id: str
    credibility: str | None  # None: the override was cleared (computed value applies again)
    rationale: str
    author: str
    created_at: datetime


def check_reliability(value: str) -> str:
    grade = (value or "").strip().upper()
    if grade not in RELIABILITY:
        raise InvalidValue(f"{value!r} is not a reliability grade; allowed: {', '.join(RELIABILITY)} "
                           f"({'; '.join(f'{k} {v}' for k, v in RELIABILITY.items())}).")
    return grade


def check_credibility(value: str | int) -> str:
    grade = str(value).strip()
    if grade not in CREDIBILITY:
        raise InvalidValue(f"{value!r} is not a credibility grade; allowed: {', '.join(CREDIBILITY)} "
                           f"({'; '.join(f'{k} {v}' for k, v in CREDIBILITY.items())}).")
    return grade


def check_rationale(text: str | None) -> str:
    why = (text or "").strip()
    if not why:
        raise InvalidValue("a rationale is required: say why (e.g. --why \"state broadcaster, "
                           "accurate on weather, partisan on politics\").")
    if len(why) > MAX_RATIONALE:
        raise InvalidValue(f"the rationale is {len(why)} characters long; use at most {MAX_RATIONALE}.")
    return why


def _key(name: str) -> str:
    return name.strip().casefold()


def _info(row: Source, history: Iterable[SourceGrade] = ()) -> SourceInfo:
    return SourceInfo(
        row.name, row.type, row.home_url, row.country, row.language, row.owner, row.affiliation,
        row.description, row.reliability, row.rationale, row.graded_by, row.graded_at, row.auto_registered,
        tuple(GradeEvent(h.reliability, h.rationale, h.graded_by, h.graded_at) for h in history),
    )


def source_row(db: Session, name: str) -> Source:
    row = db.scalar(select(Source).where(Source.name_key == _key(name)))
    if row is None:
        raise NotFound("source", name, db.scalars(select(Source.name)).all())
    return row


def ensure_sources(db: Session, names: Iterable[str], *, by: str = "periscope") -> list[str]:
    """Register every name not yet known with grade F; returns the names added (idempotent, race-safe)."""
    added: list[str] = []
    known = set(db.scalars(select(Source.name_key)))
    for name in sorted({n.strip() for n in names if n and n.strip()}):
        if _key(name) in known:
            continue
        try:
            with db.begin_nested():  # a concurrent registration of the same name is not an error
                row = Source(name=name[:256], name_key=_key(name)[:256], reliability=UNGRADED,
                             rationale=AUTO_RATIONALE, graded_by=by, auto_registered=True)
                db.add(row)
                db.flush()
                db.add(SourceGrade(source_id=row.id, reliability=UNGRADED, rationale=AUTO_RATIONALE, graded_by=by))
                db.flush()
        except IntegrityError:
            continue
        known.add(_key(name))
        added.append(name)
    return added


def update_source(db: Session, name: str, **details: str) -> SourceInfo:
    """Change descriptive fields (type, home URL, owner, ...); unknown fields are refused."""
    row = source_row(db, name)
    for key, value in details.items():
        if key not in EDITABLE:
            raise InvalidValue(f"{key!r} is not a source field; editable: {', '.join(EDITABLE)}.")
        if key == "type" and value not in SOURCE_TYPES:
            raise InvalidValue(f"{value!r} is not a source type; allowed: {', '.join(t for t in SOURCE_TYPES if t)}.")
        setattr(row, key, (value or "").strip())
    row.auto_registered = False
    db.flush()
    return _info(row)


def grade_source(db: Session, name: str, reliability: str, rationale: str, by: str) -> tuple[SourceInfo, str]:
    """Give ``name`` a reliability grade; returns the source and its previous grade. History is kept."""
    grade, why = check_reliability(reliability), check_rationale(rationale)
    row = source_row(db, name)
    previous = row.reliability
    now = utcnow()
    row.reliability, row.rationale, row.graded_by, row.graded_at = grade, why, by, now
    db.add(SourceGrade(source_id=row.id, reliability=grade, rationale=why, graded_by=by, graded_at=now))
    db.flush()
    return get_source(db, row.name), previous


def get_source(db: Session, name: str) -> SourceInfo:
    row = source_row(db, name)
    history = db.scalars(select(SourceGrade).where(SourceGrade.source_id == row.id).order_by(SourceGrade.id))
    return _info(row, history)


SORTABLE = ("name", "reliability", "type", "country", "owner", "graded_at")


def list_sources(db: Session, sort: str = "name", descending: bool = False) -> list[SourceInfo]:
    if sort not in SORTABLE:
        raise InvalidValue(f"cannot sort sources by {sort!r}; use one of {', '.join(SORTABLE)}.")
    column = getattr(Source, sort)
    order = column.desc() if descending else column.asc()
    return [_info(r) for r in db.scalars(select(Source).order_by(order, Source.name_key))]


def grades_by_source(db: Session) -> dict[str, str]:
    """``{source name: reliability}``: what the indexer stamps on new documents (see mappings.grading)."""
    return {n: r for n, r in db.execute(select(Source.name, Source.reliability))}


def owners_by_source(db: Session) -> dict[str, str]:
    """``{source name: owner}`` for corroboration (sources with one owner count once); empty owners omitted."""
    return {n: o for n, o in db.execute(select(Source.name, Source.owner)) if o}


# --- credibility overrides ----------------------------------------------------------------------

def override_credibility(db: Session, doc_id: str, credibility: str | int | None, rationale: str,
                         author: str) -> Override:
    """Record an analyst's credibility for a document (``None`` clears it); a rationale is required."""
    grade = None if credibility is None else check_credibility(credibility)
    why = check_rationale(rationale)
    if not doc_id or len(doc_id) > 512:
        raise InvalidValue("a document id of 1-512 characters is required.")
    row = CredibilityOverride(doc_id=doc_id, credibility=grade, rationale=why, author=author)
    db.add(row)
    db.flush()
    return Override(row.doc_id, row.credibility, row.rationale, row.author, row.created_at)


def override_history(db: Session, doc_id: str) -> list[Override]:
    rows = db.scalars(select(CredibilityOverride).where(CredibilityOverride.doc_id == doc_id)
                      .order_by(CredibilityOverride.id))
    return [Override(r.doc_id, r.credibility, r.rationale, r.author, r.created_at) for r in rows]


def current_overrides(db: Session, doc_ids: Iterable[str]) -> dict[str, str | None]:
    """The newest override per document among ``doc_ids`` (value ``None`` = cleared)."""
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return {}
    newest = (select(CredibilityOverride.doc_id, func.max(CredibilityOverride.id).label("id"))
              .where(CredibilityOverride.doc_id.in_(ids)).group_by(CredibilityOverride.doc_id).subquery())
    rows = db.execute(select(CredibilityOverride.doc_id, CredibilityOverride.credibility)
                      .join(newest, CredibilityOverride.id == newest.c.id))
    return {doc: grade for doc, grade in rows}
