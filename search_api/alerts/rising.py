"""Warning alerts (issue 17 item 2): "tell me when something rises in this scope".

A saved search whose stored request has a ``rising`` part (fields, interval, threshold, min_support)
next to its scope (query + filters). At each pass the engine computes the trends of the scope for each
field — exactly what ``GET /api/v1/trends`` and the Warnings page compute, as the alert's owner — and
every value whose spike score is at least ``threshold`` in the latest window becomes a match keyed
``rising:<field>:<window start>:<value>``. The ledger's unique (alert, key) makes it fire **once per
(alert, value, window)** through the same channels as any alert; a value still rising next window
fires again (a new window), one that stays high within a window does not.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from mappings.vocabulary import FACETS_BY_NAME, MAX_ID_CHARS
from workspace.alerts import Match

from ..access import Principal
from ..analytics_service import AnalyticsService
from ..warning_models import TrendsRequest
from .matching import RISING_KEY, request_of

RisingField = Literal["person", "org", "location", "countries", "topics", "keywords"]
PER_FIELD = 20


class RisingSpec(BaseModel):
    fields: list[RisingField] = Field(default_factory=lambda: ["person", "org", "location", "countries", "topics"],
                                      min_length=1, max_length=6)
    interval: Literal["day", "week", "month"] = "week"
    threshold: float = Field(5.0, ge=1.0, le=1000.0, description="Spike score (−log10 p) at which a value alerts")
    min_support: int = Field(3, ge=1, le=10_000, description="Documents a value needs in the window")


def spec_of(saved: dict[str, Any]) -> RisingSpec:
    return RisingSpec.model_validate(saved[RISING_KEY])


def _search_link(scope: dict[str, Any], field: str, value: str, window_from: str, window_to: str) -> str:
    params = [(k, v) for k, vs in scope.items() if k != RISING_KEY for v in (vs if isinstance(vs, list) else [vs])]
    return "/?" + urlencode(params + [(field, value), ("date_from", window_from), ("date_to", window_to)])


async def rising_matches(svc: AnalyticsService, search_id: int, saved: dict[str, Any],
                         principal: Principal) -> list[Match]:
    """The values rising above the threshold in the latest window of the scope, as ledger matches."""
    spec = spec_of(saved)
    scope = request_of(saved).model_dump(exclude={"size", "page", "cursor", "facet_size", "interval"})
    out: list[Match] = []
    for field in spec.fields:
        req = TrendsRequest.model_validate(scope | {"field": field, "interval": spec.interval, "size": PER_FIELD,
                                                    "page": 1, "min_support": spec.min_support})
        res = await svc.trends(req, principal)
        label = FACETS_BY_NAME[field].label
        for v in res.values:
            if v.score < spec.threshold or not res.window_from:
                continue
            key = f"rising:{field}:{res.window_from}:{v.value}"[:MAX_ID_CHARS]
            note = (f"{v.window_count} documents in {res.window_from} – {res.window_to}, {v.expected:.1f} expected "
                    f"(score {v.score:.1f}{', new' if v.new else ''})")
            out.append(Match(search_id, key, f"Rising {label.lower()}: {v.value}",
                             _search_link(saved, field, v.value, res.window_from, res.window_to or ""), note, None))
    return out
