"""Which text fields a query searches and highlights (pure), given the languages the index holds.

Every language in ``STEMMED_LANGUAGES`` has its own hunspell-stemmed ``title_<l>``/``body_<l>`` pair,
filled only for documents in that language. Querying and highlighting all nine pairs for an index that
holds two languages costs real time for nothing: highlighting ~20 fields was half the cost of a search
body (issue 19). So the search service tells the builder which languages the index holds
(:meth:`SearchService._known_languages`, cached), and only those pairs are queried and highlighted.
``None`` means "unknown": every pair, as before.

The neutral ``body`` is always highlighted (it gives every hit its no-match snippet); the neutral
``title`` only when a hit's own stemmed field cannot carry its marks: documents in a language without a stemmed pair (or none
detected), and ``prefix*`` terms, which are matched on the neutral fields only (the stemmed analyzers
lowercase first, so an exact word is marked in the stemmed field as well). The response shaping picks,
per hit, the fragments of its own language (:func:`search_api.shaping.shape_hit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mappings import STEMMED_LANGUAGES, body_field, title_field

TITLE_BOOST, BODY_BOOST = 3.0, 1.0
STEM_TITLE_BOOST, STEM_BODY_BOOST = 1.5, 0.5

_TITLE_HL: dict[str, Any] = {"number_of_fragments": 0}
_BODY_HL: dict[str, Any] = {"fragment_size": 180, "number_of_fragments": 3}
_NO_MATCH = {"no_match_size": 180}  # the neutral body gives every hit a snippet, even without a match


@dataclass(frozen=True)
class TextFields:
    """The stemmed languages a body queries, and whether every indexed language has a stemmed pair."""

    languages: tuple[str, ...]
    all_stemmed: bool  # no document needs the neutral fields for its highlights

    @property
    def title(self) -> list[str]:
        return [f"title^{TITLE_BOOST}"] + [f"{title_field(lang)}^{STEM_TITLE_BOOST}" for lang in self.languages]

    @property
    def body(self) -> list[str]:
        return [f"body^{BODY_BOOST}"] + [f"{body_field(lang)}^{STEM_BODY_BOOST}" for lang in self.languages]

    def for_field(self, field: str | None) -> list[str]:
        """Fields of ``title:``/``body:`` or of an unqualified term (both)."""
        return {"title": self.title, "body": self.body}.get(field or "", self.title + self.body)

    def highlight(self, *, prefixes: bool) -> dict[str, Any]:
        """The ``highlight`` section: each indexed language's stemmed pair, plus the neutral pair when needed."""
        # The neutral body always: it gives every hit its snippet (a stemmed body gives none for a query
        # that does not reach it, e.g. ``title:x``: tests/test_hybrid_search.py compares with all fields).
        fields: dict[str, Any] = {"body": {**_BODY_HL, **_NO_MATCH}}
        if prefixes or not self.all_stemmed or not self.languages:
            fields["title"] = _TITLE_HL
        for lang in self.languages:
            fields[title_field(lang)] = _TITLE_HL
            fields[body_field(lang)] = _BODY_HL
        return {"type": "unified", "encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
                "fields": fields}


ALL = TextFields(STEMMED_LANGUAGES, all_stemmed=False)


def text_fields(languages: Iterable[str] | None) -> TextFields:
    """The fields for an index holding ``languages`` (language codes as indexed; ``None``: unknown)."""
    if languages is None:
        return ALL
    held = set(languages)
    stemmed = tuple(lang for lang in STEMMED_LANGUAGES if lang in held)
    return TextFields(stemmed, all_stemmed=bool(held) and held <= set(STEMMED_LANGUAGES))


def languages_body() -> dict[str, Any]:
    """Every language code in the index, and whether some documents have none (one aggregation)."""
    return {"size": 0, "track_total_hits": False,
            "aggs": {"languages": {"terms": {"field": "language", "size": 500}},
                     "none": {"missing": {"field": "language"}}}}


def languages_from(res: dict[str, Any]) -> list[str]:
    """The answer to :func:`languages_body`; a document without a language counts as ``"und"``."""
    aggs = res["aggregations"]
    out = [str(b["key"]) for b in aggs["languages"]["buckets"]]
    return out + (["und"] if aggs["none"]["doc_count"] else [])
