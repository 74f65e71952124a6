"""The search vocabulary: one table of facets, the sorts, the entity types and the limits.

Everything the API, the UI and the export say about facets is generated from :data:`FACETS`
(request parameters, query builder, aggregations, CSV columns, sidebar). Adding a facet is one row
here plus its keyword field in ``index_v<N>.json`` (with the ``lower`` / ``words`` sub-fields);
``tests/test_vocabulary.py`` walks the table end to end against a real node.

Plain data only: no Elasticsearch request bodies and no display code (the API and UI turn a
``display`` kind into labels with their own helpers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ENTITY_TYPES: tuple[str, ...] = ("person", "org", "location", "other")
DATE_FIELD = "published_at"

# Sub-fields every facet field carries (see index_v1.json): ``lower`` is the value lowercased by the
# ``periscope_lower`` normalizer (case-insensitive filters without automata), ``words`` the value
# split into lowercased words (facet value search and suggestions by word prefix, no regex).
LOWER = "lower"
WORDS = "words"

Display = Literal["plain", "language", "country"]
Search = Literal["words", "none"]


@dataclass(frozen=True)
class FacetSpec:
    """One facet an analyst can filter and count on."""

    name: str  # request parameter, response key and ``name:value`` in the query syntax
    field: str  # keyword field in the index
    label: str  # what an analyst reads
    display: Display = "plain"  # how values are shown: as stored, a language name, a country name
    search: Search = "words"  # "words": the in-facet search box matches any word of a value; "none": short list, no box
    multi: bool = True  # several values may be selected (OR-ed within the facet)
    many: bool = True  # a document holds a list of values (else one value or none)
    sidebar: bool = True  # shown in the UI's facet sidebar
    export: bool = True  # a column of the CSV export
    aliases: tuple[str, ...] = ()  # other spellings accepted as ``alias:value`` in the query syntax

    @property
    def lower_field(self) -> str:
        return f"{self.field}.{LOWER}"

    @property
    def words_field(self) -> str:
        return f"{self.field}.{WORDS}"


# Order = order of the response's ``facets`` object and of the UI sidebar.
FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("language", "language", "Language", display="language", search="none", many=False, aliases=("lang",)),
    FacetSpec("source", "source", "Source", many=False),
    FacetSpec("source_type", "source_type", "Source type", many=False, sidebar=False),
    # NATO "Admiralty" grading (issue 16, docs/grading.md): A-F of the source, 1-6 of the information.
    FacetSpec("reliability", "reliability", "Source reliability", search="none", many=False),
    FacetSpec("credibility", "credibility", "Credibility", search="none", many=False),
    FacetSpec("topics", "topics", "Topic", aliases=("topic",)),
    FacetSpec("countries", "countries", "Country", display="country", aliases=("country",)),
    FacetSpec("person", "entities.person", "Person"),
    FacetSpec("org", "entities.org", "Organisation", aliases=("organisation", "organization")),
    FacetSpec("location", "entities.location", "Place", aliases=("place",)),
    FacetSpec("keywords", "keywords", "Keyword", sidebar=False, export=False, aliases=("keyword",)),
)
FACETS_BY_NAME: dict[str, FacetSpec] = {f.name: f for f in FACETS}
FACET_NAMES: tuple[str, ...] = tuple(FACETS_BY_NAME)
FACET_FIELDS: dict[str, str] = {f.name: f.field for f in FACETS}

# Keyword fields reachable with ``name:value`` that are not facets, and the text fields.
EXTRA_KEYWORD_FIELDS: dict[str, str] = {"other": "entities.other", "author": "author", "url": "url", "id": "id",
                                         "external_id": "external_id"}  # the source's own id (issue 14)
TEXT_QUERY_FIELDS: tuple[str, ...] = ("title", "body")
# Fields that carry the ``lower`` / ``words`` sub-fields (every facet, plus the remaining entity type).
NORMALISED_FIELDS: tuple[str, ...] = tuple(f.field for f in FACETS) + ("entities.other",)


@dataclass(frozen=True)
class SortSpec:
    name: str
    label: str
    keys: tuple[tuple[str, str], ...]  # (field or "_score", "asc" | "desc"); always ends on a unique key


SORTS: tuple[SortSpec, ...] = (
    SortSpec("relevance", "Relevance", (("_score", "desc"), (DATE_FIELD, "desc"), ("id", "asc"))),
    SortSpec("date", "Newest first", ((DATE_FIELD, "desc"), ("id", "asc"))),
    SortSpec("date_asc", "Oldest first", ((DATE_FIELD, "asc"), ("id", "asc"))),
    # relevance times a bounded factor for reliable sources and corroborated reports (search_api/grading_query.py)
    SortSpec("reliable", "Prefer reliable and corroborated", (("_score", "desc"), (DATE_FIELD, "desc"), ("id", "asc"))),
)
SORTS_BY_NAME: dict[str, SortSpec] = {s.name: s for s in SORTS}



@dataclass(frozen=True)
class ModeSpec:
    """How the query text is matched (issue 19, search_api/semantic.py, docs/relevance.md)."""

    name: str
    label: str  # what an analyst reads (the UI toggle)
    description: str  # the API parameter's documentation


SEARCH_MODES: tuple[ModeSpec, ...] = (
    ModeSpec("keyword", "This language", "BM25 on the words as typed (exact words first, then stemmed forms)"),
    ModeSpec("hybrid", "All languages",
             "BM25 plus the nearest neighbours of the query's multilingual embedding, in one request: finds stories "
             "in other languages; phrases, field:value, prefixes and NOT stay exact"),
    ModeSpec("semantic", "By meaning only", "the nearest neighbours of the query's embedding alone"),
)
MODES_BY_NAME: dict[str, ModeSpec] = {m.name: m for m in SEARCH_MODES}
DEFAULT_MODE = "keyword"

# Document columns of the CSV export around the facet columns (see export_columns()).
EXPORT_HEAD: tuple[str, ...] = ("id", "url", "title", DATE_FIELD)
EXPORT_TAIL: tuple[str, ...] = ("duplicate_of", "rating", "corroboration")  # rating = e.g. "B2" (issue 16)


def export_columns() -> tuple[str, ...]:
    return EXPORT_HEAD + tuple(f.name for f in FACETS if f.export) + EXPORT_TAIL


# --- limits: every user-controlled string and structure that reaches Elasticsearch ------------------
# Enforced by the search service and the query builder whatever route a request came through.
MAX_QUERY_CHARS = 1000  # q
MAX_TERMS = 64  # words + phrases in q
MAX_DEPTH = 12  # nesting of ( ), NOT and field: in q
MIN_PREFIX = 3  # characters before a trailing * (a shorter prefix expands to too many terms)
MAX_PREFIXES = 8  # prefix* terms per query
MAX_PREFIX_CHARS = 100  # facet value search and suggestion text
MAX_PAGE_SIZE = 100
MAX_FACET_SIZE = 100
MAX_FACET_SCAN = 1000  # values a facet value search examines to find the best matches
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 256  # one filter value (= ignore_above of the keyword fields)
MAX_ID_CHARS = 512  # a document id (Elasticsearch's own limit)
MAX_CURSOR_CHARS = 2048
MAX_RESULT_WINDOW = 10_000  # = index.max_result_window: deeper than this needs `cursor`
TRACK_TOTAL_HITS = 10_000
# Facet counts and the timeline of a search matching more than 2 × FACET_SAMPLE_DOCS documents are estimated
# from a random sample of about FACET_SAMPLE_DOCS of them (Elasticsearch's ``random_sampler``, whose probability
# must be ≤ 0.5), and labelled as estimates; below that they are exact. Why sampling: exact counts cost time in
# proportion to the matches (issue 19: 1M documents), a sample's cost is bounded (search_api/sampling.py).
# 5,000: a value holding 2 % of the matches is estimated within about ±10 % (one standard deviation), and an
# index of up to 10,000 documents never sends the extra count request (docs/scaling.md "Growth").
FACET_SAMPLE_DOCS = 5_000
EXPORT_CAP = 10_000
EXPORT_PAGE = 500
MAX_SIMILAR = 50
MAX_SUGGEST = 20
MAX_SUGGEST_CHARS = MAX_PREFIX_CHARS
