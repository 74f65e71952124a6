"""Firm names that NER cut into pieces or read as persons (financial news names firms after people).

Used by :mod:`nlp.entity_clean` inside one document: pieces of one firm joined into one organisation
("L.F. Rothschild, Unterberg, Towbin Inc", "Duff and Phelps", "American Telephone and Telegraph Co"),
and the employer named after a person ("Rosario Ilacqua of L.F. Rothschild"). The corpus-level
counterpart is :func:`nlp.entity_corpus.person_to_org`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .types import Mention

if TYPE_CHECKING:
    from .entity_clean import DocContext

_AND = re.compile(r"\s+(?:and|&)\s+")
_AND_END = re.compile(r"\s(?:and|&)$")
_PAIR_BEFORE = re.compile(r"\b([A-Z][a-z][\w'’-]*)\s+(?:and|&)\s+$")
_SUFFIX_END = re.compile(r"\b(?:Co|Cos|Corp|Inc|Ltd|Plc)\.?$")
# The rest of a partnership's name after its first partner: two or more partner names (one word each)
# separated by commas or "and", closed by a corporate form (", Unterberg, Towbin Inc", ", Ball and Turben Inc").
_P = r"[A-Z][\w'’-]*"
_PARTNERS = re.compile(rf"((?:,\s+{_P}){{2,}}(?:,?\s+(?:and|&)\s+{_P})?|(?:,\s+{_P})+,?\s+(?:and|&)\s+{_P})"
                       r",?\s+(?:Inc|Corp|Co|Cos|Ltd|Plc)\b\.?")
_SUFFIX_WORD = re.compile(r"\b(?:Co|Cos|Corp|Inc|Ltd|Plc)\b")
_OF = re.compile(r",?\s+(?:of|with|at)\s+")  # "Rosario Ilacqua of L.F. Rothschild"


def join_firms(mentions: list[Mention], ctx: DocContext, gaz: set[int]) -> tuple[list[Mention], set[int]]:
    """Pieces of one firm name that NER read as several entities become one organisation:
    "American Telephone" and "Telegraph Co" (a name, "and", a name with the corporate form that ends
    both: "American Telephone and Telegraph Co"), "Alex. Brown and" + "Sons Inc", and a partner list
    that starts with a "person" ("L.F. Rothschild, Unterberg, Towbin Inc": names separated by commas or
    "and", at least three, closed by a corporate form), and a two-partner firm ("Duff and Phelps",
    :func:`_partner_before`). Gazetteer mentions (places, IGOs) never join.
    Returns the mentions and the new indexes of the gazetteer ones."""
    out: list[Mention] = []
    out_gaz: set[int] = set()
    skip_to: tuple[str, int] | None = None
    surnames = {m.canonical.rsplit(" ", 1)[1].casefold() for m in mentions
                if m.type == "person" and " " in m.canonical}
    for i, m in enumerate(mentions):
        if skip_to is not None and m.field == skip_to[0] and m.start < skip_to[1] and i not in gaz:
            continue  # inside a partner list already joined
        skip_to = None
        prev = out[-1] if out else None
        text = ctx.title if m.field == "title" else ctx.body
        if (prev is not None and prev.type == "org" and m.type == "org" and prev.field == m.field
                and (len(out) - 1) not in out_gaz and i not in gaz and _SUFFIX_WORD.search(m.text)
                and not _SUFFIX_END.search(prev.text)  # "Towbin Inc and Dean Witter Reynolds Inc": two firms
                and not _AND.search(prev.text)  # "Wagner and Brown and AFG Industries Inc": two firms
                and (_AND.fullmatch(text[prev.end : m.start])
                     or (_AND_END.search(prev.text) and not text[prev.end : m.start].strip()))):
            joiner = " " if _AND_END.search(prev.canonical) else " and "
            prev.text = text[prev.start : m.end]
            prev.end, prev.canonical = m.end, f"{prev.canonical}{joiner}{m.canonical}"
            continue
        if m.type == "person" and i not in gaz and (chain := _PARTNERS.match(text, m.end)):
            end = chain.end()
            inside = [j for j, n in enumerate(mentions) if n.field == m.field and m.end <= n.start < end]
            if not any(j in gaz for j in inside):
                span = text[m.start : end]
                m.type, m.text, m.end, m.canonical = "org", span, end, " ".join(span.split())
                skip_to = (m.field, end)
        elif m.type == "person" and i not in gaz and (
                start := _partner_before(m, prev, (len(out) - 1) in out_gaz, ctx, surnames)) is not None:
            if prev is not None and prev.field == m.field and prev.start == start:
                out.pop()  # "Wagner" (ORG) + "and" + "Brown" (PERSON): one firm
            m.type, m.start, m.text = "org", start, text[start : m.end]
            m.canonical = " ".join(m.text.split())
        if i in gaz:
            out_gaz.add(len(out))
        out.append(m)
    return out, out_gaz


def _partner_before(m: Mention, prev: Mention | None, prev_gaz: bool, ctx: DocContext,
                    surnames: set[str]) -> int | None:
    """Where the firm starts when a lone "person" is the second partner of a two-name firm: "Duff and
    Phelps said it lowered its ratings", "investors Wagner and Brown". The first partner is a capitalised
    word that is no person, place, stop or alias-table word and that the story never writes in lower
    case (so "Reagan and Gorbachev", "Japan and Brown", "the Treasury and Baker" stay apart), that never
    stands alone elsewhere in the story ("Siemens and Ericsson" are two firms), and neither is the
    surname of a full person name of the story ("James Baker ... Lawson and Baker")."""
    if " " in m.canonical or m.canonical.casefold() in surnames:
        return None
    text = ctx.title if m.field == "title" else ctx.body
    before = _PAIR_BEFORE.search(text, max(0, m.start - 40), m.start)
    if before is None:
        return None
    first = before.group(1)
    lex = ctx.lex
    if (first.casefold() in ctx.lower_words or first.casefold() in surnames or lex.is_stop(first)
            or lex.is_calendar(first) or ctx.aliases.org(first, ctx.countries) is not None or _place(first)
            or (lex.is_common(first) and lex.is_common(m.canonical))):  # "Secretary and Treasurer"
        return None
    name = re.escape(first)  # (the headline abbreviates: "Duff/Phelps Lowers …")
    if len(re.findall(rf"\b{name}\b", text)) > len(re.findall(rf"\b{name}\s+(?:and|&)\s+{re.escape(m.text)}\b", text)):
        return None  # the first name stands alone elsewhere in the text: two entities ("Siemens and Ericsson")
    start = before.start(1)
    if prev is not None and prev.field == m.field and prev.end > start:  # NER tagged the first partner
        if prev_gaz or prev.type != "org" or (prev.start, prev.end) != (start, before.end(1)):
            return None
    return start


def _place(word: str) -> bool:
    from .gazetteer import get_gazetteer
    from .places import get_places

    return get_gazetteer().lookup(word) is not None or get_places().lookup(word) is not None


def affiliation(before: Mention | None, m: Mention, text: str) -> bool:
    """``m`` names where the person just before it works: "Rosario Ilacqua of L.F. Rothschild said"."""
    return (before is not None and before.type == "person" and before.field == m.field
            and before.canonical != m.canonical and bool(_OF.fullmatch(text, before.end, m.start)))

