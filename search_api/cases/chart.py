"""The case timeline as an inline SVG, built on the server so a product renders offline (no chart script).

Hand-written rather than a plotting library: a bar per period is a few rectangles, and the output
must be plain SVG markup that HTML, PDF (Chromium) and the case page embed as they are.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 160, 28
MAX_BARS = 60


def _span(first: date, last: date, width: int) -> list[str]:
    """Every period label from ``first`` to ``last`` (empty periods are bars of height 0, not gaps)."""
    if width == 10:
        return [date.fromordinal(d).isoformat() for d in range(first.toordinal(), last.toordinal() + 1)]
    if width == 7:
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]
    return [f"{y:04d}" for y in range(first.year, last.year + 1)]


def periods(days: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Per day when the case spans ≤ 60 days, else per month (else per year): never more than 60 bars."""
    if not days:
        return []
    first, last = date.fromisoformat(days[0][0][:10]), date.fromisoformat(days[-1][0][:10])
    months = (last.year - first.year) * 12 + last.month - first.month
    width = 10 if (last - first).days < MAX_BARS else 7 if months < MAX_BARS else 4
    merged: Counter[str] = Counter()
    for day, n in days:
        merged[day[:width]] += n
    return [(label, merged.get(label, 0)) for label in _span(first, last, width)]


def timeline_svg(days: list[tuple[str, int]], title: str = "Documents over time") -> Markup:
    bars = periods(days)
    if not bars:
        return Markup("")
    top = max(n for _, n in bars)
    step = (WIDTH - 2 * PAD) / len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="case-timeline" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#555"/>']
    for i, (label, n) in enumerate(bars):
        h = (HEIGHT - 2 * PAD) * n / top if top else 0
        x = PAD + i * step
        parts.append(f'<rect x="{x + 1:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
                     f'fill="#2b5d8a"><title>{escape(label)}: {n}</title></rect>')
    for i in sorted({0, len(bars) - 1}):
        x = PAD + i * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
                     f'font-family="sans-serif">{escape(bars[i][0])}</text>')
    parts.append(f'<text x="4" y="{PAD - 8}" font-size="11" font-family="sans-serif">max {top}</text></svg>')
    return Markup("".join(parts))
