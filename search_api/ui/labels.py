"""Names an analyst reads: facet labels, languages, countries, entity types."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from mappings import ENTITY_TYPES

# Facets in the sidebar, in order: API facet name -> label.
SIDEBAR_FACETS: tuple[tuple[str, str], ...] = (
    ("language", "Language"),
    ("source", "Source"),
    ("topics", "Topic"),
    ("countries", "Country"),
    ("person", "Person"),
    ("org", "Organisation"),
    ("location", "Place"),
)
FACET_LABELS: dict[str, str] = dict(SIDEBAR_FACETS) | {"source_type": "Source type", "keywords": "Keyword"}
ENTITY_LABELS: dict[str, str] = {"person": "Person", "org": "Organisation", "location": "Place", "other": "Other"}
assert set(ENTITY_LABELS) == set(ENTITY_TYPES)
# Mention types written by older indexers or other NER tools, folded onto the contract's four.
_MENTION_TYPE_ALIASES = {
    "per": "person", "persons": "person", "people": "person",
    "organization": "org", "organisation": "org", "orgs": "org",
    "loc": "location", "gpe": "location", "place": "location", "places": "location",
    "misc": "other",
}
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "ru": "Russian",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "uk": "Ukrainian", "pl": "Polish",
    "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "tr": "Turkish", "fa": "Persian",
    "und": "Undetermined",
}


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """Common English name of an ISO 3166 alpha-2 code; the code itself when it is not one."""
    c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return (getattr(c, "common_name", None) or c.name) if c else code


def language_label(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "")


def value_label(facet: str, value: str) -> str:
    if facet == "language":
        return language_label(value)
    if facet == "countries":
        return country_name(value)
    return value


def mention_type(raw: str | None) -> str:
    t = (raw or "other").strip().lower()
    t = _MENTION_TYPE_ALIASES.get(t, t)
    return t if t in ENTITY_LABELS else "other"


def short_date(value: str | None) -> str:
    return (value or "")[:10]
