"""Grading fields of a document (issue 16): pure functions the indexer and the search API both use.

The scale itself (letters, digits, the doctrine's wording) lives with the registry in
``workspace/sources.py``; this module only knows how grades become index fields, so the indexer can
stamp new documents from a plain ``{source: grade}`` dict handed down by the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNGRADED = "F"  # "reliability cannot be judged": every source until an analyst grades it
UNJUDGED = "6"  # "truth cannot be judged"
GRADE_FIELDS = ("reliability", "credibility", "corroboration", "independent_sources", "credibility_override",
                "corroborated_by")
CONFIRMED_AT = 3  # independent sources (the document's own included) for 1 "confirmed by other sources"
PROBABLE_AT = 2  # ... for 2 "probably true"


def default_credibility(corroboration: int | None) -> str:
    """Credibility from corroboration alone: ≥3 independent sources → 1, 2 → 2, otherwise 6 (see docs/grading.md)."""
    n = corroboration or 0
    if n >= CONFIRMED_AT:
        return "1"
    if n >= PROBABLE_AT:
        return "2"
    return UNJUDGED


def credibility_fields(corroboration: int | None, override: str | None) -> dict[str, Any]:
    """The credibility fields of a document: the analyst's override when there is one, else the default."""
    if override:
        return {"credibility": override, "credibility_override": True}
    return {"credibility": default_credibility(corroboration), "credibility_override": False}


def grade_fields(source: str | None, grades: Mapping[str, str]) -> dict[str, Any]:
    """Fields a newly indexed document carries: its source's reliability (F if ungraded), not yet corroborated."""
    return {"reliability": grades.get(source or "", UNGRADED), "credibility": UNJUDGED, "corroboration": 1,
            "independent_sources": [source] if source else [], "credibility_override": False, "corroborated_by": []}


def rating(doc: Mapping[str, Any]) -> str:
    """The two-character rating shown on results, the document page and exports, e.g. ``B2``."""
    return f"{doc.get('reliability') or UNGRADED}{doc.get('credibility') or UNJUDGED}"
