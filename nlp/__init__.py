"""Periscope enrichment: language, entities, countries, topics, keywords, near-duplicate fingerprints.

A library over text; it knows nothing of Elasticsearch or HTTP. See docs/nlp.md.
"""

from .enricher import NLP_VERSION, Enricher, EnricherConfig
from .fingerprint import near_duplicate_similarity
from .types import ENTITY_TYPES, EnrichInput, Enrichment, Mention

__all__ = [
    "ENTITY_TYPES",
    "NLP_VERSION",
    "EnrichInput",
    "Enricher",
    "EnricherConfig",
    "Enrichment",
    "Mention",
    "near_duplicate_similarity",
]
