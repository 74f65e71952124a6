"""Named entities: model mentions (spaCy / natasha) merged with gazetteer mentions, then normalised.

Model labels map onto the four facet types; dates, numbers and amounts are dropped. A gazetteer hit
gives a place/IGO its canonical English name and its country code even when the model found it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .canonical import canonical
from .gazetteer import Gazetteer
from .types import ENTITY_TYPES, Mention

LABEL_TYPES: dict[str, str] = {
    "PERSON": "person", "PER": "person",
    "ORG": "org",
    "GPE": "location", "LOC": "location", "FAC": "location",
    "NORP": "other", "EVENT": "other", "PRODUCT": "other", "WORK_OF_ART": "other", "LAW": "other",
    "LANGUAGE": "other", "MISC": "other",
}


@dataclass(slots=True)
class RawMention:
    field: str
    start: int
    end: int
    label: str  # model label or gazetteer type
    normal: str | None = None  # natasha's nominative form


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def build_mentions(raw: list[RawMention], texts: dict[str, str], gaz: Gazetteer,
                   gaz_hits: dict[str, list]) -> tuple[list[Mention], list[str | None]]:
    """Mentions with canonical forms, and the country code each one implies (or None)."""
    mentions: list[Mention] = []
    countries: list[str | None] = []
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
        entry = gaz.lookup(r.normal or surface)
        if entry is not None and etype == "person" and entry.kind not in ("country", "capital"):
            entry = None  # a person who shares a demonym's spelling stays a person
        if entry is not None:
            canon, etype, code = entry.canonical, entry.type, entry.country
        else:
            canon, code = canonical(r.normal or surface, etype), None
            if etype == "location":  # "West Germany", "Bahia state": the one country named inside
                inner = {h.entry.country for h in gaz.scan(surface) if h.entry.country}
                code = inner.pop() if len(inner) == 1 else None
        if canon is None:
            continue
        mentions.append(Mention(surface, etype, start, end, canon, r.field))
        countries.append(code)
        taken[r.field].append((start, end))
    for fld, hits in gaz_hits.items():
        for h in hits:
            if _overlaps((h.start, h.end), taken[fld]):
                continue
            mentions.append(Mention(h.text, h.entry.type, h.start, h.end, h.entry.canonical, fld))
            countries.append(h.entry.country)
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].field != "title", mentions[i].start))
    return [mentions[i] for i in order], [countries[i] for i in order]


def merge_variants(mentions: list[Mention]) -> dict[str, list[str]]:
    """Entities per type with case variants and bare surnames merged into one canonical form.

    Rewrites ``Mention.canonical`` in place so mentions and facets agree.
    """
    by_key: dict[tuple[str, str], Counter] = {}
    for m in mentions:
        by_key.setdefault((m.type, m.canonical.casefold()), Counter())[m.canonical] += 1
    best: dict[tuple[str, str], str] = {}
    for key, variants in by_key.items():
        best[key] = max(variants, key=lambda v: (not v.isupper(), variants[v], -len(v)))
    # "Reagan" → "Ronald Reagan" when the full name occurs in the same document
    full_by_last: dict[str, set[str]] = {}
    for (etype, key), name in best.items():
        if etype == "person" and " " in name:
            full_by_last.setdefault(key.rsplit(" ", 1)[1], set()).add(name)
    for (etype, key), name in list(best.items()):
        if etype == "person" and " " not in name and len(full_by_last.get(key, ())) == 1:
            best[(etype, key)] = next(iter(full_by_last[key]))
    entities: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
    seen: set[tuple[str, str]] = set()
    for m in mentions:
        m.canonical = best[(m.type, m.canonical.casefold())]
        if (m.type, m.canonical) not in seen:
            seen.add((m.type, m.canonical))
            entities[m.type].append(m.canonical)
    return entities
