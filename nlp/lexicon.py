"""Per-language word knowledge for the cleaning stages: stop words, number-likeness, month/day names.

Stop words and ``like_num`` come from spaCy's language data (``spacy.util.get_lang_class``: no model
needed, every language spaCy knows); month and weekday names from Babel's CLDR data. The NER-only
pipelines carry no tagger, so part of speech is not available here: the decisions use these lexical
attributes, the token's shape and the document itself (a word also written in lower case there is a
common word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Wire-service table words: units, currencies, time zones and financial abbreviations that NER takes for names
# in earnings tables ("Avg shrs", "Revs", "U.S. Dlrs"). No package lists them; they are Reuters/AP style.
FINANCE_WORDS = frozenset("""
dlr dlrs dlrs. cts ct mln mlns bln blns pct qtr qtrs qtly shr shrs avg revs rev oper div divs vs net
nine-mths mths mth yr yrs cts/shr pf pfd prior vs. nil ebit ebitda eps yen-denominated stg
gmt edt est cst cdt pst pdt bst cet
""".split())
# Corporate-form and generic head words: alone (or only together) they name nothing ("Co Inc", "Bank").
GENERIC_ORG_WORDS = frozenset("""
co co. corp corp. corporation inc inc. incorporated ltd ltd. limited plc llc lp l.p. sa s.a. ag nv n.v.
bv gmbh spa s.p.a. kk group holding holdings company companies cos bank banks trust fund funds
government ministry department board committee council commission agency association exchange
industries international partners securities division unit units office authority
""".split())
CORPORATE_SUFFIXES = frozenset("""
co co. corp corp. corporation inc inc. incorporated ltd ltd. limited plc llc lp l.p. sa s.a. ag nv n.v.
bv gmbh spa s.p.a. kk cos nv sa bhd pty
""".split())
_DIGIT = re.compile(r"\d")
# CLDR currency "names" that end in a generic word (European Currency Unit, Testing Currency Code…)
_NOT_CURRENCY = {"account", "code", "currency", "unit", "rights", "gold", "silver", "platinum", "palladium",
                 "fund", "funds", "bond", "transactions", "settlement", "tests"}
# Debian's hunspell dictionaries (installed for the index's stemmed fields) list each language's words
# with their case: "state" only in lower case is a common word, "Baker" also capitalised is a name too.
HUNSPELL_DIR = Path("/usr/share/hunspell")
_HUNSPELL = {"en": "en_US", "fr": "fr_FR", "es": "es_ES", "de": "de_DE", "it": "it_IT", "nl": "nl_NL",
             "pt": "pt_PT", "ru": "ru_RU", "uk": "uk_UA"}


@dataclass(frozen=True)
class Lexicon:
    lang: str
    stop_words: frozenset[str]
    calendar_words: frozenset[str]  # month and weekday names and abbreviations, case-folded
    _like_num: object
    common_words: frozenset[str] = frozenset()  # dictionary words never written capitalised there
    currency_words: frozenset[str] = frozenset()  # last words of currency names: dollar, franc, yen…

    def is_stop(self, word: str) -> bool:
        return word.casefold() in self.stop_words

    def like_num(self, word: str) -> bool:
        if _DIGIT.search(word):
            return True
        try:
            return bool(self._like_num(word))  # type: ignore[operator]
        except Exception:  # noqa: BLE001 - a language's getter may not expect odd input
            return False

    def is_calendar(self, word: str) -> bool:
        return word.casefold().rstrip(".") in self.calendar_words

    def is_common(self, word: str) -> bool:
        """A dictionary word that the dictionary never capitalises ("State", "National", "Soybean")."""
        w = word.casefold()
        return w in self.common_words or (w.endswith("s") and w[:-1] in self.common_words)

    def is_finance(self, word: str) -> bool:
        return word.casefold() in FINANCE_WORDS or word.casefold().rstrip(".") in FINANCE_WORDS


@lru_cache(maxsize=64)
def get_lexicon(lang: str) -> Lexicon:
    """The lexicon of ``lang`` (ISO 639-1); English data when spaCy or Babel do not know it."""
    import spacy.util
    from spacy.attrs import LIKE_NUM

    try:
        defaults = spacy.util.get_lang_class(lang).Defaults
    except Exception:  # noqa: BLE001 - unknown to spaCy: English is the lingua franca of wire text
        defaults = spacy.util.get_lang_class("en").Defaults
    stops = frozenset(w.casefold() for w in defaults.stop_words)
    like_num = defaults.lex_attr_getters.get(LIKE_NUM) or (lambda w: False)
    return Lexicon(lang, stops, _calendar(lang), like_num, _common_words(lang), _currencies(lang))


def _currencies(lang: str) -> frozenset[str]:
    """Last words of CLDR currency names in ``lang`` and English, singular and plural ("dollar(s)")."""
    from babel import Locale, UnknownLocaleError

    words: set[str] = set()
    for code in {lang, "en"}:
        try:
            names = Locale.parse(code).currencies
        except (UnknownLocaleError, ValueError):
            continue
        for name in names.values():
            last = name.split()[-1].casefold()
            if last.isalpha() and len(last) > 2 and last not in _NOT_CURRENCY:
                words.update({last, last + "s"})
    return frozenset(words)


def _common_words(lang: str) -> frozenset[str]:
    dic = HUNSPELL_DIR / f"{_HUNSPELL.get(lang, lang)}.dic"
    aff = dic.with_suffix(".aff")
    if not dic.is_file():
        return frozenset()  # no dictionary for this language: the document's own evidence still works
    encoding = "utf-8"
    if aff.is_file():
        for line in aff.read_bytes().decode("latin-1").splitlines()[:40]:
            if line.startswith("SET "):
                encoding = line.split()[1].strip()
                break
    lower: set[str] = set()
    capital: set[str] = set()
    for line in dic.read_bytes().decode(encoding, errors="replace").splitlines()[1:]:
        word = line.split("/", 1)[0].strip()
        if not word or not word[0].isalpha():
            continue
        (lower if word[0].islower() else capital).add(word.casefold())
    return frozenset(lower - capital)


def _calendar(lang: str) -> frozenset[str]:
    from babel import Locale, UnknownLocaleError

    words: set[str] = set()
    for code in {lang, "en"}:
        try:
            loc = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for table in (loc.months, loc.days):
            for width in ("wide", "abbreviated"):
                for names in (table.get("format", {}).get(width, {}), table.get("stand-alone", {}).get(width, {})):
                    words.update(n.casefold().rstrip(".") for n in names.values())
    words.update({"sept", "tues", "thurs"})
    return frozenset(words)


_PROSE_WORD = re.compile(r"[^\W\d_]{2,}")


def prose_words(text: str, lex: Lexicon) -> int:
    """Words of running text in ``text``: no numbers, no table abbreviations (an earnings table has few)."""
    return sum(1 for w in _PROSE_WORD.findall(text) if not lex.is_finance(w))
