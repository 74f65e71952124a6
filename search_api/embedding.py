"""Query-time embedding for hybrid and semantic search: the query text → the documents' vector space.

The documents' vectors come from the enricher's multilingual encoder (:class:`nlp.topics.Encoder`);
a query must be embedded by the same model, or the neighbours mean nothing. The model loads at the
first hybrid/semantic query (a few seconds, once per process), runs in a worker thread so the event
loop keeps serving, and recent queries are cached (paging and facet clicks repeat the same text).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from typing import Any, Callable

CACHE_SIZE = 1024


class QueryEmbedder:
    def __init__(self, encoder_factory: Callable[[], Any] | None = None) -> None:
        self._factory = encoder_factory or _default_encoder
        self._encoder: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()

    def embed_sync(self, text: str) -> list[float]:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
            if self._encoder is None:
                self._encoder = self._factory()
        vector = [round(float(x), 6) for x in self._encoder.encode([text])[0]]
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    async def embed(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_sync, text)


def _default_encoder() -> Any:
    from nlp.topics import Encoder  # query-time embedding: the one nlp import search_api may make

    return Encoder(threads=1)
