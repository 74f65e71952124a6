"""Throw-away contract indices for the evaluation benches (bench/similar.py, bench/relevance.py).

Fast path, no full enrichment: the fields search and similarity read — title, body, the stemmed
``title_<l>``/``body_<l>`` pair of the document's language, language, and the vector computed exactly as
the enricher does (title + the first ``vector_chars`` characters of the body, the same encoder). Every
name is prefixed with the caller's prefix and the index is dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

from mappings import STEMMED_LANGUAGES, body_field, drop, install, title_field
from nlp.enricher import EnricherConfig
from nlp.text import capped
from nlp.topics import Encoder


@dataclass
class EvalDoc:
    id: str
    lang: str
    title: str
    body: str
    extra: dict[str, Any] = field(default_factory=dict)


def vector_text(title: str, body: str) -> str:
    """The text the enricher embeds for a document (nlp/enricher.py ``_vectors``)."""
    return (title.strip() + "\n" + capped(body, EnricherConfig().vector_chars)).strip()


def encode(encoder: Encoder, texts: list[str], batch: int = 64) -> list[list[float]]:
    out: list[list[float]] = []
    for i in range(0, len(texts), batch):
        out += [[round(float(x), 6) for x in v] for v in encoder.encode(texts[i:i + batch])]
    return out


def source(doc: EvalDoc, vector: list[float]) -> dict[str, Any]:
    src: dict[str, Any] = {"id": doc.id, "title": doc.title, "body": doc.body, "language": doc.lang,
                           "source": "eval", "source_type": "corpus", "collection": "eval", "vector": vector,
                           **doc.extra}
    if doc.lang in STEMMED_LANGUAGES:
        src[title_field(doc.lang)] = doc.title
        src[body_field(doc.lang)] = doc.body
    return src


@contextmanager
def eval_index(es: Elasticsearch, prefix: str, docs: Iterable[EvalDoc], encoder: Encoder) -> Iterator[str]:
    """An index holding ``docs`` (with vectors), dropped on exit; yields its alias."""
    alias = f"{prefix}-{os.getpid()}"
    install(es, alias)
    try:
        docs = list(docs)
        vectors = encode(encoder, [vector_text(d.title, d.body) for d in docs])
        helpers.bulk(es.options(request_timeout=120),
                     ({"_index": alias, "_id": d.id, "_source": source(d, v)} for d, v in zip(docs, vectors)),
                     chunk_size=500)
        es.indices.refresh(index=alias)
        yield alias
    finally:
        drop(es, alias)


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
