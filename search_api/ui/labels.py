"""Names an analyst reads, generated from the search vocabulary (``mappings.vocabulary``).

Facet labels, sidebar order, which facets have a search box and how their values read (a language
or country name for a stored code, via :mod:`search_api.display`) all come from the facet table, so
adding a facet there adds it to the sidebar with no edit here.
"""

from __future__ import annotations

from mappings import ENTITY_TYPES
from mappings.vocabulary import FACETS, FACETS_BY_NAME, SORTS

from .. import display

SIDEBAR_FACETS: tuple[tuple[str, str], ...] = tuple((f.name, f.label) for f in FACETS if f.sidebar)
FACET_LABELS: dict[str, str] = {f.name: f.label for f in FACETS}
SEARCHABLE_FACETS: frozenset[str] = frozenset(f.name for f in FACETS if f.search != "none")
SORT_LABELS: tuple[tuple[str, str], ...] = tuple((s.name, s.label) for s in SORTS)
ENTITY_LABELS: dict[str, str] = {"person": "Person", "org": "Organisation", "location": "Place", "other": "Other"}
assert set(ENTITY_LABELS) == set(ENTITY_TYPES)
# Mention types written by older indexers or other NER tools, folded onto the contract's four.
_MENTION_TYPE_ALIASES = {
    "per": "person", "persons": "person", "people": "person",
    "organization": "org", "organisation": "org", "orgs": "org",
    "loc": "location", "gpe": "location", "place": "location", "places": "location",
    "misc": "other",
}


def country_name(code: str) -> str:
    return display.label("country", code)


def language_label(code: str | None) -> str:
    return display.label("language", code) if code else ""


def value_label(facet: str, value: str) -> str:
    """How a stored facet value reads (a name for a language or country code, else the value)."""
    spec = FACETS_BY_NAME.get(facet)
    return display.label(spec.display, value) if spec is not None else value


def mention_type(raw: str | None) -> str:
    t = (raw or "other").strip().lower()
    t = _MENTION_TYPE_ALIASES.get(t, t)
    return t if t in ENTITY_LABELS else "other"


def short_date(value: str | None) -> str:
    return (value or "")[:10]
