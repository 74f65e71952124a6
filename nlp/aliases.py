"""The organisation alias table (``aliases.json``): one canonical name per organisation, in any language.

No data package carries organisation names and acronyms across languages (EC / CEE / ЕС, IMF / FMI /
МВФ), so this one table is ours. Acronyms (upper case, ≤ 6 letters) match letter for letter, so "Who"
is never the WHO; other names match case-insensitively with dots and spacing ignored ("US Treasury").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ALIASES_FILE = Path(__file__).parent / "aliases.json"
_DOTS = re.compile(r"[.\s]+")


@dataclass(frozen=True, slots=True)
class OrgAlias:
    canonical: str
    scan: bool  # also looked for in raw text by the gazetteer (intergovernmental bodies)
    when_country: str | None  # applies only when the document names this country


def is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("-", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalnum() and " " not in name.strip()


def alias_key(name: str) -> str:
    """Lookup form: acronyms keep their case (``"EC"``), names are case-folded without dots."""
    name = " ".join(name.split())
    if is_acronym(name):
        return "=" + name.replace(".", "").replace("-", "")
    return _DOTS.sub(" ", name.casefold()).strip()


class AliasTable:
    def __init__(self, path: Path = ALIASES_FILE) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version = f"{data['name']}@{data['version']}"
        self.orgs: dict[str, list[OrgAlias]] = {}
        self.scan_names: list[tuple[str, str]] = []  # (alias, canonical) for the gazetteer
        for org in data["orgs"]:
            entry = OrgAlias(org["canonical"], bool(org.get("scan")), org.get("when_country"))
            for alias in org["aliases"]:
                self.orgs.setdefault(alias_key(alias), []).append(entry)
                if entry.scan:
                    self.scan_names.append((alias, entry.canonical))
        self.agencies: dict[str, str] = {}  # any spelling (as key and case-folded) -> the agency's name
        for group in data["agencies"]:
            for name in group:
                self.agencies[alias_key(name)] = self.agencies[name.casefold()] = group[0]
        self.canonicals = {e.canonical for entries in self.orgs.values() for e in entries}

    def org(self, name: str, countries: frozenset[str] | set[str] = frozenset()) -> str | None:
        """The canonical name of ``name``, or None when the table does not know it (in this context)."""
        for entry in self.orgs.get(alias_key(name), ()):
            if entry.when_country is None or entry.when_country in countries:
                return entry.canonical
        return None

    def agency(self, name: str) -> str | None:
        """The news agency ``name`` spells ("REUTER" -> "Reuters"), or None."""
        return self.agencies.get(alias_key(name)) or self.agencies.get(name.casefold())


@lru_cache(maxsize=1)
def get_aliases() -> AliasTable:
    return AliasTable()
