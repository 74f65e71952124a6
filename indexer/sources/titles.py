"""Titles: the first meaningful line of a text, and page titles without their site names.

A first line is not a title when it is a date or timestamp ("• Last updated: 03 Mar. 2017 15:01"),
a bullet-only or rule line, a byline or boilerplate ("Skip to content", "Advertisement"), or too long
to be one. Page titles carry the site name after a separator (" | CNN Politics", "-新华网"); the part
that is the site name (or matches the page's h1) is kept, the other dropped.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 200
_BULLET = re.compile(r"^[\s•·◦▪▫●○■□►▶\-*–—>#=_~+]+")
_DATEISH = re.compile(
    r"^(?:(?:last\s+)?(?:updated|modified|published|posted|date)\b[:\s]*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}\s+[a-zéû]+\.?\s+\d{2,4}|[a-zéû]+\.?\s+\d{1,2},?\s+\d{2,4}|\d{4})"
    r"(?:[,\sT]+\d{1,2}[:h.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|utc|gmt|z|[+-]\d{2}:?\d{2})?)?\s*$", re.I)
_BOILERPLATE = re.compile(
    r"^(?:skip to (?:main )?content|advertisement|menu|home|share( this)?|print|subscribe|sign in|log ?in|"
    r"cookies?.*|by [\w .'-]{2,60}|page \d+( of \d+)?|table of contents|contents|confidential|draft|"
    r"for immediate release|press release|\(?reuters\)?|\d+)\s*[:.]?$", re.I)
_SEPARATORS = (" | ", " » ", " :: ", " · ", " – ", " — ", " - ", " / ", "|", "｜", "-", "_")


def meaningful(line: str) -> str | None:
    """``line`` as a title, cleaned of a leading bullet, or None when it cannot be one."""
    s = _BULLET.sub("", line).strip()
    if not s or len(s) > MAX_TITLE_CHARS or not any(c.isalpha() for c in s):
        return None
    if _DATEISH.match(s) or _BOILERPLATE.match(s):
        return None
    return s


def first_meaningful_line(text: str, *, max_lines: int = 8) -> tuple[str, int] | None:
    """The first line that can be a title among the first ``max_lines`` non-empty ones, and its index."""
    seen = 0
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        seen += 1
        if seen > max_lines:
            return None
        title = meaningful(line)
        if title:
            return title, i
    return None


def _norm(s: str) -> str:
    return re.sub(r"\W+", "", s).lower()


def _site_names(sitename: str | None, hostname: str | None) -> set[str]:
    host = (hostname or "").lower().removeprefix("www.")
    names = {sitename, host, host.split(".")[0] if host else None,
             host.rsplit(".", 2)[-2] if host.count(".") >= 1 else None}
    return {_norm(n) for n in names if n and len(_norm(n)) >= 2}


def is_site_name(part: str, names: set[str]) -> bool:
    """``part`` is the site's name, maybe with a section ("CNN Politics", "新华网", "Prachatai.com")."""
    p = _norm(part)
    return bool(p) and any(p in n or (p.startswith(n) or p.endswith(n)) and len(p) <= len(n) + 20 for n in names)


def strip_site_name(title: str, *, sitename: str | None = None, hostname: str | None = None) -> str:
    """The page's own title: trailing (or leading) parts after a separator that are the site name, a
    section path ("» Local » Noticias » Ultima Hora Mallorca") or short tags are dropped."""
    title = " ".join(title.split())
    names = _site_names(sitename, hostname)
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        spaced = sep != sep.strip()  # "-" and "_" inside words only split off a known site name
        parts = [p.strip() for p in title.split(sep)]
        if any(not p for p in parts):
            continue
        while len(parts) > 1 and (is_site_name(parts[-1], names) or spaced and len(parts[-1]) <= 40
                                  and len(parts[-1]) < 0.5 * len(parts[0])):
            parts.pop()
        if len(parts) > 1 and names and is_site_name(parts[0], names):
            parts.pop(0)
        return sep.join(parts) if spaced or len(parts) > 1 else parts[0]
    return title
