"""Corpus-level facet cleaning, run after a load: what no single document can show.

The enricher sees one document at a time, so three decisions wait for the corpus (docs/nlp.md):

* entity type: a name the source reads as an organisation in a clear majority of its stories is no
  person anywhere in that source ("L.F. Rothschild co-managed the deal") —
  :func:`nlp.entity_corpus.person_to_org`, decided before the short forms so that a lone surname never
  joins a firm;
* short forms: a one-word person value ("Baker") or organisation value ("Ford") names the one longer
  value of the same source that carries the word ("James Baker", "Ford Motor") —
  :func:`nlp.entity_corpus.resolve_short_forms` decides from the source's facet counts, and never when
  two longer values share the word;
* boilerplate keywords: keywords found in more than 5 % of a source's documents are that source's
  boilerplate (the wire's sign-off, "year", "loss") — :func:`nlp.keywords.boilerplate_filter`.

Counts come from the index itself (composite aggregations per source), so the pass sees every run's
documents, and the rewrite touches only the documents that hold a value to change. Boilerplate decisions
are kept in the run summary (``corpus.boilerplate``) and carried into the next run: once a keyword is
removed its count falls, but it stays boilerplate. The retyped names are kept in the summary too
(``corpus.person_to_org``); they need no carrying: once moved their person count is 0 and their org
count holds what was moved, so the next run decides the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from nlp.entity_corpus import disputed, move_person_counts, person_to_org, resolve_short_forms
from nlp.keywords import boilerplate_filter

Call = Callable[[str, Callable[[], Any]], Any]
_PAGE = 2000

_FIELDS = ["entities.person", "entities.org", "keywords", "mentions", "suggest"]


def _remap(values: list[str] | None, mapping: dict[str, str]) -> list[str]:
    """``values`` with short forms replaced; a value mapped onto one already there is not repeated."""
    return list(dict.fromkeys(mapping.get(v, v) for v in values or []))


def rewrite(src: dict[str, Any], person: dict[str, str], org: dict[str, str], boilerplate: set[str],
            to_org: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """The changed fields of one document's ``_source`` (partial update; {} when nothing changes).
    Values change where the facets and the entity list read them: entities, the mentions' types and
    canonical forms, and the completion inputs. ``to_org`` persons move to the org facet first."""
    out: dict[str, Any] = {}
    ents = src.get("entities") or {}
    persons = ents.get("person") or []
    moved = [v for v in persons if v in to_org]
    new_ents = {"person": _remap([v for v in persons if v not in to_org], person),
                "org": _remap((ents.get("org") or []) + moved, org)}
    if any(new_ents[k] != (ents.get(k) or []) for k in new_ents):
        out["entities"] = new_ents
    kws = src.get("keywords") or []
    if any(k in boilerplate for k in kws):
        out["keywords"] = [k for k in kws if k not in boilerplate]
    by_type = {"person": person, "org": org}
    mentions = [{**m, "type": "org"} if m.get("type") == "person" and m.get("canonical") in to_org else m
                for m in src.get("mentions") or []]
    retyped = mentions != (src.get("mentions") or [])
    if retyped or any(by_type.get(m.get("type"), {}).get(m.get("canonical")) for m in mentions):
        out["mentions"] = [{**m, "canonical": by_type.get(m.get("type"), {}).get(m.get("canonical"), m.get("canonical"))}
                           for m in mentions]
    inputs = (src.get("suggest") or {}).get("input")
    if inputs and (new := _remap(inputs, {**org, **person})) != inputs:
        out["suggest"] = {"input": new}
    return out


@dataclass
class SourcePass:
    """What the pass decided and changed for one source."""

    documents: int
    person_to_org: set[str] = field(default_factory=set)
    person: dict[str, str] = field(default_factory=dict)
    org: dict[str, str] = field(default_factory=dict)
    boilerplate: list[str] = field(default_factory=list)
    updated: int = 0

    def summary(self) -> dict[str, Any]:
        return {"documents": self.documents, "person_to_org": sorted(self.person_to_org),
                "person_short_forms": len(self.person),
                "org_short_forms": len(self.org), "boilerplate": self.boilerplate, "updated": self.updated}


def _direct(what: str, fn: Callable[[], Any]) -> Any:
    return fn()


def value_counts(es: Elasticsearch, alias: str, field_name: str, source: str, call: Call = _direct) -> dict[str, int]:
    """Documents per value of ``field_name`` among ``source``'s documents (every value, paged)."""
    counts: dict[str, int] = {}
    after: dict[str, Any] | None = None
    while True:
        comp: dict[str, Any] = {"size": _PAGE, "sources": [{"v": {"terms": {"field": field_name}}}]}
        if after:
            comp["after"] = after
        resp = call(f"{field_name} counts of {source!r}", lambda: es.search(
            index=alias, size=0, query={"term": {"source": source}}, aggs={"v": {"composite": comp}}))
        agg = resp["aggregations"]["v"]
        for b in agg["buckets"]:
            counts[b["key"]["v"]] = b["doc_count"]
        after = agg.get("after_key")
        if not after or len(agg["buckets"]) < _PAGE:
            return counts


def decide(es: Elasticsearch, alias: str, source: str, *, known_boilerplate: Iterable[str] = (),
           min_docs: int = 200, call: Call = _direct) -> SourcePass:
    """The short-form maps and boilerplate keywords of ``source``, from the index's counts."""
    n = call(f"document count of {source!r}", lambda: es.count(index=alias, query={"term": {"source": source}}))["count"]
    out = SourcePass(n)
    person, org = (value_counts(es, alias, f"entities.{f}", source, call) for f in ("person", "org"))
    out.person_to_org = person_to_org(person, org)
    doubtful = disputed(person, org)
    person, org = move_person_counts(person, org, out.person_to_org)
    out.person, out.org = resolve_short_forms(person, "person", avoid=doubtful), resolve_short_forms(org, "org")
    found = boilerplate_filter(value_counts(es, alias, "keywords", source, call), n, min_docs=min_docs)
    out.boilerplate = sorted(found | set(known_boilerplate))
    return out


def apply(es: Elasticsearch, alias: str, source: str, decided: SourcePass, call: Call = _direct) -> int:
    """Rewrite ``source``'s documents that hold a short form or a boilerplate keyword; returns how many.

    Hand-written scan + partial ``_bulk`` updates: the core distribution has no ``_update_by_query``.
    Each update is guarded by the sequence number read (``if_seq_no``): a document an ingest rewrote in
    between is left alone (409) and the next pass sees it again.
    """
    should = [{"terms": {f"entities.{f}": sorted(getattr(decided, f))}} for f in ("person", "org") if getattr(decided, f)]
    if decided.person_to_org:
        should.append({"terms": {"entities.person": sorted(decided.person_to_org)}})
    if decided.boilerplate:
        should.append({"terms": {"keywords": decided.boilerplate}})
    if not should:
        return 0
    query = {"bool": {"filter": [{"term": {"source": source}}], "should": should, "minimum_should_match": 1}}
    boiler = set(decided.boilerplate)
    after: list[Any] | None = None
    while True:
        page = call(f"corpus pass scan of {source!r}", lambda: es.search(
            index=alias, query=query, size=_PAGE // 4, sort=[{"id": "asc"}], search_after=after,
            seq_no_primary_term=True, source_includes=_FIELDS))["hits"]["hits"]
        if not page:
            break
        ops: list[dict[str, Any]] = []
        for h in page:
            changes = rewrite(h["_source"], decided.person, decided.org, boiler, decided.person_to_org)
            if changes:
                ops += [{"update": {"_index": h["_index"], "_id": h["_id"], "if_seq_no": h["_seq_no"],
                                    "if_primary_term": h["_primary_term"]}}, {"doc": changes}]
        if ops:
            resp = call(f"corpus pass update of {source!r}", lambda: es.bulk(operations=ops))
            decided.updated += sum(1 for it in resp["items"] if it["update"].get("status", 500) < 300)
        after = page[-1]["sort"]
    call("refresh after the corpus pass", lambda: es.indices.refresh(index=alias))
    return decided.updated


def corpus_pass(es: Elasticsearch, alias: str, sources: Iterable[str], *, known: dict[str, list[str]] | None = None,
                min_docs: int = 200, call: Call = _direct) -> dict[str, dict[str, Any]]:
    """Decide and apply, source by source; ``known`` are earlier runs' boilerplate keywords per source.
    Returns each source's summary (what the run summary keeps)."""
    call("refresh before the corpus pass", lambda: es.indices.refresh(index=alias))
    out = {}
    for source in sorted(set(sources)):
        decided = decide(es, alias, source, known_boilerplate=(known or {}).get(source, ()), min_docs=min_docs,
                         call=call)
        apply(es, alias, source, decided, call)
        out[source] = decided.summary()
    return out


def known_boilerplate(runs: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The boilerplate keywords per source recorded by the latest run that made a corpus pass."""
    for run in runs:  # newest first
        corpus = run.get("corpus")
        if isinstance(corpus, dict):
            return {s: list(v.get("boilerplate") or []) for s, v in corpus.items() if isinstance(v, dict)}
    return {}
