"""Corpus-level entity decisions: what one document cannot show, decided from a source's facet counts.

The enricher sees one story at a time (:mod:`nlp.entity_clean`); an indexer that has loaded a source
can count how the whole source reads each name and apply two maps to the stored facet values
(``indexer/corpus.py``, docs/nlp.md):

* :func:`person_to_org` — a name the source reads as an organisation in a clear majority of the
  stories that carry it is an organisation everywhere in that source: a firm named after its founders
  ("L.F. Rothschild", "Samuel Montagu") is tagged PERSON by NER whenever a story gives no company cue
  ("Salomon Brothers and L.F. Rothschild co-managed the deal");
* :func:`resolve_short_forms` — a one-word value is the one longer value that carries it ("Lyng" →
  "Richard Lyng", "Ford" → "Ford Motor").

Both only ever move a value onto something the same source already says; documents never share
anything else.
"""

from __future__ import annotations

from collections.abc import Collection

from .aliases import is_acronym
from .lexicon import get_lexicon


def person_to_org(person: dict[str, int], org: dict[str, int], min_share: float = 2 / 3,
                  min_docs: int = 3, lang: str = "en") -> set[str]:
    """Person values of a source that are organisations: values the org facet carries in ≥ ``min_docs``
    stories and in ≥ ``min_share`` of the stories that give the value either type. A full name counts
    the org values where another partner's name follows it too ("L.F. Rothschild Unterberg Towbin" for
    "L.F. Rothschild"; ``lang``'s dictionary tells a partner's name from a word such as "Group").

    Only this direction: on the Reuters demo the reverse rule (org → person by the same majority) would
    retype firms (Hoare Govett, Refco, Archer Daniels Midland) — NER's error sink for firm names is
    PERSON, not ORG. A real person stays one: a one-word value that is the surname of a full person
    name of the source ("Baldrige" beside "Malcolm Baldrige", even when NER read "Baldrige said" as an
    org three times) is never moved, and a full name needs the org reading in a clear majority
    (Paul Volcker: 107 stories as a person, 2 as an org).
    """
    surnames = {name.rsplit(" ", 1)[1].casefold() for name in person if " " in name}
    opening = _partnerships(org, lang)
    out: set[str] = set()
    for name, p in person.items():
        o = org.get(name, 0) + (opening.get(name, 0) if " " in name else 0)
        if o >= min_docs and o >= min_share * (o + p) and not (" " not in name and name.casefold() in surnames):
            out.add(name)
    return out


def _partnerships(org: dict[str, int], lang: str) -> dict[str, int]:
    """Stories per multi-word opening of org values that another partner's name continues ("L.F.
    Rothschild" of "L.F. Rothschild Unterberg Towbin"). An opening continued by a dictionary word is no
    evidence ("Peter Miller Apparel Group" says nothing about Peter Miller, a Lloyd's chairman)."""
    lex = get_lexicon(lang)
    openings: dict[str, int] = {}
    for name, n in org.items():
        words = name.split()
        for k in range(2, len(words)):
            if words[k][:1].isupper() and not (lex.is_common(words[k]) or lex.is_stop(words[k])):
                opening = " ".join(words[:k])
                openings[opening] = openings.get(opening, 0) + n
    return openings


def disputed(person: dict[str, int], org: dict[str, int], min_share: float = 0.25, min_docs: int = 2) -> set[str]:
    """Full person names the source also reads as organisations in ≥ ``min_share`` of their stories
    (and ≥ ``min_docs``): too doubtful to take a lone surname's stories (:func:`resolve_short_forms`'s
    ``avoid``) — "L.F. Rothschild" as a person in 15 stories and an org in 12 does not absorb "Rothschild"."""
    return {name for name, p in person.items() if " " in name
            and (o := org.get(name, 0)) >= min_docs and o >= min_share * (o + p)}


def move_person_counts(person: dict[str, int], org: dict[str, int],
                       moved: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The facet counts once ``moved`` persons count as organisations (an upper bound for the org side:
    a story carrying both readings counts twice), for :func:`resolve_short_forms` to decide on."""
    new_org = dict(org)
    for name in moved:
        new_org[name] = new_org.get(name, 0) + person.get(name, 0)
    return {k: v for k, v in person.items() if k not in moved}, new_org


def resolve_short_forms(counts: dict[str, int], facet: str = "person", min_share: float = 0.8,
                        avoid: Collection[str] = ()) -> dict[str, str]:
    """Corpus-level: one-word facet values to attach to the one longer value that carries them.

    ``counts`` maps facet values to document counts over a corpus (or one source). A lone surname
    (``facet="person"``: the last word) or a one-word organisation (``"org"``: the first word) maps to
    a longer value when that one has ≥ ``min_share`` of the documents of all longer values sharing the
    word (an organisation only when it is no acronym and the longer name is the more frequent: "Ford" →
    "Ford Motor", but "Boeing" is not "Boeing Commercial Airplane") — so "Lyng" → "Richard Lyng", while
    "Baker" stays "Baker" when James Baker and Howard Baker are both common. Two longer values are never
    merged. Run it after :func:`person_to_org` (on :func:`move_person_counts`), and with the
    :func:`disputed` names as ``avoid``, so that a lone surname never joins a firm that NER read as a
    person ("Rothschild" → "L.F. Rothschild").
    """
    by_word: dict[str, dict[str, int]] = {}
    for name, n in counts.items():
        parts = name.split()
        if len(parts) > 1:
            by_word.setdefault((parts[-1] if facet == "person" else parts[0]).casefold(), {})[name] = n
    out: dict[str, str] = {}
    for name in counts:
        if " " in name or name.casefold() not in by_word:
            continue
        longer = by_word[name.casefold()]
        best = max(longer, key=longer.get)
        if best in avoid:
            continue
        if facet == "org" and (is_acronym(name) or counts[name] > longer[best]):
            continue  # "GM" is not "GM Overseas Distribution": a longer, rarer org is a part, not the name
        if longer[best] >= min_share * sum(longer.values()):
            out[name] = best
    return out
