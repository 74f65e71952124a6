"""Request and response models of the search API (the JSON contract in docs/contracts.md §3).

One ``SearchRequest`` serves ``GET`` (query parameters, lists as repeated parameters) and ``POST``
(JSON body) so both paths validate identically and the UI builds the same object.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, create_model, field_validator

from mappings.vocabulary import (
    FACET_NAMES, FACETS, MAX_CURSOR_CHARS, MAX_FACET_SIZE, MAX_FILTER_VALUES, MAX_PAGE_SIZE, MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW, MAX_VALUE_CHARS, SEARCH_MODES, SORTS, DEFAULT_MODE,
)

from .histogram import INTERVALS

# Generated from the vocabulary: a new facet or sort needs no edit here.
FacetName = Literal[FACET_NAMES]  # type: ignore[valid-type]
SortName = Literal[tuple(s.name for s in SORTS)]  # type: ignore[valid-type]
ModeName = Literal[tuple(m.name for m in SEARCH_MODES)]  # type: ignore[valid-type]
Interval = Literal[("auto", *INTERVALS)]  # type: ignore[valid-type]

Value = Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE_CHARS)]
Values = Annotated[list[Value], Field(default_factory=list, max_length=MAX_FILTER_VALUES)]


class _SearchFields(BaseModel):
    """What an analyst asks for: query text, filters (facet selections), paging and display options."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"examples": [{"q": 'oil AND "price cut" -opec', "language": ["en"], "size": 20}]},
    )

    q: str = Field("", max_length=MAX_QUERY_CHARS, description='Analyst syntax: words, "phrases", AND/OR/NOT, +/-, prefix*, field:value, ( )',
                   examples=['sanctions "central bank" -russia', "org:OPEC AND price*"])
    mode: ModeName = Field(DEFAULT_MODE, description="; ".join(f"{m.name}: {m.description}" for m in SEARCH_MODES))
    date_from: dt.date | None = Field(None, description="Inclusive start date (YYYY-MM-DD)")
    date_to: dt.date | None = Field(None, description="Inclusive end date (YYYY-MM-DD)")
    duplicates: Literal["hide", "show"] = "hide"
    sort: SortName = "relevance"
    size: int = Field(20, ge=0, le=MAX_PAGE_SIZE, description=f"Hits per page (max {MAX_PAGE_SIZE})")
    cursor: Annotated[str, StringConstraints(max_length=MAX_CURSOR_CHARS)] | None = Field(
        None, description="Opaque next_cursor from a previous response (deep paging; page is then ignored)")
    page: int = Field(1, ge=1, le=MAX_RESULT_WINDOW, description="1-based page; page*size must stay within 10,000")
    facet_size: int = Field(10, ge=0, le=MAX_FACET_SIZE, description="Buckets per facet; 0 disables facets")
    facets: list[FacetName] | None = Field(  # type: ignore[valid-type]
        None, max_length=len(FACETS),
        description="Only these facets are counted (repeat the parameter; default: every facet). Each facet "
                    "costs one aggregation over the matches: ask only for those you show.")
    interval: Interval = "auto"

    @field_validator("date_to")
    @classmethod
    def _date_order(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and start > value:
            raise ValueError("date_to must not be before date_from")
        return value

    @field_validator("page")
    @classmethod
    def _window(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("size") or 0
        if info.data.get("cursor") is None and value * size > MAX_RESULT_WINDOW:
            raise ValueError(f"page * size may not exceed {MAX_RESULT_WINDOW}; use cursor (next_cursor) for deep paging")
        return value

    def counted_facets(self) -> tuple[str, ...]:
        """The facets this request counts, in vocabulary order (``facets``; default: every facet)."""
        return FACET_NAMES if self.facets is None else tuple(n for n in FACET_NAMES if n in self.facets)

    def selections(self) -> dict[str, list[str]]:
        """Selected values per facet (only facets with a selection), in vocabulary order."""
        return {name: getattr(self, name) for name in FACET_NAMES if getattr(self, name)}


# One list parameter per facet of the vocabulary (repeated query parameter, or a JSON array).
SearchRequest = create_model(
    "SearchRequest", __base__=_SearchFields, __module__=__name__,
    **{f.name: (Values, Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                              description=f"{f.label} filter: any of these values (case-insensitive)"))
       for f in FACETS},
)
SearchRequest.__doc__ = _SearchFields.__doc__


class ExportRequest(SearchRequest):  # type: ignore[misc, valid-type]
    format: Literal["csv", "jsonl"] = "jsonl"


class Total(BaseModel):
    value: int
    relation: Literal["eq", "gte"]


class Hit(BaseModel):
    id: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    source_type: str | None = None
    published_at: str | None = None
    language: str | None = None
    score: float | None = None
    highlights: dict[str, list[str]] = Field(default_factory=dict, description="HTML-escaped fragments with <mark> tags")
    snippet: str = Field("", description="HTML-escaped body fragment (with <mark> when the query matched)")
    entities: dict[str, list[str]] = Field(default_factory=dict)
    countries: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    duplicate_of: str | None = None
    reliability: str | None = Field(None, description="Source reliability A-F (docs/grading.md)")
    credibility: str | None = Field(None, description="Information credibility 1-6")
    corroboration: int | None = Field(None, description="Independent sources reporting the story")
    rating: str = Field("F6", description='Combined rating, e.g. "B2"')


class Bucket(BaseModel):
    value: str
    count: int
    selected: bool = False


_ESTIMATED = ("true when the counts are estimates from a random sample of the matching documents "
              "(see SearchResponse.sample_probability)")


class Facet(BaseModel):
    buckets: list[Bucket]
    missing: int = 0
    estimated: bool = Field(False, description=_ESTIMATED)


class HistogramBucket(BaseModel):
    date: str
    count: int


class Histogram(BaseModel):
    interval: str
    buckets: list[HistogramBucket]
    missing: int = 0
    estimated: bool = Field(False, description=_ESTIMATED)


class SearchResponse(BaseModel):
    total: Total
    took_ms: int
    page: int
    size: int
    next_cursor: str | None = None
    hits: list[Hit]
    facets: dict[str, Facet] = Field(default_factory=dict)
    histogram: Histogram | None = None
    facets_sampled: bool = Field(False, description=(
        "true when some facet or histogram counts are estimates: the search matched so many documents that they "
        "were counted on a random sample (each estimated facet says so in its own `estimated`); `total` is not "
        "affected"))
    sample_probability: float | None = Field(None, description=(
        "the smallest share of the matching documents the estimates were counted on (e.g. 0.02 = 2 %); "
        "null when every count is exact"))


class HitList(BaseModel):
    hits: list[Hit]


class FacetValues(BaseModel):
    name: str
    buckets: list[Bucket]


class Suggestion(BaseModel):
    text: str
    kind: str


class Suggestions(BaseModel):
    suggestions: list[Suggestion]


class Health(BaseModel):
    status: str
    index: str
    cluster: dict[str, Any] | None = None
    documents: int | None = None
    versions: dict[str, str | int | None] = Field(default_factory=dict)
    error: str | None = None


class PublicHealth(BaseModel):
    """What /health tells a caller without an API key when keys are on: nothing beyond up or not."""

    status: Literal["ok", "degraded"]
