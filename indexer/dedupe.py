"""Near-duplicate linking: candidates by LSH band keys (an ES terms query), confirmed by MinHash.

Each document's ``lsh_bands`` are looked up in the index (one ``msearch`` per batch) and in a bounded
in-memory window of recently loaded documents (which the index may not show yet: refresh lag, same
batch). A candidate whose MinHash Jaccard estimate reaches ``threshold`` makes the document a
duplicate: ``duplicate_of`` = the cluster's first document, ``cluster_id`` = that same id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
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
        # band key -> ids, and id -> (root id, minhash); both bounded to ``window`` documents
        self._bands: dict[str, list[str]] = {}
        self._docs: OrderedDict[str, tuple[str, list[int], list[str]]] = OrderedDict()

    def _remember(self, doc_id: str, root: str, minhash: list[int], bands: list[str]) -> None:
        self._docs[doc_id] = (root, minhash, bands)
        for b in bands:
            ids = self._bands.setdefault(b, [])
            if doc_id not in ids:
                ids.append(doc_id)
        while len(self._docs) > self.window:
            old, (_, _, obands) = self._docs.popitem(last=False)
            for b in obands:
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
                "_source": ["minhash", "duplicate_of", "cluster_id"],
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
        """Set ``duplicate_of``/``cluster_id`` on ``docs`` in place; returns how many are duplicates."""
        with_bands = [d for d in docs if d.get("lsh_bands") and d.get("minhash")]
        found = self._index_candidates(with_bands)
        n = 0
        for d, hits in zip(with_bands, found):
            best: tuple[float, str] | None = None
            for h in hits:
                mh = h["_source"].get("minhash")
                if not mh:
                    continue
                sim = self._sim(d["minhash"], mh)
                if sim >= self.threshold and (best is None or sim > best[0]):
                    src = h["_source"]
                    best = (sim, src.get("duplicate_of") or src.get("cluster_id") or h["_id"])
            for b in d["lsh_bands"]:
                for other in self._bands.get(b, ()):
                    if other == d["id"]:
                        continue
                    root, mh, _ = self._docs[other]
                    sim = self._sim(d["minhash"], mh)
                    if sim >= self.threshold and (best is None or sim > best[0]):
                        best = (sim, root)
            root = d["id"]
            if best is not None and best[1] != d["id"]:
                root = best[1]
                d["duplicate_of"] = root
                d["cluster_id"] = root
                n += 1
            self._remember(d["id"], root, d["minhash"], d["lsh_bands"])
        return n
