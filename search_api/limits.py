"""Hard caps that keep any single request cheap (documented in docs/api.md)."""

MAX_QUERY_CHARS = 1000
MAX_PAGE_SIZE = 100
MAX_FACET_SIZE = 100
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 256
MAX_RESULT_WINDOW = 10_000  # = index.max_result_window: deeper than this needs `cursor`
TRACK_TOTAL_HITS = 10_000
EXPORT_CAP = 10_000
EXPORT_PAGE = 500
MAX_SIMILAR = 50
MAX_SUGGEST_CHARS = 100
