"""Pure unit tests of the analyst query parser and the request -> Elasticsearch body builder."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest

from mappings.vocabulary import FACETS_BY_NAME
from search_api import query as Q
from search_api.cursor import decode_cursor, encode_cursor
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
    ("ab*", "too short"),
    (" ".join(f"w{i}x*" for i in range(9)), "too many prefix"),
    ("NOT " * 13 + "x", "nested too deeply"),
    ("x" * 1001, "characters long"),
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
    # Case-insensitive through the normalised sub-field (ES lowercases the query value), the exact field
    # OR-ed in for indices created before the sub-field: no case_insensitive automaton, no regex.
    assert Q.text_query("org:OPEC") == {"bool": {"should": [
        {"terms": {"entities.org.lower": ["OPEC"]}}, {"terms": {"entities.org": ["OPEC"]}}], "minimum_should_match": 1}}
    assert Q.text_query("person:rea*")["bool"]["should"][0] == {"prefix": {"entities.person.lower": "rea"}}
    assert Q.text_query("author:Smith") == {"term": {"author": {"value": "Smith", "case_insensitive": True}}}
    pref = Q.text_query("Sanc*")
    assert {"prefix": {"title": {"value": "sanc", "boost": Q.TITLE_BOOST}}} in pref["bool"]["should"]
    assert Q.text_query('"central bank"')["multi_match"]["type"] == "phrase"


def test_no_regexp_wildcard_or_fuzzy_anywhere():
    req = SearchRequest(q='oil* "a b" person:ron* -x', person=["Ronald Reagan"], countries=["sa"])
    bodies = [Q.search_body(req), Q.facet_values_body(req, "person", "ron rea", 20), Q.suggest_body("ab" * 50),
              Q.export_body(req)]
    text = json.dumps(bodies)
    for kind in ('"regexp"', '"wildcard"', '"fuzzy"', '"include"', '"query_string"', "fuzziness"):
        assert kind not in text, kind


@pytest.mark.parametrize("value, text, expected", [
    ("Ronald Reagan", "RON", True), ("Ronald Reagan", "reag", True), ("Ronald Reagan", "ronald rea", True),
    ("Mikhail Gorbachev", "gorb", True), ("Jean-Claude Juncker", "claude", True), ("Ronald Reagan", "onald", False),
    ("Banque de France", "de fr", True), ("a.b", ".", False), ("Reagan", "", True),
])
def test_word_prefix_match(value, text, expected):
    assert Q.word_prefix_match(value, text) is expected


def test_not_and_or_translation():
    b = Q.text_query("oil -opec")["bool"]
    assert len(b["must"]) == 1 and len(b["must_not"]) == 1
    b = Q.text_query("oil OR gas")["bool"]
    assert len(b["should"]) == 2 and b["minimum_should_match"] == 1


def test_filters_post_filter_and_facet_aggs():
    req = SearchRequest(q="oil", language=["en", "fr"], org=["OPEC"], date_from=dt.date(1987, 1, 1))
    body = Q.search_body(req)
    # facet selections only in post_filter; date + duplicates in the query
    lang_f, org_f = Q.facet_filter(FACETS_BY_NAME["language"], ["en", "fr"]), Q.facet_filter(FACETS_BY_NAME["org"], ["OPEC"])
    assert body["post_filter"] == {"bool": {"filter": [lang_f, org_f]}}
    filters = body["query"]["bool"]["filter"]
    assert {"range": {"published_at": {"format": "strict_date_optional_time", "gte": "1987-01-01"}}} in filters
    assert {"bool": {"must_not": [{"exists": {"field": "duplicate_of"}}]}} in filters
    # a facet's aggregation applies every other selection but not its own
    lang = body["aggs"]["facet_language"]["filter"]
    assert lang == {"bool": {"filter": [org_f]}}
    # a selected value gets its own count, so it shows its true count even outside the top N
    assert body["aggs"]["facet_org"]["aggs"]["selected"] == {"filters": {"filters": {"OPEC": org_f}}}
    assert body["aggs"]["facet_source"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    assert body["aggs"]["facet_org"]["aggs"]["missing"] == {"filter": {"bool": {"must_not": [{"exists": {"field": "entities.org"}}]}}}
    assert body["track_total_hits"] == 10_000 and body["from"] == 0


def test_show_duplicates_and_no_facets():
    body = Q.search_body(SearchRequest(duplicates="show", facet_size=0))
    assert "aggs" not in body and body["query"]["bool"]["filter"] == []


KEY = b"k" * 32


def test_cursor_roundtrip_and_validation():
    c = encode_cursor("date", [541641600000, "en-oil-1"], KEY)
    body = Q.search_body(SearchRequest(sort="date", cursor=c), cursor_key=KEY)
    assert body["search_after"] == [541641600000, "en-oil-1"] and "from" not in body
    with pytest.raises(InvalidParameter) as info:
        Q.search_body(SearchRequest(sort="relevance", cursor=c), cursor_key=KEY)
    assert info.value.field == "cursor"
    with pytest.raises(ValueError):
        Q.search_body(SearchRequest(sort="date", cursor=c))  # no key: a programming error, not a 4xx


def _forge(data: object, key: bytes = KEY) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    sig = base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]).decode().rstrip("=")
    return f"{payload}.{sig}"


@pytest.mark.parametrize("cursor", [
    "!!!", "e30", "garbage.sig", "é.x",
    _forge({"s": "date", "a": [1, "a"]}, key=b"another server"),  # not signed by us
    _forge({"s": "date", "a": [1, "a"]})[:-2] + "AA",  # signature altered
    _forge({"s": "relevance", "a": ["x", "y", "z"]}),  # the probe's wrong types (signed: a key leak)
    _forge({"s": "date", "a": [{"x": 1}, "a"]}), _forge({"s": "date", "a": [1.5, "a"]}),
    _forge({"s": "date", "a": [2**64, "a"]}), _forge({"s": "date", "a": [True, "a"]}),
    _forge({"s": "date", "a": [1, "a" * 600]}), _forge({"s": "nope", "a": [1]}), _forge(["s", "a"]),
    _forge({"s": "date", "a": [1, "a"]}).replace(".", ".x"),
])
def test_tampered_cursors_are_422_naming_cursor(cursor):
    with pytest.raises(InvalidParameter) as info:
        decode_cursor(cursor, "date", KEY)
    assert info.value.field == "cursor"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "1e999", "-1e999"])
def test_cursor_rejects_non_finite_numbers(constant):
    payload = base64.urlsafe_b64encode(f'{{"s":"relevance","a":[{constant},1,"a"]}}'.encode()).decode().rstrip("=")
    sig = base64.urlsafe_b64encode(hmac.new(KEY, payload.encode(), hashlib.sha256).digest()[:16]).decode().rstrip("=")
    with pytest.raises(InvalidParameter):
        decode_cursor(f"{payload}.{sig}", "relevance", KEY)


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


def test_csv_cells_neutralise_formulas():
    from search_api.routes import csv_cell

    for raw in ("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =1+1"):
        assert csv_cell(raw) == "'" + raw
    assert csv_cell(["=a", "b"]) == "'=a; b"
    assert csv_cell("Oil = money") == "Oil = money" and csv_cell(None) == "" and csv_cell(["a", "b"]) == "a; b"


def test_query_layer_imports_no_web_framework_and_mappings_nothing_of_ours():
    import subprocess
    import sys

    code = ("import sys, search_api.query, search_api.service, mappings.client; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fastapi', 'starlette', 'periscope', 'indexer', 'nlp', 'workspace')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- issue 19: fields of the index's languages, hybrid and semantic bodies -----------------------------

VEC = [0.1] * 8


def test_only_the_index_languages_fields_are_queried_and_highlighted():
    body = Q.search_body(SearchRequest(q="sanctions"), languages=["en", "fr"])
    assert body["query"]["bool"]["must"][0]["multi_match"]["fields"] == [
        "title^3.0", "title_en^1.5", "title_fr^1.5", "body^1.0", "body_en^0.5", "body_fr^0.5"]
    # Every indexed language is stemmed and the query has no prefix: the neutral title is not highlighted;
    # the neutral body gives the no-match snippet.
    assert set(body["highlight"]["fields"]) == {"body", "title_en", "body_en", "title_fr", "body_fr"}
    assert body["highlight"]["fields"]["body"]["no_match_size"] == 180
    # A prefix matches the neutral fields only, and a language without a stemmed pair needs them.
    assert "title" in Q.search_body(SearchRequest(q="sanc*"), languages=["en"])["highlight"]["fields"]
    assert "title" in Q.search_body(SearchRequest(q="oil"), languages=["en", "pl"])["highlight"]["fields"]
    # Unknown languages (None): every field, as before.
    assert len(Q.search_body(SearchRequest(q="oil"))["query"]["bool"]["must"][0]["multi_match"]["fields"]) == 20


def test_hybrid_body_is_one_request_with_knn_and_normalised_bm25():
    req = SearchRequest(q="oil prices", mode="hybrid", language=["en"], date_from=dt.date(1987, 1, 1))
    body = Q.search_body(req, languages=["en"], query_vector=VEC)
    knn = body["knn"]
    assert knn["query_vector"] == VEC and knn["k"] >= req.size and knn["num_candidates"] >= knn["k"]
    # Filters reach the neighbours: the date range, duplicates hidden, the facet selection.
    flat = json.dumps(knn["filter"])
    assert "published_at" in flat and "duplicate_of" in flat and '"language.lower"' in flat
    assert "multi_match" not in flat  # plain words: the neighbours need not contain them
    text = body["query"]["bool"]["must"][0]["bool"]["must"]
    assert text[0]["constant_score"]["boost"] > 0 and text[1]["bool"]["boost"] > 0
    assert body["post_filter"]  # facet counts stay multi-select


def test_strict_syntax_keeps_hybrid_exact_and_semantic_is_knn_only():
    for q in ('"central bank"', "org:opec oil", "oil -opec", "+oil gas", "sanc*"):
        assert "knn" not in Q.search_body(SearchRequest(q=q, mode="hybrid"))  # exact syntax: the keyword search
        body = Q.search_body(SearchRequest(q=q, mode="semantic"), query_vector=VEC)
        assert any("multi_match" in json.dumps(f) or "prefix" in json.dumps(f) or "terms" in json.dumps(f)
                   for f in body["knn"]["filter"]), q
    body = Q.search_body(SearchRequest(q="oil prices", mode="semantic"), query_vector=VEC)
    assert "query" not in body and body["knn"]["query_vector"] == VEC
    assert Q.embed_text(SearchRequest(q='oil "central bank" -opec org:x', mode="semantic")) == "oil central bank"
    assert Q.embed_text(SearchRequest(q="oil", mode="keyword")) == ""
    assert Q.embed_text(SearchRequest(q="org:opec", mode="hybrid")) == ""  # nothing to embed: a keyword search
    assert "knn" not in Q.search_body(SearchRequest(q="org:opec", mode="hybrid"))
    with pytest.raises(ValueError):
        Q.search_body(SearchRequest(q="oil", mode="hybrid"))  # the caller must embed the query


def test_unknown_mode_is_a_validation_error():
    with pytest.raises(ValueError):
        SearchRequest(q="oil", mode="fuzzy")
