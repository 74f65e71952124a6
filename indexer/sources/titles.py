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
_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / ", "|", " -", "-", "_")


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


def strip_site_name(title: str, *, sitename: str | None = None, hostname: str | None = None,
                    h1: str | None = None) -> str:
    """The page's own title: the side of a separator that is not the site name."""
    title = " ".join(title.split())
    if h1 and _norm(h1) and _norm(h1) in _norm(title) and len(h1) >= 0.4 * len(title):
        return " ".join(h1.split())
    names = {_norm(n) for n in (sitename, hostname, (hostname or "").split(".")[-2] if hostname and "."
                                in hostname else None) if n}
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        parts = [p.strip() for p in title.split(sep) if p.strip()]
        if len(parts) < 2:
            continue
        site = [p for p in parts if names and any(n and (n in _norm(p) or _norm(p) in n) for n in names)]
        rest = [p for p in parts if p not in site]
        if site and rest:
            return sep.strip().join(rest) if sep.strip() in ("|",) else f" {sep.strip()} ".join(rest)
        # no known site name: a short trailing part after the last separator is one ("… | CNN Politics")
        if sep.strip() in ("|", "-", "–", "—", "::", "»", "·") and len(parts[-1]) <= 30 and \
                len(parts[-1]) < 0.5 * len(" ".join(parts[:-1])):
            return f" {sep.strip()} ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    return title
