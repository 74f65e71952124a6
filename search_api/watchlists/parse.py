"""Watchlist import: TXT (``Name | alias | alias`` per line, ``#`` comments) or CSV (``name,type,aliases``).

CSV with a header row: columns ``name`` (required), ``type`` (person, org, location, vessel, keyword;
optional) and ``aliases`` (``;`` or ``|`` between them). Without a header: the first column is the
name and every further non-empty column an alias. Duplicate names are kept once (the first).
"""

from __future__ import annotations

import csv
import io
import re

from mappings.vocabulary import MAX_VALUE_CHARS
from workspace.watchlists import Entry
from workspace.watchlist_models import KINDS

from ..errors import InvalidParameter, PeriscopeError

MAX_ENTRIES = 1000
MAX_ALIASES = 20
MAX_BYTES = 1_000_000
_SPLIT = re.compile(r"[;|]")
TYPE_NAMES = {"place": "location", "organisation": "org", "organization": "org", "ship": "vessel",
              "term": "keyword", "": "any"}


class ListTooLarge(PeriscopeError):
    status = 413
    title = "List too large"
    type = "/problems/too-large"


def _kind(raw: str, line: int) -> str:
    kind = TYPE_NAMES.get(raw.strip().lower(), raw.strip().lower())
    if kind not in KINDS:
        raise InvalidParameter("type", f"line {line}: type {raw!r} is not one of {', '.join(KINDS)}",
                               "leave the type empty to match the name as any entity or as a phrase")
    return kind


def entry(name: str, kind: str, aliases: list[str] | tuple[str, ...], line: int) -> Entry:
    """One entry, spaces normalised, aliases once (not the name itself), limits checked."""
    name = " ".join(name.split())
    clean = list(dict.fromkeys(a for a in (" ".join(x.split()) for x in aliases) if a and a != name))
    if len(clean) > MAX_ALIASES:
        raise ListTooLarge(f"line {line}: {len(clean)} aliases; an entry takes at most {MAX_ALIASES}",
                           "keep the most used spellings")
    if any(len(v) > MAX_VALUE_CHARS for v in (name, *clean)):
        raise InvalidParameter("name", f"line {line}: a name or alias is longer than {MAX_VALUE_CHARS} characters",
                               "shorten it")
    return Entry(name=name, kind=kind, aliases=tuple(clean))


def check(entries: list[Entry]) -> list[Entry]:
    """Duplicates once (first kept); at most MAX_ENTRIES (413 saying the limit)."""
    seen: dict[str, Entry] = {}
    for e in entries:
        seen.setdefault(e.name.casefold(), e)
    out = list(seen.values())
    if len(out) > MAX_ENTRIES:
        raise ListTooLarge(f"{len(out)} entries; a watchlist takes at most {MAX_ENTRIES}",
                           f"split the list into watchlists of at most {MAX_ENTRIES} names")
    return out


def parse(text: str, *, is_csv: bool) -> list[Entry]:
    if len(text.encode()) > MAX_BYTES:
        raise ListTooLarge(f"the list is larger than {MAX_BYTES // 1_000_000} MB",
                           f"send at most {MAX_ENTRIES} names")
    entries: list[Entry] = []
    if not is_csv:
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                name, *aliases = line.split("|")
                if name.strip():
                    entries.append(entry(name, "any", aliases, n))
        return check(entries)
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if header and header[0] in ("name", "term"):
        cols = {c: i for i, c in enumerate(header)}
        for n, r in enumerate(rows[1:], 2):
            cell = lambda *names: next((r[cols[c]] for c in names if c in cols and cols[c] < len(r)), "")  # noqa: E731
            if cell("name", "term").strip():
                entries.append(entry(cell("name", "term"), _kind(cell("type", "kind"), n),
                                      _SPLIT.split(cell("aliases", "alias")), n))
    else:
        for n, r in enumerate(rows, 1):
            if r[0].strip():
                entries.append(entry(r[0], "any", r[1:], n))
    return check(entries)
