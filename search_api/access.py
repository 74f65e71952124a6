"""Need-to-know: the one place where a user's collection access becomes part of an Elasticsearch body.

Every request body built for a user goes through :func:`restrict` just before it is sent, whatever
route built it (search, facets, facet values, suggest, histogram, similar, duplicates, export,
trends, alerts). Fetching one document by id is not a search, so :func:`may_read` checks the
document's collection and the caller answers 404 — never 403, which would confirm it exists.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mappings import COLLECTION_FIELD

from .matching import knn_filtered

ROLES = ("admin", "analyst", "reader", "integrator")


@dataclass(frozen=True)
class Principal:
    """Who is asking: resolved once per request by the authentication layer."""

    name: str
    role: str = "reader"
    # None = every collection (administrators, and single-user installs without accounts).
    collections: frozenset[str] | None = frozenset()
    auth: str = "session"  # session | api-key | shared-key | open
    read_only: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.collections is None


OPEN = Principal(name="local", role="admin", collections=None, auth="open")


def access_filter(principal: Principal) -> dict[str, Any] | None:
    """The filter clause for ``principal``; ``None`` when nothing needs hiding.

    An empty collection set yields a filter that matches nothing (not "no filter").
    """
    if principal.collections is None:
        return None
    return {"terms": {COLLECTION_FIELD: sorted(principal.collections)}}


def restrict(body: dict[str, Any], principal: Principal, *, known_collections: Sequence[str] = (),
             within: Sequence[str] | None = None) -> dict[str, Any]:
    """A copy of a ``_search`` body that can only see what ``principal`` may read.

    ``within`` (document ids: a case's documents, the caller's starred or tagged ones) narrows it
    further the same way; an empty sequence matches nothing.

    The query (and so hits, aggregations, totals and ``post_filter``) is wrapped in a filter; a
    top-level ``knn`` section gets the same filter, since kNN candidates are chosen before the query.
    Completion suggesters ignore queries, so they get the readable collections as their (mandatory)
    category context instead; ``known_collections`` is used for principals who see everything.
    """
    out = _restrict_suggest(body, principal, known_collections)
    flt = access_filter(principal)
    if within is not None:
        ids = {"ids": {"values": sorted(set(within))}}
        flt = ids if flt is None else {"bool": {"filter": [flt, ids]}}
    if flt is None:
        return out
    out = copy.copy(out)
    query = out.get("query")
    # A kNN-only body gets no query: added next to ``knn``, even a pure filter would pad the hits with
    # score-0 documents (Elasticsearch ORs the query's matches with the nearest neighbours).
    if query is not None or "knn" not in out:
        out["query"] = {"bool": {"filter": [flt], **({"must": [query]} if query else {})}}
    if "knn" in out:
        out["knn"] = knn_filtered(out["knn"], flt)
    return out


def _restrict_suggest(body: dict[str, Any], principal: Principal, known: Sequence[str]) -> dict[str, Any]:
    sections = body.get("suggest")
    if not isinstance(sections, dict):
        return body
    readable = sorted(known if principal.collections is None else principal.collections)
    kept: dict[str, Any] = {}
    for name, section in sections.items():
        if not isinstance(section, dict) or "completion" not in section:
            kept[name] = section
        elif readable:  # no readable collection: no completion at all (an empty context is an error)
            completion = {**section["completion"], "contexts": {COLLECTION_FIELD: readable}}
            kept[name] = {**section, "completion": completion}
    out = {k: v for k, v in body.items() if k != "suggest"}
    if kept:
        out["suggest"] = kept
    return out


def may_read(principal: Principal, source: dict[str, Any]) -> bool:
    """Whether a fetched document is visible to ``principal`` (documents without a collection: admins only)."""
    if principal.collections is None:
        return True
    return source.get(COLLECTION_FIELD) in principal.collections
