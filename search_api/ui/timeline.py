"""Timeline geometry: the date histogram as SVG bars, each with the date range it stands for.

The calendar maths (where a week/month/quarter starts, where the next one begins) is
:mod:`search_api.histogram`'s, the code that rolls day buckets up for the API, so a bar and its
filter always agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..histogram import bucket_start, next_start
from ..models import Histogram
from .dates import human_date, human_range
from .state import UiState

WIDTH, HEIGHT = 720, 90


def bucket_end(start: dt.date, interval: str) -> dt.date:
    """Last day covered by a histogram bucket of calendar ``interval`` (day … year) starting on ``start``."""
    return next_start(bucket_start(start, interval), interval) - dt.timedelta(days=1)


def timeline(histogram: Histogram | None, state: UiState, width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any] | None:
    """Bars of the histogram, scaled to the peak, each linking to the search narrowed to its range."""
    if histogram is None or not histogram.buckets:
        return None
    buckets = [(dt.date.fromisoformat(b.date[:10]), b.count) for b in histogram.buckets]
    interval = histogram.interval
    peak = max(c for _, c in buckets) or 1
    slot = width / len(buckets)
    gap = 1 if slot > 4 else 0
    bars = []
    for i, (day, count) in enumerate(buckets):
        end = bucket_end(day, interval)
        h = 0 if count == 0 else max(2.0, (height - 4) * count / peak)
        label = human_range(day, end)
        bars.append({
            "x": round(i * slot, 2), "w": round(max(slot - gap, 0.5), 2), "y": round(height - h, 2),
            "h": round(h, 2), "count": count, "from": day.isoformat(), "to": end.isoformat(),
            "label": label, "href": state.url(date_from=day.isoformat(), date_to=end.isoformat()),
        })
    return {"bars": bars, "width": width, "height": height, "interval": interval,
            "first": human_date(bars[0]["from"]), "last": human_date(bars[-1]["to"]), "peak": peak,
            "estimated": histogram.estimated}
