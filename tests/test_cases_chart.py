"""The case timeline chart: periods without gaps, never more than 60 bars, plain SVG."""

from search_api.cases.chart import MAX_BARS, periods, timeline_svg


def test_days_months_and_years():
    assert periods([("2024-03-01", 2), ("2024-03-03", 1)]) == [("2024-03-01", 2), ("2024-03-02", 0), ("2024-03-03", 1)]
    months = periods([("2024-01-05", 1), ("2024-01-09", 1), ("2024-04-01", 3)])
    assert months == [("2024-01", 2), ("2024-02", 0), ("2024-03", 0), ("2024-04", 3)]
    years = periods([("1987-01-01", 1), ("2024-01-01", 1)])
    assert len(years) == 38 <= MAX_BARS and years[0] == ("1987", 1)
    assert periods([]) == [] and timeline_svg([]) == ""


def test_svg_is_self_contained():
    svg = str(timeline_svg([("2024-03-01", 2), ("2024-03-02", 1)], "A <b> title"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and "A &lt;b&gt; title" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
