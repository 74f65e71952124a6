"""The index contract between ``indexer/`` and ``search_api/`` (``index_v<N>.json``) and the search vocabulary."""

from .contract import (
    COLLECTION_FIELD,
    CURRENT_VERSION,
    DATE_FIELD,
    ENTITY_TYPES,
    FACET_FIELDS,
    LANGUAGE_LOCALES,
    LSH_FIELD,
    STEMMED_LANGUAGES,
    SUGGEST_FIELD,
    VECTOR_DIMS,
    VECTOR_FIELD,
    body_field,
    default_collection,
    index_body,
    index_name,
    mapped_fields,
    title_field,
    upgrade_source,
    version_of,
)
from .install import InstallResult, apply_dynamic_settings, current_index, drop, install, migrate
from .vocabulary import FACET_NAMES, FACETS, FACETS_BY_NAME, SORTS, SORTS_BY_NAME, FacetSpec, SortSpec

__all__ = [
    "COLLECTION_FIELD", "default_collection", "upgrade_source", "version_of", "CURRENT_VERSION", "DATE_FIELD", "ENTITY_TYPES", "FACET_FIELDS", "LANGUAGE_LOCALES", "LSH_FIELD",
    "STEMMED_LANGUAGES", "SUGGEST_FIELD", "VECTOR_DIMS", "VECTOR_FIELD", "body_field", "index_body",
    "index_name", "mapped_fields", "title_field", "InstallResult", "apply_dynamic_settings", "current_index", "drop", "install",
    "migrate", "FACET_NAMES", "FACETS", "FACETS_BY_NAME", "SORTS", "SORTS_BY_NAME", "FacetSpec", "SortSpec",
]
