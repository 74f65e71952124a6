"""The index document (docs/contracts.md §2) as one typed record, and the one way to serialise it.

The indexer builds it from a source document and its enrichment (:func:`build_document`); test
corpora build it directly. Both go through :meth:`IndexDocument.to_source`, so the JSON that reaches
Elasticsearch has a single shape (a test indexes a fully populated one into the strict mapping).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mappings import ENTITY_TYPES, STEMMED_LANGUAGES, VECTOR_DIMS, body_field, default_collection, title_field
from mappings.grading import GRADE_FIELDS, grade_fields

from .ids import text_hash as _text_hash
from .models import SourceDoc

INDEXER_VERSION = "1"
MAX_SUGGEST_INPUTS = 20
SUGGEST_INPUT_CHARS = 100  # the mapping's max_input_length


def pipeline_version() -> str:
    try:
        from nlp import NLP_VERSION
    except ImportError:  # the nlp package is not importable: the version says so
        NLP_VERSION = "unknown"
    return f"indexer-{INDEXER_VERSION}+nlp-{NLP_VERSION}"


def _iso(dt: datetime | str | None) -> str | None:
    if dt is None or isinstance(dt, str):
        return dt
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _entities() -> dict[str, list[str]]:
    return {k: [] for k in ENTITY_TYPES}


@dataclass
class IndexDocument:
    """One document as stored in the index. Dates may be datetimes or ISO strings."""

    id: str
    title: str
    body: str
    source: str | None = None
    source_type: str | None = None
    url: str | None = None
    author: str | None = None
    published_at: datetime | str | None = None
    collected_at: datetime | str | None = None
    language: str = "und"
    language_confidence: float = 0.0
    entities: dict[str, list[str]] = field(default_factory=_entities)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    topic_scores: dict[str, float] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    lsh_bands: list[str] = field(default_factory=list)
    minhash: list[int] = field(default_factory=list)
    duplicate_of: str | None = None
    cluster_id: str | None = None  # None: its own cluster (the document's id)
    content_hash: str | None = None
    word_count: int = 0
    warnings: list[str] = field(default_factory=list)
    ingest: dict[str, Any] | None = None  # pipeline_version, ingested_at, models
    meta: dict[str, Any] = field(default_factory=dict)
    # contract v2: need-to-know collection, provenance and extraction details
    collection: str | None = None  # None: the source's default collection (mappings.default_collection)
    external_id: str | None = None  # the source's own id (`--map id=`, feed guid, Message-ID)
    encoding: str | None = None
    ocr: bool | None = None
    ocr_confidence: float | None = None  # tesseract's mean word confidence, 0..100
    ocr_language: str | None = None
    page_count: int | None = None
    parent: str | None = None  # id of the archive / e-mail this came out of
    path: str | None = None  # path inside the parent ("report.zip/2024/a.pdf")
    text_hash: str | None = None  # same text from any source -> same hash (corroboration, see ids.text_hash)
    vector: list[float] | None = None
    suggest: list[str] | None = None  # completion inputs; None: the title and the entity names

    def suggest_inputs(self) -> list[str]:
        names = [self.title] + [n for k in ("person", "org", "location") for n in self.entities.get(k, [])]
        inputs = self.suggest if self.suggest is not None else names
        cleaned = [s.strip()[:SUGGEST_INPUT_CHARS] for s in inputs if s and s.strip()]
        return list(dict.fromkeys(cleaned))[:MAX_SUGGEST_INPUTS]

    def to_source(self) -> dict[str, Any]:
        """The ``_source`` sent to Elasticsearch: absent values left out (except ``duplicate_of``,
        which is explicitly null for an original), the language's stemmed field pair filled."""
        doc: dict[str, Any] = {
            "id": self.id, "url": self.url, "source": self.source, "source_type": self.source_type,
            "title": self.title, "body": self.body, "author": self.author,
            "published_at": _iso(self.published_at), "collected_at": _iso(self.collected_at),
            "language": self.language or "und", "language_confidence": float(self.language_confidence or 0.0),
            "entities": {k: list(self.entities.get(k, [])) for k in ENTITY_TYPES},
            "mentions": [dataclasses.asdict(m) if dataclasses.is_dataclass(m) else dict(m) for m in self.mentions],
            "countries": list(self.countries), "topics": list(self.topics), "topic_scores": dict(self.topic_scores),
            "keywords": list(self.keywords), "lsh_bands": list(self.lsh_bands), "minhash": list(self.minhash),
            "duplicate_of": self.duplicate_of, "cluster_id": self.cluster_id or self.id,
            "content_hash": self.content_hash, "word_count": int(self.word_count or 0),
            "warnings": list(self.warnings), "ingest": _json_safe(self.ingest), "meta": _json_safe(self.meta),
            "collection": self.collection or default_collection(self.source),
        }
        doc.update({k: getattr(self, k) for k in V2_FIELDS})
        doc.update(grade_fields(self.source, {}))  # F6 until graded: `periscope index/demo` restamp graded sources
        if doc["language"] in STEMMED_LANGUAGES:
            doc[title_field(doc["language"])] = self.title
            doc[body_field(doc["language"])] = self.body
        if self.vector is not None and len(self.vector) == VECTOR_DIMS and any(self.vector):
            doc["vector"] = [float(x) for x in self.vector]
        inputs = self.suggest_inputs()
        if inputs:
            doc["suggest"] = {"input": inputs}
        return {k: v for k, v in doc.items() if v is not None or k == "duplicate_of"}


V2_FIELDS = ("external_id", "encoding", "ocr", "ocr_confidence", "ocr_language", "page_count", "parent", "path",
             "text_hash")


def fit_to_mapping(source: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    """``source`` for an index whose mapping has top-level ``fields`` (strict): v2 fields the index
    does not map yet (a v1 index before ``periscope up`` migrates it) are kept under ``meta`` instead."""
    if fields is None:
        return source
    for k in (*V2_FIELDS, *GRADE_FIELDS, "collection"):
        if k in source and k not in fields:
            source.setdefault("meta", {})[k] = source.pop(k)
    return source


def build_document(src: SourceDoc, enr: Any, *, doc_id: str, content_hash: str, pipeline: str,
                   now: datetime | None = None) -> IndexDocument:
    """The index document for ``src`` enriched as ``enr`` (an ``nlp.Enrichment``)."""
    now = now or datetime.now(timezone.utc)
    return IndexDocument(
        id=doc_id, url=src.url, source=src.source, source_type=src.source_type, title=src.title, body=src.body,
        author=src.author, published_at=src.published_at, collected_at=now,
        language=enr.language or "und", language_confidence=float(enr.language_confidence or 0.0),
        entities={k: list(enr.entities.get(k, [])) for k in ENTITY_TYPES},
        mentions=[dataclasses.asdict(m) if dataclasses.is_dataclass(m) else dict(m) for m in enr.mentions],
        countries=list(enr.countries), topics=list(enr.topics), topic_scores=dict(enr.topic_scores),
        keywords=list(enr.keywords), lsh_bands=list(enr.lsh_bands), minhash=list(enr.minhash),
        content_hash=content_hash, word_count=int(enr.word_count or 0), warnings=list(enr.warnings),
        ingest={"pipeline_version": pipeline, "ingested_at": _iso(now), "models": dict(enr.provenance)},
        meta=src.meta, vector=list(enr.vector) if enr.vector is not None else None,
        text_hash=_text_hash(src), external_id=src.external_id, encoding=src.encoding, parent=src.parent, path=src.path,
        ocr=True if src.ocr else None, ocr_confidence=(src.ocr or {}).get("confidence"),
        ocr_language=(src.ocr or {}).get("language"),
        page_count=src.meta.get("pages") or (src.ocr or {}).get("pages"),
    )
