"""Which countries a document is about, from the evidence its text gives (ISO 3166-1 alpha-2).

Evidence (:class:`nlp.entities.Evidence`): country names and those named inside a longer name ("U.S.
Treasury"), demonyms in any supported language, capitals, and — only when NER tagged them as places —
cities, US states and Canadian provinces; the dateline's place. Organisations never imply a country
(IBM is not "US"). Names that are also something else are decided from the document:

* "Turkey", "China", "Chad"…: not the country when the story also writes the word in lower case
  (turkey meat, fine china) and nothing else points at that country;
* "Georgia": the US state when other US places are named, the country otherwise.

Precision first, a country must be *salient*: the dateline's, named in the headline or the lead (first
``LEAD_CHARS`` characters of the body), or pointed at at least ``MIN_MENTIONS`` times; a country named
once in passing deep in the story is not what the story is about. A story with no evidence at all
that prices things in unqualified dollars/cents ("Shr 34 cts vs 1.19 dlrs") is taken to be a U.S. one
(the wire convention: other dollars are always qualified, "Canadian dlrs", which is evidence itself);
likewise sterling (GB) and yen (JP). Figures: docs/nlp.md (tuned on the first 3,000 Reuters stories).
"""

from __future__ import annotations

import re
from collections import Counter

from .countries_words import ALSO_WORDS as _ALSO_WORDS
from .entities import Evidence

LEAD_CHARS = 300
MIN_MENTIONS = 2
# Unqualified currency words, used only when nothing else in the story names a country.
_CURRENCY = [
    (re.compile(r"\b(?:dlrs?|dollars?|cts|cents|dólares|долларов|доллара)\b", re.I), "US"),
    (re.compile(r"\b(?:stg|sterling|pence)\b", re.I), "GB"),
    (re.compile(r"\byen\b", re.I), "JP"),
]
_US_STATE_HINT = re.compile(r"\b(?:Atlanta|Savannah|Ga\.|state of Georgia|Georgia state|Georgia-Pacific)\b")


def decide(evidence: list[Evidence], texts: dict[str, str], dateline: str | None = None,
           lower_words: set[str] | None = None) -> list[str]:
    """Salient country codes: the dateline's first, then by number of pieces of evidence."""
    lower_words = lower_words if lower_words is not None else set()
    names_by_code: dict[str, set[str]] = {}
    for ev in evidence:
        names_by_code.setdefault(ev.country, set()).add(ev.name.casefold())
    us_places = any(ev.country == "US" and ev.kind in ("city", "region") and ev.name.casefold() != "georgia"
                    for ev in evidence)
    counts: Counter = Counter()
    salient: set[str] = set()
    for ev in evidence:
        code = ev.country
        word = ev.name.casefold()
        if word in _ALSO_WORDS and ev.kind in ("country", "region"):
            if word == "georgia":
                joined = texts.get("title", "") + "\n" + texts.get("body", "")
                code = "US" if us_places or _US_STATE_HINT.search(joined) else "GE"
            elif word in lower_words and len(names_by_code.get(code, ())) == 1:
                continue  # "turkey" is also on the menu, and nothing else says Türkiye
        counts[code] += 1
        if ev.field == "title" or (ev.field == "body" and ev.start < LEAD_CHARS):
            salient.add(code)
    ranked = [c for c, n in counts.most_common() if n >= MIN_MENTIONS or c in salient]
    if dateline:
        ranked = [dateline] + [c for c in ranked if c != dateline]
    if not ranked and not evidence:
        joined = texts.get("title", "") + "\n" + texts.get("body", "")
        ranked = [code for rx, code in _CURRENCY if rx.search(joined)][:1]
    return ranked
