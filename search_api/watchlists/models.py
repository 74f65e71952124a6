"""Request and response models of ``/api/v1/watchlists``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from mappings.vocabulary import MAX_VALUE_CHARS

from ..alerts.models import SavedSearchOut
from .parse import MAX_ALIASES, MAX_ENTRIES

Kind = Literal["any", "person", "org", "location", "vessel", "keyword"]
Name = Field(..., min_length=1, max_length=MAX_VALUE_CHARS)


class EntryIn(BaseModel):
    name: str = Name
    type: Kind = Field("any", description="person/org/location: look the name up in that entity type only; "
                                          "vessel/keyword: always an exact phrase; any: every entity type")
    aliases: list[str] = Field(default_factory=list, max_length=MAX_ALIASES)


class WatchlistIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    # the 413 for a long list comes from parse.check (saying the limit); this only bounds the request
    entries: list[EntryIn] = Field(..., max_length=MAX_ENTRIES * 2)


class WatchlistPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    entries: list[EntryIn] | None = Field(None, max_length=MAX_ENTRIES * 2, description="Replaces every entry")


class EntryOut(BaseModel):
    name: str
    type: str
    aliases: list[str]
    entity: list[str] = Field(description="facet:value pairs matched with the entity filter; other variants are phrases")


class WatchlistOut(BaseModel):
    id: int
    name: str
    description: str
    size: int
    created_at: datetime
    updated_at: datetime
    alert: SavedSearchOut | None = Field(None, description="The saved search carrying the watchlist's alert")
    entries: list[EntryOut] = Field(default_factory=list)


class EntryCount(BaseModel):
    name: str
    count: int
    series: list[int]
    matched_by: Literal["entity", "phrase"]


class LatestMatch(BaseModel):
    id: str
    title: str | None
    url: str | None
    published_at: str | None
    snippet: str
    entries: list[str] = Field(description="The entries this document matched")


class WatchlistStats(BaseModel):
    interval: str
    total: int
    dates: list[str]
    entries: list[EntryCount]
    latest: list[LatestMatch]


class AlertIn(BaseModel):
    watch: bool = True
    interval_s: int = Field(300, ge=60, le=7 * 86400)
    webhook_url: str | None = Field(None, max_length=2000)
    email_to: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
