"""Display kinds of the facet table: how a stored value reads and which typed names mean it.

The index stores codes (``SA``, ``en``); analysts type and read names ("Saudi Arabia", "Arabie saoudite",
"English"). Names come from Babel's CLDR data (a pinned dependency) in English plus every language the
index stems, so a filter or a facet value search by name finds the code. Pure functions over static data.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from mappings import STEMMED_LANGUAGES

MAX_CODES = 50  # codes one typed text may stand for (keeps the generated terms filter small)


@lru_cache(maxsize=None)
def _names(kind: str) -> dict[str, tuple[str, ...]]:
    """code -> (English name, names in the other stemmed languages...) for a display kind."""
    if kind not in ("country", "language"):
        return {}
    out: dict[str, list[str]] = {}
    for loc in ("en", *[l for l in STEMMED_LANGUAGES if l != "en"]):
        table = Locale(loc).territories if kind == "country" else Locale(loc).languages
        for code, name in table.items():
            if kind == "country" and not (len(code) == 2 and code.isalpha()):
                continue  # CLDR regions such as "001" (World) are not countries
            if kind == "language" and not (2 <= len(code) <= 3 and code.isalpha()):
                continue
            names = out.setdefault(code, [])
            if name not in names:
                names.append(name)
    return {code: tuple(names) for code, names in out.items()}


def label(kind: str, value: str) -> str:
    """What an analyst reads for a stored value (the value itself when the kind has no names)."""
    names = _names(kind).get(value.upper() if kind == "country" else value.lower())
    return names[0] if names else value


@lru_cache(maxsize=None)
def _by_name(kind: str) -> dict[str, tuple[str, ...]]:
    """casefolded name -> codes (one dictionary lookup per filter value instead of a scan)."""
    out: dict[str, list[str]] = {}
    for code, names in _names(kind).items():
        for n in names:
            codes = out.setdefault(n.casefold(), [])
            if code not in codes:
                codes.append(code)
    return {name: tuple(codes) for name, codes in out.items()}


def codes_named(kind: str, text: str) -> list[str]:
    """Codes whose name (in any of the languages) is ``text``, ignoring case: "saudi arabia" -> ["SA"]."""
    return list(_by_name(kind).get(text.strip().casefold(), ()))[:MAX_CODES]


def codes_matching(kind: str, text: str, match) -> list[str]:
    """Codes with a name that ``match(name, text)`` accepts (the facet value search's word-prefix rule)."""
    if not text.strip():
        return []
    return [code for code, names in _names(kind).items() if any(match(n, text) for n in names)][:MAX_CODES]
