"""A case as one member sees it: the API, the case page and the briefing product all read this.

Need-to-know: the case's documents are fetched through :meth:`SearchService.documents`, a search
restricted by the member's access filter, so documents from collections they cannot read are simply
absent — as are the annotations and tags on them (nothing about them leaks, not even a count).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mappings.grading import rating
from workspace import Workspace
from workspace import cases as C
from workspace import marks as M

from ..access import Principal
from ..service import SearchService

ENTITY_TYPES = ("person", "org", "location", "misc")
CASE_SOURCE = ["id", "url", "title", "source", "source_type", "published_at", "language", "entities", "countries",
               "reliability", "credibility", "corroboration", "body"]
MAX_ENTITY_ROWS = 40


@dataclass
class CaseDoc:
    id: str
    title: str
    url: str | None
    source: str
    published_at: str | None
    reliability: str | None
    credibility: str | None
    rating: str
    reason: str
    added_by: str
    tags: list[str]
    entities: dict[str, list[str]]
    body: str = ""

    @property
    def date(self) -> str:
        return (self.published_at or "")[:10]


@dataclass
class Excerpt:
    id: int
    doc: CaseDoc
    quote: str
    comment: str
    owner: str
    start: int
    end: int
    field: str


@dataclass
class CaseView:
    case: C.CaseInfo
    docs: list[CaseDoc]
    excerpts: list[Excerpt]
    notes: list[C.CaseNoteInfo]
    searches: list[C.CaseSearchInfo]
    entities: list[tuple[str, str, int]]  # (type, name, documents mentioning it)
    timeline: list[tuple[str, int]]  # (YYYY-MM-DD, documents published that day)
    hidden: int = 0  # never shown to the member (need-to-know); kept for the operator's logs only
    by_tag: dict[str, list[CaseDoc]] = field(default_factory=dict)

    @property
    def judgements(self) -> list[str]:
        return [line.strip(" -*•\t") for line in self.case.judgements.splitlines() if line.strip(" -*•\t")]

    def by_date(self) -> list[tuple[str, list[CaseDoc]]]:
        groups: dict[str, list[CaseDoc]] = {}
        for d in sorted(self.docs, key=lambda d: d.published_at or "", reverse=True):
            groups.setdefault(d.date[:7] or "undated", []).append(d)
        return list(groups.items())


def _doc(src: dict[str, Any], doc_id: str, entry: C.CaseDocInfo, tags: list[str]) -> CaseDoc:
    return CaseDoc(
        id=doc_id, title=src.get("title") or "(untitled)", url=src.get("url"), source=src.get("source") or "",
        published_at=src.get("published_at"), reliability=src.get("reliability"), credibility=src.get("credibility"),
        rating=rating(src), reason=entry.reason, added_by=entry.added_by, tags=tags,
        entities={t: list(v or []) for t, v in (src.get("entities") or {}).items() if isinstance(v, list)},
        body=src.get("body") or "")


def entity_summary(docs: list[CaseDoc]) -> list[tuple[str, str, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    for d in docs:
        for etype, names in d.entities.items():
            for name in set(names):
                counts[(etype, name)] += 1
    return [(t, n, c) for (t, n), c in counts.most_common(MAX_ENTITY_ROWS)]


def timeline_counts(docs: list[CaseDoc]) -> list[tuple[str, int]]:
    return sorted(Counter(d.date for d in docs if d.date).items())


async def case_view(ws: Workspace, svc: SearchService, who: Principal, case_id: int) -> CaseView:
    """Everything of case ``case_id`` that ``who`` may see (NotFound when not a member)."""
    with ws.session(readonly=True) as db:
        info = C.get(db, case_id, who.name)
        entries = C.documents(db, case_id, who.name)
        notes, searches = C.notes(db, case_id, who.name), C.searches(db, case_id, who.name)
        ids = [e.doc_id for e in entries]
        tag_index = M.tag_index(db, info.members, within=ids)
        annotations = M.annotations(db, info.members, ids)
    sources = await svc.documents(ids, who, CASE_SOURCE) if ids else {}
    tags_of: dict[str, list[str]] = {}
    for tag, docs_ in tag_index.items():
        for d in docs_:
            tags_of.setdefault(d, []).append(tag)
    docs = [_doc(sources[e.doc_id], e.doc_id, e, tags_of.get(e.doc_id, [])) for e in entries if e.doc_id in sources]
    by_id = {d.id: d for d in docs}
    excerpts = [Excerpt(a.id, by_id[a.doc_id], a.quote, a.comment, a.owner, a.start, a.end, a.field)
                for a in annotations if a.doc_id in by_id]
    by_tag = {tag: [by_id[d] for d in ds if d in by_id] for tag, ds in tag_index.items()}
    return CaseView(info, docs, excerpts, notes, searches, entity_summary(docs), timeline_counts(docs),
                    hidden=len(entries) - len(docs), by_tag={t: ds for t, ds in by_tag.items() if ds})
