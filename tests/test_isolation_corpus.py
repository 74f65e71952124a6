"""Two collections built to leak: shared words, near-identical vectors, a shared duplicate cluster,
suggest inputs with common prefixes — but every facet value, title word, id and date range distinct.

Anything the ``alpha`` reader gets that is in :data:`ONLY["bravo"]` (or the reverse) is a leak. The
admin path (no filter) must return both sides for the same requests, which proves the data *could*
leak and so that the isolation tests can fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from elasticsearch import Elasticsearch, helpers

from indexer.document import IndexDocument
from mappings import VECTOR_DIMS
from search_api.access import OPEN, Principal
from search_api.ui.labels import value_label
from search_api.ui.pages import facet_input_id

N = 6
SHARED_WORDS = ["zephyr", "cargo", "manifest", "shipment", "harbour", "ledger"]
SHARED_CLUSTER = "cluster-shared"  # a near-duplicate cluster that spans both collections
# collection -> facet values only it has (two per multi-valued facet: documents take one or both)
SIDE: dict[str, dict[str, list[str]]] = {
    "alpha": {
        "title_word": ["Aurora"], "person": ["Aurelio Marchetti", "Adele Marino"], "org": ["Aquila Holdings"],
        "location": ["Avignon"], "countries": ["NO", "PT"], "topics": ["aquaculture", "astronomy"],
        "keywords": ["anchovy", "amberjack"], "language": ["nl"], "source": ["Aurora Wire"],
        "source_type": ["newsletter"], "year": ["2021"],
        "reliability": [], "credibility": [],  # grades (issue 16): a closed scale both sides share
    },
    "bravo": {
        "title_word": ["Borealis"], "person": ["Borislav Markov", "Bianca Martel"], "org": ["Basalt Trading"],
        "location": ["Bratislava"], "countries": ["KZ", "MN"], "topics": ["ballistics", "botany"],
        "keywords": ["bauxite", "barracuda"], "language": ["uk"], "source": ["Borealis Courier"],
        "source_type": ["dossier"], "year": ["2023"],
        "reliability": [], "credibility": [],  # grades (issue 16): a closed scale both sides share
    },
}
COLLECTIONS = tuple(SIDE)
FACET_KEYS = ("person", "org", "location", "countries", "topics", "keywords", "language", "source", "source_type")
PRINCIPALS = {
    "alice": Principal("alice", collections=frozenset({"alpha"})),
    "bob": Principal("bob", collections=frozenset({"bravo"})),
    "admin": OPEN,
}
OWN = {"alice": "alpha", "bob": "bravo"}
OTHER = {"alice": "bravo", "bob": "alpha"}


def ids(collection: str) -> list[str]:
    return [f"{collection}-doc-{i}" for i in range(1, N + 1)]


def facet_values(collection: str) -> dict[str, list[str]]:
    return {k: SIDE[collection][k] for k in FACET_KEYS}


def tell_tales(collection: str) -> list[str]:
    """Strings that can only appear in a response built from ``collection``'s documents."""
    side = SIDE[collection]
    out = ids(collection) + side["title_word"]
    for key in ("person", "org", "location", "topics", "keywords", "source", "source_type"):
        out += side[key]
    out += [value_label("countries", c) for c in side["countries"]]
    out += [value_label("language", lang) for lang in side["language"]]
    out += [facet_input_id(k, v) for k in FACET_KEYS for v in side[k]]
    return out


def leaks(text: str, collection: str) -> list[str]:
    return [t for t in tell_tales(collection) if t in text]


def documents() -> list[dict[str, Any]]:
    rng = np.random.default_rng(12)
    base = rng.normal(size=VECTOR_DIMS)
    out = []
    for collection in COLLECTIONS:
        s = SIDE[collection]
        for n, doc_id in enumerate(ids(collection), 1):
            pick = lambda key: s[key][: 1 + n % len(s[key])]  # noqa: E731 - one or both values
            title = f"Zephyr cargo {s['title_word'][0]} {n}"
            body = (" ".join(SHARED_WORDS) + f" {s['title_word'][0]} bulletin {n}: {pick('person')[-1]} of "
                    f"{s['org'][0]} met in {s['location'][0]} about {pick('keywords')[-1]}.")
            doc = IndexDocument(
                id=doc_id, title=title, body=body, source=s["source"][0], source_type=s["source_type"][0],
                published_at=f"{s['year'][0]}-0{1 + n % 6}-1{n % 10}T09:00:00Z", language=s["language"][0],
                entities={"person": pick("person"), "org": s["org"], "location": s["location"]},
                countries=pick("countries"), topics=pick("topics"), keywords=pick("keywords"),
                # close to every other document's vector: an unfiltered kNN mixes the collections
                vector=list(base + rng.normal(scale=0.01, size=VECTOR_DIMS)),
                cluster_id=SHARED_CLUSTER if n == 1 else None, collection=collection,
            )
            out.append(doc.to_source())
    return out


def load(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    """Index :func:`documents` into ``alias``, searchable on return; every document must load."""
    docs = documents()
    loaded, errors = helpers.bulk(es, [{"_index": alias, "_id": d["id"], "_source": d} for d in docs],
                                  refresh="wait_for", raise_on_error=False)
    assert loaded == len(docs) == 2 * N, errors
    return docs
