"""Calendar maths of the date histogram (pure): interval choice, bucket boundaries, roll-up of day buckets.

Elasticsearch's ``auto_date_histogram`` lives in a module the core-only distribution does not ship, so
"auto" asks ES for non-empty day buckets and rolls them up here to an interval that fits the span.
"""

from __future__ import annotations

import datetime as dt

INTERVALS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
MAX_BUCKETS = 5000


def interval_for_span(days: int) -> str:
    for limit, name in ((62, "day"), (400, "week"), (5 * 366, "month"), (20 * 366, "quarter")):
        if days <= limit:
            return name
    return "year"


def bucket_start(d: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return d - dt.timedelta(days=d.weekday())
    if interval == "month":
        return d.replace(day=1)
    if interval == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    if interval == "year":
        return d.replace(month=1, day=1)
    return d


def next_start(d: dt.date, interval: str) -> dt.date:
    if interval == "day":
        return d + dt.timedelta(days=1)
    if interval == "week":
        return d + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def coarser(a: str, b: str | None) -> str:
    """The coarser of two intervals (``b`` None: ``a``)."""
    return a if b is None or INTERVALS.index(a) >= INTERVALS.index(b) else b


def rollup(days: list[tuple[str, int]], start: dt.date | None = None, end: dt.date | None = None,
           interval: str | None = None, floor: str | None = None) -> tuple[str, list[tuple[str, int]]]:
    """Roll non-empty buckets up to an interval chosen from the span, filling empty buckets.

    ``floor``: the buckets are already of that interval (``key`` its first day), so nothing finer is chosen:
    the span of month keys is up to two months short of the documents' own."""
    if not days:
        return interval or floor or "day", []
    parsed = [(dt.date.fromisoformat(k[:10]), c) for k, c in days]
    lo = start or parsed[0][0]
    hi = end or parsed[-1][0]
    lo, hi = min(lo, parsed[0][0]), max(hi, parsed[-1][0])
    interval = interval or coarser(interval_for_span((hi - lo).days), floor)
    counts: dict[dt.date, int] = {}
    for d, c in parsed:
        key = bucket_start(d, interval)
        counts[key] = counts.get(key, 0) + c
    out: list[tuple[str, int]] = []
    cur = bucket_start(lo, interval)
    while cur <= hi and len(out) < MAX_BUCKETS:
        out.append((cur.isoformat(), counts.get(cur, 0)))
        cur = next_start(cur, interval)
    return interval, out
