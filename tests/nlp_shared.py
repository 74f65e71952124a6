"""One loaded :class:`nlp.Enricher` for every nlp test module of a session (models load slowly)."""

from __future__ import annotations

from functools import lru_cache

from nlp import Enricher


@lru_cache(maxsize=1)
def shared_enricher() -> Enricher:
    return Enricher()
