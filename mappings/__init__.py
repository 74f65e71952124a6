"""The index contract between ``indexer/`` and ``search_api/`` (see ``index_v1.json``)."""

from .contract import (
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
    index_body,
    index_name,
    mapped_fields,
    title_field,
)
from .install import InstallResult, current_index, drop, install, migrate

__all__ = [
    "CURRENT_VERSION", "DATE_FIELD", "ENTITY_TYPES", "FACET_FIELDS", "LANGUAGE_LOCALES", "LSH_FIELD",
    "STEMMED_LANGUAGES", "SUGGEST_FIELD", "VECTOR_DIMS", "VECTOR_FIELD", "body_field", "index_body",
    "index_name", "mapped_fields", "title_field", "InstallResult", "current_index", "drop", "install",
    "migrate",
]
