"""Request and response models of the strategic-warning API: trends, entity pages, the co-occurrence network.

Each request *is* a :class:`~search_api.models.SearchRequest` (query, filters, dates) plus its own
parameters, so every search parameter applies and the UI builds the same object from its URL.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .models import Hit, SearchRequest
from .trends import MAX_BASELINE, MAX_WINDOW

TrendField = Literal["person", "org", "location", "countries", "topics", "keywords"]
TrendInterval = Literal["day", "week", "month"]
EntityType = Literal["person", "org", "location", "countries", "topics"]
MAX_NETWORK_NODES, MAX_NETWORK_EDGES = 60, 200


class TrendsRequest(SearchRequest):  # type: ignore[misc, valid-type]
    field: TrendField = "person"
    interval: TrendInterval = "week"  # type: ignore[assignment]
    window: int = Field(1, ge=1, le=MAX_WINDOW, description="Intervals in the latest window")
    baseline: int = Field(8, ge=1, le=MAX_BASELINE, description="Trailing intervals the window is compared with")
    min_support: int = Field(3, ge=1, le=10_000, description="Documents a value needs in the window to be scored")
    normalise: bool = Field(False, description="Series as shares of all matching documents per interval")
    only_new: bool = Field(False, description="Only values never seen before the window")


class TrendValue(BaseModel):
    value: str
    series: list[float]
    window_count: int
    baseline_count: int
    expected: float
    score: float = Field(description="-log10 Poisson probability of at least window_count (volume-normalised)")
    z: float | None = Field(None, description="Robust z-score of the window share vs the baseline shares")
    new: bool


class TrendsResponse(BaseModel):
    field: str
    interval: str
    normalised: bool
    window_from: str | None
    window_to: str | None
    baseline_from: str | None
    dates: list[str]
    volume: list[int]
    total_values: int
    page: int
    size: int
    values: list[TrendValue]


class CountedValue(BaseModel):
    value: str
    count: int
    score: float | None = None


class DatedCount(BaseModel):
    date: str
    count: int


class Spike(BaseModel):
    date: str
    count: int
    expected: float
    score: float


class EntityResponse(BaseModel):
    type: str
    name: str
    aliases: list[str]
    total: int
    interval: str
    timeline: list[DatedCount]
    related: dict[str, list[CountedValue]] = Field(description="significant_terms per entity type (not raw counts)")
    sources: list[CountedValue]
    latest: list[Hit]
    spikes: list[Spike]


class NetworkRequest(SearchRequest):  # type: ignore[misc, valid-type]
    nodes: int = Field(40, ge=2, le=MAX_NETWORK_NODES, description="Most nodes kept")
    edges: int = Field(120, ge=1, le=MAX_NETWORK_EDGES, description="Most edges kept (the most significant)")
    types: list[EntityType] = Field(default_factory=lambda: ["person", "org", "location", "countries"], max_length=5)


class Node(BaseModel):
    id: str
    type: str
    value: str
    docs: int


class Edge(BaseModel):
    source: str
    target: str
    docs: int
    expected: float
    score: float


class NetworkResponse(BaseModel):
    total: int
    nodes: list[Node]
    edges: list[Edge]
