"""Near-duplicate linking: candidates by LSH band keys (an ES terms query), confirmed by MinHash.

Each document's ``lsh_bands`` are looked up in the index (one ``msearch`` per batch) and in a bounded
in-memory window of recently loaded documents (which the index may not show yet: refresh lag, same
batch). A candidate whose MinHash Jaccard estimate reaches ``threshold`` makes the document a
duplicate: ``cluster_id`` = the cluster's first document, across sources and collections (the same story
from several sources is what corroboration counts), and ``duplicate_of`` = the first copy *in the same
collection*. ``duplicate_of`` is shown to readers and drives "hide duplicates": pointing at a document in a
collection the reader may not see would leak that it exists and hide the only copy they can read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from mappings import LSH_FIELD

DEFAULT_THRESHOLD = 0.8


def _similarity(a: list[int], b: list[int]) -> float:
    from nlp import near_duplicate_similarity

    return float(near_duplicate_similarity(a, b))


class DuplicateLinker:
    def __init__(self, es: Elasticsearch, alias: str, *, threshold: float = DEFAULT_THRESHOLD,
                 window: int = 1000, candidates: int = 5,
                 call: Callable[[str, Callable[[], Any]], Any] | None = None,
                 similarity: Callable[[list[int], list[int]], float] = _similarity) -> None:
        self.es, self.alias, self.threshold, self.window, self.candidates = es, alias, threshold, window, candidates
        self._call = call or (lambda _what, fn: fn())
        self._sim = similarity
        # band key -> ids, and id -> what a later copy links to; both bounded to ``window`` documents
        self._bands: dict[str, list[str]] = {}
        self._docs: OrderedDict[str, _Seen] = OrderedDict()

    def _remember(self, doc_id: str, seen: _Seen) -> None:
        self._docs[doc_id] = seen
        bands = seen.bands
        for b in bands:
            ids = self._bands.setdefault(b, [])
            if doc_id not in ids:
                ids.append(doc_id)
        while len(self._docs) > self.window:
            old, oseen = self._docs.popitem(last=False)
            for b in oseen.bands:
                ids = self._bands.get(b)
                if ids is not None:
                    if old in ids:
                        ids.remove(old)
                    if not ids:
                        del self._bands[b]

    def _index_candidates(self, docs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        searches: list[dict[str, Any]] = []
        for d in docs:
            searches.append({"index": self.alias})
            searches.append({
                "size": self.candidates,
                "_source": ["minhash", "duplicate_of", "cluster_id", "collection"],
                "query": {"bool": {"filter": [{"terms": {LSH_FIELD: d["lsh_bands"]}}],
                                   "must_not": [{"ids": {"values": [d["id"]]}}]}},
                # more shared bands = more likely a duplicate: score by band matches
                "sort": ["_score"],
            })
        if not searches:
            return []
        resp = self._call("near-duplicate lookup", lambda: self.es.msearch(searches=searches))
        out: list[list[dict[str, Any]]] = []
        for r in resp["responses"]:
            out.append([h for h in r.get("hits", {}).get("hits", [])] if "error" not in r else [])
        return out

    def link(self, docs: list[dict[str, Any]]) -> int:
        """Set ``cluster_id`` (and ``duplicate_of`` within a collection) on ``docs`` in place; returns how
        many are duplicates of an earlier copy in their own collection."""
        with_bands = [d for d in docs if d.get("lsh_bands") and d.get("minhash")]
        found = self._index_candidates(with_bands)
        n = 0
        for d, hits in zip(with_bands, found):
            coll = d.get("collection")
            seen = [_Seen(src.get("cluster_id") or src.get("duplicate_of") or h["_id"],
                          src.get("duplicate_of") or h["_id"], src["minhash"], [], src.get("collection"))
                    for h in hits if (src := h["_source"]).get("minhash")]
            seen += [self._docs[o] for b in d["lsh_bands"] for o in self._bands.get(b, ()) if o != d["id"]]
            best_cluster = best_copy = None
            for s in seen:
                sim = self._sim(d["minhash"], s.minhash)
                if sim < self.threshold:
                    continue
                if best_cluster is None or sim > best_cluster[0]:
                    best_cluster = (sim, s.cluster)
                if s.collection == coll and (best_copy is None or sim > best_copy[0]):
                    best_copy = (sim, s.copy_root)
            cluster = best_cluster[1] if best_cluster and best_cluster[1] != d["id"] else d["id"]
            copy_root = best_copy[1] if best_copy and best_copy[1] != d["id"] else d["id"]
            if cluster != d["id"]:
                d["cluster_id"] = cluster
            if copy_root != d["id"]:
                d["duplicate_of"] = copy_root
                n += 1
            self._remember(d["id"], _Seen(cluster, copy_root, d["minhash"], d["lsh_bands"], coll))
        return n


@dataclass(frozen=True)
class _Seen:
    """A loaded document as a later copy sees it: its cluster, its first copy in its own collection."""

    cluster: str
    copy_root: str
    minhash: list[int]
    bands: list[str]
    collection: str | None
