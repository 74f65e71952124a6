"""Sampled facet counts (search_api/sampling.py): estimates above the threshold, labelled; exact below;
the access filter on both requests. A real node, the API corpus loaded five times, a tiny threshold."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

import test_api_corpus as corpus
from mappings import COLLECTION_FIELD
from mappings.client import async_es_client
from search_api import query as Q
from search_api import sampling
from search_api.access import OPEN, Principal
from search_api.models import SearchRequest
from search_api.service import SearchService

COPIES, HIDDEN = 5, "hidden-desk"  # copy 4 lives in a collection the test reader may not read
SAMPLE = 20  # sample above 40 matches


# --- pure -------------------------------------------------------------------------------------------------

def test_probability_bounds():
    assert sampling.probability(40, 20) == 1.0  # ≤ 2 × sample: exact
    assert sampling.probability(41, 20) == pytest.approx(20 / 41, rel=1e-2)
    assert sampling.probability(1_000_000, 20_000) == 0.02
    assert sampling.probability(10**9, 0) == 1.0  # 0: never sample


def test_small_index_and_knn_only_bodies_get_no_count_request():
    req = SearchRequest(q="oil")
    body = Q.search_body(req)
    sets = Q.aggregated_sets(req)
    assert sampling.count_body(body, sets, index_docs=40, sample_docs=20) is None
    assert sampling.count_body({k: v for k, v in body.items() if k != "query"}, sets, index_docs=10**6,
                               sample_docs=20) is None
    count = sampling.count_body(body, sets, index_docs=41, sample_docs=20)
    assert count["query"] == body["query"] and count["size"] == 0
    assert count["aggs"]["sets"] == {"filters": {"filters": {"_all": {"match_all": {}}}}}  # exact on a small index
    count = sampling.count_body(body, sets, index_docs=10**6, sample_docs=20)
    assert count["aggs"]["count"]["random_sampler"]["probability"] == 0.01  # 10,000 documents of a million


def test_sampled_groups_by_probability_and_unwrap_flattens():
    req = SearchRequest(q="oil", language=["en"])
    body = Q.search_body(req)
    probs = {name: 1.0 for name in Q.FACETS_BY_NAME} | {"language": 0.1, "histogram": 0.01, "topics": 0.01}
    out = sampling.sampled(body, probs)
    assert set(out["aggs"]) == {f"facet_{n}" for n in Q.FACETS_BY_NAME if n not in ("language", "topics")} | {
        "sample_0", "sample_1"}
    assert out["aggs"]["sample_0"]["random_sampler"]["probability"] == 0.01
    assert set(out["aggs"]["sample_0"]["aggs"]) == {"histogram", "facet_topics"}
    assert out["query"] == body["query"] and out["post_filter"] == body["post_filter"]
    assert sampling.sampled(body, {}) is body
    response = {"facet_org": {"x": 1}, "sample_0": {"probability": 0.01, "seed": 19, "doc_count": 3, "histogram": {"y": 2}}}
    assert sampling.unwrap(response) == ({"facet_org": {"x": 1}, "histogram": {"y": 2}}, {"histogram": 0.01})


def test_split_filters_the_hits_query_and_narrows_the_aggregations_to_the_union_of_their_sets():
    req = SearchRequest(q="oil", language=["en"], countries=["US"])
    body = {**Q.search_body(req), "knn": {"field": "vector", "query_vector": [0.1], "k": 5, "num_candidates": 10}}
    sets = Q.aggregated_sets(req)
    hits, aggs = sampling.split(body, sets)
    # hits: the selections filter the query (and the kNN half) instead of a post_filter
    assert "post_filter" not in hits and "aggs" not in hits
    assert hits["query"] == {"bool": {"must": [body["query"]], "filter": [body["post_filter"]]}}
    assert hits["knn"]["filter"][-1] == body["post_filter"]
    # aggregations: the union of the sets they count (en AND US, US, en) bounds the documents visited
    union = aggs["query"]["bool"]["filter"][0]["bool"]["should"]
    assert aggs["query"]["bool"]["must"] == [body["query"]] and len(union) == len(sets) == 3
    assert aggs["aggs"] == body["aggs"] and aggs["size"] == 0
    # one selection: the selected facet counts every match, so nothing can be narrowed
    one = SearchRequest(q="oil", language=["en"])
    _, aggs = sampling.split(Q.search_body(one), Q.aggregated_sets(one))
    assert aggs["query"] == Q.search_body(one)["query"]


def test_only_the_facets_asked_for_are_counted():
    req = SearchRequest(q="oil", countries=["US"], keywords=["crude"], facets=["topics", "countries"])
    aggs = Q.search_body(req)["aggs"]
    assert set(aggs) == {"facet_topics", "facet_countries", "histogram"}
    assert set(Q.aggregated_sets(req)) == {sampling.ALL, "countries"}  # keywords is filtered, not counted
    assert "keywords" in str(Q.search_body(req)["post_filter"])
    assert len(Q.search_body(SearchRequest(q="oil"))["aggs"]) == len(Q.FACETS) + 1  # default: every facet


# --- against the node ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docs(es: Elasticsearch, index_alias: str) -> list[dict[str, Any]]:
    out = []
    for copy in range(COPIES):
        for d in corpus.documents():
            d = {**d, "id": f"{d['id']}-{copy}"}
            if copy == COPIES - 1:
                d |= {COLLECTION_FIELD: HIDDEN, "source": "Hidden Wire"}
            out.append(d)
    helpers.bulk(es, ({"_index": index_alias, "_id": d["id"], "_source": d} for d in out), refresh="wait_for")
    return out


class Recording:
    """The real client, with every search body it sends kept for the test to read."""

    def __init__(self, es: Any) -> None:
        self.es, self.bodies = es, []

    async def search(self, **kwargs: Any) -> Any:
        self.bodies.append(kwargs["body"])
        return await self.es.search(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.es, name)


def run(module_settings, sample_docs: int, req: SearchRequest, principal=OPEN):
    async def go():
        es = async_es_client(module_settings)
        try:
            rec = Recording(es)
            svc = SearchService(rec, module_settings.index_alias, facet_sample_docs=sample_docs)
            return await svc.search(req, principal), rec.bodies
        finally:
            await es.close()
    return asyncio.run(go())


def test_broad_search_is_sampled_and_labelled(module_settings, docs):
    res, bodies = run(module_settings, SAMPLE, SearchRequest(duplicates="show"))
    assert res.total.value == len(docs)  # the total is exact
    assert res.facets_sampled and res.sample_probability == sampling.probability(len(docs), SAMPLE)
    assert all(f.estimated for f in res.facets.values()) and res.histogram.estimated
    true_en = sum(d["language"] == "en" for d in docs)
    est_en = next(b.count for b in res.facets["language"].buckets if b.value == "en")
    assert 0.3 * true_en < est_en < 3 * true_en  # scaled back to the whole set by Elasticsearch
    # the hits at once and the count beside them; the aggregations once the count has answered
    hits, count, aggs = bodies[-3:]
    assert count["size"] == 0 and "sets" in count["aggs"] and "aggs" not in hits and hits.get("size") != 0
    assert "random_sampler" in str(aggs["aggs"]) and aggs["size"] == 0


def test_both_cancels_the_other_request_when_one_fails():
    from search_api.service import both

    finished = []

    async def slow():
        await asyncio.sleep(0.5)
        finished.append("slow")

    async def failing():
        await asyncio.sleep(0.01)
        raise RuntimeError("node said no")

    async def go():
        with pytest.raises(RuntimeError, match="node said no"):
            await both(slow(), failing())
        await asyncio.sleep(0.6)
        assert await both(asyncio.sleep(0, "a"), asyncio.sleep(0, "b")) == ("a", "b")

    asyncio.run(go())
    assert finished == []  # cancelled, not left running


def test_narrow_search_and_small_index_stay_exact(module_settings, docs):
    res, _ = run(module_settings, SAMPLE, SearchRequest(q="sanctions", duplicates="show"))
    assert 0 < res.total.value <= 2 * SAMPLE and not res.facets_sampled and res.sample_probability is None
    assert not any(f.estimated for f in res.facets.values()) and not res.histogram.estimated
    res, bodies = run(module_settings, len(docs), SearchRequest(duplicates="show"))  # index ≤ 2 × sample
    assert not res.facets_sampled and sum(b.get("size") == 0 and "aggs" not in b for b in bodies) == 0
    true_en = sum(d["language"] == "en" for d in docs)
    assert next(b.count for b in res.facets["language"].buckets if b.value == "en") == true_en


def test_each_facet_is_sampled_by_its_own_set(module_settings, docs):
    """A selected language narrows every other facet to a few documents (exact) but not the language
    facet itself (it counts every language of the matches: sampled)."""
    res, _ = run(module_settings, SAMPLE, SearchRequest(language=["fr"], duplicates="show"))
    assert res.facets["language"].estimated and not res.facets["topics"].estimated and not res.histogram.estimated
    fr = sum(d["language"] == "fr" for d in docs)
    # the selected value stays listed (its estimate may be 0: ~2 of its 20 documents are expected in the sample)
    assert any(b.value == "fr" and b.selected for b in res.facets["language"].buckets) and res.total.value == fr


def test_access_filter_holds_in_both_requests(module_settings, docs):
    readable = frozenset(d[COLLECTION_FIELD] for d in docs if d[COLLECTION_FIELD] != HIDDEN)
    reader = Principal("reader", collections=readable)
    res, bodies = run(module_settings, SAMPLE, SearchRequest(duplicates="show"), reader)
    visible = sum(d[COLLECTION_FIELD] != HIDDEN for d in docs)
    assert res.total.value == visible
    # the probability comes from the reader's own matches, not the index's: the count request was restricted
    assert res.sample_probability == sampling.probability(visible, SAMPLE) != sampling.probability(len(docs), SAMPLE)
    user_bodies = [b for b in bodies if "languages" not in b.get("aggs", {})]  # the index's language list is OPEN
    assert len(user_bodies) == 3  # count, hits, aggregations
    for b in user_bodies:
        assert {"terms": {COLLECTION_FIELD: sorted(readable)}} in b["query"]["bool"]["filter"]
    assert all(b.value != "Hidden Wire" for b in res.facets["source"].buckets)


def test_set_sizes_estimated_from_a_sample_of_the_index(es, index_alias, docs):
    """The count request on a (pretend) large index samples the index: estimates near the true sizes."""
    req = SearchRequest(language=["en"], duplicates="show")
    body = Q.search_body(req)
    count = sampling.count_body(body, Q.aggregated_sets(req), index_docs=len(docs), sample_docs=1, count_sample=60)
    assert "random_sampler" in count["aggs"]["count"]
    res = es.search(index=index_alias, body=count)
    sets = {k: b["doc_count"] for k, b in res["aggregations"]["count"]["sets"]["buckets"].items()}
    en = sum(d["language"] == "en" for d in docs)
    assert 0.5 * en < sets["_all"] < 2 * en and 0.5 * len(docs) < sets["language"] < 2 * len(docs)
    assert sampling.probabilities(res, 10) == {**{n: pytest.approx(10 / v, rel=0.01) for n, v in (
        ("language", sets["language"]),)}, **{n: pytest.approx(10 / sets["_all"], rel=0.01)
                                              for n in (*Q.FACETS_BY_NAME, "histogram") if n != "language"}}


@pytest.mark.parametrize("sample_docs, sampled", [(SAMPLE, True), (0, False)])
def test_the_operator_setting_reaches_the_api(module_settings, docs, sample_docs, sampled):
    """``PERISCOPE_FACET_SAMPLE_DOCS`` sets the threshold of the running API; 0 keeps every count exact."""
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(module_settings.model_copy(update={"facet_sample_docs": sample_docs}))) as c:
        r = c.get("/api/v1/search", params={"duplicates": "show"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["facets_sampled"] is sampled and body["histogram"]["estimated"] is sampled
    if not sampled:  # exact: the true count (a loopback install without accounts reads every collection)
        true_en = sum(d["language"] == "en" for d in docs)
        assert [b["count"] for b in body["facets"]["language"]["buckets"] if b["value"] == "en"] == [true_en]


def test_split_requests_give_the_exact_path_s_hits_and_counts(module_settings, docs):
    """Two selections on an index just above the threshold: count, hits and narrowed aggregations as two
    requests give the same hits, total and (exact) counts as the one exact body."""
    req = SearchRequest(language=["fr"], countries=["US"], duplicates="show")
    split_res, bodies = run(module_settings, 60, req)  # 205 documents > 2 x 60: count + hits + aggregations
    exact_res, one = run(module_settings, len(docs), req)
    user = [[b for b in bs if "languages" not in b.get("aggs", {})] for bs in (bodies, one)]  # not the index's languages
    assert [len(u) for u in user] == [3, 1]
    assert not split_res.facets_sampled  # every set of these selections is under 2 x 60
    assert split_res.total == exact_res.total and split_res.total.value > 0
    assert [h.id for h in split_res.hits] == [h.id for h in exact_res.hits]
    assert split_res.facets == exact_res.facets and split_res.histogram == exact_res.histogram


def test_the_facets_parameter_through_the_api(module_settings, docs):
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(module_settings)) as c:
        r = c.get("/api/v1/search", params=[("facets", "topics"), ("facets", "language"), ("q", "oil")])
        bad = c.get("/api/v1/search", params={"facets": "no-such-facet"})
    assert r.status_code == 200, r.text
    assert set(r.json()["facets"]) == {"topics", "language"}
    assert bad.status_code == 422 and "facets" in bad.text


def test_a_timeline_spanning_months_is_bucketed_by_elasticsearch_not_by_day(module_settings, docs):
    """The count request dates the histogram's set; spanning more than 62 days it needs week buckets at
    least, so Elasticsearch is asked for weeks (marked in the aggregation's meta): same timeline as rolling
    up the exact path's day buckets."""
    req = SearchRequest(source=["Market Wire"], duplicates="show")
    split_res, bodies = run(module_settings, 60, req)
    exact_res, _ = run(module_settings, len(docs), req)
    assert not split_res.histogram.estimated and split_res.total.value <= 120  # the source facet itself is sampled
    aggs = next(b for b in bodies if b.get("size") == 0 and "histogram" in str(b.get("aggs")) and "sets" not in str(b))
    spec = aggs["aggs"]["histogram"]["aggs"]["dates"]
    assert spec["date_histogram"]["calendar_interval"] == "week" and spec["meta"] == {"interval": "week"}
    assert split_res.histogram == exact_res.histogram and split_res.histogram.interval == "week"


def test_span_interval_and_coarse_histogram_are_conservative():
    body = Q.search_body(SearchRequest(q="oil"))
    day = 86_400_000

    def answer(lo, hi, sampled=True):
        span = {"span": {"doc_count": 3, "from": {"value": lo}, "to": {"value": hi}}}
        return {"aggregations": {sampling.COUNT: span} if sampled else span}

    assert sampling.span_interval(answer(0, 62 * day)) is None  # days: nothing coarser than day buckets
    assert sampling.span_interval(answer(0, 63 * day)) == "week"
    assert sampling.span_interval(answer(0, 1000 * day, sampled=False)) == "month"
    assert sampling.span_interval(answer(None, None)) is None  # the sample saw no dated document
    coarse = sampling.coarse_histogram(body, "month")
    assert coarse["aggs"]["histogram"]["aggs"]["dates"]["date_histogram"]["calendar_interval"] == "month"
    assert body["aggs"]["histogram"]["aggs"]["dates"]["date_histogram"]["calendar_interval"] == "day"  # not mutated
    assert sampling.coarse_histogram(body, None) is body
    # an explicit interval is the analyst's: never changed
    weekly = Q.search_body(SearchRequest(q="oil", interval="week"))
    assert sampling.coarse_histogram(weekly, "year") is weekly
    assert "span" not in str(sampling.count_body(weekly, Q.aggregated_sets(SearchRequest(q="oil", interval="week")),
                                                 index_docs=10**6, sample_docs=10))


def test_rollup_never_goes_finer_than_the_buckets_it_was_given():
    from search_api.histogram import rollup

    months = [("1990-01-01", 3), ("1991-03-01", 2)]  # keys 424 days apart: "month" from the keys alone
    assert rollup(months, floor="month") == ("month", rollup(months, interval="month")[1])
    # 60 days of keys would choose "day"; month buckets cannot be split
    assert rollup([("1990-01-01", 1), ("1990-03-01", 1)], floor="month")[0] == "month"
    assert rollup([("1990-01-01", 1), ("2010-03-01", 1)], floor="month")[0] == "year"
