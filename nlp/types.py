"""Public data types of the enrichment library (the contract in docs/contracts.md, section 1).

Dataclasses so that ``dataclasses.asdict`` gives the JSON the indexer stores; nothing here knows about
Elasticsearch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_TYPES: tuple[str, ...] = ("person", "org", "location", "other")


@dataclass(slots=True)
class EnrichInput:
    """One document to enrich. ``language_hint`` is an ISO 639-1 code from a trusted source."""

    title: str = ""
    body: str = ""
    language_hint: str | None = None


@dataclass(slots=True)
class Mention:
    """An entity occurrence; ``start``/``end`` index the original ``title`` or ``body`` string."""

    text: str
    type: str
    start: int
    end: int
    canonical: str
    field: str


def _empty_entities() -> dict[str, list[str]]:
    return {t: [] for t in ENTITY_TYPES}


@dataclass(slots=True)
class Enrichment:
    language: str = "und"
    language_confidence: float = 0.0
    entities: dict[str, list[str]] = field(default_factory=_empty_entities)
    mentions: list[Mention] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    topic_scores: dict[str, float] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    vector: list[float] | None = None
    minhash: list[int] = field(default_factory=list)
    lsh_bands: list[str] = field(default_factory=list)
    content_hash: str = ""
    word_count: int = 0
    warnings: list[str] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
