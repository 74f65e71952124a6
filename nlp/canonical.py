"""Canonical entity names: one spelling per entity so facets count it once.

Rules: collapse whitespace, drop surrounding quotes/punctuation, possessives ("Reagan's"), leading
articles and titles ("President", "Mr", "M.", "Sr.", "президент"), and turn ALL-CAPS person/place
names (Reuters headlines) into title case. Junk (single characters, numbers, URLs, handles) is None.
"""

from __future__ import annotations

import re

# Honorifics and office titles that precede names in the languages we ship NER for.
_TITLES = {
    t.casefold()
    for t in """mr mrs ms miss dr prof sir lord lady president vice-president prime minister
    secretary chancellor senator sen rep representative gov governor gen general col colonel
    adm admiral lt capt captain sgt king queen prince princess pope saint st chairman chief
    executive ceo spokesman spokeswoman ambassador judge justice mayor
    m mme mlle monsieur madame président présidente ministre premier général
    sr sra srta señor señora don doña presidente ministro ministra
    herr frau präsident präsidentin kanzler kanzlerin minister ministerin
    господин госпожа президент премьер министр глава генерал""".split()
}
_ARTICLES = {"the", "le", "la", "les", "l'", "el", "los", "las", "der", "die", "das"}
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_URL = re.compile(r"(?:https?://|www\.|\S+@\S+\.\w+|\.(?:com|org|net|gov)\b)", re.I)


def canonical(text: str, etype: str) -> str | None:
    s = " ".join(text.split())
    if "@" in s or s.startswith(("#", "RT ")) or "&amp" in s or "&lt" in s or "&gt" in s:
        return None  # social-media handles, hashtags, retweet markers, HTML entities
    s = _EDGE.sub("", s) if not s.endswith(".") or " " in s else s.strip("\"'“”«»()[]")
    if s.endswith(".") and not re.search(r"\b\w\.$", s):
        s = s.rstrip(".")
    if not s or _URL.search(s) or s[0] in "@#":
        return None
    s = _POSSESSIVE.sub("", s).strip()
    words = s.split(" ")
    while len(words) > 1 and (words[0].casefold().rstrip(".") in _TITLES or words[0].casefold() in _ARTICLES):
        words = words[1:]
    s = " ".join(words)
    letters = sum(c.isalpha() for c in s)
    if letters < 2 or letters < len(s.replace(" ", "")) / 2:
        return None
    if s.isupper() and etype in ("person", "location") and len(s) > 4:
        s = s.title()
    return s
