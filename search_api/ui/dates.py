"""The one way the UI writes a date: "3 Mar 1987" for people, ISO 8601 in ``<time datetime>`` for machines.

Every page shows dates through :func:`human_date` (the Jinja filter ``human_date``) or :func:`time_tag`
(the filter ``time_tag``), so a date reads the same on the result list, the document page, the timeline,
the chips and the admin tables. Month names are English abbreviations regardless of the server's locale
(``strftime("%b")`` would follow it), and the day has no leading zero.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DateLike = str | dt.date | dt.datetime | None


def parse_date(value: DateLike) -> dt.date | dt.datetime | None:
    """A date or datetime from what the index, the API or the workspace hands over; None if unreadable."""
    if value is None or isinstance(value, dt.date):  # datetime is a date too
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) <= 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def iso(value: DateLike, *, with_time: bool = False) -> str:
    """The machine form for ``<time datetime>``: ``1987-03-03`` or ``1987-03-03T14:05:00+00:00``."""
    d = parse_date(value)
    if d is None:
        return ""
    if with_time and isinstance(d, dt.datetime):
        return d.isoformat(timespec="seconds")
    return (d.date() if isinstance(d, dt.datetime) else d).isoformat()


def human_date(value: DateLike, *, with_time: bool = False) -> str:
    """``3 Mar 1987`` (with ``with_time``: ``3 Mar 1987, 14:05 UTC``); an unreadable value is shown as it is."""
    d = parse_date(value)
    if d is None:
        return "" if value is None else str(value)
    text = f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if with_time and isinstance(d, dt.datetime):
        utc = d.astimezone(dt.timezone.utc) if d.tzinfo else d  # naive values are stored in UTC
        text = f"{utc.day} {MONTHS[utc.month - 1]} {utc.year}, {utc:%H:%M} UTC"
    return text


def human_range(start: DateLike, end: DateLike) -> str:
    """``3 – 9 Mar 1987`` style ranges read long; keep both ends whole: ``3 Mar 1987 – 9 Mar 1987``.

    An open end reads "…" (a date filter with only one bound).
    """
    a, b = human_date(start) or "…", human_date(end) or "…"
    return a if a == b else f"{a} – {b}"


def time_tag(value: DateLike, *, with_time: bool = False) -> Markup:
    """``<time datetime="1987-03-03">3 Mar 1987</time>``; no date: nothing; an unreadable one: its text."""
    machine = iso(value, with_time=with_time)
    if not machine:
        return Markup("") if value is None or str(value).strip() == "" else escape(str(value))
    return Markup('<time datetime="{0}">{1}</time>').format(machine, human_date(value, with_time=with_time))
