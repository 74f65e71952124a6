"""Pure pieces of issue 13's UI items: the one date helper, hit offsets from a highlighted copy, and hit
marks nested in entity marks (no server, no browser)."""

from __future__ import annotations

import datetime as dt

from search_api.reader_hits import hit_spans, merge
from search_api.ui.dates import human_date, human_range, iso, time_tag
from search_api.ui.html import mark_mentions


def test_dates_read_as_people_write_them():
    assert human_date("1987-03-03") == "3 Mar 1987"
    assert human_date("1987-03-03T14:05:00Z") == "3 Mar 1987"
    assert human_date("1987-03-03T14:05:00Z", with_time=True) == "3 Mar 1987, 14:05 UTC"
    assert human_date("1987-03-03T23:30:00-05:00", with_time=True) == "4 Mar 1987, 04:30 UTC"
    assert human_date(dt.datetime(2026, 11, 24, 3, 7), with_time=True) == "24 Nov 2026, 03:07 UTC"  # naive = UTC
    assert human_date(None) == "" and human_date("not a date") == "not a date"
    assert human_range("2024-01-01", "2024-03-31") == "1 Jan 2024 – 31 Mar 2024"
    assert human_range("2024-01-01", None) == "1 Jan 2024 – …" and human_range("2024-02-02", "2024-02-02") == "2 Feb 2024"
    assert iso("1987-03-03T14:05:00Z") == "1987-03-03"
    assert str(time_tag("1987-03-03T14:05:00Z")) == '<time datetime="1987-03-03">3 Mar 1987</time>'
    assert str(time_tag("")) == "" and str(time_tag("week <2>")) == "week &lt;2&gt;"


def test_hit_spans_come_back_as_offsets_of_the_original_text():
    text = 'Oil & "gas" <prices> rose; oil fell.'
    marked = '<mark>Oil</mark> &amp; &quot;gas&quot; &lt;<mark>prices</mark>&gt; rose; <mark>oil</mark> fell.'
    spans = hit_spans(text, marked)
    assert [text[s:e] for s, e in spans] == ["Oil", "prices", "oil"]
    assert hit_spans(text.replace("rose", "fell"), marked) == []  # another version of the text marks nothing
    assert merge([(5, 9), (0, 3), (2, 4), (9, 10)]) == [(0, 4), (5, 10)]


def test_a_hit_inside_a_name_is_marked_inside_the_entity_mark():
    text = "Shares of Rosneft fell in Moscow."
    mentions = [{"text": "Rosneft", "type": "org", "start": 10, "end": 17, "field": "body"}]
    html = str(mark_mentions(text, mentions, "body", [(0, 6), (10, 13), (14, 22)], numbered=True))
    assert '<mark class="hit" data-hit="1" id="hit-1">Shares</mark>' in html
    assert '<mark class="hit" data-hit="2" id="hit-2">Ros</mark>' in html
    # hit 3 crosses the end of the entity: one piece inside its mark, the rest after it, one id only
    assert '<mark class="hit" data-hit="3" id="hit-3">eft</mark></mark></a><mark class="hit" data-hit="3"> fell</mark>' in html
    assert html.count('id="hit-3"') == 1
    plain = str(mark_mentions("a <b> c", [], "body", [(2, 5)]))
    assert plain == 'a <mark class="hit">&lt;b&gt;</mark> c'  # escaped, not numbered
