"""Query-side grading (issue 16): ``reliability:A,B`` / ``credibility:1..3`` values and the ranking option.

"Prefer reliable and corroborated" multiplies relevance by a bounded factor (``function_score`` with
filter-weighted functions, core Elasticsearch): at most ``MAX_FACTOR`` for an A-graded, confirmed (1)
report, 1.0 for an ungraded, uncorroborated one — so it reorders close calls and never buries a much
better text match.
"""

from __future__ import annotations

from typing import Any

from .errors import QuerySyntaxError

GRADE_SCALES: dict[str, str] = {"reliability": "ABCDEF", "credibility": "123456"}
PREFER_RELIABLE = "reliable"
RELIABILITY_WEIGHTS = {"A": 1.25, "B": 1.15, "C": 1.05}
CREDIBILITY_WEIGHTS = {"1": 1.2, "2": 1.1}
MAX_FACTOR = 1.5  # = 1.25 * 1.2, rounded up; also Elasticsearch's max_boost


def grade_values(field: str, text: str) -> list[str]:
    """``A,B`` → [A, B]; ``1..3`` → [1, 2, 3]; case-insensitive; anything else is a syntax error."""
    scale = GRADE_SCALES[field]
    out: list[str] = []
    for part in text.upper().split(","):
        lo, sep, hi = part.strip().partition("..")
        ends = (lo.strip(), hi.strip()) if sep else (lo.strip(), lo.strip())
        if not all(len(e) == 1 and e in scale for e in ends) or scale.index(ends[0]) > scale.index(ends[1]):
            raise QuerySyntaxError(
                f"{text!r} is not a {field} value",
                hint=f"use {', '.join(scale)}, a list ({scale[0]},{scale[1]}) or a range ({scale[0]}..{scale[2]})",
            )
        out += [g for g in scale[scale.index(ends[0]):scale.index(ends[1]) + 1] if g not in out]
    return out


def prefer_reliable(query: dict[str, Any]) -> dict[str, Any]:
    functions = [{"filter": {"term": {"reliability": g}}, "weight": w} for g, w in RELIABILITY_WEIGHTS.items()]
    functions += [{"filter": {"term": {"credibility": g}}, "weight": w} for g, w in CREDIBILITY_WEIGHTS.items()]
    return {"function_score": {"query": query, "functions": functions, "score_mode": "multiply",
                               "boost_mode": "multiply", "max_boost": MAX_FACTOR}}
