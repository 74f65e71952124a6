"""Build the index document (docs/contracts.md §2) from a source document and its enrichment."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from mappings import STEMMED_LANGUAGES, VECTOR_DIMS, body_field, title_field

from .models import SourceDoc

INDEXER_VERSION = "1"
MAX_SUGGEST_INPUTS = 20


def pipeline_version() -> str:
    try:
        from nlp import NLP_VERSION
    except ImportError:  # the nlp package is not importable: the version says so
        NLP_VERSION = "unknown"
    return f"indexer-{INDEXER_VERSION}+nlp-{NLP_VERSION}"


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
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


def build_document(src: SourceDoc, enr: Any, *, doc_id: str, content_hash: str, pipeline: str,
                   now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    lang = enr.language or "und"
    doc: dict[str, Any] = {
        "id": doc_id,
        "url": src.url,
        "source": src.source,
        "source_type": src.source_type,
        "title": src.title,
        "body": src.body,
        "author": src.author,
        "published_at": _iso(src.published_at),
        "collected_at": _iso(now),
        "language": lang,
        "language_confidence": float(enr.language_confidence or 0.0),
        "entities": {k: list(enr.entities.get(k, [])) for k in ("person", "org", "location", "other")},
        "mentions": [dataclasses.asdict(m) if dataclasses.is_dataclass(m) else dict(m) for m in enr.mentions],
        "countries": list(enr.countries),
        "topics": list(enr.topics),
        "topic_scores": dict(enr.topic_scores),
        "keywords": list(enr.keywords),
        "lsh_bands": list(enr.lsh_bands),
        "minhash": list(enr.minhash),
        "duplicate_of": None,
        "cluster_id": doc_id,
        "content_hash": content_hash,
        "word_count": int(enr.word_count or 0),
        "warnings": list(enr.warnings),
        "ingest": {"pipeline_version": pipeline, "ingested_at": _iso(now), "models": dict(enr.provenance)},
        "meta": _json_safe(src.meta),
    }
    if lang in STEMMED_LANGUAGES:
        doc[title_field(lang)] = src.title
        doc[body_field(lang)] = src.body
    if enr.vector is not None and len(enr.vector) == VECTOR_DIMS and any(enr.vector):
        doc["vector"] = [float(x) for x in enr.vector]
    inputs: list[str] = []
    if src.title.strip():
        inputs.append(src.title.strip()[:100])
    for kind in ("person", "org", "location"):
        inputs.extend(n[:100] for n in doc["entities"][kind] if n.strip())
    if inputs:
        doc["suggest"] = {"input": list(dict.fromkeys(inputs))[:MAX_SUGGEST_INPUTS]}
    return {k: v for k, v in doc.items() if v is not None or k == "duplicate_of"}
