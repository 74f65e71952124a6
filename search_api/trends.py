"""Trends and spikes (pure): the aggregation body, the window/baseline calendar and the spike score.

Nothing here does I/O, so the scoring is unit tested on constructed series and the benchmark sends
exactly the body the API sends.

One request (plus one ``max`` date look-up when the search has no end date): a ``terms`` aggregation on
the facet field, *ordered by its count in the latest window* (a ``filter`` sub-aggregation), collected
breadth-first so that only the top candidates get their per-interval ``date_histogram`` and their
"seen before the window" count; and one ``date_histogram`` of all matching documents, the volume each
interval's counts are normalised by. No document is read in Python.

Score: a Poisson surprise on volume-normalised counts. A value's baseline rate is its share of the
documents in the baseline intervals, smoothed with half a document (so a value never seen before still
has a finite, small expected count); the expected window count is that rate times the window's volume;
the score is ``-log10 P(X >= observed)``. Why Poisson and not only a z-score: counts of rare entities are
small integers, and a robust z-score over a handful of baseline intervals is unstable (MAD is often
zero). The robust z-score of the window's share against the baseline shares is reported alongside.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import poisson  # well-kept tail probabilities instead of a hand-written series

from mappings.vocabulary import DATE_FIELD, FACETS_BY_NAME

from .histogram import bucket_start, next_start

TREND_FIELDS: tuple[str, ...] = ("person", "org", "location", "countries", "topics", "keywords")
TREND_INTERVALS: tuple[str, ...] = ("day", "week", "month")
MAX_CANDIDATES = 200  # values scored per request: the top ones by count in the window
MAX_WINDOW, MAX_BASELINE = 12, 52
SMOOTHING = 0.5  # documents added to a value's baseline count (a "new" value still has a rate)
MAD_SCALE = 1.4826  # MAD of a normal distribution → its standard deviation


# --- calendar ------------------------------------------------------------------------------------------

def prev_start(d: dt.date, interval: str) -> dt.date:
    """Start of the interval before the one starting on ``d``."""
    if interval == "day":
        return d - dt.timedelta(days=1)
    if interval == "week":
        return d - dt.timedelta(days=7)
    m = d.month - 2
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Windows:
    """The latest ``window`` intervals up to ``end`` and the ``baseline`` intervals before them."""

    interval: str
    baseline_from: dt.date
    window_from: dt.date
    end: dt.date  # last day of the window (inclusive)

    @property
    def window_to(self) -> dt.date:
        return self.end


def windows(end: dt.date, interval: str, window: int, baseline: int) -> Windows:
    start = bucket_start(end, interval)
    for _ in range(window - 1):
        start = prev_start(start, interval)
    base = start
    for _ in range(baseline):
        base = prev_start(base, interval)
    return Windows(interval, base, start, end)


def interval_starts(w: Windows) -> list[dt.date]:
    out, cur = [], w.baseline_from
    while cur <= w.end:
        out.append(cur)
        cur = next_start(cur, w.interval)
    return out


# --- request bodies ------------------------------------------------------------------------------------

def _range(gte: dt.date | None = None, lte: dt.date | None = None, lt: dt.date | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {"format": "strict_date_optional_time"}
    if gte:
        r["gte"] = gte.isoformat()
    if lte:
        r["lte"] = lte.isoformat() + "||/d"
    if lt:
        r["lt"] = lt.isoformat()
    return {"range": {DATE_FIELD: r}}


def latest_date_body(query: dict[str, Any]) -> dict[str, Any]:
    """The newest publication date among the matching documents (where the window ends by default)."""
    return {"query": query, "size": 0, "track_total_hits": False,
            "aggs": {"latest": {"max": {"field": DATE_FIELD, "format": "yyyy-MM-dd"}}}}


def parse_latest(res: dict[str, Any]) -> dt.date | None:
    latest = res.get("aggregations", {}).get("latest", {}).get("value_as_string")
    return dt.date.fromisoformat(latest[:10]) if latest else None


def _histogram(w: Windows) -> dict[str, Any]:
    return {"date_histogram": {"field": DATE_FIELD, "calendar_interval": w.interval, "format": "yyyy-MM-dd",
                               "min_doc_count": 0, "extended_bounds": {"min": w.baseline_from.isoformat(),
                                                                       "max": w.end.isoformat()}}}


def trends_body(query: dict[str, Any], field_name: str, w: Windows, candidates: int = MAX_CANDIDATES) -> dict[str, Any]:
    """``query`` (the search's query and filters, without a date range on the window) limited to ``w.end``."""
    spec = FACETS_BY_NAME[field_name]
    span = _range(gte=w.baseline_from, lte=w.end)
    return {
        "query": {"bool": {"must": [query], "filter": [_range(lte=w.end)]}},
        "size": 0, "track_total_hits": False,
        "aggs": {
            "volume": {"filter": span, "aggs": {"series": _histogram(w)}},
            "values": {
                "terms": {"field": spec.field, "size": candidates, "shard_size": candidates * 2,
                          "order": [{"window": "desc"}, {"_key": "asc"}], "collect_mode": "breadth_first"},
                "aggs": {
                    "window": {"filter": _range(gte=w.window_from, lte=w.end)},
                    "before": {"filter": _range(lt=w.window_from)},
                    "span": {"filter": span, "aggs": {"series": _histogram(w)}},
                },
            },
        },
    }


# --- scoring -------------------------------------------------------------------------------------------

@dataclass
class Trend:
    value: str
    series: list[int]  # documents per interval, baseline then window
    window_count: int
    baseline_count: int
    expected: float
    score: float  # -log10 Poisson tail of the window count (0 = not rising)
    z: float | None  # robust z-score of the window share vs the baseline shares (None: flat baseline)
    new: bool  # never seen in the search before the window
    shares: list[float] = field(default_factory=list)  # series / volume per interval


def surprise(observed: int, expected: float) -> float:
    """``-log10 P(X >= observed)`` for X ~ Poisson(expected); 0 when not above expectation."""
    if observed <= expected or expected <= 0:
        return 0.0
    logsf = float(poisson.logsf(observed - 1, expected))  # P(X > observed-1) = P(X >= observed)
    return round(-logsf / math.log(10), 4)


def robust_z(window_share: float, baseline_shares: list[float]) -> float | None:
    if len(baseline_shares) < 3:
        return None
    med = statistics.median(baseline_shares)
    mad = statistics.median(abs(s - med) for s in baseline_shares) * MAD_SCALE
    if mad == 0:
        return None
    return round((window_share - med) / mad, 4)


def score_series(value: str, series: list[int], volume: list[int], window: int, *, seen_before: bool) -> Trend:
    """Score one value's series against the volume series; the last ``window`` intervals are the window."""
    if len(series) != len(volume) or window < 1 or window > len(series):
        raise ValueError("series, volume and window do not line up")
    base_c, win_c = sum(series[:-window]), sum(series[-window:])
    base_n, win_n = sum(volume[:-window]), sum(volume[-window:])
    shares = [c / n if n else 0.0 for c, n in zip(series, volume)]
    expected = 0.0
    if base_n:
        expected = (base_c + SMOOTHING) / (base_n + 1) * win_n
    score = surprise(win_c, expected)
    win_share = win_c / win_n if win_n else 0.0
    z = robust_z(win_share, [s for s, n in zip(shares[:-window], volume[:-window]) if n])
    return Trend(value, list(series), win_c, base_c, round(expected, 4), score, z, not seen_before,
                 [round(s, 6) for s in shares])


def rank(trends: list[Trend], min_support: int) -> list[Trend]:
    """Values with at least ``min_support`` documents in the window, most surprising first."""
    kept = [t for t in trends if t.window_count >= min_support]
    return sorted(kept, key=lambda t: (-t.score, -t.window_count, t.value))


def _counts(hist: dict[str, Any], starts: list[dt.date]) -> list[int]:
    by_day = {b["key_as_string"][:10]: b["doc_count"] for b in hist["buckets"]}
    return [by_day.get(s.isoformat(), 0) for s in starts]


def parse_trends(res: dict[str, Any], w: Windows, window: int) -> tuple[list[dt.date], list[int], list[Trend]]:
    """Interval starts, the volume series and one scored :class:`Trend` per candidate value."""
    starts = interval_starts(w)
    aggs = res["aggregations"]
    volume = _counts(aggs["volume"]["series"], starts)
    out = []
    for b in aggs["values"]["buckets"]:
        series = _counts(b["span"]["series"], starts)
        out.append(score_series(str(b["key"]), series, volume, window, seen_before=b["before"]["doc_count"] > 0))
    return starts, volume, out
