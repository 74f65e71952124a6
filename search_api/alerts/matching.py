"""Turn saved searches into ``_msearch`` bodies restricted to documents ingested since the checkpoint.

Matching is by query over ``ingest.ingested_at`` (not the publication date: an old document collected
today must alert). The percolator is not in the Elasticsearch distribution used here, so each pass
runs every due saved search once, batched in ``_msearch``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from .. import query as Q
from ..errors import InvalidParameter, PeriscopeError
from ..models import SearchRequest

INGESTED_AT = "ingest.ingested_at"
# Fields kept from a saved SearchRequest: what the analyst asked for, not how a page was shown.
VOLATILE = {"size", "page", "cursor", "facet_size", "facets", "interval"}
# _source fields an alert match needs: its title, link, the language (which highlight to show) and the stamp
ALERT_SOURCE = ["id", "url", "title", "language", INGESTED_AT]


def saved_fields(req: SearchRequest) -> dict[str, Any]:
    return req.model_dump(mode="json", exclude=VOLATILE, exclude_defaults=True)


def request_of(saved: dict[str, Any], size: int = 20) -> SearchRequest:
    """The SearchRequest a saved search stands for; a stored value that no longer validates raises
    :class:`InvalidParameter`, a query that no longer parses :class:`QuerySyntaxError` (when the body is built)."""
    if not isinstance(saved, dict):
        raise InvalidParameter("search", "a saved search is an object of search fields", 'e.g. {"q": "opec"}')
    try:
        return SearchRequest(**{**saved, "size": size, "facet_size": 0})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidParameter(".".join(str(p) for p in first["loc"]) or "request", first["msg"],
                               "edit the saved search") from None


def query_problem(saved: dict[str, Any]) -> str | None:
    """None when the saved search still builds, else what is wrong with it (shown as a flag)."""
    try:
        Q.search_body(request_of(saved))
    except PeriscopeError as exc:
        return f"{exc.detail}" + (f" — {exc.hint}" if exc.hint else "")
    return None


def since_body(body: dict[str, Any], since: datetime, size: int) -> dict[str, Any]:
    """``body`` (from the real query builder) limited to documents ingested at or after ``since``,
    oldest first so a capped pass can resume from its last hit."""
    out = {k: v for k, v in body.items() if k not in ("aggs", "from", "search_after", "track_scores")}
    window = {"range": {INGESTED_AT: {"gte": since.isoformat()}}}
    out["query"] = {"bool": {"must": [body["query"]], "filter": [window]}}
    out["sort"] = [{INGESTED_AT: "asc"}, {"_doc": "asc"}]  # _doc tie-break: cheap, and fine within one pass
    out["size"] = size
    out["track_total_hits"] = False
    out["_source"] = ALERT_SOURCE  # what a match keeps, not a result page's entities and grades: smaller answers
    return out


def window_start(checked_until: datetime | None, created_at: datetime, overlap: timedelta) -> datetime:
    """New saved searches look from their creation on; later passes re-read ``overlap`` before the
    checkpoint (duplicates are dropped by the ledger's unique constraint)."""
    return created_at if checked_until is None else checked_until - overlap


# --- saved searches that are not plain searches --------------------------------------------------------
# A watchlist's alert stores {"watchlist": id}; a warning alert stores its scope plus {"rising": {...}}.
# These keys are not SearchRequest fields, so request_of() ignores them (the scope still runs as a search).
WATCHLIST_KEY, RISING_KEY = "watchlist", "rising"


def watchlist_of(saved: dict[str, Any]) -> int | None:
    wid = saved.get(WATCHLIST_KEY) if isinstance(saved, dict) else None
    return wid if isinstance(wid, int) else None


def is_rising(saved: dict[str, Any]) -> bool:
    return isinstance(saved, dict) and isinstance(saved.get(RISING_KEY), dict)


def doc_link(public_url: str, doc_id: str, url: str | None) -> str:
    """Where a match links: the document, or — for a rising value (not a document) — its search."""
    if doc_id.startswith("rising:") and url:
        return url if url.startswith("http") else public_url + url
    return f"{public_url}/doc/{doc_id}"
