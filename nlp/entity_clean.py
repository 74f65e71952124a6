"""Entity cleaning after NER: drop what is not an entity, give the rest one canonical form.

The stage runs on :class:`~nlp.types.Mention` lists (offsets untouched) and decides with lexical
attributes of the document's language (:mod:`nlp.lexicon`: spaCy stop words and ``like_num``, CLDR
month/day names, the token's shape), the document itself (a word also written in lower case in the
story is a common word; a headline name the body never repeats is a headline fragment) and the alias
table (:mod:`nlp.aliases`). What it drops:

* numbers with units, currencies and table abbreviations (Dlrs, Avg, Revs, cts, Qtr, Mln…);
* the story's own news agency (sign-off line "Reuter", "(Reuters)" in the dateline) wherever it occurs;
* single common words (stop words, words the story also writes in lower case) and corporate forms alone;
* headline fragments; calendar words stuck to a name ("Opec February" → "Opec").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .aliases import AliasTable, get_aliases as get_aliases_table, is_acronym
from .entity_corpus import resolve_short_forms  # noqa: F401  (its home before the corpus rules moved out)
from .entities import EVENT_WORDS
from .firm_names import affiliation, join_firms
from .lexicon import CORPORATE_SUFFIXES, GENERIC_ORG_WORDS, Lexicon
from .types import Mention

_WORDS = re.compile(r"\w[\w'’.&-]*")
_FIRM_COMMA = re.compile(r",\s+(?=[A-Z])")
_TICKER = re.compile(r"\s*<[^>]*>?\s*$")
# Public institutions named without their country ("the Treasury", "the Finance Ministry"): the same
# words name a different body in every country, so the country is added from the story ("French
# Treasury"), and followed by an instrument word they name the instrument ("Treasury bills"), not the body.
_INSTITUTION_HEADS = frozenset("treasury ministry parliament cabinet government bank".split())
_INSTITUTION_WORDS = _INSTITUTION_HEADS | frozenset("""central finance foreign trade agriculture economy economics
industry energy defence defense interior justice labour labor health transport planning""".split())
_INSTRUMENTS = frozenset("""bill bills bond bonds note notes securities paper stock stocks futures index yield
yields tap taps auction auctions certificates gilts issue issues""".split())
_NEXT_WORD = re.compile(r"(?:['’]s)?\s+([A-Za-z]+)")
_DEPARTMENT_AFTER = re.compile(r"\s+(?:[Dd]epartment|[Dd]ept\b|[Ss]ecretary|[Uu]ndersecretary)")
_LOWER_WORD = re.compile(r"\b[^\W\d_A-ZÀ-ÞА-ЯЁ][\w'-]*")


@dataclass
class DocContext:
    """What the cleaning needs to know about one document."""

    title: str
    body: str
    lex: Lexicon
    aliases: AliasTable
    countries: frozenset[str]
    own_agency: str | None = None
    _lower: set[str] | None = None
    _body_fold: str | None = None

    @property
    def lower_words(self) -> set[str]:
        """Words the document writes in lower case (evidence that a capitalised one is a common word)."""
        if self._lower is None:
            self._lower = {w.casefold() for w in _LOWER_WORD.findall(self.title + "\n" + self.body)}
        return self._lower

    @property
    def body_fold(self) -> str:
        if self._body_fold is None:
            self._body_fold = " ".join(self.body.casefold().split())
        return self._body_fold


def own_agency(body: str, dateline_agency: str | None, aliases: AliasTable) -> str | None:
    """The agency that signs the story: "(Reuters)" in the dateline or a last line "Reuter"/"REUTER"."""
    if dateline_agency and aliases.agency(dateline_agency):
        return aliases.agency(dateline_agency)
    tail = body.rstrip(" \t\r\n\x03")[-60:]
    words = tail.rsplit("\n", 1)[-1].split()
    return aliases.agency(words[-1].strip("()-")) if words else None  # "... 33.7).   REUTER" counts too


def _tidy_case(words: list[str], lex: Lexicon, etype: str) -> list[str]:
    """ALL-CAPS names from headlines and tables in title case; short tokens of orgs stay acronyms."""
    if not all(w.isupper() or not any(c.isalpha() for c in w) for w in words):
        return words
    if len(words) == 1 and (etype == "org" or len(words[0]) <= 4):
        return words
    out = []
    for w in words:
        if lex.is_stop(w) and out:
            out.append(w.lower())
        elif etype == "org" and len(w.strip(".")) <= 3:
            out.append(w)
        else:
            out.append("-".join(p.capitalize() for p in w.split("-")))
    return out


_ARTICLES = frozenset({"the", "a", "an", "le", "la", "les", "l'", "el", "los", "las", "der", "die", "das"})


def _loose(word: str, lex: Lexicon) -> bool:
    """An edge word that is not part of the name: a number, or a stop word written in lower case (or
    an article): "First Boston" keeps its capitalised "First", "Woolcott and" loses its "and"."""
    return lex.like_num(word) or (lex.is_stop(word) and (not word[:1].isupper() or word.casefold() in _ARTICLES))


def _suffix(word: str) -> bool:
    return word.casefold().rstrip(",") in CORPORATE_SUFFIXES or word.casefold().replace(".", "") in CORPORATE_SUFFIXES


def clean_name(name: str, etype: str, ctx: DocContext) -> str | None:
    """The cleaned canonical form of one entity name, or None when it is not an entity."""
    lex = ctx.lex
    words = _TICKER.sub("", name).split()  # "Telegraph Co <T.N": the ticker is no part of the name
    if not words:
        return None
    if any(lex.is_finance(w) for w in words):
        return None  # "U.S. Dlrs", "Shr Net", "Avg": financial-table words, never part of a name
    if len(words) > 1 and etype in ("org", "other") and words[-1].casefold() in lex.currency_words:
        return None  # "U.S. Dollar", "Swiss Franc": a currency, not an organisation
    before = None
    while before != words and len(words) > 1:  # edges: calendar, stop and number words, corporate forms
        before = list(words)
        if _loose(words[-1], lex) or (lex.is_calendar(words[-1]) and etype != "person"):
            words = words[:-1]
        elif _loose(words[0], lex):
            words = words[1:]
        elif etype == "org" and _suffix(words[-1]):
            words = words[:-1]  # "American Express Co" and "American Express" are one company
    if all(w.casefold() in GENERIC_ORG_WORDS or lex.is_stop(w) for w in words):
        return None  # "Co Inc", "Bank", "The Company"
    while etype == "person" and len(words) > 1 and lex.is_common(words[0]):
        words = words[1:]  # "Minister of Mines and Energy Subroto": "Energy" is no part of the name
    if any(lex.like_num(w) for w in words) and etype != "org":
        return None  # "1987 Budget", "Qtr 3"
    cased = [w for w in words if any(c.isalpha() for c in w)]
    if not cased or not any(w[0].isupper() or not w[0].islower() for w in cased):
        return None  # nothing capitalised in a cased script: not a name
    if len(words) == 1:
        w = words[0]
        if lex.is_stop(w) or lex.like_num(w) or lex.is_calendar(w):
            return None
        if ctx.aliases.org(w, ctx.countries) is None and not is_acronym(w) and (
                w.casefold() in ctx.lower_words or lex.is_common(w)):
            return None  # "Bank", "State": the story or the dictionary writes it as an ordinary word
    words = _tidy_case(words, lex, etype)
    name = " ".join(words)
    if etype == "org":  # old-style firm names drop their commas: "Goldman, Sachs" is "Goldman Sachs"
        name = _FIRM_COMMA.sub(" ", name)
    return name


def clean_mentions(mentions: list[Mention], ctx: DocContext, gazetteer_types: set[int]) -> list[Mention]:
    """Mentions that are entities, with cleaned canonical forms and organisation aliases applied.

    ``gazetteer_types`` holds the indexes of mentions whose canonical came from the gazetteer
    (countries, capitals, IGOs): those are already canonical and are kept as they are.
    """
    mentions, gazetteer_types = join_firms(mentions, ctx, gazetteer_types)
    body_names = {m.canonical.casefold(): m for m in mentions if m.field == "body"}
    out: list[Mention] = []
    for i, m in enumerate(mentions):
        agency = ctx.aliases.agency(m.canonical)
        if agency is not None and (agency == ctx.own_agency or _in_signoff(m, ctx)):
            continue  # the wire's own name is its source, not something the story is about
        if i in gazetteer_types:
            out.append(m)
            continue
        if m.type == "person" and " " in m.canonical and _suffix(m.canonical.rsplit(" ", 1)[1]):
            m.type = "org"  # "Woodco Inc" read as a person
        if m.type == "org" and (own := _own_country(m.canonical)) is not None:
            name = own  # "U.K. Treasury", "Argentine Treasury": one spelling per country
        elif m.type == "org" and _institution(m.canonical):
            if _instrument_follows(m, ctx):
                continue  # "Treasury bills", "Treasury bond futures": an instrument, not the body
            name = _qualified(m, ctx)
        elif m.type == "org" and " " not in m.canonical:
            name = _department(m, ctx)
        else:
            name = None
        name = name or ctx.aliases.org(m.canonical, ctx.countries) or clean_name(m.canonical, m.type, ctx)
        if name is None:
            continue
        if m.field == "title" and ctx.body.strip():
            twin = body_names.get(name.casefold()) or body_names.get(m.canonical.casefold())
            if twin is not None:  # the body's reading of the same name wins (type and form)
                m.type, name = twin.type, twin.canonical
            elif name.casefold() not in ctx.body_fold and ctx.aliases.org(name, ctx.countries) is None:
                continue  # a headline fragment ("Opec President Says") the story never repeats
        alias = ctx.aliases.org(name, ctx.countries)
        if alias is not None:
            m.type, name = "org", alias
        m.canonical = name
        out.append(m)
    _fix_person_types(out, ctx)
    return out


def _text_of(m: Mention, ctx: DocContext) -> str:
    return ctx.title if m.field == "title" else ctx.body


def _institution(name: str) -> bool:
    words = [w.casefold() for w in name.split()]
    return any(w in _INSTITUTION_HEADS for w in words) and all(w in _INSTITUTION_WORDS for w in words) and (
        words != ["bank"])


def _instrument_follows(m: Mention, ctx: DocContext) -> bool:
    nxt = _NEXT_WORD.match(_text_of(m, ctx), m.end)
    return bool(nxt) and nxt.group(1).casefold() in _INSTRUMENTS


def _own_country(name: str) -> str | None:
    """An institution named with its country ("U.K. Treasury", "West German Finance Ministry") in the
    form the qualification gives ("British Treasury"); None for any other name."""
    from .gazetteer import get_gazetteer

    words = name.split()
    for k in (1, 2):
        rest = " ".join(words[k:])
        if len(words) > k and _institution(rest):
            entry = get_gazetteer().lookup(" ".join(words[:k]))
            if entry is not None and entry.country and entry.kind in ("country", "demonym"):
                return _with_country(rest, entry.country, get_aliases_table())
    return None


def _with_country(name: str, code: str, aliases: AliasTable) -> str | None:
    name = " ".join(w.capitalize() if w.islower() else w for w in name.split())
    if code == "US":
        return aliases.org("U.S. " + name) or "U.S. " + name
    demonym = _demonym(code)
    return f"{demonym} {name}" if demonym else None


def _qualified(m: Mention, ctx: DocContext) -> str | None:
    """``m`` (a public institution) with its country: the country word right before it ("French
    Treasury", "Brazil's Finance Ministry"), else the story's only country. None: no single country."""
    from .gazetteer import get_gazetteer

    gaz = get_gazetteer()
    code = None
    before = re.search(r"((?:[A-Z][\w.]*\s+)?[A-Z][\w.]*?)(?:['’]s)?\s+$", _text_of(m, ctx)[max(0, m.start - 40) : m.start])
    if before:
        for cand in (before.group(1), before.group(1).split()[-1]):
            entry = gaz.lookup(cand)
            if entry is not None and entry.country and entry.kind in ("country", "demonym"):
                code = entry.country
                break
    if code is None and len(ctx.countries) == 1:
        code = next(iter(ctx.countries))
    if code is None:  # the one country the headline names ("BELGIAN ECU COIN ISSUE PRICED")
        named = {h.entry.country for h in gaz.scan(ctx.title) if h.entry.country and h.entry.kind in ("country", "demonym")}
        code = named.pop() if len(named) == 1 else None
    return _with_country(m.canonical, code, ctx.aliases) if code is not None else None


def _demonym(code: str) -> str | None:
    from .gazetteer import _english_demonym, get_gazetteer

    if code not in _DEMONYMS:
        _DEMONYMS[code] = _english_demonym(get_gazetteer(), code)
    return _DEMONYMS[code]


_DEMONYMS: dict[str, str | None] = {}


def _department(m: Mention, ctx: DocContext) -> str | None:
    """A one-word organisation followed by "department"/"Secretary" is that department when the alias
    table knows it in this story ("Commerce department official" → U.S. Commerce Department)."""
    if _DEPARTMENT_AFTER.match(_text_of(m, ctx), m.end):
        return ctx.aliases.org(m.canonical + " Department", ctx.countries)
    return None


_COMPANY_AFTER = r",?\s+(?:(?:and|&)\s+)?(?:Inc|Corp|Co|Cos|Ltd|Plc|SA|AG|NV|Group)\b"
# "an analyst with L.F. Rothschild", "economist at Smith Barney": the name after a job and a preposition
# is the employer.
# "its Fairchild Semiconductor unit": a name before a company-part noun is a company
_PART_AFTER = r"(?:\s+[A-Z]\w+)?\s+(?:unit|subsidiary|division|affiliate)\b"
_ROLE_BEFORE = (r"\b(?:analysts?|economists?|strategists?|dealers?|traders?|brokers?|bankers?|spokes(?:wo)?man|"
                r"officials?|executives?|partners?|directors?|managers?)\s+(?:with|at|of|from)\s+")
_NAME_WORD = re.compile(r" ([A-Z][a-z]{2,})\b")
# "the state oil company Petrobras", "the Dutch group Philips": a name in apposition to a company noun
_COMPANY_BEFORE = r"\b(?:company|firm|group|bank|carrier|airline|maker|producer|concern|subsidiary|unit|broker)\s+"


# The cues are tested around each occurrence of the name rather than with one pattern per name: a
# pattern per new name meant a regex compile per person mention (~1 ms a story, most names being new;
# issue 20). The "before" cues are found once per text: greedy ``\s+`` ends each match exactly where a
# following name starts, so a name at that position has the cue before it.
_ROLE_BEFORE_RE = re.compile(_ROLE_BEFORE)
_COMPANY_BEFORE_RE = re.compile(_COMPANY_BEFORE)
_COMPANY_AFTER_RE = re.compile(_COMPANY_AFTER)
_PART_AFTER_RE = re.compile(_PART_AFTER)
_TICKER_AFTER_RE = re.compile(r"\s*<[A-Z.]+>")


@lru_cache(maxsize=4)
def _cue_starts(text: str) -> frozenset[int]:
    """Positions of ``text`` right after "analyst with", "the company" and the like."""
    return frozenset(m.end() for r in (_ROLE_BEFORE_RE, _COMPANY_BEFORE_RE) for m in r.finditer(text))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what ``re`` calls a word character in a str pattern


def _boundary(text: str, i: int) -> bool:
    """``\b`` at ``i``, as ``re`` decides it."""
    return (i > 0 and _is_word(text[i - 1])) != (i < len(text) and _is_word(text[i]))


def _occurrences(text: str, name: str):  # noqa: ANN202 - a generator of (start, end)
    i = text.find(name)
    while i >= 0:
        yield i, i + len(name)
        i = text.find(name, i + 1)


def _org_cue_in(name: str, ctx: DocContext) -> bool:
    """A company cue around ``name`` in the story: "analyst with NAME", "NAME Inc", "NAME's X unit",
    "<NAME", "the company NAME"; in the headline "<NAME" or "NAME <TICKER>"."""
    if not name:
        return False
    body = ctx.body
    starts = None
    for i, j in _occurrences(body, name):
        if _COMPANY_AFTER_RE.match(body, j) or (_boundary(body, i) and _PART_AFTER_RE.match(body, j)):
            return True
        if _boundary(body, j):
            if i > 0 and body[i - 1] == "<":
                return True
            if starts is None:
                starts = _cue_starts(body)
            if i in starts:
                return True
    title = ctx.title
    for i, j in _occurrences(title, name):
        if (i > 0 and title[i - 1] == "<" and _boundary(title, j)) or _TICKER_AFTER_RE.match(title, j):
            return True
    return False


def _fix_person_types(mentions: list[Mention], ctx: DocContext) -> None:
    """Persons the same story shows to be something else change type: a company ("Rexnord" beside
    "Rexnord Inc", "<J.P. Morgan and Co>", a name before its ticker "Diamond Shamrock <DIA>"), a city
    NER tagged as a place elsewhere in the story or that the places table knows ("Rotterdam"). A
    person name cut before its last word ("Leon Febres" of "Leon Febres Cordero said") is completed."""
    from .places import get_places

    orgs = {m.canonical.split()[0].casefold() for m in mentions if m.type == "org"}
    # a lone word of an organisation's name that names no person of the story: "the Rothschild officials"
    # beside "L.F. Rothschild, Unterberg, Towbin Inc"
    orgs |= {w.casefold() for m in mentions if m.type == "org" for w in m.canonical.split()[1:] if w[:1].isupper()} - {
        m.canonical.rsplit(" ", 1)[-1].casefold() for m in mentions if m.type == "person" and " " in m.canonical}
    org_names = [m.canonical.casefold() + " " for m in mentions if m.type == "org"]
    located = {m.canonical.casefold() for m in mentions if m.type == "location"}
    places = get_places()
    prev: Mention | None = None
    for m in mentions:
        before, prev = prev, m
        if m.type != "person":
            continue
        key = m.canonical.casefold()
        text = ctx.title if m.field == "title" else ctx.body
        after = _NAME_WORD.match(text, m.end) or re.match(r"\s+(\w+)", text[m.end : m.end + 30])
        if after and after.group(1).casefold() in EVENT_WORDS:
            m.type = "other"  # "the Louvre accord", "the Uruguay Round"
        elif key in located or (" " not in m.canonical and (places.lookup(m.canonical) or ("", ""))[1] == "city"):
            m.type = "location"
        elif key in orgs or any(o.startswith(key + " ") for o in org_names) or _org_cue_in(m.canonical, ctx) \
                or affiliation(before, m, text):
            m.type = "org"
        elif " " in m.canonical and m.canonical == m.text:
            nxt = _NAME_WORD.match(text, m.end)
            if nxt and not (ctx.lex.is_common(nxt.group(1)) or ctx.lex.is_stop(nxt.group(1))
                            or ctx.lex.is_calendar(nxt.group(1))):
                m.end = nxt.end()
                m.text = m.canonical = text[m.start : m.end]
    org_names_now = {m.canonical for m in mentions if m.type == "org"}
    for m in mentions:  # the name just shown to be a company ("of L.F. Rothschild") is one everywhere
        if m.type == "person" and m.canonical in org_names_now:
            m.type = "org"


def _in_signoff(m: Mention, ctx: DocContext) -> bool:
    """The mention sits in the story's last dozen characters: a sign-off whatever agency it names."""
    return m.field == "body" and len(ctx.body.rstrip(" \t\r\n\x03")) - m.end < 12
