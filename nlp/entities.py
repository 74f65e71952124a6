"""Named entities: model mentions (spaCy / natasha) merged with gazetteer mentions, then coreference.

Model labels map onto the four facet types; dates, numbers and amounts are dropped. A gazetteer hit
gives a place/IGO its canonical English name and its country even when the model found it. Each
mention may carry country *evidence* (:class:`Evidence`); :mod:`nlp.countries` decides what counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .canonical import canonical
from .countries_words import ALSO_WORDS
from .gazetteer import Gazetteer
from .places import Places
from .types import ENTITY_TYPES, Mention

LABEL_TYPES: dict[str, str] = {
    "PERSON": "person", "PER": "person",
    "ORG": "org",
    "GPE": "location", "LOC": "location", "FAC": "location",
    "NORP": "other", "EVENT": "other", "PRODUCT": "other", "WORK_OF_ART": "other", "LAW": "other",
    "LANGUAGE": "other", "MISC": "other",
}


# Head words of events named after their venue ("Warsaw Summit", "Uruguay Round", "sommet de Paris").
EVENT_WORDS = frozenset("""summit summits conference talks round meeting accord accords agreement declaration
forum games olympics sommet conférence cumbre conferencia gipfel konferenz саммит конференция""".split())


@dataclass(slots=True)
class RawMention:
    field: str
    start: int
    end: int
    label: str  # model label or gazetteer type
    normal: str | None = None  # natasha's nominative form


@dataclass(frozen=True, slots=True)
class Evidence:
    """A country the text points at, and how: country | capital | demonym | city | region | inner."""

    country: str
    kind: str
    name: str  # the words that said so
    field: str
    start: int


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def build_mentions(raw: list[RawMention], texts: dict[str, str], gaz: Gazetteer, places: Places,
                   gaz_hits: dict[str, list], views: dict[str, str] | None = None,
                   ) -> tuple[list[Mention], set[int], list[Evidence]]:
    """Mentions (title first, then body order), the indexes of those whose canonical form came from
    the gazetteer, and the country evidence found in them. ``views`` are the texts as NER read them
    (a truecased headline, same length): names are read there, ``Mention.text`` is the original."""
    views = views or texts
    found: list[tuple[Mention, bool]] = []
    evidence: list[Evidence] = []
    taken: dict[str, list[tuple[int, int]]] = {"title": [], "body": []}
    for r in raw:
        etype = LABEL_TYPES.get(r.label)
        if etype is None:
            continue
        surface = texts[r.field][r.start : r.end]
        lead = len(surface) - len(surface.lstrip())
        trail = len(surface) - len(surface.rstrip())
        start, end = r.start + lead, r.end - trail
        surface = texts[r.field][start:end]
        if not surface:
            continue
        read = r.normal or views[r.field][start:end]
        entry = gaz.lookup(read)
        if entry is not None and etype == "person" and entry.kind not in ("country", "capital"):
            entry = None  # a person who shares a demonym's spelling stays a person
        if entry is not None and etype == "person" and entry.kind == "country" and read.casefold() in ALSO_WORDS:
            entry = None  # "Jordan", "Chad", "Georgia" as a person: the model read the context
        if entry is not None:
            found.append((Mention(surface, entry.type, start, end, entry.canonical, r.field), True))
            if entry.country:
                evidence.append(Evidence(entry.country, entry.kind, surface, r.field, start))
        else:
            canon = canonical(read, etype)
            if canon is None:
                continue
            found.append((Mention(surface, etype, start, end, canon, r.field), False))
            # a country named inside ("West Germany", "U.S. Treasury") counts; a capital inside an event
            # ("Warsaw Summit") too; an organisation's name never says more than an explicit country
            event = read.split()[-1].casefold() in EVENT_WORDS  # NER often calls "Warsaw Summit" an ORG
            kinds = {"org": ("country",), "person": ()}.get("other" if event else etype, ("country", "capital"))
            inner = [h for h in gaz.scan(views[r.field][start:end]) if h.entry.country and h.entry.kind in kinds]
            if etype == "location":
                place = places.lookup(canon)
                if place is not None:  # a city, US state or province NER tagged as a place
                    evidence.append(Evidence(place[0], place[1], surface, r.field, start))
                    inner = []
            for h in inner:  # "West Germany", "U.S. Treasury": the country named inside counts
                evidence.append(Evidence(h.entry.country, "inner", h.text, r.field, start + h.start))
        taken[r.field].append((start, end))
    for fld, hits in gaz_hits.items():
        for h in hits:
            if _overlaps((h.start, h.end), taken[fld]):
                continue
            surface = texts[fld][h.start : h.end]  # the original, not the truecased headline
            found.append((Mention(surface, h.entry.type, h.start, h.end, h.entry.canonical, fld), True))
            if h.entry.country:
                evidence.append(Evidence(h.entry.country, h.entry.kind, h.text, fld, h.start))
    order = sorted(range(len(found)), key=lambda i: (found[i][0].field != "title", found[i][0].start))
    return [found[i][0] for i in order], {n for n, i in enumerate(order) if found[i][1]}, evidence


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def merge_variants(mentions: list[Mention]) -> dict[str, list[str]]:
    """Entities per type, after in-document coreference; rewrites ``Mention.canonical``/``type``.

    * case variants are one name (the variant not in ALL CAPS, most frequent, wins);
    * a bare surname — whatever type NER gave it — is the one full person name in this document that
      ends with it ("Baker" → "James Baker", "Lukman" → "Rilwanu Lukman"); with two such full names,
      or none, it stays as written: documents never share these decisions;
    * an acronym is the one organisation of this document whose initials it spells ("ICO"), a one-word
      organisation the one whose name it starts ("Ford" → "Ford Motor").
    """
    by_key: dict[tuple[str, str], Counter] = {}
    for m in mentions:
        by_key.setdefault((m.type, m.canonical.casefold()), Counter())[m.canonical] += 1
    best: dict[tuple[str, str], str] = {}
    for key, variants in by_key.items():
        best[key] = max(variants, key=lambda v: (not v.isupper(), variants[v], -len(v)))
    full_by_last: dict[str, set[str]] = {}
    full_by_first: dict[str, set[str]] = {}
    org_by_initials: dict[str, set[str]] = {}
    org_by_first: dict[str, set[str]] = {}
    org_by_word: dict[str, set[str]] = {}
    for (etype, key), name in best.items():
        if etype == "person" and " " in name:
            full_by_last.setdefault(key.rsplit(" ", 1)[1], set()).add(name)
            full_by_first.setdefault(key.split(" ", 1)[0], set()).add(name)
        if etype == "org" and " " in name:
            org_by_first.setdefault(key.split(" ", 1)[0], set()).add(name)
            for w in set(key.split()[1:]):
                org_by_word.setdefault(w, set()).add(name)
            if len(_initials(name)) >= 2:
                org_by_initials.setdefault(_initials(name), set()).add(name)
    retype: dict[tuple[str, str], tuple[str, str]] = {}
    for (etype, key), name in best.items():
        if " " in name:
            continue
        fulls = full_by_last.get(key, ())
        firsts = full_by_first.get(key, ()) if etype == "person" else ()
        if len(fulls) == 1 and etype in ("person", "org", "other"):
            retype[(etype, key)] = ("person", next(iter(fulls)))
        elif len(firsts) == 1 and not fulls:  # "Richard" beside "Richard Lyng" only
            retype[(etype, key)] = ("person", next(iter(firsts)))
        elif etype == "org" and name.isupper() and len(org_by_initials.get(name, ())) == 1:
            retype[(etype, key)] = ("org", next(iter(org_by_initials[name])))
        elif etype == "org" and len(org_by_first.get(key, ())) == 1:  # "Chrysler" → "Chrysler Motors"
            retype[(etype, key)] = ("org", next(iter(org_by_first[key])))
        elif etype == "org" and not org_by_first.get(key) and len(org_by_word.get(key, ())) == 1 and (
                name[:1].isupper() and not name.isupper()):  # "Commerce" → "U.S. Commerce Department"
            retype[(etype, key)] = ("org", next(iter(org_by_word[key])))
    entities: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
    seen: set[tuple[str, str]] = set()
    for m in mentions:
        key = (m.type, m.canonical.casefold())
        m.type, m.canonical = retype.get(key, (m.type, best[key]))
        if (m.type, m.canonical) not in seen:
            seen.add((m.type, m.canonical))
            entities[m.type].append(m.canonical)
    return entities
