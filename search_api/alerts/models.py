"""Request and response models of ``/api/v1/saved-searches``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..models import SearchRequest
from .rising import RisingSpec


class SavedSearchFields(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    visibility: Literal["private", "shared"] = "private"
    watch: bool = Field(False, description="Check for new matches on a schedule (alerts)")
    interval_s: int = Field(300, ge=60, le=7 * 86400, description="How often to check, in seconds (≥ 60)")
    webhook_url: str | None = Field(None, max_length=2000, description="POST new matches here (http/https)")
    email_to: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$", description="E-mail digest address")
    rising: RisingSpec | None = Field(None, description="A warning alert: fire when a value's spike score in the "
                                                        "scope (this search) crosses the threshold (docs/warning.md)")


class SavedSearchIn(SearchRequest, SavedSearchFields):  # type: ignore[misc, valid-type]
    """A search (the fields of ``SearchRequest``: q, filters, dates, sort) plus how it is kept and watched."""


class SavedSearchPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    visibility: Literal["private", "shared"] | None = None
    watch: bool | None = None
    interval_s: int | None = Field(None, ge=60, le=7 * 86400)
    webhook_url: str | None = Field(None, max_length=2000)
    email_to: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    search: dict[str, Any] | None = Field(None, description="New search fields (q, filters, dates, sort)")


class SavedSearchOut(BaseModel):
    id: int
    owner: str
    name: str
    description: str
    visibility: str
    search: dict[str, Any]
    query_error: str | None = Field(None, description="Set when the saved query no longer parses (flagged, kept)")
    watch: bool
    interval_s: int
    webhook_url: str | None = None
    webhook_secret: str | None = Field(None, description="HMAC-SHA256 key of the webhook signature (owner only)")
    email_to: str | None = None
    feed_url: str | None = Field(None, description="Atom feed with its secret token (owner only)")
    new_matches: int = 0
    created_at: datetime
    updated_at: datetime
    last_run_at: datetime | None = None


class MatchOut(BaseModel):
    doc_id: str
    title: str
    url: str | None
    snippet: str
    ingested_at: str | None
    matched_at: datetime | None


class DeliveryOut(BaseModel):
    id: int
    doc_id: str
    channel: str
    delivery_id: str
    state: str
    attempts: int
    last_error: str | None
