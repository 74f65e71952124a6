"""Hard caps that keep any single request cheap: defined in the vocabulary (``mappings.vocabulary``).

Kept as a re-export so existing imports keep working; new code imports from ``mappings.vocabulary``.
"""

from mappings.vocabulary import (  # noqa: F401
    EXPORT_CAP, EXPORT_PAGE, MAX_CURSOR_CHARS, MAX_DEPTH, MAX_FACET_SCAN, MAX_FACET_SIZE, MAX_FILTER_VALUES,
    MAX_ID_CHARS, MAX_PAGE_SIZE, MAX_PREFIX_CHARS, MAX_PREFIXES, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, MAX_SIMILAR,
    MAX_SUGGEST, MAX_SUGGEST_CHARS, MAX_TERMS, MAX_VALUE_CHARS, MIN_PREFIX, TRACK_TOTAL_HITS,
)
