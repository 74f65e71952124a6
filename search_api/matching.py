"""How values match (pure): case-insensitive keyword filters, word-prefix value search, coded facets.

No automaton or regular expression is ever built from user text: keyword fields are matched on their
``lower`` sub-field (Elasticsearch lowercases the query value with the index's normalizer), word
prefixes with ``match_bool_prefix`` on the ``words`` sub-field, and the final word-start check on a
facet value happens here in Python.
"""

from __future__ import annotations

from typing import Any, Callable

from mappings.vocabulary import NORMALISED_FIELDS, FacetSpec

from . import display


def any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def keyword_match(field: str, values: list[str], *, prefix: bool = False) -> dict[str, Any]:
    """Documents whose keyword ``field`` has one of ``values`` (or a value starting with it), any case.

    Normalised fields match on their ``lower`` sub-field; the exact field is OR-ed in so an index
    created before the sub-field existed still matches exact values (until it is migrated).
    """
    if field not in NORMALISED_FIELDS:
        kind = "prefix" if prefix else "term"
        return any_of([{kind: {field: {"value": v, "case_insensitive": True}}} for v in values])
    lower = f"{field}.lower"
    if prefix:
        return any_of([c for v in values for c in ({"prefix": {lower: v}}, {"prefix": {field: v}})])
    return any_of([{"terms": {lower: values}}, {"terms": {field: values}}])


def facet_filter(spec: FacetSpec, values: list[str]) -> dict[str, Any]:
    """Documents with any of ``values``; for coded facets a name stands for its code ("saudi arabia")."""
    if spec.display != "plain":
        values = list(dict.fromkeys([*values, *(c for v in values for c in display.codes_named(spec.display, v))]))
    return keyword_match(spec.field, values)


def selected_keys(spec: FacetSpec, values: list[str]) -> set[str]:
    """Casefolded stored values a selection stands for (the values, and the codes of typed names)."""
    codes = [c for v in values for c in display.codes_named(spec.display, v)] if spec.display != "plain" else []
    return {v.casefold() for v in [*values, *codes]}


def coded_values_matching(spec: FacetSpec, text: str) -> list[str]:
    """Stored codes of a coded facet whose display name has a word starting with ``text``."""
    return display.codes_matching(spec.display, text, word_prefix_match) if spec.display != "plain" and text else []


def word_prefix_filter(spec: FacetSpec, text: str) -> dict[str, Any]:
    """Documents with a value of ``spec`` having words that start with the words of ``text``."""
    return {"match_bool_prefix": {spec.words_field: {"query": text, "operator": "and"}}}


def word_prefix_match(value: str, text: str) -> bool:
    """``text`` starts ``value`` or one of its words (after a space or hyphen), ignoring case."""
    value, text = value.casefold(), text.casefold()
    at = value.find(text)
    while at >= 0:
        if at == 0 or value[at - 1] in " -":
            return True
        at = value.find(text, at + 1)
    return False


def facet_value_matches(spec: FacetSpec, prefix: str) -> Callable[[str], bool]:
    """The predicate the caller applies to the buckets of :func:`facet_values_body`."""
    codes = {c.casefold() for c in coded_values_matching(spec, prefix)}
    return lambda value: word_prefix_match(value, prefix) or value.casefold() in codes


def all_of(filters: list[dict[str, Any]]) -> dict[str, Any]:
    """Every filter must hold (``match_all`` for none): one combinator for the query layer and sampling."""
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


def knn_filtered(knn: dict[str, Any] | list[dict[str, Any]], flt: dict[str, Any]) -> dict[str, Any] | list[dict[str, Any]]:
    """A ``knn`` section (one or a list) whose candidates must also match ``flt``: kNN candidates are chosen
    before the query, so a filter meant for the hits goes into each section's own ``filter``."""
    def one(k: dict[str, Any]) -> dict[str, Any]:
        existing = k.get("filter")
        return {**k, "filter": [flt] + (existing if isinstance(existing, list) else [existing] if existing else [])}
    return [one(k) for k in knn] if isinstance(knn, list) else one(knn)
