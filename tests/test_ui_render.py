"""Unit tests of the UI's HTML building and URL state (no browser, no Elasticsearch)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from search_api.models import Hit, Histogram, HistogramBucket
from search_api.ui.errors import ui_error
from search_api.ui.hits import hit_view
from search_api.ui.html import mark_mentions, safe_highlight
from search_api.ui.state import UiState, pager
from search_api.ui.timeline import bucket_end, timeline


def _request(qs: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": qs.encode(), "headers": []})


def test_safe_highlight_keeps_marks_and_escapes_everything_else() -> None:
    assert safe_highlight("a <mark>b</mark> &amp; c") == "a <mark>b</mark> &amp; c"
    # unescaped markup from a careless producer is shown as text, never run
    assert safe_highlight("<script>x</script><mark>y") == "&lt;script&gt;x&lt;/script&gt;<mark>y</mark>"
    assert safe_highlight("</mark>z") == "z"
    assert safe_highlight(None) == ""


def test_mark_mentions_wraps_valid_offsets_and_skips_stale_or_overlapping_ones() -> None:
    text = "Olaf Scholz met <NATO> in Berlin."
    mentions = [
        {"text": "Olaf Scholz", "type": "person", "start": 0, "end": 11, "field": "body", "canonical": "Olaf Scholz"},
        {"text": "Scholz", "type": "person", "start": 5, "end": 11, "field": "body"},  # overlaps: skipped
        {"text": "NATO", "type": "ORG", "start": 17, "end": 21, "field": "body"},
        {"text": "Bonn", "type": "location", "start": 26, "end": 32, "field": "body"},  # stale text: skipped
        {"text": "Berlin", "type": "location", "start": 26, "end": 32, "field": "title"},  # other field
        {"text": "x", "type": "person", "start": 40, "end": 99, "field": "body"},  # out of range
    ]
    out = str(mark_mentions(text, mentions, "body"))
    # each mention links to its entity page
    assert out == ('<a class="ent-link" href="/entities/person/Olaf%20Scholz" hx-boost="false">'
                   '<mark class="ent ent-person" data-type="person" title="Person: Olaf Scholz">Olaf Scholz</mark></a>'
                   ' met &lt;<a class="ent-link" href="/entities/org/NATO" hx-boost="false">'
                   '<mark class="ent ent-org" data-type="org" title="Organisation: NATO">NATO</mark></a>&gt;'
                   " in Berlin.")


def test_mark_mentions_escapes_canonical_names() -> None:
    out = str(mark_mentions("Eve", [{"text": "Eve", "type": "person", "start": 0, "end": 3,
                                     "canonical": '"><script>', "field": "body"}], "body"))
    assert "<script>" not in out and "&#34;&gt;&lt;script&gt;" in out


def test_state_round_trips_through_the_url_and_resets_page() -> None:
    st = UiState.from_request(_request("q=oil&language=en&language=fr&language=en&page=3&sort=date&date_from=2024-01-01&x=1"))
    assert st.filters == {"language": ["en", "fr"]} and st.page == 3 and st.sort == "date"
    assert st.query_string() == "q=oil&language=en&language=fr&date_from=2024-01-01&sort=date&page=3"
    assert st.without("language", "fr") == "/?q=oil&language=en&date_from=2024-01-01&sort=date"
    assert st.url(page=2).endswith("&page=2")
    bad = UiState.from_request(_request("page=abc&sort=evil&duplicates=maybe"))
    assert (bad.page, bad.sort, bad.duplicates) == (1, "relevance", "hide")


def test_bucket_end_for_calendar_intervals() -> None:
    d = dt.date(2024, 1, 1)
    assert bucket_end(d, "day") == d
    assert bucket_end(d, "week") == dt.date(2024, 1, 7)
    assert bucket_end(d, "month") == dt.date(2024, 1, 31)
    assert bucket_end(dt.date(2024, 2, 1), "month") == dt.date(2024, 2, 29)
    assert bucket_end(dt.date(2024, 10, 1), "quarter") == dt.date(2024, 12, 31)
    assert bucket_end(d, "year") == dt.date(2024, 12, 31)


def test_timeline_bars_link_to_their_range() -> None:
    tl = timeline(Histogram(interval="month", buckets=[HistogramBucket(date="2024-01-01", count=4),
                                                       HistogramBucket(date="2024-02-01", count=0),
                                                       HistogramBucket(date="2024-03-01", count=2)]), UiState(q="x"))
    assert [b["from"] for b in tl["bars"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert tl["bars"][0]["to"] == "2024-01-31" and tl["bars"][1]["h"] == 0
    assert tl["bars"][2]["href"] == "/?q=x&date_from=2024-03-01&date_to=2024-03-31"
    assert timeline(Histogram(interval="month", buckets=[]), UiState()) is None
    assert timeline(None, UiState()) is None


def test_pager_is_capped_at_the_result_window() -> None:
    p = pager(UiState(page=3), total=95)
    assert (p["page"], p["last"], p["pages"]) == (3, 5, [1, 2, 3, 4, 5]) and not p["capped"]
    deep = pager(UiState(page=1), total=1_000_000)
    assert deep["last"] == 500 and deep["capped"]


def test_shape_hit_prefers_highlights_and_escapes_plain_fields() -> None:
    h = hit_view(Hit(id="a", title="<b>T</b>", highlights={"body": ["x <mark>oil</mark>"]},
                     published_at="2024-05-01T00:00:00Z", language="fr", entities={"person": ["P"]}))
    assert str(h.title_html) == "&lt;b&gt;T&lt;/b&gt;"
    assert str(h.snippet_html) == "x <mark>oil</mark>"
    assert (h.date, h.language_label) == ("2024-05-01", "French")
    assert h.entities == [("person", "Person", ["P"])]


def test_errors_become_messages() -> None:
    from search_api.errors import QuerySyntaxError, SearchUnavailable

    e = ui_error(QuerySyntaxError("unclosed quote", "close the quote"))
    assert (e.kind, e.status, e.hint) == ("syntax", 400, "close the quote")
    assert ui_error(SearchUnavailable("down")).status == 503
    from elasticsearch import ConnectionError as ESConnectionError

    assert ui_error(ESConnectionError("refused")).kind == "unavailable"
    # anything unforeseen: a generic message, never the exception's class name or text
    leak = ui_error(RuntimeError("AuthenticationException(401, 'unable to authenticate user [elastic]')"))
    assert (leak.kind, leak.status) == ("error", 500)
    assert "Authentication" not in leak.title + leak.detail and "RuntimeError" not in leak.title + leak.detail
    from search_api.errors import SearchBackendError

    backend = ui_error(SearchBackendError("unable to authenticate user [elastic]"))
    assert backend.status == 502 and "elastic" not in backend.title + backend.detail + backend.hint
    from pydantic import ValidationError
    from search_api.models import SearchRequest

    try:
        SearchRequest.model_validate({"date_from": "yesterday"})
    except ValidationError as exc:
        v = ui_error(exc)
    assert v.kind == "invalid" and "date_from" in v.detail and "YYYY-MM-DD" in v.hint
    try:  # other parameters get their own hint, not the date one
        SearchRequest.model_validate({"language": ["x" * 300]})
    except ValidationError as exc:
        other = ui_error(exc)
    assert "language" in other.detail and "YYYY" not in other.hint


def test_all_caps_headlines_are_shown_title_cased_but_stored_as_sent():
    from search_api.ui.html import display_title, safe_highlight

    assert display_title("BAHIA COCOA REVIEW") == "Bahia Cocoa Review"
    assert display_title("Opec output rises") == "Opec output rises"
    assert str(safe_highlight("BAHIA <mark>COCOA</mark> REVIEW", shout_to_title=True)) == "Bahia <mark>Cocoa</mark> Review"
    assert str(safe_highlight("Oil <mark>prices</mark> UP", shout_to_title=True)) == "Oil <mark>prices</mark> UP"


def test_mode_is_url_state_and_reaches_the_search_request() -> None:
    st = UiState.from_request(_request("q=oil&mode=hybrid&page=3"))
    assert st.mode == "hybrid" and ("mode", "hybrid") in st.params()
    assert st.request_data()["mode"] == "hybrid" and "mode=hybrid" in st.url(page=1)
    assert UiState.from_request(_request("q=oil&mode=bogus")).mode == "keyword"  # unknown: the default
    assert "mode" not in dict(UiState.from_request(_request("q=oil")).params())
