"""Facet counts and the timeline from a random sample when a search matches very many documents (pure).

Why: every search body counts facet values and days over *all* matching documents, so its cost grows with
the match count — at 1M documents a broad query aggregates 100× more documents than at 10k (issue 19,
docs/scaling.md "Growth"). Exact counts of a few hundred thousand matches buy nothing an analyst can see in
a top-10 list or a timeline. So above ``2 × sample_docs`` matches the aggregations run under Elasticsearch's
``random_sampler`` (core distribution, no licence) with probability ``sample_docs / matches``: a bounded
amount of work, counts scaled back by Elasticsearch, labelled as estimates in the response and the UI.
The sampler also does its own collection pass, so the hits part of the request no longer has to visit every
match (relevance top-k can skip, ``track_total_hits`` stops at its cap).

Alternatives considered and measured (docs/scaling.md): ``eager_global_ordinals`` (moves the ordinal build to
refresh; the query-time cost is the per-document counting, not the ordinals), dropping the ``missing``
sub-aggregations or the histogram (small shares), the shard request cache (only ``size: 0`` bodies, and only
for repeats). ``sampler``/``diversified_sampler`` take the *top-scoring* documents: biased counts.

Two round trips, only when the index holds more than ``2 × sample_docs`` documents (smaller indices pay
nothing): :func:`count_body` estimates the size of each aggregated set (the query's matches, and the matches
under each facet's own filter), :func:`probabilities` turns them into a sampling probability per
aggregation, :func:`sampled` wraps the search body's aggregations and :func:`split` cuts the body in two
requests (hits, sent at once beside the count; aggregations, once the count has answered). The count's
sample also dates the matches: :func:`span_interval`, :func:`coarse_histogram` ask for month or coarser
timeline buckets when they span years. Every body goes through the same access filter
(``SearchService._search``). :func:`merged` and :func:`unwrap` give shaping one flat response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mappings.vocabulary import DATE_FIELD, FACETS

from .histogram import interval_for_span
from .matching import all_of, any_of, knn_filtered

SAMPLE_PREFIX = "sample_"  # aggregation names of the random_sampler groups
SAMPLE_SEED = 19  # a fixed seed: the same search shows the same estimates page after page
ALL = "_all"  # the set of the histogram and of every facet without a selection of its own
MAX_PROBABILITY = 0.5  # random_sampler's own limit (a probability must be ≤ 0.5, or exactly 1)
HISTOGRAM = "histogram"
COUNT = "count"  # the count request's sampler
COUNT_SAMPLE_DOCS = 10_000  # documents of the index the count request estimates the set sizes from
SPAN, SPAN_FROM, SPAN_TO = "span", "from", "to"  # the count request's first and last date of its sample


def count_body(body: dict[str, Any], selection_filters: Mapping[str, list[dict[str, Any]]], *, index_docs: int,
               sample_docs: int, count_sample: int = COUNT_SAMPLE_DOCS) -> dict[str, Any] | None:
    """The first request: about how many documents each aggregation of ``body`` would see.

    ``selection_filters``: the filters of every facet's aggregation keyed by facet name, plus :data:`ALL`
    (every selection: the histogram's and the unselected facets'). ``None`` — send ``body`` as it is, exact —
    when the index holds at most ``2 × sample_docs`` documents (no search can need a sample: small indices
    pay no extra round trip), or when ``body`` has no query or no aggregations (a kNN-only search aggregates
    its k neighbours). The kNN half of a hybrid body adds at most k documents to the query's matches; they
    are not counted.

    The counts are themselves estimated, from a sample of about ``count_sample`` documents of the index: an
    exact count visits every match (40 ms for a match-all on 100k documents here, linear), and choosing a
    probability needs only the order of magnitude (± 5 % at the threshold with the default sizes).
    """
    if sample_docs <= 0 or index_docs <= 2 * sample_docs or "query" not in body or "aggs" not in body:
        return None
    inner: dict[str, Any] = {"sets": {"filters": {"filters": {k: all_of(v) for k, v in selection_filters.items()}}}}
    if _day_histogram(body) is not None and ALL in selection_filters:
        # the dates the sample sees in the histogram's set: a span its documents have at least
        inner[SPAN] = {"filter": all_of(selection_filters[ALL]), "aggs": {
            SPAN_FROM: {"min": {"field": DATE_FIELD}}, SPAN_TO: {"max": {"field": DATE_FIELD}}}}
    p = probability(index_docs, count_sample)
    aggs = inner if p >= 1.0 else {COUNT: {"random_sampler": {"probability": p, "seed": SAMPLE_SEED}, "aggs": inner}}
    return {"query": body["query"], "size": 0, "track_total_hits": False, "aggs": aggs}


def _day_histogram(body: dict[str, Any]) -> dict[str, Any] | None:
    """The body's ``date_histogram`` if it asks for non-empty day buckets to roll up (interval "auto")."""
    spec = (((body.get("aggs") or {}).get(HISTOGRAM) or {}).get("aggs") or {}).get("dates", {}).get("date_histogram")
    if spec and spec.get("calendar_interval") == "day" and spec.get("min_doc_count") == 1:
        return spec
    return None


def span_interval(res: dict[str, Any]) -> str | None:
    """The interval the timeline will need at least, from the dates of the count request's sample: those
    dates are a subset of the matches', so the matches span at least as long and are rolled up to this
    interval or a coarser one. None: no dates seen, or a span of days (day buckets are needed)."""
    aggs = res.get("aggregations") or {}
    span = aggs.get(COUNT, aggs).get(SPAN) or {}
    lo, hi = (span.get(k, {}).get("value") for k in (SPAN_FROM, SPAN_TO))
    if lo is None or hi is None:
        return None
    interval = interval_for_span(int((hi - lo) // 86_400_000))
    return None if interval == "day" else interval


def coarse_histogram(body: dict[str, Any], interval: str | None) -> dict[str, Any]:
    """``body`` with its day histogram asking Elasticsearch for ``interval`` buckets instead (marked in the
    aggregation's ``meta``, which comes back with the answer: shaping rolls up from there, never finer).

    Why: a timeline of 38 years of matches was ~14,000 day buckets to build, send and roll up for ~40
    year bars; month buckets cost a fifth of the time on 1M documents (docs/scaling.md)."""
    spec = _day_histogram(body)
    if interval is None or spec is None:
        return body
    hist = body["aggs"][HISTOGRAM]
    dates = {"date_histogram": {**spec, "calendar_interval": interval}, "meta": {"interval": interval}}
    return {**body, "aggs": {**body["aggs"], HISTOGRAM: {**hist, "aggs": {**hist["aggs"], "dates": dates}}}}


def probability(matches: int, sample_docs: int) -> float:
    """The sampling probability for a set of ``matches`` documents (1.0: count exactly)."""
    if sample_docs <= 0 or matches <= 2 * sample_docs:
        return 1.0
    return min(MAX_PROBABILITY, float(f"{sample_docs / matches:.3g}"))  # short, stable bodies


def probabilities(res: dict[str, Any], sample_docs: int) -> dict[str, float]:
    """Facet name (and ``"histogram"``) → probability, from the answer to :func:`count_body`."""
    aggs = res.get("aggregations") or {}
    buckets = aggs.get(COUNT, aggs)["sets"]["buckets"]  # counts under a sampler come back scaled
    sets = {k: b["doc_count"] for k, b in buckets.items()}
    everything = sets[ALL]
    out = {f.name: probability(sets.get(f.name, everything), sample_docs) for f in FACETS}
    out[HISTOGRAM] = probability(everything, sample_docs)
    return out


def _owner(agg_name: str) -> str:
    return agg_name.removeprefix("facet_")


def sampled(body: dict[str, Any], probs: Mapping[str, float]) -> dict[str, Any]:
    """``body`` with each aggregation whose probability is below 1 moved under a ``random_sampler``
    (one sampler per distinct probability: each sampler makes one pass over its sample)."""
    aggs = body.get("aggs")
    if not aggs or all(probs.get(_owner(k), 1.0) >= 1.0 for k in aggs):
        return body
    out: dict[str, Any] = {}
    groups: dict[float, dict[str, Any]] = {}
    for name, agg in aggs.items():
        p = probs.get(_owner(name), 1.0)
        (out if p >= 1.0 else groups.setdefault(p, {}))[name] = agg
    for i, (p, group) in enumerate(sorted(groups.items())):
        out[f"{SAMPLE_PREFIX}{i}"] = {"random_sampler": {"probability": p, "seed": SAMPLE_SEED}, "aggs": group}
    return {**body, "aggs": out}


def split(body: dict[str, Any], selection_filters: Mapping[str, list[dict[str, Any]]] | None = None,
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(hits body, aggregations body): sent at the same time, they run in parallel on the node, and the hits
    part, with no aggregation collecting beside it, may skip non-competitive matches (block-max WAND for
    relevance, the sort field's index for dates) instead of scoring every one. The aggregations body keeps
    the query and the kNN section (the aggregations count both), nothing of the hits."""
    hits = {k: v for k, v in body.items() if k not in ("aggs", "post_filter")}
    if "post_filter" in body:
        # The facet selections are a post_filter only so that the aggregations see the unselected set;
        # with no aggregation beside them they can filter the query itself: the same hits, scores and
        # total, but Lucene leapfrogs the query and the selection instead of scoring every match and
        # dropping most afterwards (a country and a place with no query: 250 ms -> see docs/scaling.md).
        post = body["post_filter"]
        if "query" in hits:
            hits["query"] = {"bool": {"must": [hits["query"]], "filter": [post]}}
        if "knn" in hits:  # the kNN half is filtered as the post_filter did (it pre-filters: k matches)
            hits["knn"] = knn_filtered(hits["knn"], post)
    aggs = {k: body[k] for k in ("query", "knn", "aggs") if k in body}
    sets = list((selection_filters or {}).values())
    if "query" in aggs and sets and all(sets):
        # Every aggregation counts one of these sets (the histogram and unselected facets: every selection;
        # a selected facet: all the others), so documents in none of them need not be visited: the query
        # of the aggregations is narrowed to their union. Browsing a country and a place of 1M documents
        # visited all 1M once per facet (230 ms) for a few thousand matches (docs/scaling.md).
        union = any_of([all_of(f) for f in sets])
        aggs["query"] = {"bool": {"must": [aggs["query"]], "filter": [union]}}
    return hits, {**aggs, "size": 0, "track_total_hits": False}


def merged(hits: dict[str, Any], aggs: dict[str, Any]) -> dict[str, Any]:
    """One response, as if :func:`split` had not been: the hits' answer with the aggregations' added."""
    return {**hits, "aggregations": aggs.get("aggregations") or {}}


def unwrap(aggregations: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
    """(every aggregation at the top level, aggregation name → probability of those that were sampled)."""
    flat: dict[str, Any] = {}
    sampled_at: dict[str, float] = {}
    for name, agg in aggregations.items():
        if name.startswith(SAMPLE_PREFIX) and isinstance(agg, dict) and "probability" in agg:
            for sub, value in agg.items():
                if isinstance(value, dict):
                    flat[sub] = value
                    sampled_at[sub] = float(agg["probability"])
        else:
            flat[name] = agg
    return flat, sampled_at
