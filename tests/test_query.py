"""Pure unit tests of the analyst query parser and the request -> Elasticsearch body builder."""

from __future__ import annotations

import datetime as dt

import pytest

from search_api import query as Q
from search_api.errors import InvalidParameter, QuerySyntaxError
from search_api.models import SearchRequest
from search_api.syntax import BoolOp, Not, Phrase, Required, Term, parse

F = Q.QUERY_FIELDS


def test_words_default_and():
    assert parse("oil prices", F) == BoolOp("and", (Term("oil"), Term("prices")))


def test_default_or_configurable():
    assert parse("oil prices", F, "or") == BoolOp("or", (Term("oil"), Term("prices")))


def test_punctuation_alone_is_ignored_not_matched():
    # "&" or a dash between words analyses to nothing; it must not empty an AND query.
    assert parse("oil & gas", F) == BoolOp("and", (Term("oil"), Term("gas")))
    assert parse("Iran — talks ,", F) == BoolOp("and", (Term("Iran"), Term("talks")))
    assert parse("…", F) is None


def test_singular_field_aliases():
    for alias, field in (("country", "countries"), ("topic", "topics"), ("place", "entities.location"),
                         ("organisation", "entities.org")):
        assert Q.KEYWORD_QUERY_FIELDS[alias] == Q.KEYWORD_QUERY_FIELDS.get(field, field)
        assert parse(f"{alias}:x", F) == Term("x", alias)


def test_precedence_and_binds_tighter_than_or():
    assert parse("a OR b AND c", F) == BoolOp("or", (Term("a"), BoolOp("and", (Term("b"), Term("c")))))


def test_phrase_prefix_field_not_required_parens():
    node = parse('"central bank" sanction* org:OPEC -iran +(yen OR dollar) NOT gold', F)
    assert node == BoolOp("and", (
        Phrase("central bank"), Term("sanction", prefix=True), Term("OPEC", field="org"), Not(Term("iran")),
        Required(BoolOp("or", (Term("yen"), Term("dollar")))), Not(Term("gold")),
    ))


def test_field_applies_to_phrase_and_group():
    assert parse('person:"Ronald Reagan"', F) == Phrase("Ronald Reagan", "person")
    assert parse("title:(oil OR gas)", F) == BoolOp("or", (Term("oil", "title"), Term("gas", "title")))


def test_hyphenated_word_is_not_negation():
    assert parse("e-mail", F) == Term("e-mail")


@pytest.mark.parametrize("q", ["", "   ", "*"])
def test_blank_is_match_all(q):
    assert parse(q, F) is None
    assert Q.text_query(q) == {"match_all": {}}


@pytest.mark.parametrize("q, fragment", [
    ('"oil prices', "unclosed quote"),
    ("(oil OR gas", "never closed"),
    ("oil)", "unexpected ')'"),
    ("oil AND", "nothing after it"),
    ("OR oil", "needs a word"),
    ("colour:red", "unknown field"),
    ("title: oil", "has no value"),
    ("a*", "too short"),
    ("o*l", "wildcard inside"),
    ("()", "empty parentheses"),
    ('""', "empty phrase"),
    ("(" * 20 + "x" + ")" * 20, "nested too deeply"),
    (" ".join(["w"] * 70), "too many terms"),
])
def test_syntax_errors_have_hints(q, fragment):
    with pytest.raises(QuerySyntaxError) as info:
        parse(q, F)
    assert fragment in info.value.detail
    assert info.value.hint


def test_term_queries_exact_fields_boosted_over_stemmed():
    body = Q.text_query("sanctions")
    mm = body["multi_match"]
    assert mm["type"] == "most_fields" and mm["operator"] == "and"
    boosts = dict(f.split("^") for f in mm["fields"])
    assert float(boosts["title"]) > float(boosts["title_en"]) > float(boosts["body_en"])
    assert float(boosts["title"]) > float(boosts["body"]) > float(boosts["body_en"])
    assert {f"body_{l}" for l in Q.STEMMED_LANGUAGES} <= set(boosts)


def test_keyword_field_and_prefix_translation():
    assert Q.text_query("org:opec") == {"term": {"entities.org": {"value": "opec", "case_insensitive": True}}}
    pref = Q.text_query("Sanc*")
    assert {"prefix": {"title": {"value": "sanc", "boost": Q.TITLE_BOOST}}} in pref["bool"]["should"]
    assert Q.text_query('"central bank"')["multi_match"]["type"] == "phrase"


def test_not_and_or_translation():
    b = Q.text_query("oil -opec")["bool"]
    assert len(b["must"]) == 1 and len(b["must_not"]) == 1
    b = Q.text_query("oil OR gas")["bool"]
    assert len(b["should"]) == 2 and b["minimum_should_match"] == 1


def test_filters_post_filter_and_facet_aggs():
    req = SearchRequest(q="oil", language=["en", "fr"], org=["OPEC"], date_from=dt.date(1987, 1, 1))
    body = Q.search_body(req)
    # facet selections only in post_filter; date + duplicates in the query
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"language": ["en", "fr"]}},
                                                       {"terms": {"entities.org": ["OPEC"]}}]}}
    filters = body["query"]["bool"]["filter"]
    assert {"range": {"published_at": {"format": "strict_date_optional_time", "gte": "1987-01-01"}}} in filters
    assert {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}} in filters
    # a facet's aggregation applies every other selection but not its own
    lang = body["aggs"]["facet_language"]["filter"]
    assert lang == {"bool": {"filter": [{"terms": {"entities.org": ["OPEC"]}}]}}
    assert body["aggs"]["facet_source"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    assert body["aggs"]["facet_org"]["aggs"]["missing"] == {"missing": {"field": "entities.org"}}
    assert body["track_total_hits"] == 10_000 and body["from"] == 0


def test_show_duplicates_and_no_facets():
    body = Q.search_body(SearchRequest(duplicates="show", facet_size=0))
    assert "aggs" not in body and body["query"]["bool"]["filter"] == []


def test_cursor_roundtrip_and_validation():
    c = Q.encode_cursor("date", [541641600000, "en-oil-1"])
    body = Q.search_body(SearchRequest(sort="date", cursor=c))
    assert body["search_after"] == [541641600000, "en-oil-1"] and "from" not in body
    with pytest.raises(InvalidParameter) as info:
        Q.search_body(SearchRequest(sort="relevance", cursor=c))
    assert info.value.field == "cursor"
    for bad in ("!!!", "e30", Q.encode_cursor("date", [{"x": 1}, "a"])):
        with pytest.raises(InvalidParameter):
            Q.decode_cursor(bad, "date")


def test_page_window_and_caps_validated():
    with pytest.raises(ValueError):
        SearchRequest(page=101, size=100)
    SearchRequest(page=101, size=100, cursor="abc")  # cursor paging is not limited by the window
    with pytest.raises(ValueError):
        SearchRequest(size=101)
    with pytest.raises(ValueError):
        SearchRequest(date_from=dt.date(1988, 1, 1), date_to=dt.date(1987, 1, 1))


def test_histogram_interval_from_range():
    r = lambda a, b: SearchRequest(date_from=dt.date.fromisoformat(a), date_to=dt.date.fromisoformat(b))
    assert Q.histogram_interval(r("1987-03-01", "1987-03-31")) == "day"
    assert Q.histogram_interval(r("1987-01-01", "1987-12-31")) == "week"
    assert Q.histogram_interval(r("1985-01-01", "1987-12-31")) == "month"
    assert Q.histogram_interval(r("1950-01-01", "1987-12-31")) == "year"
    assert Q.histogram_interval(SearchRequest(interval="quarter")) == "quarter"
    assert Q.histogram_interval(SearchRequest()) is None


def test_rollup_fills_gaps_and_sums():
    interval, buckets = Q.rollup([("1987-01-15", 2), ("1987-03-02", 1), ("1987-11-30", 4)])
    assert interval == "week"
    assert sum(c for _, c in buckets) == 7
    assert buckets[0][0] == "1987-01-12"  # Monday
    interval, buckets = Q.rollup([("1985-01-15", 2), ("1987-03-02", 1)])
    assert interval == "month" and buckets[0] == ("1985-01-01", 2) and buckets[-1] == ("1987-03-01", 1)


def test_facet_value_regex_is_case_insensitive_and_escaped():
    assert Q._ci_regex("ro") == "(.*[ \\-])?[rR][oO].*"
    assert Q._ci_regex("a.b") == "(.*[ \\-])?[aA]\\.[bB].*"
